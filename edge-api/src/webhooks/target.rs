//! Where a webhook may point: `https://` to a public host. In local
//! development (no `PUBLIC_ORIGIN`, the panel on a loopback address, as
//! `Config::expected_origin` decides) `http://` and loopback or private
//! addresses are allowed too, so a receiver on this machine works.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Checks `url`; the trimmed URL or what is wrong.
pub fn check(url: &str, dev: bool) -> Result<String, String> {
    let url = url.trim();
    if url.len() > 2000 || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err("must be a URL of at most 2000 characters".into());
    }
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if dev => rest,
        _ => return Err("must start with https://".into()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not carry a user name or password".into());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    }
    .to_ascii_lowercase();
    if host.is_empty() {
        return Err("must name a host".into());
    }
    if dev {
        return Ok(url.to_owned());
    }
    let local_name = host == "localhost"
        || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
        || !host.contains('.') && host.parse::<IpAddr>().is_err();
    if local_name {
        return Err("must be a public host, not a local name".into());
    }
    if let Ok(ip) = host.parse::<IpAddr>()
        && !is_public(ip)
    {
        return Err("must be a public address, not a private, loopback or reserved one".into());
    }
    Ok(url.to_owned())
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_private_and_loopback() {
        for bad in [
            "http://example.com/hook",
            "https://127.0.0.1/hook",
            "https://localhost:8080/",
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://100.64.0.1/",
            "https://user:pw@example.com/",
            "https://printer/",
            "ftp://example.com/",
        ] {
            assert!(check(bad, false).is_err(), "{bad}");
        }
        for good in [
            "https://example.com/hook",
            "https://1.1.1.1/x",
            "https://discord.com/api/webhooks/1/a",
        ] {
            assert!(check(good, false).is_ok(), "{good}");
        }
    }

    #[test]
    fn development_allows_this_machine() {
        assert!(check("http://127.0.0.1:9999/hook", true).is_ok());
        assert!(check("ftp://127.0.0.1/", true).is_err());
    }
}
