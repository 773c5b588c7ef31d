//! The generic jobs API's settings: the Replicate account (without a token the built-in demo
//! Replicate answers), which models may be asked for, how many outputs, keyless access for
//! the seed clients that send no key, and how much of the provider one process uses.

use std::time::Duration;

use clap::Args;
use secrecy::SecretString;

use super::error::ConfigError;

/// The models allowed by default: the ones the seeds' README examples name.
pub const DEFAULT_MODELS: &str =
    "black-forest-labs/flux-schnell,stability-ai/sdxl,stability-ai/stable-diffusion-xl-base-1.0";

/// Settings of `/api/v1/jobs` and the seeds' routes.
#[derive(Debug, Clone, Args)]
pub struct JobsConfig {
    /// Replicate API token; without one the jobs API runs the built-in demo Replicate, which
    /// draws real images from the prompt offline.
    #[arg(long, env = "REPLICATE_API_TOKEN", hide_env_values = true)]
    pub replicate_api_token: Option<SecretString>,
    /// Replicate API base URL.
    #[arg(
        long,
        env = "REPLICATE_API_URL",
        default_value = "https://api.replicate.com/v1"
    )]
    pub replicate_api_url: String,
    /// Models a job may name (`owner/name`, comma-separated); others are refused with
    /// `unknown_model`.
    #[arg(long, env = "JOBS_MODELS", default_value = DEFAULT_MODELS, value_delimiter = ',')]
    pub jobs_models: Vec<String>,
    /// The model used when a request names none (seeds 001 and 002 never do).
    #[arg(
        long,
        env = "JOBS_DEFAULT_MODEL",
        default_value = "black-forest-labs/flux-schnell"
    )]
    pub jobs_default_model: String,
    /// Most outputs one job may ask for.
    #[arg(long, env = "JOBS_MAX_OUTPUTS", default_value_t = 4)]
    pub jobs_max_outputs: u32,
    /// Let requests with no API key act as the built-in `anonymous` key (seed 001 and 003
    /// clients send none); `false` requires a key everywhere.
    #[arg(long, env = "JOBS_ANONYMOUS_ACCESS", default_value_t = true, action = clap::ArgAction::Set)]
    pub jobs_anonymous_access: bool,
    /// Predictions one worker process keeps in flight at the provider.
    #[arg(long, env = "JOBS_PROVIDER_CONCURRENCY", default_value_t = 8)]
    pub jobs_provider_concurrency: usize,
    /// Outputs one worker process persists at once.
    #[arg(long, env = "JOBS_OUTPUT_CONCURRENCY", default_value_t = 4)]
    pub jobs_output_concurrency: usize,
    /// Milliseconds between polls of a running prediction.
    #[arg(long, env = "JOBS_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub jobs_poll_interval_ms: u64,
    /// Hosts outputs may be fetched from (the download allow-list's forms).
    #[arg(
        long,
        env = "JOBS_OUTPUT_ALLOWED_HOSTS",
        default_value = "replicate.delivery,*.replicate.delivery"
    )]
    pub jobs_output_allowed_hosts: String,
    /// Hosts (`host` or `host:port`) client webhooks may reach even on private addresses.
    #[arg(long, env = "JOBS_WEBHOOK_ALLOWED_HOSTS", value_delimiter = ',')]
    pub jobs_webhook_allowed_hosts: Vec<String>,
    /// Seconds an open circuit (5 provider failures in a row) holds dispatch before one call
    /// is let through.
    #[arg(long, env = "JOBS_CIRCUIT_OPEN_SECONDS", default_value_t = 30)]
    pub jobs_circuit_open_seconds: u64,
    /// Milliseconds the built-in demo Replicate takes to draw a job's images.
    #[arg(long, env = "DEMO_REPLICATE_GENERATION_MILLIS", default_value_t = 1500)]
    pub demo_replicate_generation_millis: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            replicate_api_token: None,
            replicate_api_url: "https://api.replicate.com/v1".into(),
            jobs_models: DEFAULT_MODELS.split(',').map(str::to_owned).collect(),
            jobs_default_model: "black-forest-labs/flux-schnell".into(),
            jobs_max_outputs: 4,
            jobs_anonymous_access: true,
            jobs_provider_concurrency: 8,
            jobs_output_concurrency: 4,
            jobs_poll_interval_ms: 1000,
            jobs_output_allowed_hosts: "replicate.delivery,*.replicate.delivery".into(),
            jobs_webhook_allowed_hosts: Vec::new(),
            jobs_circuit_open_seconds: 30,
            demo_replicate_generation_millis: 1500,
        }
    }
}

