//! The smaller sections: the HTTP listener, the database, storage directories, abuse limits and
//! operator credentials.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use crate::http::client_ip::TrustedProxies;

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
    /// The backend (local or S3) and signed URLs.
    #[command(flatten)]
    pub objects: super::object_storage::ObjectStorageConfig,
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
    /// Submissions handled at once by this process (body read, photo checked and
    /// re-encoded); more are answered 503 `server_busy` with Retry-After.
    #[arg(long, env = "MAX_CONCURRENT_SUBMISSIONS", default_value_t = 32)]
    pub max_concurrent_submissions: usize,
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

/// Replaces every password in a database URL with `***`: the userinfo's
/// (`scheme://user:password@host`) and any query parameter whose name ends in `password`
/// (`?password=…`, `&sslpassword=…`), which PostgreSQL URLs also accept.
fn redact_url_password(url: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (url, None),
    };
    let mut redacted = redact_userinfo(before_query);
    if let Some(query) = query {
        let (query, fragment) = match query.split_once('#') {
            Some((query, fragment)) => (query, Some(fragment)),
            None => (query, None),
        };
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.to_ascii_lowercase().ends_with("password") => {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&pairs.join("&"));
        if let Some(fragment) = fragment {
            redacted.push('#');
            redacted.push_str(fragment);
        }
    }
    redacted
}

/// `scheme://user:password@host/…` (query already removed) with the password replaced. The
/// userinfo ends at the last `@`, so an unescaped `@` or `/` in a password is still hidden.
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host_and_path)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) if !user.contains('/') => {
            format!("{scheme}://{user}:***@{host_and_path}")
        }
        _ => url.to_owned(),
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

    #[test]
    fn query_passwords_and_awkward_userinfo_are_redacted() {
        for (url, shown) in [
            (
                "postgres://db/x?user=app&password=s3cret",
                "postgres://db/x?user=app&password=***",
            ),
            (
                "postgresql://app@db/x?sslmode=require&PASSWORD=s3cret&sslpassword=k3y#frag",
                "postgresql://app@db/x?sslmode=require&PASSWORD=***&sslpassword=***#frag",
            ),
            (
                "postgres://app:p@ss@db:5432/x?password=again",
                "postgres://app:***@db:5432/x?password=***",
            ),
            ("postgres://app:s3cret@db", "postgres://app:***@db"),
            ("postgres://app:s3/cret@db/x", "postgres://app:***@db/x"),
            (
                "sqlite:///srv/a:b@c/s3cret.db",
                "sqlite:///srv/a:b@c/s3cret.db",
            ),
            (
                "postgres://db/x?application_name=a@b",
                "postgres://db/x?application_name=a@b",
            ),
        ] {
            assert_eq!(redact_url_password(url), shown, "{url}");
        }
    }
}
