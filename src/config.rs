//! Typed configuration from flags and environment variables (the spec's names where it has
//! one), validated once at start-up, printed with secrets redacted by `serenade config --print`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use crate::http::client_ip::TrustedProxies;
use crate::http::web::config::SiteConfig;
use crate::provider::download::DownloadConfig;
use crate::provider::fake::FakeSonautoConfig;
use crate::render::RenderConfig;

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
    #[command(flatten)]
    pub admin: AdminConfig,
    #[command(flatten)]
    pub site: SiteConfig,
}

/// The HTTP listener and its hardening.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Address the HTTP server listens on.
    #[arg(long = "bind", env = "SERENADE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Public URL of the site (used for share links); defaults to http://{bind}.
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// Comma-separated IPs or CIDRs of proxies allowed to set X-Forwarded-For.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,
    /// Seconds a client may take to send the request line and headers.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_read_timeout_seconds: u64,
    /// Seconds a request (body included) may take before it is answered 408.
    #[arg(long, env = "REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    pub request_timeout_seconds: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "SHUTDOWN_GRACE_SECONDS", default_value_t = 20)]
    pub shutdown_grace_seconds: u64,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// `sqlite://path` (embedded, created on first start) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://./data/serenade.db"
    )]
    pub database_url: SecretString,
    /// Maximum pooled connections.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,
}

/// Local storage directories (the spec's three, under one root unless set).
#[derive(Debug, Clone, Args)]
pub struct StorageConfig {
    /// Root directory for stored files.
    #[arg(long, env = "STORAGE_DIR", default_value = "./storage")]
    pub storage_dir: PathBuf,
    /// Directory for uploaded photos; defaults to {STORAGE_DIR}/uploads.
    #[arg(long, env = "IMG_STORAGE")]
    pub img_storage: Option<PathBuf>,
    /// Directory for downloaded songs; defaults to {STORAGE_DIR}/audio.
    #[arg(long, env = "AUDIO_STORAGE")]
    pub audio_storage: Option<PathBuf>,
    /// Directory for rendered videos and images; defaults to {STORAGE_DIR}/video.
    #[arg(long, env = "VIDEO_STORAGE")]
    pub video_storage: Option<PathBuf>,
}

/// Abuse limits.
#[derive(Debug, Clone, Args)]
pub struct LimitsConfig {
    /// Maximum submissions per browser cookie id.
    #[arg(long, env = "FORM_SUBMIT_RETRY", default_value_t = 10)]
    pub form_submit_retry: u32,
    /// Submissions per client IP per hour (0 disables the limit).
    #[arg(long, env = "SUBMISSIONS_PER_IP_PER_HOUR", default_value_t = 20)]
    pub submissions_per_ip_per_hour: u32,
    /// Result lookups per client IP per hour (0 disables the limit).
    #[arg(long, env = "RESULTS_PER_IP_PER_HOUR", default_value_t = 100)]
    pub results_per_ip_per_hour: u32,
}

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

/// Operator access to admin routes and metrics; both are off unless set.
#[derive(Debug, Clone, Args)]
pub struct AdminConfig {
    /// User name for HTTP Basic on admin routes and /metrics.
    #[arg(long, env = "ADMIN_USER")]
    pub admin_user: Option<String>,
    /// Password for HTTP Basic on admin routes and /metrics.
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<SecretString>,
}

/// A setting that failed validation.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
}

