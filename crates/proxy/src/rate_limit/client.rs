//! Who a request comes from, as rate limits count it.

use crate::AppState;
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{request::Parts, HeaderMap},
};
use std::{
    convert::Infallible,
    net::{IpAddr, Ipv6Addr, SocketAddr},
};

/// The client's address as rate limits count it: an IPv6 address stands for its /64 (one
/// subscriber's network), an IPv4-mapped one for its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// From the socket's peer and, behind `hops` proxies, the `X-Forwarded-For` entry the
    /// farthest of them wrote: the `hops`-th from the right (entries further left are whatever
    /// the client sent).
    pub fn from_request(headers: &HeaderMap, peer: Option<IpAddr>, hops: usize) -> Self {
        let forwarded = (hops > 0)
            .then(|| {
                let entries: Vec<&str> = headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|value| value.to_str().ok())
                    .flat_map(|list| list.split(','))
                    .map(str::trim)
                    .collect();
                let farthest_trusted = entries.len().saturating_sub(hops);
                entries.get(farthest_trusted).and_then(|entry| entry.parse::<IpAddr>().ok())
            })
            .flatten();
        let address = forwarded.or(peer).unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        Self(network_of(address))
    }
}

fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(Self::from_request(&parts.headers, peer, state.rate_limits.forwarded_hops()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(list: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(list).unwrap());
        headers
    }

    #[test]
    fn the_client_is_the_entry_the_farthest_trusted_proxy_wrote() {
        let peer = Some(address("10.0.0.1"));
        // The client wrote 198.51.100.66 itself; the load balancer appended the real address.
        let headers = forwarded("198.51.100.66, 203.0.113.9");
        assert_eq!(ClientAddress::from_request(&headers, peer, 1).0, address("203.0.113.9"));
        let two = forwarded("198.51.100.66, 203.0.113.9, 10.0.0.7");
        assert_eq!(ClientAddress::from_request(&two, peer, 2).0, address("203.0.113.9"));
        assert_eq!(ClientAddress::from_request(&headers, peer, 0).0, address("10.0.0.1"), "not trusted");
        assert_eq!(ClientAddress::from_request(&forwarded("junk"), peer, 1).0, address("10.0.0.1"));
        assert_eq!(ClientAddress::from_request(&HeaderMap::new(), peer, 1).0, address("10.0.0.1"));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_network() {
        let one = ClientAddress::from_request(&HeaderMap::new(), Some(address("2001:db8:1:2:aaaa::1")), 0);
        let same = ClientAddress::from_request(&HeaderMap::new(), Some(address("2001:db8:1:2:bbbb::9")), 0);
        let other = ClientAddress::from_request(&HeaderMap::new(), Some(address("2001:db8:1:3::1")), 0);
        assert_eq!(one, same);
        assert_ne!(one, other);
        let mapped = ClientAddress::from_request(&HeaderMap::new(), Some(address("::ffff:203.0.113.9")), 0);
        assert_eq!(mapped.0, address("203.0.113.9"));
    }
}
