//! Paths inside a server's volume as the edge checks them before Wings sees
//! them: normalized to `/a/b` (empty and `.` segments dropped, backslashes
//! refused), `..` and NUL refused, and the egg's `file_denylist` honoured.

/// The longest path accepted.
const MAX_PATH: usize = 4096;

/// `value` normalized to an absolute path (`/` for the volume's root), or
/// the problem for a field error.
pub fn normalize(value: &str) -> Result<String, String> {
    if value.len() > MAX_PATH {
        return Err(format!("must be at most {MAX_PATH} bytes"));
    }
    if value.chars().any(|c| c == '\0' || c.is_control()) {
        return Err("must not contain control characters".into());
    }
    if value.contains('\\') {
        return Err("must use / as the separator".into());
    }
    let mut parts = Vec::new();
    for part in value.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("must not contain ..".into()),
            p => parts.push(p),
        }
    }
    Ok(format!("/{}", parts.join("/")))
}

/// A single name (no separator), as for a new folder or a pulled file.
pub fn name(value: &str) -> Result<String, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if trimmed.contains('/') || trimmed == "." || trimmed == ".." {
        return Err("must be a single name without /".into());
    }
    normalize(trimmed).map(|p| p.trim_start_matches('/').to_owned())
}

/// `path` joined under the normalized directory `root`.
pub fn join(root: &str, path: &str) -> Result<String, String> {
    normalize(&format!("{root}/{path}"))
}

/// `value` percent-encoded for a query string (RFC 3986 unreserved kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether the egg's `denylist` (gitignore-style globs: `*`, `?`, a leading
/// `/` anchoring to the root, a trailing `/` or no wildcard matching a
/// folder and everything in it, `!` exceptions) refuses `path` (normalized).
pub fn denied(denylist: &[String], path: &str) -> bool {
    let mut denied = false;
    for raw in denylist {
        let pattern = raw.trim();
        if pattern.is_empty() || pattern.starts_with('#') {
            continue;
        }
        let (negate, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if matches(pattern, path) {
            denied = !negate;
        }
    }
    denied
}

fn matches(pattern: &str, path: &str) -> bool {
    let anchored = pattern.starts_with('/');
    let pattern = pattern.trim_matches('/');
    if pattern.is_empty() {
        return false;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let wanted: Vec<&str> = pattern.split('/').collect();
    // The pattern matches a run of segments (from the root when anchored, or
    // anywhere when it is a bare name); the path is denied when it is that
    // run or lies beneath it.
    let starts: Vec<usize> = if anchored || wanted.len() > 1 {
        vec![0]
    } else {
        (0..segments.len()).collect()
    };
    starts.into_iter().any(|start| {
        segments.len() >= start + wanted.len()
            && wanted
                .iter()
                .zip(&segments[start..])
                .all(|(w, s)| glob(w.as_bytes(), s.as_bytes()))
    })
}

/// `*` and `?` within one segment.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::{denied, join, name, normalize};

    #[test]
    fn paths_are_normalized_and_dotdot_is_refused() {
        assert_eq!(normalize("").as_deref(), Ok("/"));
        assert_eq!(normalize("/").as_deref(), Ok("/"));
        assert_eq!(normalize("a//b/./c/").as_deref(), Ok("/a/b/c"));
        assert!(normalize("a/../../etc").is_err());
        assert!(normalize("..").is_err());
        assert!(normalize("a\\b").is_err());
        assert!(normalize("a\0b").is_err());
        assert_eq!(
            join("/world", "level.dat").as_deref(),
            Ok("/world/level.dat")
        );
        assert!(name("a/b").is_err());
        assert_eq!(name(" plugins ").as_deref(), Ok("plugins"));
    }

    #[test]
    fn the_denylist_is_gitignore_like() {
        let list: Vec<String> = ["*.jar", "/config/secret.yml", "logs/", "!logs/keep.txt"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert!(denied(&list, "/server.jar"));
        assert!(denied(&list, "/plugins/x.jar"));
        assert!(denied(&list, "/config/secret.yml"));
        assert!(!denied(&list, "/other/config/secret.yml"));
        assert!(denied(&list, "/logs/latest.log"));
        assert!(!denied(&list, "/logs/keep.txt"));
        assert!(!denied(&list, "/server.properties"));
    }
}