impl ConfigError {
    fn invalid(name: &'static str, problem: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            problem: problem.into(),
        }
    }
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

    /// The settings as `(ENV_NAME, value)` pairs, secrets redacted.
    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        let shown = |value: Option<&String>| value.cloned().unwrap_or_else(|| "(unset)".into());
        let path = |value: &std::path::Path| value.display().to_string();
        vec![
            ("SERENADE_BIND", self.http.bind.to_string()),
            ("PUBLIC_BASE_URL", self.http.public_base_url()),
            ("TRUSTED_PROXIES", self.http.trusted_proxies.to_string()),
            (
                "HEADER_READ_TIMEOUT_SECONDS",
                self.http.header_read_timeout_seconds.to_string(),
            ),
            (
                "REQUEST_TIMEOUT_SECONDS",
                self.http.request_timeout_seconds.to_string(),
            ),
            (
                "SHUTDOWN_GRACE_SECONDS",
                self.http.shutdown_grace_seconds.to_string(),
            ),
            ("DATABASE_URL", self.database.redacted_url()),
            (
                "DATABASE_MAX_CONNECTIONS",
                self.database.database_max_connections.to_string(),
            ),
            ("STORAGE_DIR", path(&self.storage.storage_dir)),
            ("IMG_STORAGE", path(&self.storage.img_dir())),
            ("AUDIO_STORAGE", path(&self.storage.audio_dir())),
            ("VIDEO_STORAGE", path(&self.storage.video_dir())),
            (
                "FORM_SUBMIT_RETRY",
                self.limits.form_submit_retry.to_string(),
            ),
            (
                "SUBMISSIONS_PER_IP_PER_HOUR",
                self.limits.submissions_per_ip_per_hour.to_string(),
            ),
            (
                "RESULTS_PER_IP_PER_HOUR",
                self.limits.results_per_ip_per_hour.to_string(),
            ),
            (
                "SONAUTO_API_KEY",
                self.provider
                    .sonauto_api_key
                    .as_ref()
                    .map_or("(unset: demo provider)", |_| "[redacted]")
                    .into(),
            ),
            ("EXTERNAL_API_URL", self.provider.external_api_url.clone()),
            ("WEBHOOK_BASE_URL", self.webhook_base_url()),
            (
                "MAX_CONCURRENT_REQUESTS",
                self.provider.max_concurrent_requests.to_string(),
            ),
            ("MAX_RETRIES", self.provider.max_retries.to_string()),
            (
                "WEBHOOK_TIMEOUT_MINUTES",
                self.provider.webhook_timeout_minutes.to_string(),
            ),
            (
                "GENERATION_DEADLINE_MINUTES",
                self.provider.generation_deadline_minutes.to_string(),
            ),
            (
                "RECONCILE_POLL_SECONDS",
                self.provider.reconcile_poll_seconds.to_string(),
            ),
            (
                "API_REQUEST_TIMEOUT_SECONDS",
                self.provider.api_request_timeout_seconds.to_string(),
            ),
            (
                "MIN_AVAILABLE_CREDITS",
                self.provider.min_available_credits.to_string(),
            ),
            (
                "SONG_CREDIT_COST",
                self.provider.song_credit_cost.to_string(),
            ),
            (
                "CREDITS_REFRESH_MINUTES",
                self.provider.credits_refresh_minutes.to_string(),
            ),
            ("SONAUTO_OUTPUT_FORMAT", self.provider.output_format.clone()),
            (
                "MEDIA_ALLOWED_HOSTS",
                self.media.media_allowed_hosts.to_string(),
            ),
            ("MEDIA_MAX_BYTES", self.media.media_max_bytes.to_string()),
            (
                "MEDIA_DOWNLOAD_TIMEOUT_SECONDS",
                self.media.media_download_timeout_seconds.to_string(),
            ),
            (
                "PROVIDER_WORKERS",
                self.pipeline.provider_workers.to_string(),
            ),
            (
                "JOB_LEASE_SECONDS",
                self.pipeline.job_lease_seconds.to_string(),
            ),
            (
                "RETRY_BACKOFF_SECONDS",
                self.pipeline
                    .retry_backoff_seconds
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "FILE_RETENTION_DAYS",
                self.pipeline.file_retention_days.to_string(),
            ),
            ("ADMIN_USER", shown(self.admin.admin_user.as_ref())),
            (
                "ADMIN_PASSWORD",
                self.admin
                    .admin_password
                    .as_ref()
                    .map_or("(unset)", |_| "[redacted]")
                    .into(),
            ),
            ("TERMS_URL", self.site.terms_url.clone()),
            ("PRIVACY_URL", self.site.privacy_url.clone()),
        ]
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

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.api_request_timeout_seconds)
    }
}

impl HttpConfig {
    /// The public origin, without a trailing slash.
    pub fn public_base_url(&self) -> String {
        match &self.public_base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_seconds)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_seconds)
    }
}

impl DatabaseConfig {
    /// The URL with any password replaced, safe for logs.
    pub fn redacted_url(&self) -> String {
        redact_url_password(self.database_url.expose_secret())
    }
}

impl StorageConfig {
    pub fn img_dir(&self) -> PathBuf {
        self.img_storage
            .clone()
            .unwrap_or_else(|| self.storage_dir.join("uploads"))
    }

    pub fn audio_dir(&self) -> PathBuf {
        self.audio_storage
            .clone()
            .unwrap_or_else(|| self.storage_dir.join("audio"))
    }

    pub fn video_dir(&self) -> PathBuf {
        self.video_storage
            .clone()
            .unwrap_or_else(|| self.storage_dir.join("video"))
    }
}

impl AdminConfig {
    /// The Basic credentials, when both are configured.
    pub fn credentials(&self) -> Option<(&str, &SecretString)> {
        Some((self.admin_user.as_deref()?, self.admin_password.as_ref()?))
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`.
fn redact_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url_password("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact_url_password("postgres://app@db/x"),
            "postgres://app@db/x"
        );
        assert_eq!(
            redact_url_password("sqlite://./data/a.db"),
            "sqlite://./data/a.db"
        );
    }
}
