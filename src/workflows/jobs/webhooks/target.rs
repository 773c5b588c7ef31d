//! Where a client webhook may go, by the downloader's rules: an absolute http(s) URL without
//! credentials, at most [`MAX_URL_CHARS`] long, to a public address — checked when the job is
//! created (`check_webhook_url`: the URL itself, IP literals and `localhost`) and again when
//! each event is sent (`resolve_webhook_url`: every address DNS gives, the connection then
//! pinned to them so a second answer cannot swap them). Hosts the operator lists in
//! `JOBS_WEBHOOK_ALLOWED_HOSTS` (`host`: any port; `host:port`: that port) may be private and
//! reached over plain http; any other host is https only. Sends follow no redirect, use no
//! proxy and give up after [`SEND_TIMEOUT`].

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

use crate::provider::download::is_public;

/// Longest webhook URL accepted.
pub const MAX_URL_CHARS: usize = 2048;
/// Time allowed for one delivery: resolution, connection, request and the answer's head.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a webhook URL is refused, or could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error("the webhook URL is not a valid absolute http(s) URL")]
    Invalid,
    #[error("the webhook URL is longer than {MAX_URL_CHARS} characters")]
    TooLong,
    #[error("a webhook URL uses https, not `{scheme}`")]
    Scheme { scheme: String },
    #[error("a webhook URL cannot carry a user name or password")]
    Credentials,
    #[error("a webhook URL uses https (plain http only to hosts the operator allows)")]
    NotHttps,
    #[error("webhooks are sent to public addresses only, and {host} is not one")]
    PrivateHost { host: String },
    #[error("webhooks are sent to public addresses only, and {host} resolves to {addr}")]
    PrivateAddress { host: String, addr: IpAddr },
    #[error("the webhook host {host} could not be resolved: {reason}")]
    Unresolvable { host: String, reason: String },
}

impl WebhookUrlError {
    /// A stable code for API answers and delivery records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "webhook_url_invalid",
            Self::TooLong => "webhook_url_too_long",
            Self::Scheme { .. } => "webhook_url_scheme",
            Self::Credentials => "webhook_url_credentials",
            Self::NotHttps => "webhook_url_not_https",
            Self::PrivateHost { .. } | Self::PrivateAddress { .. } => "webhook_url_private",
            Self::Unresolvable { .. } => "webhook_url_unresolvable",
        }
    }

    /// True when trying again cannot help (a DNS failure may pass).
    pub fn is_permanent(&self) -> bool {
        !matches!(self, Self::Unresolvable { .. })
    }
}

/// Checks everything about a webhook URL that needs no network; `allowed` is
/// `JOBS_WEBHOOK_ALLOWED_HOSTS`.
pub fn check_webhook_url(raw: &str, allowed: &[String]) -> Result<Url, WebhookUrlError> {
    if raw.len() > MAX_URL_CHARS {
        return Err(WebhookUrlError::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| WebhookUrlError::Invalid)?;
    let scheme = url.scheme();
    if scheme != "https" && scheme != "http" {
        return Err(WebhookUrlError::Scheme {
            scheme: scheme.to_owned(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(WebhookUrlError::Credentials);
    }
    let host = url.host_str().filter(|host| !host.is_empty());
    let (Some(host), Some(_)) = (host, url.port_or_known_default()) else {
        return Err(WebhookUrlError::Invalid);
    };
    if !is_allow_listed(&url, allowed) {
        let private_ip = ip_literal(host).is_some_and(|ip| !is_public(ip));
        if private_ip || is_local_name(host) {
            return Err(WebhookUrlError::PrivateHost {
                host: host.to_owned(),
            });
        }
        if scheme == "http" {
            return Err(WebhookUrlError::NotHttps);
        }
    }
    Ok(url)
}

/// A webhook URL checked for one send: the addresses to connect to, each public unless the
/// host is allow-listed.
#[derive(Debug, Clone)]
pub struct Destination {
    pub url: Url,
    pub addrs: Vec<SocketAddr>,
    /// The host name the addresses were resolved from (none for an IP literal).
    name: Option<String>,
}

/// Checks `raw` as [`check_webhook_url`] does, then resolves its host and checks every
/// address it gives.
pub async fn resolve_webhook_url(
    raw: &str,
    allowed: &[String],
) -> Result<Destination, WebhookUrlError> {
    let url = check_webhook_url(raw, allowed)?;
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return Err(WebhookUrlError::Invalid);
    };
    let host = host.to_owned();
    let (name, addrs) = match ip_literal(&host) {
        Some(ip) => (None, vec![SocketAddr::new(ip, port)]),
        None => {
            let unresolvable = |reason: String| WebhookUrlError::Unresolvable {
                host: host.clone(),
                reason,
            };
            let found = tokio::time::timeout(SEND_TIMEOUT, tokio::net::lookup_host((&*host, port)))
                .await
                .map_err(|_| unresolvable("DNS timed out".into()))?
                .map_err(|error| unresolvable(error.to_string()))?;
            (Some(host.clone()), found.collect())
        }
    };
    check_addresses(&host, &addrs, is_allow_listed(&url, allowed))?;
    Ok(Destination { url, addrs, name })
}

/// Refuses an empty answer, and any non-public address unless the host is allow-listed.
pub fn check_addresses(
    host: &str,
    addrs: &[SocketAddr],
    allow_listed: bool,
) -> Result<(), WebhookUrlError> {
    if addrs.is_empty() {
        return Err(WebhookUrlError::Unresolvable {
            host: host.to_owned(),
            reason: "no address".into(),
        });
    }
    if !allow_listed && let Some(private) = addrs.iter().find(|addr| !is_public(addr.ip())) {
        return Err(WebhookUrlError::PrivateAddress {
            host: host.to_owned(),
            addr: private.ip(),
        });
    }
    Ok(())
}

impl Destination {
    /// A client for this one send: connections pinned to the checked addresses, no
    /// redirects, no proxy, no cookies or referer, the send timeout.
    pub fn client(&self) -> Result<reqwest::Client, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .referer(false)
            .timeout(SEND_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("serenade-webhooks/", env!("CARGO_PKG_VERSION")));
        if let Some(name) = &self.name {
            builder = builder.resolve_to_addrs(name, &self.addrs);
        }
        builder.build()
    }
}

/// True when an allow-list entry covers the URL's host and port.
pub fn is_allow_listed(url: &Url, allowed: &[String]) -> bool {
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
        return false;
    };
    allowed
        .iter()
        .filter_map(|raw| AllowedEntry::parse(raw))
        .any(|entry| entry.host == host && entry.port.is_none_or(|listed| listed == port))
}

/// One `JOBS_WEBHOOK_ALLOWED_HOSTS` entry, its host normalised as URLs normalise theirs.
#[derive(Debug, PartialEq, Eq)]
struct AllowedEntry {
    host: String,
    /// `None`: any port.
    port: Option<u16>,
}

impl AllowedEntry {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.contains(['/', '@', '?', '#', '\\']) {
            return None;
        }
        let url = Url::parse(&format!("http://{raw}/")).ok()?;
        let host = url.host_str().filter(|host| !host.is_empty())?.to_owned();
        // The URL drops an explicit default port; the entry still meant it.
        let port = url.port().or_else(|| raw.ends_with(":80").then_some(80));
        Some(Self { host, port })
    }
}

/// The IP address of an IP-literal host (`[…]` for IPv6, as URLs print it).
fn ip_literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// `localhost` and its subdomains (RFC 6761), which always mean this machine.
fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
