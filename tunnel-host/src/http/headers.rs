//! Header rules of a forwarding proxy: hop-by-hop removal, upgrades, X-Forwarded-*.

use std::net::IpAddr;

use http::Request;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::Authority;

/// Headers that describe one connection and never cross a proxy (RFC 9110 §7.6.1).
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Where a request is addressed (RFC 9112 §3.2): the authority of an absolute-form target
/// (`GET http://app.example/ HTTP/1.1`), which a server must use instead of any Host header;
/// otherwise the single Host header. `None` (a 400) when Host is repeated or malformed
/// whatever the target says, when neither names an authority, or when it carries userinfo.
pub(crate) fn request_authority<B>(req: &Request<B>) -> Option<Authority> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => return None,
        (Some(value), None) => Some(value.to_str().ok()?.parse::<Authority>().ok()?),
        (None, _) => None,
    };
    let authority = req.uri().authority().cloned().or(host)?;
    (!authority.as_str().contains('@')).then_some(authority)
}

/// The protocol a request or response asks to upgrade to, if it does
/// (`Connection: upgrade` plus an `Upgrade` header).
pub(crate) fn upgrade_protocol(headers: &HeaderMap) -> Option<HeaderValue> {
    let asks = connection_tokens(headers).any(|t| t.eq_ignore_ascii_case("upgrade"));
    if asks {
        headers.get(header::UPGRADE).cloned()
    } else {
        None
    }
}

fn connection_tokens(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Removes hop-by-hop headers and every header the `Connection` header names, then puts
/// back `Connection: upgrade` and `Upgrade` when `upgrade` is given.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap, upgrade: Option<HeaderValue>) {
    let named: Vec<HeaderName> = connection_tokens(headers)
        .filter_map(|t| HeaderName::from_bytes(t.as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
    if let Some(protocol) = upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, protocol);
    }
}

/// Sets `X-Forwarded-For/Proto/Host`. The host is the internet edge, so it overwrites
/// whatever a visitor sent rather than trusting it.
pub(crate) fn set_forwarded(headers: &mut HeaderMap, peer: IpAddr, host: &str, secure: bool) {
    if let Ok(v) = HeaderValue::from_str(&peer.to_string()) {
        headers.insert("x-forwarded-for", v);
    }
    let proto = if secure { "https" } else { "http" };
    headers.insert("x-forwarded-proto", HeaderValue::from_static(proto));
    if let Ok(v) = HeaderValue::from_str(host) {
        headers.insert("x-forwarded-host", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn hop_by_hop_and_connection_named_headers_go() {
        let mut h = map(&[
            ("connection", "keep-alive, x-secret"),
            ("keep-alive", "timeout=5"),
            ("x-secret", "1"),
            ("transfer-encoding", "chunked"),
            ("te", "trailers"),
            ("content-type", "text/plain"),
        ]);
        strip_hop_by_hop(&mut h, None);
        assert_eq!(h.len(), 1);
        assert!(h.contains_key("content-type"));
    }

    #[test]
    fn upgrades_survive() {
        let mut h = map(&[("connection", "Upgrade"), ("upgrade", "websocket")]);
        let up = upgrade_protocol(&h);
        assert_eq!(up.as_ref().unwrap(), "websocket");
        strip_hop_by_hop(&mut h, up);
        assert_eq!(h.get("connection").unwrap(), "upgrade");
        assert_eq!(h.get("upgrade").unwrap(), "websocket");
        assert!(upgrade_protocol(&map(&[("upgrade", "websocket")])).is_none());
    }

    fn req(hosts: &[&str], uri: &str) -> Request<()> {
        let mut b = Request::builder().uri(uri);
        for h in hosts {
            b = b.header(header::HOST, *h);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn an_absolute_target_names_the_authority_over_the_host_header() {
        let at =
            |hosts: &[&str], uri: &str| request_authority(&req(hosts, uri)).map(|a| a.to_string());
        assert_eq!(
            at(&["a.localhost:8080"], "/").as_deref(),
            Some("a.localhost:8080")
        );
        assert_eq!(
            at(&["b.localhost"], "http://a.localhost:8080/x").as_deref(),
            Some("a.localhost:8080")
        );
        assert_eq!(
            at(&[], "http://a.localhost/x").as_deref(),
            Some("a.localhost")
        );
        assert_eq!(at(&[], "/"), None);
        assert_eq!(
            at(&["a.localhost", "b.localhost"], "http://a.localhost/"),
            None
        );
        assert_eq!(at(&["bad host"], "http://a.localhost/"), None);
        assert_eq!(at(&["user@a.localhost"], "/"), None);
        assert_eq!(at(&["a.localhost"], "http://user@a.localhost/"), None);
    }

    #[test]
    fn forwarded_headers_overwrite_spoofs() {
        let mut h = map(&[("x-forwarded-for", "6.6.6.6")]);
        set_forwarded(
            &mut h,
            "10.1.2.3".parse().unwrap(),
            "app.localhost:8080",
            false,
        );
        assert_eq!(h.get("x-forwarded-for").unwrap(), "10.1.2.3");
        assert_eq!(h.get("x-forwarded-proto").unwrap(), "http");
        assert_eq!(h.get("x-forwarded-host").unwrap(), "app.localhost:8080");
        assert_eq!(h.get_all("x-forwarded-for").iter().count(), 1);
        let mut h = map(&[("x-forwarded-proto", "http")]);
        set_forwarded(&mut h, "10.1.2.3".parse().unwrap(), "app.localhost", true);
        assert_eq!(h.get("x-forwarded-proto").unwrap(), "https");
    }
}
