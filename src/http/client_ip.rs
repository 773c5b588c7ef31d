//! Who the client is: the TCP peer, unless the peer is a trusted proxy, in which case the
//! nearest untrusted address in `X-Forwarded-For` (read right to left; entries some proxies
//! write as `ip:port` or `[v6]:port` are read as their address). Rate limits key on the result
//! (IPv6 clients by their /64, since one household holds a whole /64).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// One trusted network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The proxies allowed to speak for clients via `X-Forwarded-For`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

/// A `TRUSTED_PROXIES` entry that is not an IP or CIDR.
#[derive(Debug, thiserror::Error)]
#[error("not an IP address or CIDR: {0:?}")]
pub struct InvalidNetwork(String);

impl FromStr for TrustedProxies {
    type Err = InvalidNetwork;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut networks = Vec::new();
        for entry in list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let invalid = || InvalidNetwork(entry.to_owned());
            let (address, prefix) = match entry.split_once('/') {
                Some((address, prefix)) => (
                    canonical(address.parse().map_err(|_| invalid())?),
                    Some(prefix.parse::<u8>().map_err(|_| invalid())?),
                ),
                None => (canonical(entry.parse().map_err(|_| invalid())?), None),
            };
            let max = if address.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(invalid());
            }
            networks.push(Network { address, prefix });
        }
        Ok(Self(networks))
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&entries.join(","))
    }
}

impl TrustedProxies {
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client's address for a request that arrived from `peer`.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let peer_ip = canonical(peer.ip());
        if !self.is_trusted(peer_ip) {
            return peer_ip;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer_ip;
        for hop in hops.iter().rev() {
            let Some(ip) = hop_address(hop) else {
                break;
            };
            client = canonical(ip);
            if !self.is_trusted(client) {
                break;
            }
        }
        client
    }
}

/// The address of one `X-Forwarded-For` entry: `ip`, `ip:port`, `[v6]` or `[v6]:port`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// The key a per-client limit is charged to: the IPv4 address, or the IPv6 /64.
pub fn rate_limit_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64));
            format!("{network}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let peer: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        assert_eq!(proxies.client_ip(peer, &headers("1.2.3.4")), peer.ip());
    }

    #[test]
    fn trusted_proxies_are_skipped_right_to_left() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.1".parse().unwrap();
        let peer: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        let client = proxies.client_ip(peer, &headers("6.6.6.6, 198.51.100.7, 192.168.1.1"));
        assert_eq!(client, "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn entries_with_ports_and_brackets_are_read_as_their_address() {
        let proxies: TrustedProxies = "10.0.0.0/8, 2001:db8:ffff::/48".parse().unwrap();
        let peer: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        for (xff, client) in [
            ("198.51.100.7:41234", "198.51.100.7"),
            ("198.51.100.7:41234, 10.0.0.5:80", "198.51.100.7"),
            ("[2001:db8::7]:443", "2001:db8::7"),
            ("[2001:db8::7]", "2001:db8::7"),
            ("2001:db8::7", "2001:db8::7"),
            ("[2001:db8::7]:443, [2001:db8:ffff::1]:8080", "2001:db8::7"),
            ("[::ffff:192.0.2.9]:1", "192.0.2.9"),
        ] {
            assert_eq!(
                proxies.client_ip(peer, &headers(xff)),
                client.parse::<IpAddr>().unwrap(),
                "{xff}"
            );
        }
    }

    #[test]
    fn an_unreadable_entry_stops_the_walk_at_the_last_trusted_hop() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let peer: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        for xff in [
            "unknown, 10.0.0.9:80",
            "[2001:db8::7, 10.0.0.9",
            "1.2.3.4:x, 10.0.0.9",
        ] {
            assert_eq!(
                proxies.client_ip(peer, &headers(xff)),
                "10.0.0.9".parse::<IpAddr>().unwrap(),
                "{xff}"
            );
        }
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        let proxies: TrustedProxies = "127.0.0.1".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(proxies.client_ip(peer, &HeaderMap::new()), peer.ip());
    }

    #[test]
    fn bad_entries_are_refused_and_ipv6_is_keyed_by_its_64() {
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        assert_eq!(
            rate_limit_key("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            rate_limit_key("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1"
        );
    }
}
