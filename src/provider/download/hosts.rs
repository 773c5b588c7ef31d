//! The operator's download allow-list: entries `host` (https on 443), `host:port` (exactly
//! that port; plain http and private addresses allowed, for a local fake) and `*.domain`
//! (any subdomain, https on 443), parsed one by one or as a comma list (`MEDIA_ALLOWED_HOSTS`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// The default allow-list: the Sonauto and Treblo CDNs.
pub const DEFAULT_ALLOWED_HOSTS: &str = "cdn.sonauto.ai,cdn.treblo.com";

/// Why an allow-list entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid allowed host `{entry}`: {reason}")]
pub struct AllowedHostError {
    entry: String,
    reason: &'static str,
}

/// The host of a URL, as the allow-list compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlHost {
    /// A lower-case domain name.
    Name(String),
    /// An IP literal (IPv6 without brackets).
    Ip(IpAddr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Name(String),
    Ip(IpAddr),
    /// `*.domain`, stored as `.domain`: strict subdomains only.
    Subdomains(String),
}

/// One allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    pattern: Pattern,
    port: Option<u16>,
}

impl AllowedHost {
    /// The port the operator listed, if any. Listing a port is what permits plain http and
    /// private addresses for this host.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// True when a URL with this host and (effective) port is covered by the entry.
    pub fn matches(&self, host: &UrlHost, port: u16) -> bool {
        let host_matches = match (&self.pattern, host) {
            (Pattern::Name(name), UrlHost::Name(host)) => name == host,
            (Pattern::Ip(ip), UrlHost::Ip(host)) => ip == host,
            (Pattern::Subdomains(dot_suffix), UrlHost::Name(host)) => host
                .strip_suffix(dot_suffix.as_str())
                .is_some_and(|label| !label.is_empty()),
            _ => false,
        };
        host_matches && self.port.map_or(port == 443, |listed| listed == port)
    }

    /// True for an entry naming one exact host with its port (the only kind that may point
    /// at a private address or be reached over http).
    pub fn is_exact_with_port(&self) -> bool {
        self.port.is_some() && !matches!(self.pattern, Pattern::Subdomains(_))
    }
}

impl FromStr for AllowedHost {
    type Err = AllowedHostError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let entry = raw.trim();
        let fail = |reason| AllowedHostError {
            entry: entry.to_owned(),
            reason,
        };
        let (host, port) = split_port(entry).ok_or_else(|| fail("bad host:port form"))?;
        let port = port
            .map(|port| port.parse::<u16>().ok().filter(|&port| port != 0))
            .map(|port| port.ok_or_else(|| fail("port must be 1-65535")))
            .transpose()?;
        let host = host.to_ascii_lowercase();
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse() {
            return Ok(Self {
                pattern: Pattern::Ip(ip),
                port,
            });
        }
        if let Some(suffix) = host.strip_prefix("*.") {
            if port.is_some() {
                return Err(fail("a wildcard entry cannot have a port"));
            }
            if !is_domain(suffix) || !suffix.contains('.') {
                return Err(fail("a wildcard needs a domain with a dot after `*.`"));
            }
            return Ok(Self {
                pattern: Pattern::Subdomains(format!(".{suffix}")),
                port,
            });
        }
        if !is_domain(&host) {
            return Err(fail("not a domain name or IP address"));
        }
        Ok(Self {
            pattern: Pattern::Name(host),
            port,
        })
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
fn split_port(entry: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match entry.matches(':').count() {
        0 => Some((entry, None)),
        1 => entry.split_once(':').map(|(host, port)| (host, Some(port))),
        _ => Some((entry, None)),
    }
}

fn is_domain(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.pattern, self.port) {
            (Pattern::Ip(IpAddr::V6(ip)), Some(port)) => write!(f, "[{ip}]:{port}"),
            (Pattern::Ip(ip), Some(port)) => write!(f, "{ip}:{port}"),
            (Pattern::Ip(ip), None) => write!(f, "{ip}"),
            (Pattern::Name(name), Some(port)) => write!(f, "{name}:{port}"),
            (Pattern::Name(name), None) => write!(f, "{name}"),
            (Pattern::Subdomains(suffix), _) => write!(f, "*{suffix}"),
        }
    }
}

/// A comma-separated allow-list, e.g. `cdn.treblo.com,127.0.0.1:9090`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts(pub Vec<AllowedHost>);

impl FromStr for AllowedHosts {
    type Err = AllowedHostError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        raw.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl fmt::Display for AllowedHosts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&entries.join(","))
    }
}

impl Default for AllowedHosts {
    fn default() -> Self {
        DEFAULT_ALLOWED_HOSTS
            .parse()
            .unwrap_or_else(|_| Self(Vec::new()))
    }
}

impl From<AllowedHosts> for Vec<AllowedHost> {
    fn from(hosts: AllowedHosts) -> Self {
        hosts.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(host: &str) -> UrlHost {
        UrlHost::Name(host.to_owned())
    }

    #[test]
    fn parses_and_prints_every_form() {
        let list: AllowedHosts = " CDN.Treblo.com, 127.0.0.1:9090,[::1]:8080,*.treblo.com,"
            .parse()
            .unwrap();
        assert_eq!(
            list.to_string(),
            "cdn.treblo.com,127.0.0.1:9090,[::1]:8080,*.treblo.com"
        );
        assert_eq!(list.to_string().parse::<AllowedHosts>().unwrap(), list);
        assert_eq!(
            AllowedHosts::default().to_string(),
            "cdn.sonauto.ai,cdn.treblo.com"
        );
    }

    #[test]
    fn refuses_malformed_entries() {
        for bad in [
            "https://cdn.treblo.com",
            "cdn.treblo.com/path",
            "host:0",
            "host:99999",
            "*.com",
            "*.treblo.com:443",
            "a..b",
            "",
        ] {
            assert!(bad.parse::<AllowedHost>().is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn a_plain_entry_matches_that_host_on_443_only() {
        let entry: AllowedHost = "cdn.treblo.com".parse().unwrap();
        assert!(entry.matches(&name("cdn.treblo.com"), 443));
        assert!(!entry.matches(&name("cdn.treblo.com"), 8443));
        assert!(!entry.matches(&name("evil-cdn.treblo.com"), 443));
        assert!(!entry.matches(&name("cdn.treblo.com.evil.net"), 443));
        assert!(!entry.is_exact_with_port());
    }

    #[test]
    fn a_port_entry_matches_that_port_only() {
        let entry: AllowedHost = "127.0.0.1:9090".parse().unwrap();
        let ip = UrlHost::Ip("127.0.0.1".parse().unwrap());
        assert!(entry.matches(&ip, 9090));
        assert!(!entry.matches(&ip, 9091));
        assert!(entry.is_exact_with_port());
    }

    #[test]
    fn a_wildcard_matches_subdomains_but_not_the_apex() {
        let entry: AllowedHost = "*.treblo.com".parse().unwrap();
        assert!(entry.matches(&name("cdn.treblo.com"), 443));
        assert!(entry.matches(&name("a.b.treblo.com"), 443));
        assert!(!entry.matches(&name("treblo.com"), 443));
        assert!(!entry.matches(&name("eviltreblo.com"), 443));
        assert!(!entry.is_exact_with_port());
    }
}
