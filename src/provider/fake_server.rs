//! What every fake provider server shares: the public origin it announces (a configured
//! one, or its bound address with a wildcard bind replaced by loopback) and the HTTP client
//! it sends webhooks with (short timeout, no redirects, no proxy).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// How long a fake waits for a webhook receiver to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// The origin a fake bound to `addr` puts in the URLs it hands out.
pub fn public_base_url(configured: Option<&str>, addr: SocketAddr) -> String {
    configured
        .map_or_else(|| base_url_for(addr), str::to_owned)
        .trim_end_matches('/')
        .to_owned()
}

/// `http://{addr}`, with a wildcard bind replaced by loopback so the URL is reachable.
fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// The client a fake sends its webhooks with, identified as `user_agent`.
pub fn webhook_client(user_agent: &'static str) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(user_agent)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_announces_loopback_and_a_configured_origin_wins() {
        let any: SocketAddr = "0.0.0.0:9090".parse().unwrap();
        assert_eq!(public_base_url(None, any), "http://127.0.0.1:9090");
        let any6: SocketAddr = "[::]:9090".parse().unwrap();
        assert_eq!(public_base_url(None, any6), "http://[::1]:9090");
        assert_eq!(
            public_base_url(Some("https://fake.example/"), any),
            "https://fake.example"
        );
    }
}
