//! Every secret-handling primitive in one place, each from a maintained crate:
//! random tokens (getrandom), digests (sha2), constant-time comparison
//! (subtle), authenticated encryption of key material at rest
//! (ChaCha20-Poly1305) and password hashing (argon2id).

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit, Nonce, aead::Aead};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;

/// `n` bytes from the operating system's (or the Worker's) CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("getrandom: {e}")))?;
    Ok(bytes)
}

/// A 256-bit random secret, base64url without padding (43 characters).
pub fn token() -> Result<String, ApiError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// A random v4 UUID.
pub fn uuid() -> Result<String, ApiError> {
    Ok(uuid::Builder::from_random_bytes(random_bytes::<16>()?)
        .into_uuid()
        .to_string())
}

/// SHA-256 of `data`, lowercase hex: how high-entropy secrets (session ids,
/// invitation tokens, API keys, recovery codes) are stored and looked up.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets without leaking where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Seals small secrets (TOTP keys, host credentials) with the instance key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer over a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        Sealer {
            cipher: ChaCha20Poly1305::new(key.into()),
        }
    }

    /// `v1.<nonce>.<ciphertext>`, base64url; `context` (e.g. the user id) is
    /// bound as associated data so a sealed value cannot be moved to another row.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, ApiError> {
        let nonce = random_bytes::<12>()?;
        let payload = chacha20poly1305::aead::Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| ApiError::Internal("sealing failed".into()))?;
        Ok(format!(
            "v1.{}.{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(sealed)
        ))
    }

    /// Opens what [`Sealer::seal`] produced with the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, ApiError> {
        let broken = || ApiError::Internal("sealed value does not open".into());
        let mut parts = sealed.split('.');
        let (Some("v1"), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(broken());
        };
        let nonce = URL_SAFE_NO_PAD.decode(nonce).map_err(|_| broken())?;
        let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| broken())?;
        if nonce.len() != 12 {
            return Err(broken());
        }
        let payload = chacha20poly1305::aead::Payload {
            msg: &body,
            aad: context.as_bytes(),
        };
        self.cipher
            .decrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| broken())
    }
}

/// argon2id at OWASP's recommended settings: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string that records its parameters.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    argon2()?
        .hash_password_with_salt(password.as_bytes(), &random_bytes::<16>()?)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing password: {e}")))
}

/// Whether `password` matches `phc`, and whether the hash should be redone
/// because its parameters differ from today's.
pub fn verify_password(password: &str, phc: &str) -> Result<(bool, bool), ApiError> {
    let parsed =
        PasswordHash::new(phc).map_err(|e| ApiError::Internal(format!("stored hash: {e}")))?;
    let ok = argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed)
            .is_ok_and(|p| p.m_cost() == 19_456 && p.t_cost() == 2 && p.p_cost() == 1);
    Ok((ok, ok && !current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = token().unwrap_or_default();
        let b = token().unwrap_or_default();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let sealer = Sealer::new(&[7; 32]);
        let sealed = sealer
            .seal(b"JBSWY3DPEHPK3PXP", "user-1")
            .unwrap_or_default();
        assert_eq!(
            sealer.open(&sealed, "user-1").ok().as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        assert!(sealer.open(&sealed, "user-2").is_err());
        assert!(Sealer::new(&[8; 32]).open(&sealed, "user-1").is_err());
        assert!(sealer.open("v1.garbage", "user-1").is_err());
    }

    #[test]
    fn passwords_verify_and_flag_old_parameters_for_rehash() {
        let phc = hash_password("correct horse battery").unwrap_or_default();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            verify_password("correct horse battery", &phc).ok(),
            Some((true, false))
        );
        assert_eq!(
            verify_password("wrong horse battery", &phc).ok(),
            Some((false, false))
        );
        // A hash made with weaker settings verifies, and asks to be redone.
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap_or_default(),
        );
        let old = weak
            .hash_password_with_salt(b"correct horse battery", &[1; 16])
            .map(|h: PasswordHash| h.to_string())
            .unwrap_or_default();
        assert_eq!(
            verify_password("correct horse battery", &old).ok(),
            Some((true, true))
        );
    }

    #[test]
    fn constant_time_comparison_matches_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
