//! Input rules shared by every route, collected per field so one response
//! names every problem at once.

use std::collections::BTreeMap;

use crate::error::ApiError;

/// Collects field problems.
#[derive(Debug, Default)]
pub struct Problems(BTreeMap<String, String>);

impl Problems {
    /// No problems yet.
    pub fn new() -> Self {
        Problems::default()
    }

    /// Records `problem` for `field` (the first one per field wins).
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| problem.into());
    }

    /// Records the outcome of a rule.
    pub fn check(&mut self, field: &str, outcome: Result<(), String>) {
        if let Err(problem) = outcome {
            self.add(field, problem);
        }
    }

    /// `Ok` when nothing was recorded, else 422 listing every field.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid { fields: self.0 })
        }
    }
}

/// At least 12 characters, at most 1024 bytes.
pub fn password(value: &str) -> Result<(), String> {
    if value.chars().count() < 12 {
        Err("must be at least 12 characters".into())
    } else if value.len() > 1024 {
        Err("must be at most 1024 bytes".into())
    } else {
        Ok(())
    }
}

/// A plausible email address: one `@`, something on each side, a dot in the
/// domain, no spaces, at most 254 bytes.
pub fn email(value: &str) -> Result<(), String> {
    let ok = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err("must be an email address".into())
    }
}

/// A display name: 1-100 characters after trimming, no control characters.
pub fn name(value: &str) -> Result<(), String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err("must not be empty".into())
    } else if trimmed.chars().count() > 100 {
        Err("must be at most 100 characters".into())
    } else if trimmed.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(())
    }
}

/// A URL slug made from a name: lowercase ASCII letters, digits and single
/// dashes, at most 48 characters.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.truncate(48);
    slug.trim_end_matches('-').to_owned()
}

/// `value` as an id, when it is shaped like one: a UUID written with or
/// without dashes, in either case; answered in the form ids are stored in
/// (lowercase, dashed). A path's `{org}` shaped like this names an id, never
/// a slug, so no slug may have this shape.
pub fn as_id(value: &str) -> Option<String> {
    if value.len() != 32 && value.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(value)
        .ok()
        .map(|id| id.hyphenated().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        assert!(password("short").is_err());
        assert!(password("twelve chars").is_ok());
        assert!(password(&"x".repeat(1025)).is_err());
        assert!(password(&"é".repeat(12)).is_ok());
    }

    #[test]
    fn emails() {
        assert!(email("ada@example.com").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Ada's Lab — Main  "), "ada-s-lab-main");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn ids() {
        let id = "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d";
        assert_eq!(as_id(id).as_deref(), Some(id));
        assert_eq!(as_id(&id.to_uppercase()).as_deref(), Some(id));
        assert_eq!(as_id(&id.replace('-', "")).as_deref(), Some(id));
        for not_id in [
            "ada-lab",
            "",
            "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5",
            "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5g",
            "{0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d}",
            "urn:uuid:0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d",
        ] {
            assert_eq!(as_id(not_id), None, "{not_id}");
        }
    }
}
