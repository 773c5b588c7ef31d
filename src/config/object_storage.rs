//! Where stored files live: the local directory (the default) or an S3-compatible bucket,
//! so web and worker nodes on different machines share media; and how long signed file URLs
//! stay valid.

use clap::{Args, ValueEnum};
use secrecy::SecretString;

use super::error::ConfigError;

/// The storage backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageBackend {
    /// Files under `STORAGE_DIR` (shared only by processes that share that disk).
    Local,
    /// An S3-compatible bucket (`S3_*`).
    S3,
}

/// S3-compatible object storage.
#[derive(Debug, Clone, Args)]
pub struct ObjectStorageConfig {
    /// `local` (files under STORAGE_DIR) or `s3` (an S3-compatible bucket).
    #[arg(long, env = "STORAGE_BACKEND", value_enum, default_value_t = StorageBackend::Local)]
    pub storage_backend: StorageBackend,
    /// The bucket (required with STORAGE_BACKEND=s3).
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// The endpoint of an S3-compatible server (unset: AWS for S3_REGION).
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    #[arg(long, env = "S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    #[arg(long, env = "S3_SECRET_ACCESS_KEY")]
    pub s3_secret_access_key: Option<SecretString>,
    /// Seconds a signed file URL (S3 presigned, or the local store's HMAC-signed one) stays
    /// valid.
    #[arg(long, env = "SIGNED_URL_TTL_SECONDS", default_value_t = 3600)]
    pub signed_url_ttl_seconds: u64,
}

impl Default for ObjectStorageConfig {
    /// The local directory, URLs signed for an hour.
    fn default() -> Self {
        Self {
            storage_backend: StorageBackend::Local,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            signed_url_ttl_seconds: 3600,
        }
    }
}

impl ObjectStorageConfig {
    /// The signed URL lifetime.
    pub fn signed_url_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.signed_url_ttl_seconds)
    }

    /// The S3 settings' own rules.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.signed_url_ttl_seconds == 0 || self.signed_url_ttl_seconds > 7 * 24 * 3600 {
            return Err(ConfigError::invalid(
                "SIGNED_URL_TTL_SECONDS",
                "must be between 1 second and 7 days (S3's longest presigned URL)",
            ));
        }
        if self.storage_backend != StorageBackend::S3 {
            return Ok(());
        }
        if self.s3_bucket.as_deref().is_none_or(str::is_empty) {
            return Err(ConfigError::invalid(
                "S3_BUCKET",
                "is required with STORAGE_BACKEND=s3",
            ));
        }
        if self.s3_access_key_id.is_none() || self.s3_secret_access_key.is_none() {
            return Err(ConfigError::invalid(
                "S3_ACCESS_KEY_ID",
                "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are required with STORAGE_BACKEND=s3",
            ));
        }
        if let Some(endpoint) = &self.s3_endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            return Err(ConfigError::invalid(
                "S3_ENDPOINT",
                "must start with http:// or https://",
            ));
        }
        Ok(())
    }

    /// The settings for `config --print`, the secret redacted.
    pub fn redacted_entries(&self) -> Vec<(&'static str, String)> {
        let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "(unset)".into());
        let backend = match self.storage_backend {
            StorageBackend::Local => "local",
            StorageBackend::S3 => "s3",
        };
        vec![
            ("STORAGE_BACKEND", backend.into()),
            ("S3_BUCKET", shown(&self.s3_bucket)),
            ("S3_ENDPOINT", shown(&self.s3_endpoint)),
            ("S3_REGION", self.s3_region.clone()),
            ("S3_ACCESS_KEY_ID", shown(&self.s3_access_key_id)),
            (
                "S3_SECRET_ACCESS_KEY",
                self.s3_secret_access_key
                    .as_ref()
                    .map_or("(unset)", |_| "[redacted]")
                    .into(),
            ),
            (
                "SIGNED_URL_TTL_SECONDS",
                self.signed_url_ttl_seconds.to_string(),
            ),
        ]
    }
}
