//! Safe download of a provider's song file: allow-listed hosts over https, public addresses
//! only (checked after DNS and pinned against rebinding), no redirects, cookies, proxies or
//! credentials, size and time caps, and an all-or-nothing write to disk.

mod address;
mod error;
mod file;
mod hosts;
mod policy;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use reqwest::header;

pub use address::is_public;
pub use error::DownloadError;
pub use hosts::{AllowedHost, AllowedHostError, AllowedHosts, DEFAULT_ALLOWED_HOSTS, UrlHost};
pub use policy::{DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, DownloadConfig, DownloadPolicy, Target};

use self::file::PartialFile;

/// A completed download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadedFile {
    /// Where the file now is (the requested destination).
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// The server's `Content-Type`, if any (not trusted: probe the file before use).
    pub content_type: Option<String>,
}

/// Fetches provider media under a [`DownloadPolicy`]. It holds no API key or other
/// credential, so none can leak to a CDN.
#[derive(Debug, Clone)]
pub struct MediaDownloader {
    policy: DownloadPolicy,
}

impl MediaDownloader {
    /// A downloader enforcing `policy`.
    pub fn new(policy: DownloadPolicy) -> Self {
        Self { policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &DownloadPolicy {
        &self.policy
    }

    /// Downloads `url` to `destination` (whose directory must exist). On any error nothing is
    /// left at `destination` or beside it; an existing file there is replaced only on success.
    pub async fn download(
        &self,
        url: &str,
        destination: &Path,
    ) -> Result<DownloadedFile, DownloadError> {
        let target = self.policy.check_url(url)?;
        let timeout = self.policy.timeout;
        let downloaded = tokio::time::timeout(timeout, self.fetch(&target, destination))
            .await
            .unwrap_or(Err(DownloadError::Timeout(timeout)));
        match &downloaded {
            Ok(file) => tracing::info!(
                media.host = target.url.host_str().unwrap_or_default(),
                bytes = file.bytes,
                "media downloaded to {}",
                file.path.display()
            ),
            Err(error) => tracing::warn!(
                media.host = target.url.host_str().unwrap_or_default(),
                error.code = error.code(),
                "media download failed: {error}"
            ),
        }
        downloaded
    }

    async fn fetch(
        &self,
        target: &Target,
        destination: &Path,
    ) -> Result<DownloadedFile, DownloadError> {
        let timeout = self.policy.timeout;
        let addrs = resolve(target).await?;
        let client = client_for(target, &addrs, timeout)?;
        let mut response = client
            .get(target.url.clone())
            .header(header::ACCEPT, "audio/*, */*;q=0.1")
            .send()
            .await
            .map_err(|error| DownloadError::from_reqwest(error, timeout))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            return Err(DownloadError::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        if !status.is_success() {
            return Err(DownloadError::Status(status.as_u16()));
        }
        let limit = self.policy.max_bytes;
        if let Some(declared) = response.content_length()
            && declared > limit
        {
            return Err(DownloadError::TooLarge {
                limit,
                declared: Some(declared),
            });
        }
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut file = PartialFile::create(destination).await?;
        let mut bytes: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| DownloadError::from_reqwest(error, timeout))?
        {
            bytes = bytes.saturating_add(chunk.len() as u64);
            if bytes > limit {
                return Err(DownloadError::TooLarge {
                    limit,
                    declared: None,
                });
            }
            file.write(&chunk).await?;
        }
        file.finish(destination).await?;
        Ok(DownloadedFile {
            path: destination.to_path_buf(),
            bytes,
            content_type,
        })
    }
}

/// The addresses to connect to: the IP of an IP-literal URL, or every address DNS gives for
/// the name. Each must be public unless the operator listed this host with its port.
async fn resolve(target: &Target) -> Result<Vec<SocketAddr>, DownloadError> {
    let (host, addrs) = match &target.host {
        UrlHost::Ip(ip) => (ip.to_string(), vec![SocketAddr::new(*ip, target.port)]),
        UrlHost::Name(name) => {
            let found = tokio::net::lookup_host((name.as_str(), target.port))
                .await
                .map_err(|source| DownloadError::Resolve {
                    host: name.clone(),
                    source,
                })?;
            (name.clone(), found.collect())
        }
    };
    if addrs.is_empty() {
        return Err(DownloadError::NoAddress { host });
    }
    if !target.listed_with_port
        && let Some(private) = addrs.iter().find(|addr| !is_public(addr.ip()))
    {
        return Err(DownloadError::PrivateAddress {
            host,
            addr: private.ip(),
        });
    }
    Ok(addrs)
}

/// A client for this one download: connections pinned to the checked addresses (so a second
/// DNS answer cannot swap them), no redirects, no proxy, no cookies, no default headers.
fn client_for(
    target: &Target,
    addrs: &[SocketAddr],
    timeout: std::time::Duration,
) -> Result<reqwest::Client, DownloadError> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .referer(false)
        .timeout(timeout)
        .connect_timeout(timeout.min(std::time::Duration::from_secs(10)))
        .user_agent(concat!(
            "serenade-media-downloader/",
            env!("CARGO_PKG_VERSION")
        ));
    if let UrlHost::Name(name) = &target.host {
        builder = builder.resolve_to_addrs(name, addrs);
    }
    builder.build().map_err(DownloadError::Client)
}
