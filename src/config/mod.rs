//! Typed configuration from flags and environment variables (the spec's names where it has
//! one), validated once at start-up, printed with secrets redacted by `serenade config --print`.
//! Each subsystem's section lives in its own file; this one holds the whole and its checks.

use clap::Args;
use secrecy::ExposeSecret;

use crate::provider::download::DownloadConfig;
use crate::provider::fake::FakeSonautoConfig;
use crate::render::RenderConfig;
pub mod site;
use site::SiteConfig;

pub mod error;
pub use error::ConfigError;

pub mod jobs;
mod object_storage;
mod pipeline;
mod print;
mod sections;

pub use jobs::JobsConfig;
pub use object_storage::{ObjectStorageConfig, StorageBackend};
pub use pipeline::{PipelineConfig, ProviderConfig};
pub use sections::{AdminConfig, DatabaseConfig, HttpConfig, LimitsConfig, StorageConfig};

/// Every setting of the service, grouped by the subsystem that reads it.
#[derive(Debug, Clone, Args)]
pub struct Config {
    #[command(flatten)]
    pub http: HttpConfig,
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub storage: StorageConfig,
    #[command(flatten)]
    pub limits: LimitsConfig,
    #[command(flatten)]
    pub provider: ProviderConfig,
    #[command(flatten)]
    pub media: DownloadConfig,
    #[command(flatten)]
    pub pipeline: PipelineConfig,
    #[command(flatten, next_help_heading = "Video rendering")]
    pub render: RenderConfig,
    #[command(
        flatten,
        next_help_heading = "Demo provider (used when SONAUTO_API_KEY is unset)"
    )]
    pub demo_provider: FakeSonautoConfig,
    #[command(flatten, next_help_heading = "Jobs API")]
    pub jobs: JobsConfig,
    #[command(flatten, next_help_heading = "Narration (text to speech)")]
    pub tts: crate::tts::config::TtsConfig,
    #[command(flatten, next_help_heading = "Slideshow videos")]
    pub slideshow: crate::workflows::slideshow::config::SlideshowConfig,
    #[command(flatten)]
    pub admin: AdminConfig,
    #[command(flatten)]
    pub site: SiteConfig,
}

impl Config {
    /// Checks every rule that clap's types cannot express; called once at start-up.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = self.database.database_url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "DATABASE_URL",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        self.storage.objects.validate()?;
        self.jobs.validate()?;
        self.tts.validate()?;
        self.slideshow.validate()?;
        if self.database.database_max_connections == 0 {
            return Err(ConfigError::invalid(
                "DATABASE_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        if let Some(base) = &self.http.public_base_url
            && !(base.starts_with("http://") || base.starts_with("https://"))
        {
            return Err(ConfigError::invalid(
                "PUBLIC_BASE_URL",
                "must start with http:// or https://",
            ));
        }
        for (name, value) in [
            (
                "HEADER_READ_TIMEOUT_SECONDS",
                self.http.header_read_timeout_seconds,
            ),
            ("REQUEST_TIMEOUT_SECONDS", self.http.request_timeout_seconds),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(name, "must be at least 1"));
            }
        }
        if self.limits.max_concurrent_submissions == 0 {
            return Err(ConfigError::invalid(
                "MAX_CONCURRENT_SUBMISSIONS",
                "must be at least 1",
            ));
        }
        let provider = &self.provider;
        if provider.max_concurrent_requests == 0 {
            return Err(ConfigError::invalid(
                "MAX_CONCURRENT_REQUESTS",
                "must be at least 1",
            ));
        }
        if provider.max_retries == 0 {
            return Err(ConfigError::invalid("MAX_RETRIES", "must be at least 1"));
        }
        for (name, minutes) in [
            ("WEBHOOK_TIMEOUT_MINUTES", provider.webhook_timeout_minutes),
            (
                "GENERATION_DEADLINE_MINUTES",
                provider.generation_deadline_minutes,
            ),
            ("CREDITS_REFRESH_MINUTES", provider.credits_refresh_minutes),
        ] {
            if !(minutes.is_finite() && minutes > 0.0) {
                return Err(ConfigError::invalid(
                    name,
                    "must be a positive number of minutes",
                ));
            }
        }
        if provider.generation_deadline_minutes <= provider.webhook_timeout_minutes {
            return Err(ConfigError::invalid(
                "GENERATION_DEADLINE_MINUTES",
                "must be longer than WEBHOOK_TIMEOUT_MINUTES",
            ));
        }
        if !(provider.external_api_url.starts_with("https://")
            || provider.external_api_url.starts_with("http://"))
        {
            return Err(ConfigError::invalid(
                "EXTERNAL_API_URL",
                "must be an http(s) URL",
            ));
        }
        if self.pipeline.job_lease_seconds < 3 {
            return Err(ConfigError::invalid(
                "JOB_LEASE_SECONDS",
                "must be at least 3",
            ));
        }
        if self.pipeline.provider_workers == 0 {
            return Err(ConfigError::invalid(
                "PROVIDER_WORKERS",
                "must be at least 1",
            ));
        }
        self.render
            .validate()
            .map_err(|problem| ConfigError::invalid("VIDEO_*/RENDER_*", problem))?;
        if self.limits.form_submit_retry == 0 {
            return Err(ConfigError::invalid(
                "FORM_SUBMIT_RETRY",
                "must be at least 1",
            ));
        }
        self.site.validate()?;
        match (&self.admin.admin_user, &self.admin.admin_password) {
            (Some(user), Some(password)) => {
                if user.is_empty() || user.contains(':') {
                    return Err(ConfigError::invalid(
                        "ADMIN_USER",
                        "must be non-empty and have no ':'",
                    ));
                }
                if password.expose_secret().len() < 8 {
                    return Err(ConfigError::invalid(
                        "ADMIN_PASSWORD",
                        "must be at least 8 characters",
                    ));
                }
            }
            (None, None) => {}
            (Some(_), None) => {
                return Err(ConfigError::invalid(
                    "ADMIN_PASSWORD",
                    "is required when ADMIN_USER is set",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::invalid(
                    "ADMIN_USER",
                    "is required when ADMIN_PASSWORD is set",
                ));
            }
        }
        Ok(())
    }
}

impl Config {
    /// Origin the provider's webhooks are sent to.
    pub fn webhook_base_url(&self) -> String {
        match &self.provider.webhook_base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => self.http.public_base_url(),
        }
    }
}