impl JobsConfig {
    /// Checks what clap's types cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.replicate_api_url.starts_with("https://")
            || self.replicate_api_url.starts_with("http://"))
        {
            return Err(ConfigError::invalid(
                "REPLICATE_API_URL",
                "must be an http(s) URL",
            ));
        }
        if self.jobs_max_outputs == 0 || self.jobs_max_outputs > 16 {
            return Err(ConfigError::invalid("JOBS_MAX_OUTPUTS", "must be 1 to 16"));
        }
        if !self.allows_model(&self.jobs_default_model) {
            return Err(ConfigError::invalid(
                "JOBS_DEFAULT_MODEL",
                "must be one of JOBS_MODELS",
            ));
        }
        for (name, value) in [
            ("JOBS_PROVIDER_CONCURRENCY", self.jobs_provider_concurrency),
            ("JOBS_OUTPUT_CONCURRENCY", self.jobs_output_concurrency),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(name, "must be at least 1"));
            }
        }
        Ok(())
    }

    /// Whether `model` (`owner/name`, optionally `:version`) is allowed.
    pub fn allows_model(&self, model: &str) -> bool {
        let name = model.split_once(':').map_or(model, |(name, _)| name);
        self.jobs_models
            .iter()
            .any(|allowed| allowed.trim() == name)
    }

    /// How long an open circuit holds dispatch.
    pub fn circuit_open_for(&self) -> Duration {
        Duration::from_secs(self.jobs_circuit_open_seconds.max(1))
    }

    /// How often a running prediction is polled.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.jobs_poll_interval_ms.max(50))
    }

    /// The settings for `config --print`, the token redacted.
    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "REPLICATE_API_TOKEN",
                self.replicate_api_token
                    .as_ref()
                    .map_or("(unset: built-in demo Replicate)", |_| "[redacted]")
                    .into(),
            ),
            ("REPLICATE_API_URL", self.replicate_api_url.clone()),
            ("JOBS_MODELS", self.jobs_models.join(",")),
            ("JOBS_DEFAULT_MODEL", self.jobs_default_model.clone()),
            ("JOBS_MAX_OUTPUTS", self.jobs_max_outputs.to_string()),
            (
                "JOBS_ANONYMOUS_ACCESS",
                self.jobs_anonymous_access.to_string(),
            ),
            (
                "JOBS_PROVIDER_CONCURRENCY",
                self.jobs_provider_concurrency.to_string(),
            ),
            (
                "JOBS_OUTPUT_CONCURRENCY",
                self.jobs_output_concurrency.to_string(),
            ),
            (
                "JOBS_POLL_INTERVAL_MS",
                self.jobs_poll_interval_ms.to_string(),
            ),
            (
                "JOBS_OUTPUT_ALLOWED_HOSTS",
                self.jobs_output_allowed_hosts.clone(),
            ),
            (
                "JOBS_WEBHOOK_ALLOWED_HOSTS",
                self.jobs_webhook_allowed_hosts.join(","),
            ),
            (
                "JOBS_CIRCUIT_OPEN_SECONDS",
                self.jobs_circuit_open_seconds.to_string(),
            ),
            (
                "DEMO_REPLICATE_GENERATION_MILLIS",
                self.demo_replicate_generation_millis.to_string(),
            ),
        ]
    }
}
