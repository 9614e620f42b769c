//! [`Store`]: ACME certificates and the account on disk, under `<data-dir>/acme/`, keys 0600.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::Loaded;

/// Files under one directory: `account.json`, and `certs/<fqdn>.pem` (chain) with
/// `certs/<fqdn>.key` (private key) per name.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// The ACME account as saved: which directory it belongs to and its credentials.
#[derive(Serialize, Deserialize)]
pub struct AccountRecord {
    /// The directory URL the account was created at.
    pub directory: String,
    /// The account's key and URL (secret).
    pub credentials: instant_acme::AccountCredentials,
}

impl Store {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    fn certs(&self) -> PathBuf {
        self.dir.join("certs")
    }

    fn account_path(&self) -> PathBuf {
        self.dir.join("account.json")
    }

    /// Saves the certificate chain and key for `fqdn`, replacing any before.
    pub fn save(&self, fqdn: &str, chain_pem: &str, key_pem: &str) -> Result<()> {
        let stem = file_stem(fqdn)?;
        let dir = self.certs();
        write_private(&dir.join(format!("{stem}.key")), key_pem.as_bytes())?;
        write_private(&dir.join(format!("{stem}.pem")), chain_pem.as_bytes())
    }

    /// Every certificate saved, with its host name; unreadable ones are logged and skipped.
    pub fn load_all(&self) -> Vec<(String, Loaded)> {
        let Ok(entries) = std::fs::read_dir(self.certs()) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(fqdn) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".pem"))
            else {
                continue;
            };
            let key = path.with_extension("key");
            match super::load_files(&path, &key) {
                Ok(loaded) => found.push((fqdn.to_owned(), loaded)),
                Err(error) => {
                    tracing::warn!(%fqdn, %error, "skipping an unreadable stored certificate")
                }
            }
        }
        found
    }

    /// The saved account, if there is one and it can be read.
    pub fn load_account(&self) -> Option<AccountRecord> {
        let text = std::fs::read(self.account_path()).ok()?;
        match serde_json::from_slice(&text) {
            Ok(record) => Some(record),
            Err(error) => {
                tracing::warn!(%error, "ignoring an unreadable acme account file");
                None
            }
        }
    }

    /// Saves the account (0600: it holds the account key).
    pub fn save_account(&self, record: &AccountRecord) -> Result<()> {
        let text = serde_json::to_vec_pretty(record)
            .map_err(|e| Error::Internal(format!("serializing the acme account: {e}")))?;
        write_private(&self.account_path(), &text)
    }
}

/// `fqdn` as a file name: only what a validated host name holds.
fn file_stem(fqdn: &str) -> Result<&str> {
    let fine = !fqdn.is_empty()
        && !fqdn.starts_with('.')
        && fqdn
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if fine {
        Ok(fqdn)
    } else {
        Err(Error::Invalid {
            field: "name",
            reason: format!("{fqdn:?} is not a host name"),
        })
    }
}

/// Writes `bytes` to `path` readable by the owner only, through a temporary file renamed
/// over it, so a crash never leaves half a key.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(format!("{} has no parent", path.display())))?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(Error::io("creating the acme directory"))?;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(Error::io("writing an acme file"))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(Error::io("writing an acme file"))?;
    std::fs::rename(&tmp, path).map_err(Error::io("replacing an acme file"))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::tls::self_signed;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn certificates_round_trip_with_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("acme"));
        assert!(store.load_all().is_empty());
        let (_, chain, key) = self_signed(&["app.t.test".into()]).unwrap();
        store.save("app.t.test", &chain, &key).unwrap();
        let (_, chain2, key2) = self_signed(&["web.t.test".into()]).unwrap();
        store.save("web.t.test", &chain2, &key2).unwrap();
        // replacing keeps one pair
        store.save("web.t.test", &chain2, &key2).unwrap();
        let mut names: Vec<String> = store.load_all().into_iter().map(|(n, _)| n).collect();
        names.sort();
        assert_eq!(names, ["app.t.test", "web.t.test"]);
        let certs = dir.path().join("acme/certs");
        assert_eq!(mode(&certs.join("app.t.test.key")), 0o600);
        assert_eq!(mode(&certs.join("app.t.test.pem")), 0o600);
        assert_eq!(mode(&certs), 0o700);
        assert_eq!(
            std::fs::read_dir(&certs).unwrap().count(),
            4,
            "no temporary files left"
        );
    }

    #[test]
    fn a_broken_pair_is_skipped_and_odd_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let (_, chain, _) = self_signed(&["app.t.test".into()]).unwrap();
        store.save("app.t.test", &chain, "not a key").unwrap();
        assert!(store.load_all().is_empty());
        for bad in ["../x", "a/b", "", ".hidden"] {
            assert!(store.save(bad, &chain, "k").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn no_account_until_one_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        assert!(store.load_account().is_none());
        std::fs::write(dir.path().join("account.json"), "{").unwrap();
        assert!(store.load_account().is_none());
    }
}
