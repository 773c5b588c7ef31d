//! The provider (Sonauto/Treblo) and the background workers' settings.

use std::time::Duration;

use clap::Args;
use secrecy::SecretString;

/// The music provider (Sonauto/Treblo) and how we spend it.
#[derive(Debug, Clone, Args)]
pub struct ProviderConfig {
    /// API key; without one `serve` runs the built-in demo provider.
    #[arg(long, env = "SONAUTO_API_KEY", hide_env_values = true)]
    pub sonauto_api_key: Option<SecretString>,
    /// Provider API base URL (Sonauto is now Treblo; paths are unchanged).
    #[arg(
        long,
        env = "EXTERNAL_API_URL",
        default_value = "https://api.treblo.com/v1"
    )]
    pub external_api_url: String,
    /// Public origin the provider's webhooks reach; defaults to PUBLIC_BASE_URL.
    #[arg(long, env = "WEBHOOK_BASE_URL")]
    pub webhook_base_url: Option<String>,
    /// Generations allowed in flight at the provider, across every process.
    #[arg(long, env = "MAX_CONCURRENT_REQUESTS", default_value_t = 10)]
    pub max_concurrent_requests: u32,
    /// Attempts per pipeline step before the submission fails.
    #[arg(long, env = "MAX_RETRIES", default_value_t = 3)]
    pub max_retries: u32,
    /// Minutes without a terminal webhook before the provider is polled.
    #[arg(long, env = "WEBHOOK_TIMEOUT_MINUTES", default_value_t = 10.0)]
    pub webhook_timeout_minutes: f64,
    /// Minutes after sending when a generation still unfinished at the provider fails.
    #[arg(long, env = "GENERATION_DEADLINE_MINUTES", default_value_t = 20.0)]
    pub generation_deadline_minutes: f64,
    /// Seconds between polls once the webhook timeout has passed.
    #[arg(long, env = "RECONCILE_POLL_SECONDS", default_value_t = 20)]
    pub reconcile_poll_seconds: u64,
    /// Seconds to wait for a callback naming the generation of an unanswered POST before
    /// sending it again (which may bill twice; each resend is counted).
    #[arg(long, env = "ADOPTION_WINDOW_SECONDS", default_value_t = 120)]
    pub adoption_window_seconds: u64,
    /// Timeout of each provider API request.
    #[arg(long, env = "API_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    pub api_request_timeout_seconds: u64,
    /// Balance below which a warning is logged.
    #[arg(long, env = "MIN_AVAILABLE_CREDITS", default_value_t = 5000)]
    pub min_available_credits: i64,
    /// Credits one song costs.
    #[arg(long, env = "SONG_CREDIT_COST", default_value_t = 100)]
    pub song_credit_cost: i64,
    /// Minutes between balance refreshes (also refreshed on a 402).
    #[arg(long, env = "CREDITS_REFRESH_MINUTES", default_value_t = 10.0)]
    pub credits_refresh_minutes: f64,
    /// The built-in demo provider's songs are instrumental instead of performing their lyrics
    /// with the text-to-speech voice (faster; tests use it).
    #[arg(long, env = "DEMO_SONGS_INSTRUMENTAL")]
    pub demo_songs_instrumental: bool,
    /// Audio format requested from the provider: m4a (AAC, copied into the video without
    /// re-encoding) or mp3 (the spec's choice; re-encoded to AAC at render time).
    #[arg(long, env = "SONAUTO_OUTPUT_FORMAT", default_value = "m4a", value_parser = ["mp3", "m4a"])]
    pub output_format: String,
}

/// The background workers.
#[derive(Debug, Clone, Args)]
pub struct PipelineConfig {
    /// Concurrent provider reads and downloads per worker process.
    #[arg(long, env = "PROVIDER_WORKERS", default_value_t = 8)]
    pub provider_workers: usize,
    /// Seconds a claimed job's lease lasts (renewed every third of it).
    #[arg(long, env = "JOB_LEASE_SECONDS", default_value_t = 30)]
    pub job_lease_seconds: u64,
    /// Retry delays in seconds after the 1st, 2nd, … failed attempt (the last repeats).
    #[arg(
        long,
        env = "RETRY_BACKOFF_SECONDS",
        value_delimiter = ',',
        default_value = "10,30,60"
    )]
    pub retry_backoff_seconds: Vec<u64>,
    /// Days files of finished submissions are kept.
    #[arg(long, env = "FILE_RETENTION_DAYS", default_value_t = 30)]
    pub file_retention_days: u32,
}

impl ProviderConfig {
    fn minutes(value: f64) -> Duration {
        Duration::from_secs_f64(value * 60.0)
    }

    pub fn webhook_timeout(&self) -> Duration {
        Self::minutes(self.webhook_timeout_minutes)
    }

    pub fn generation_deadline(&self) -> Duration {
        Self::minutes(self.generation_deadline_minutes)
    }

    pub fn credits_refresh(&self) -> Duration {
        Self::minutes(self.credits_refresh_minutes)
    }

    pub fn adoption_window(&self) -> Duration {
        Duration::from_secs(self.adoption_window_seconds)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.api_request_timeout_seconds)
    }
}
