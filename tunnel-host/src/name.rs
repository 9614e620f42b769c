//! Tunnel names: DNS-label validation, reserved names, and readable random names.

use durable_state::names::{self, NameProblem};
use rand::RngExt;

use crate::error::{Error, Result};

/// Names no tunnel may take (shared with the edge, which reserves names for members).
pub use durable_state::names::RESERVED;

/// Addresses in `tcpip-forward` that name no tunnel: the host picks one.
const WILDCARDS: &[&str] = &["", "*", "localhost", "0.0.0.0", "::", "127.0.0.1", "::1"];

/// Whether a `tcpip-forward` address asks for no particular name.
pub fn is_wildcard(address: &str) -> bool {
    WILDCARDS.contains(&address)
}

/// Validates a requested name and returns it lowercased.
///
/// A trailing `.<domain>` is accepted and stripped, so `ssh -R myapp.example.com:80:...` works.
pub fn validate(requested: &str, domain: &str) -> Result<String> {
    let lower = requested.trim().to_ascii_lowercase();
    let suffix = format!(".{}", domain.to_ascii_lowercase());
    let name = lower.strip_suffix(&suffix).unwrap_or(&lower);
    let invalid = |reason: &str| Error::Invalid {
        field: "name",
        reason: format!("{requested:?} {reason}"),
    };
    match names::check(name) {
        Ok(()) => {}
        Err(NameProblem::Invalid(reason)) => return Err(invalid(reason)),
        Err(NameProblem::Reserved(reason)) => return Err(Error::Forbidden(reason)),
    }
    Ok(name.to_owned())
}

const ADJECTIVES: &[&str] = &[
    "brave", "calm", "clever", "cosy", "eager", "fancy", "gentle", "happy", "jolly", "kind",
    "lively", "lucky", "mellow", "merry", "nimble", "noble", "plucky", "proud", "quick", "quiet",
    "rapid", "shiny", "silly", "sleek", "smart", "snappy", "spry", "steady", "sunny", "swift",
    "tidy", "vivid", "warm", "witty", "zesty", "bold", "bright", "crisp", "daring", "fresh",
];

const ANIMALS: &[&str] = &[
    "otter", "badger", "beaver", "bison", "camel", "crane", "dingo", "eagle", "falcon", "ferret",
    "gecko", "heron", "ibis", "jackal", "koala", "lemur", "llama", "lynx", "marten", "moose",
    "newt", "ocelot", "orca", "panda", "puffin", "quail", "raven", "robin", "salmon", "seal",
    "stoat", "swan", "tapir", "toucan", "walrus", "wombat", "yak", "zebra", "hare", "mole",
];

/// A readable random name such as `brave-otter-42`.
pub fn random() -> String {
    let mut rng = rand::rng();
    let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let animal = ANIMALS[rng.random_range(0..ANIMALS.len())];
    let n: u16 = rng.random_range(10..100);
    format!("{adjective}-{animal}-{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass_and_are_lowercased() {
        assert_eq!(validate("myapp", "localhost").unwrap(), "myapp");
        assert_eq!(validate("My-App2", "localhost").unwrap(), "my-app2");
        assert_eq!(validate("a", "localhost").unwrap(), "a");
        assert_eq!(validate(&"x".repeat(63), "localhost").unwrap().len(), 63);
        assert_eq!(
            validate("myapp.tunnels.example.com", "tunnels.example.com").unwrap(),
            "myapp"
        );
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in [
            "",
            "-app",
            "app-",
            "my_app",
            "my.app",
            "xn--abc",
            "ünï",
            &"x".repeat(64),
        ] {
            assert!(
                matches!(validate(bad, "localhost"), Err(Error::Invalid { .. })),
                "{bad:?} should be invalid"
            );
        }
    }

    #[test]
    fn reserved_names_are_forbidden() {
        for name in ["www", "API", "admin", "edge", "mail", "tcp-20000"] {
            assert!(matches!(
                validate(name, "localhost"),
                Err(Error::Forbidden(_))
            ));
        }
    }

    #[test]
    fn random_names_are_valid() {
        for _ in 0..200 {
            let name = random();
            assert_eq!(validate(&name, "localhost").unwrap(), name);
            assert_eq!(name.split('-').count(), 3);
        }
    }

    #[test]
    fn wildcards_are_recognised() {
        assert!(is_wildcard(""));
        assert!(is_wildcard("localhost"));
        assert!(is_wildcard("0.0.0.0"));
        assert!(!is_wildcard("myapp"));
    }
}
