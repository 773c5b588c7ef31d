//! The download policy (allow-list, size and time caps), its configuration flags, and the
//! synchronous half of the safety checks: scheme, credentials, host and port.

use std::net::IpAddr;
use std::time::Duration;

use clap::Args;
use reqwest::Url;

use super::error::DownloadError;
use super::hosts::{AllowedHost, AllowedHosts, UrlHost};

/// Default size cap: 25 MiB (a v3 mp3 is about 2.5 MB).
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;
/// Default time cap for a whole download.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What a [`super::MediaDownloader`] may fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadPolicy {
    /// Hosts songs may come from (see [`AllowedHost`] for the entry forms).
    pub allowed_hosts: Vec<AllowedHost>,
    /// Largest file accepted, declared or streamed.
    pub max_bytes: u64,
    /// Time allowed for the whole download: DNS, connect, headers and body.
    pub timeout: Duration,
}

impl Default for DownloadPolicy {
    fn default() -> Self {
        Self {
            allowed_hosts: AllowedHosts::default().into(),
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A URL that passed the synchronous checks.
#[derive(Debug, Clone)]
pub struct Target {
    /// The parsed URL.
    pub url: Url,
    /// Its host, as the allow-list compares it.
    pub host: UrlHost,
    /// Its effective port.
    pub port: u16,
    /// The operator listed this exact host with its port: private addresses are allowed.
    pub listed_with_port: bool,
}

impl DownloadPolicy {
    /// Checks everything that needs no network: an absolute http(s) URL without credentials,
    /// whose host and port are on the allow-list, over https unless the matching entry names
    /// its port.
    pub fn check_url(&self, raw: &str) -> Result<Target, DownloadError> {
        let url = Url::parse(raw).map_err(|_| DownloadError::InvalidUrl {
            url: raw.to_owned(),
        })?;
        let scheme = url.scheme().to_owned();
        if scheme != "https" && scheme != "http" {
            return Err(DownloadError::NotHttps { scheme });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(DownloadError::CredentialsInUrl);
        }
        let host_str = url.host_str().ok_or_else(|| DownloadError::InvalidUrl {
            url: raw.to_owned(),
        })?;
        let host = match host_str
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            Ok(ip) => UrlHost::Ip(ip),
            Err(_) => UrlHost::Name(host_str.to_ascii_lowercase()),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| DownloadError::InvalidUrl {
                url: raw.to_owned(),
            })?;
        let allowed = |port| {
            self.allowed_hosts
                .iter()
                .find(|entry| entry.matches(&host, port))
        };
        let Some(entry) = allowed(port) else {
            // http://listed-host/ would be allowed over https: say so rather than "not listed".
            if scheme == "http" && allowed(443).is_some() {
                return Err(DownloadError::NotHttps { scheme });
            }
            return Err(DownloadError::HostNotAllowed {
                host: host_str.to_owned(),
            });
        };
        if scheme == "http" && !entry.is_exact_with_port() {
            return Err(DownloadError::NotHttps { scheme });
        }
        Ok(Target {
            listed_with_port: entry.is_exact_with_port(),
            url,
            host,
            port,
        })
    }
}

/// The downloader's settings as flags and environment variables.
#[derive(Debug, Clone, Args)]
pub struct DownloadConfig {
    /// Comma-separated hosts songs may be downloaded from: `host` (https on 443),
    /// `host:port` (that port only; also allows plain http and private addresses, e.g. a
    /// local fake at 127.0.0.1:9090), `*.domain` (its subdomains, https on 443).
    #[arg(
        long,
        env = "MEDIA_ALLOWED_HOSTS",
        default_value = super::hosts::DEFAULT_ALLOWED_HOSTS
    )]
    pub media_allowed_hosts: AllowedHosts,
    /// Largest song file accepted, in bytes.
    #[arg(long, env = "MEDIA_MAX_BYTES", default_value_t = DEFAULT_MAX_BYTES)]
    pub media_max_bytes: u64,
    /// Seconds a whole song download may take.
    #[arg(long, env = "MEDIA_DOWNLOAD_TIMEOUT_SECONDS", default_value_t = 60)]
    pub media_download_timeout_seconds: u64,
}

impl Default for DownloadConfig {
    /// The same defaults as the command line.
    fn default() -> Self {
        Self {
            media_allowed_hosts: AllowedHosts::default(),
            media_max_bytes: DEFAULT_MAX_BYTES,
            media_download_timeout_seconds: 60,
        }
    }
}

impl DownloadConfig {
    /// The policy these settings describe.
    pub fn policy(&self) -> DownloadPolicy {
        DownloadPolicy {
            allowed_hosts: self.media_allowed_hosts.clone().into(),
            max_bytes: self.media_max_bytes,
            timeout: Duration::from_secs(self.media_download_timeout_seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &str) -> DownloadPolicy {
        DownloadPolicy {
            allowed_hosts: hosts.parse::<AllowedHosts>().unwrap().into(),
            ..DownloadPolicy::default()
        }
    }

    fn refusal(policy: &DownloadPolicy, url: &str) -> &'static str {
        policy.check_url(url).unwrap_err().code()
    }

    #[test]
    fn the_default_policy_allows_only_the_provider_cdns_over_https() {
        let policy = DownloadPolicy::default();
        let url = "https://cdn.treblo.com/pubapi/generations2/audio_x_0.mp3";
        assert!(policy.check_url(url).is_ok());
        assert!(policy.check_url("https://CDN.SONAUTO.AI/a.mp3").is_ok());
        assert_eq!(
            refusal(&policy, "http://cdn.treblo.com/a.mp3"),
            "download-not-https"
        );
        assert_eq!(
            refusal(&policy, "https://evil.example/a.mp3"),
            "download-host-not-allowed"
        );
        assert_eq!(
            refusal(&policy, "http://169.254.169.254/latest/meta-data"),
            "download-host-not-allowed"
        );
        assert_eq!(
            refusal(&policy, "https://cdn.treblo.com:8443/a.mp3"),
            "download-host-not-allowed"
        );
        assert_eq!(
            refusal(&policy, "ftp://cdn.treblo.com/a.mp3"),
            "download-not-https"
        );
        assert_eq!(refusal(&policy, "/relative.mp3"), "download-invalid-url");
        assert_eq!(
            refusal(&policy, "https://user:pw@cdn.treblo.com/a.mp3"),
            "download-credentials-in-url"
        );
    }

    #[test]
    fn a_host_listed_with_its_port_may_use_http() {
        let policy = policy("127.0.0.1:9090,[::1]:9091");
        let target = policy.check_url("http://127.0.0.1:9090/cdn/a.mp3").unwrap();
        assert!(target.listed_with_port);
        assert!(policy.check_url("http://[::1]:9091/a.mp3").is_ok());
        assert_eq!(
            refusal(&policy, "http://127.0.0.1:9091/a.mp3"),
            "download-host-not-allowed"
        );
        // Odd IPv4 spellings are normalised before the comparison.
        assert!(policy.check_url("http://2130706433:9090/a.mp3").is_ok());
    }

    #[test]
    fn wildcards_never_allow_http() {
        let policy = policy("*.treblo.com");
        assert!(policy.check_url("https://cdn.treblo.com/a.mp3").is_ok());
        assert_eq!(
            refusal(&policy, "http://cdn.treblo.com/a.mp3"),
            "download-not-https"
        );
    }
}
