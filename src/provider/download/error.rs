//! Why a media download failed or was refused, with the retry classification the job layer
//! uses and stable kebab-case codes for logs and metrics.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A refused or failed download.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("not a valid absolute URL: {url}")]
    InvalidUrl { url: String },
    #[error("refusing a `{scheme}` URL: only https (or http to a host listed with its port)")]
    NotHttps { scheme: String },
    #[error("refusing a URL that carries credentials")]
    CredentialsInUrl,
    #[error("host `{host}` is not on the media allow-list")]
    HostNotAllowed { host: String },
    #[error("host `{host}` resolves to the non-public address {addr}")]
    PrivateAddress { host: String, addr: IpAddr },
    #[error("could not resolve `{host}`")]
    Resolve {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{host}` resolved to no address")]
    NoAddress { host: String },
    #[error("the server redirected ({status}) to {location:?}; redirects are not followed")]
    Redirect {
        status: u16,
        location: Option<String>,
    },
    #[error("the file is larger than the {limit}-byte limit (declared: {declared:?})")]
    TooLarge { limit: u64, declared: Option<u64> },
    #[error("the download took longer than {0:?}")]
    Timeout(Duration),
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("network error while downloading")]
    Network(#[source] reqwest::Error),
    #[error("could not set up the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("file I/O failed on {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl DownloadError {
    /// True when trying again later may succeed: DNS and network failures, timeouts, 5xx,
    /// 408 and 429, and local I/O errors (a full disk may be freed). Policy refusals and other
    /// 4xx answers are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Resolve { .. }
            | Self::NoAddress { .. }
            | Self::Timeout(_)
            | Self::Network(_)
            | Self::Io { .. } => true,
            Self::Status(status) => *status >= 500 || *status == 408 || *status == 429,
            Self::InvalidUrl { .. }
            | Self::NotHttps { .. }
            | Self::CredentialsInUrl
            | Self::HostNotAllowed { .. }
            | Self::PrivateAddress { .. }
            | Self::Redirect { .. }
            | Self::TooLarge { .. }
            | Self::Client(_) => false,
        }
    }

    /// True when the download was refused by the safety policy (not a failure of the server
    /// or the network): worth an alert, since the provider handed out a URL we will not fetch.
    pub fn is_policy_refusal(&self) -> bool {
        matches!(
            self,
            Self::InvalidUrl { .. }
                | Self::NotHttps { .. }
                | Self::CredentialsInUrl
                | Self::HostNotAllowed { .. }
                | Self::PrivateAddress { .. }
                | Self::Redirect { .. }
                | Self::TooLarge { .. }
        )
    }

    /// A stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUrl { .. } => "download-invalid-url",
            Self::NotHttps { .. } => "download-not-https",
            Self::CredentialsInUrl => "download-credentials-in-url",
            Self::HostNotAllowed { .. } => "download-host-not-allowed",
            Self::PrivateAddress { .. } => "download-private-address",
            Self::Resolve { .. } | Self::NoAddress { .. } => "download-dns-failed",
            Self::Redirect { .. } => "download-redirect",
            Self::TooLarge { .. } => "download-too-large",
            Self::Timeout(_) => "download-timeout",
            Self::Status(_) => "download-http-status",
            Self::Network(_) => "download-network",
            Self::Client(_) => "download-client",
            Self::Io { .. } => "download-io",
        }
    }

    /// Classifies a reqwest failure: its timeouts are [`DownloadError::Timeout`].
    pub(super) fn from_reqwest(error: reqwest::Error, timeout: Duration) -> Self {
        if error.is_timeout() {
            Self::Timeout(timeout)
        } else {
            Self::Network(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_trouble_is_retryable_and_refusals_are_not() {
        assert!(DownloadError::Status(503).is_retryable());
        assert!(DownloadError::Status(429).is_retryable());
        assert!(!DownloadError::Status(404).is_retryable());
        assert!(DownloadError::Timeout(Duration::from_secs(1)).is_retryable());
        let refusal = DownloadError::HostNotAllowed {
            host: "evil.example".into(),
        };
        assert!(!refusal.is_retryable());
        assert!(refusal.is_policy_refusal());
        assert_eq!(refusal.code(), "download-host-not-allowed");
    }
}
