//! The host's enrollment, kept as `<data-dir>/edge.json` (mode 0600) after the first start.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// File name of the enrollment inside the data dir.
pub const FILE_NAME: &str = "edge.json";

/// What enrolling at the edge gave this host. `Debug` never shows the credential.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// The edge's base URL (`https://panel.example.com`), without a trailing slash.
    pub edge: String,
    /// This host's id at the edge.
    pub host_id: String,
    /// The organization the host serves.
    pub org_id: String,
    /// `fth_...`, sent as `X-Flamingo-Host`.
    pub credential: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("edge", &self.edge)
            .field("host_id", &self.host_id)
            .field("org_id", &self.org_id)
            .field("credential", &"<redacted>")
            .finish()
    }
}

/// `<data_dir>/edge.json`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Reads the enrollment at `path`; `None` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Credential>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("reading edge.json")(e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::Internal(format!("parsing {}: {e}", path.display())))
}

/// Writes the enrollment to `path` with mode 0600, creating the directory if needed.
pub fn save(path: &Path, credential: &Credential) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(Error::io("creating data dir"))?;
    }
    let json = serde_json::to_vec_pretty(credential)
        .map_err(|e| Error::Internal(format!("encoding edge.json: {e}")))?;
    let tmp = path.with_extension("json.tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(Error::io("creating edge.json"))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("writing edge.json"))?;
    fs::rename(&tmp, path).map_err(Error::io("renaming edge.json"))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn sample() -> Credential {
        Credential {
            edge: "http://127.0.0.1:8787".into(),
            host_id: "h1".into(),
            org_id: "o1".into(),
            credential: "fth_secret".into(),
        }
    }

    #[test]
    fn round_trip_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(&dir.path().join("nested"));
        assert_eq!(load(&path).unwrap(), None);
        save(&path, &sample()).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load(&path).unwrap(), Some(sample()));
        // rewriting keeps the mode and replaces the content
        let mut other = sample();
        other.host_id = "h2".into();
        save(&path, &other).unwrap();
        assert_eq!(load(&path).unwrap(), Some(other));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn debug_hides_the_credential() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("fth_secret"), "{text}");
        assert!(text.contains("h1"));
    }

    #[test]
    fn a_broken_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        fs::write(&path, "{not json").unwrap();
        assert!(load(&path).is_err());
    }
}
