//! Tunnel names, one set of rules for the tunnel host (binding) and the edge
//! (reserving): DNS labels, and names no tunnel may take.

/// Names no tunnel may take: they belong to the service itself or mislead visitors.
pub const RESERVED: &[&str] = &[
    "www",
    "api",
    "admin",
    "edge",
    "mail",
    "smtp",
    "imap",
    "pop",
    "pop3",
    "ftp",
    "ssh",
    "ns",
    "ns1",
    "ns2",
    "dns",
    "mx",
    "localhost",
    "root",
    "status",
    "dashboard",
    "panel",
    "console",
    "static",
    "cdn",
    "assets",
    "auth",
    "login",
    "account",
    "tunnel",
    "tunnels",
    "metrics",
    "healthz",
    "webmail",
    "autodiscover",
];

/// Why a name cannot be a tunnel's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// Not a DNS label we serve; the text says what is wrong.
    Invalid(&'static str),
    /// A valid label kept for the service or for tcp tunnels.
    Reserved(String),
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameProblem::Invalid(reason) => f.write_str(reason),
            NameProblem::Reserved(reason) => f.write_str(reason),
        }
    }
}

/// Checks a lowercased name (no domain suffix).
pub fn check(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() || name.len() > 63 {
        return Err(NameProblem::Invalid("must be 1 to 63 characters"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(NameProblem::Invalid(
            "may hold only letters, digits and '-'",
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(NameProblem::Invalid("may not start or end with '-'"));
    }
    if name.starts_with("xn--") {
        return Err(NameProblem::Invalid(
            "may not be an internationalized (xn--) label",
        ));
    }
    if name.starts_with("tcp-") {
        return Err(NameProblem::Reserved(
            "names starting with \"tcp-\" belong to tcp tunnels".to_owned(),
        ));
    }
    if RESERVED.contains(&name) {
        return Err(NameProblem::Reserved(format!(
            "the name {name:?} is reserved"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked() {
        for good in ["a", "myapp", "my-app2", &"x".repeat(63)] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-app",
            "app-",
            "my_app",
            "my.app",
            "MyApp",
            "xn--abc",
            &"x".repeat(64),
        ] {
            assert!(matches!(check(bad), Err(NameProblem::Invalid(_))), "{bad}");
        }
        for kept in ["www", "admin", "tcp-20000"] {
            assert!(
                matches!(check(kept), Err(NameProblem::Reserved(_))),
                "{kept}"
            );
        }
    }
}
