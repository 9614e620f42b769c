//! The persistent ed25519 host key: generated on first start, mode 0600, reused after.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};

use crate::error::{Error, Result};

/// Loads the host key at `path`, generating and saving a new one if there is none.
pub fn load_or_generate(path: &Path) -> Result<PrivateKey> {
    if path.exists() {
        let meta = fs::metadata(path).map_err(Error::io("reading host key metadata"))?;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "host key readable by others, setting mode 0600");
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))
                .map_err(Error::io("setting host key mode"))?;
        }
        let pem = fs::read_to_string(path).map_err(Error::io("reading host key"))?;
        let key = PrivateKey::from_openssh(pem)
            .map_err(|e| Error::Internal(format!("parsing host key {}: {e}", path.display())))?;
        tracing::info!(fingerprint = %fingerprint(&key), "host key loaded");
        return Ok(key);
    }
    let key = generate()?;
    save(path, &key)?;
    tracing::info!(fingerprint = %fingerprint(&key), path = %path.display(), "host key generated");
    Ok(key)
}

/// The SHA256 fingerprint of a key as OpenSSH prints it (`SHA256:...`).
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

fn generate() -> Result<PrivateKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::Internal(format!("os random: {e}")))?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    key.set_comment("tunnel-host");
    Ok(key)
}

fn save(path: &Path, key: &PrivateKey) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(Error::io("creating data dir"))?;
    }
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| Error::Internal(format!("encoding host key: {e}")))?;
    let tmp = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(Error::io("creating host key file"))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(Error::io("writing host key"))?;
    fs::rename(&tmp, path).map_err(Error::io("saving host key"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("host_key");
        let first = load_or_generate(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let second = load_or_generate(&path).unwrap();
        assert_eq!(fingerprint(&first), fingerprint(&second));
        assert!(fingerprint(&first).starts_with("SHA256:"));
    }

    #[test]
    fn loose_permissions_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host_key");
        load_or_generate(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        load_or_generate(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
