//! Two-factor sign-in with TOTP (RFC 6238) and one-time recovery codes.
//!
//! Enrollment is two steps: `setup` stores a fresh secret (sealed with the
//! user id as context) while 2FA is off and shows it once; `enable` proves the
//! authenticator app holds it, turns 2FA on and shows ten recovery codes once.
//! Codes are SHA-1, 6 digits, 30 s steps, accepted one step early or late.
//!
//! Replay refusal lives in `users.totp_last_step` (migration 0003): the step
//! of the last accepted code. A code is accepted only for a later step, by an
//! `UPDATE ... WHERE totp_last_step < ?` that must change the row, so a code
//! works once even when two sign-ins race. D1 rather than a KV key because KV
//! is eventually consistent across locations and has no compare-and-set: two
//! requests could both read "unused" and both succeed.
//!
//! Recovery codes are 50 random bits as `xxxxx-xxxxx` in lowercase Crockford
//! base32 (no i, l, o, u; typing those or upper case still works). Only
//! `sha256(user_id:code)` is stored: the user id salts the hash so one
//! brute-force run cannot crack every user's codes at once.

use axum::{Extension, Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::{Access, rate_limit};
use crate::{
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    route::Route,
};

/// The issuer shown in authenticator apps.
const ISSUER: &str = "Flamingo";
/// Seconds per TOTP step.
const STEP_SECS: u64 = 30;
/// Steps accepted either side of the current one.
const SKEW_STEPS: u64 = 1;
/// Digits per TOTP code.
const DIGITS: usize = 6;
/// Recovery codes issued at a time.
const RECOVERY_CODES: usize = 10;
/// Lowercase Crockford base32: no i, l, o or u to misread.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The 2FA routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::post("/api/auth/totp/setup", Access::Session, setup),
        Route::post("/api/auth/totp/enable", Access::Session, enable),
        Route::post("/api/auth/totp/disable", Access::Session, disable),
        Route::post(
            "/api/auth/totp/recovery-codes",
            Access::Session,
            regenerate_recovery_codes,
        ),
    ]
}

/// `POST /api/auth/totp/setup` response: the only time the secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TotpEnrollment {
    /// The secret, base32 (for typing into an authenticator app).
    pub secret: String,
    /// `otpauth://totp/Flamingo:<email>?secret=...&issuer=Flamingo` (for a QR code).
    pub otpauth_url: String,
}

/// Fresh recovery codes: the only time they are shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct RecoveryCodes {
    /// Ten single-use codes, `xxxxx-xxxxx`.
    pub recovery_codes: Vec<String>,
}

/// `POST /api/auth/totp/enable` and `/recovery-codes` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// A code from the authenticator app (or, for `/recovery-codes`, a recovery code).
    pub code: String,
}

/// `POST /api/auth/totp/disable` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    /// The account's current password.
    pub password: String,
    /// A code from the authenticator app, or a recovery code.
    pub code: String,
}

/// A user's two-factor state.
#[derive(Deserialize)]
struct Factor {
    email: String,
    password_hash: String,
    totp_secret: Option<String>,
    totp_enabled: i64,
    totp_last_step: Option<i64>,
}

const FACTOR: &str = "SELECT email, password_hash, totp_secret, totp_enabled_at IS NOT NULL AS totp_enabled, \
     totp_last_step FROM users WHERE id = ?1";
/// Starts (or restarts) enrollment; only while 2FA is off.
const START: &str = "UPDATE users SET totp_secret = ?1, totp_last_step = NULL, updated_at = ?2 \
     WHERE id = ?3 AND totp_enabled_at IS NULL";
/// Turns 2FA on if the pending secret is still `?5` and the step is unused.
/// The secret is re-sealed (fresh nonce) so `?1` marks this request's win.
const ENABLE: &str = "UPDATE users SET totp_secret = ?1, totp_enabled_at = ?2, totp_last_step = ?3, updated_at = ?2 \
     WHERE id = ?4 AND totp_secret = ?5 AND totp_enabled_at IS NULL \
     AND (totp_last_step IS NULL OR totp_last_step < ?3)";
const DISABLE: &str = "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, \
     updated_at = ?1 WHERE id = ?2";
/// Accepts a TOTP step once: changes the row only for a later step.
const CONSUME_STEP: &str = "UPDATE users SET totp_last_step = ?1 \
     WHERE id = ?2 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?1)";
/// Uses a recovery code once.
const USE_RECOVERY_CODE: &str = "UPDATE recovery_codes SET used_at = ?1 \
     WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL";
const DELETE_RECOVERY_CODES: &str = "DELETE FROM recovery_codes WHERE user_id = ?1";
/// Inserts a code only while the user's sealed secret is still `?2`:
/// otherwise the subquery is NULL, `user_id NOT NULL` fails and the whole
/// batch rolls back (D1 batches are transactions).
const INSERT_RECOVERY_CODE: &str = "INSERT INTO recovery_codes (user_id, code_hash) \
     VALUES ((SELECT id FROM users WHERE id = ?1 AND totp_secret = ?2), ?3)";

async fn load(platform: &Platform, user_id: &str) -> Result<Factor, ApiError> {
    platform
        .db
        .first(Statement::new(FACTOR).bind(user_id))
        .await?
        .ok_or(ApiError::NotFound)
}

/// A TOTP generator over `secret` with Flamingo's parameters. The account
/// name only matters for the otpauth URL.
fn generator(secret: Vec<u8>, account: &str) -> Result<Totp, ApiError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        // A colon would split the otpauth label; it is only a label.
        .with_account_name(account.replace(':', "_"))
        .build()
        .map_err(|e| ApiError::Internal(format!("totp: {e}")))
}

/// Opens a sealed secret (base32 text) into a generator.
fn open(platform: &Platform, user_id: &str, sealed: &str) -> Result<Totp, ApiError> {
    let text = platform.config.sealer.open(sealed, user_id)?;
    let text = std::str::from_utf8(&text)
        .map_err(|_| ApiError::Internal("totp secret is not text".into()))?;
    let secret = Secret::try_from_base32(text)
        .map_err(|_| ApiError::Internal("totp secret is not base32".into()))?;
    generator(secret.as_bytes().to_vec(), "-")
}

/// What the user typed, recognised by shape.
#[derive(Debug, PartialEq)]
enum Code {
    /// Six digits.
    Totp(String),
    /// A recovery code in canonical `xxxxx-xxxxx` form.
    Recovery(String),
}

impl Code {
    /// Recognises a TOTP code or a recovery code, ignoring spaces, dashes and case.
    fn parse(input: &str) -> Option<Code> {
        if input.len() > 64 {
            return None;
        }
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if compact.len() == DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Code::Totp(compact));
        }
        if compact.len() != 10 {
            return None;
        }
        let canonical: String = compact
            .chars()
            .map(|c| match c {
                'i' | 'l' => '1',
                'o' => '0',
                c => c,
            })
            .collect();
        if !canonical.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            return None;
        }
        Some(Code::Recovery(format!(
            "{}-{}",
            &canonical[..5],
            &canonical[5..]
        )))
    }
}

/// The step whose code is `code` within the skew window around `now_ms`,
/// ignoring steps at or before `after` (already used). Compares in constant time.
fn matching_step(totp: &Totp, code: &str, now_ms: i64, after: Option<i64>) -> Option<i64> {
    let current = u64::try_from(now_ms / 1000).ok()? / STEP_SECS;
    let mut found = None;
    for step in current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS {
        let Ok(signed) = i64::try_from(step) else {
            continue;
        };
        if after.is_some_and(|used| signed <= used) {
            continue;
        }
        let expected = totp.generate(step * STEP_SECS).to_string();
        if crypto::constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(signed);
        }
    }
    found
}

/// What is stored for a recovery code.
fn recovery_hash(user_id: &str, canonical: &str) -> String {
    crypto::sha256_hex(format!("{user_id}:{canonical}").as_bytes())
}

/// Ten fresh recovery codes of 50 random bits each.
fn new_recovery_codes() -> Result<Vec<String>, ApiError> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bits = u64::from_le_bytes(crypto::random_bytes::<8>()?);
            let chars: Vec<u8> = (0..10)
                .map(|i| RECOVERY_ALPHABET[((bits >> (5 * i)) & 31) as usize])
                .collect();
            let text = String::from_utf8(chars).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(format!("{}-{}", &text[..5], &text[5..]))
        })
        .collect()
}

/// Statements replacing the user's recovery codes with `codes`, guarded on
/// the sealed secret still being `sealed`.
fn replace_codes(user_id: &str, sealed: &str, codes: &[String]) -> Vec<Statement> {
    let mut batch = vec![Statement::new(DELETE_RECOVERY_CODES).bind(user_id)];
    batch.extend(codes.iter().map(|code| {
        Statement::new(INSERT_RECOVERY_CODE)
            .bind(user_id)
            .bind(sealed)
            .bind(recovery_hash(user_id, code))
    }));
    batch
}

/// Whether `code` is a valid TOTP code or an unused recovery code for
/// `user_id`. Either is used up: the TOTP step cannot be accepted again, the
/// recovery code is marked used. False when 2FA is off.
pub async fn verify_second_factor(
    platform: &Platform,
    user_id: &str,
    code: &str,
) -> Result<bool, ApiError> {
    let factor = load(platform, user_id).await?;
    let (true, Some(sealed)) = (factor.totp_enabled != 0, factor.totp_secret.as_deref()) else {
        return Ok(false);
    };
    let now = platform.clock.now_ms();
    match Code::parse(code) {
        Some(Code::Totp(digits)) => {
            let totp = open(platform, user_id, sealed)?;
            let Some(step) = matching_step(&totp, &digits, now, factor.totp_last_step) else {
                return Ok(false);
            };
            let changed = platform
                .db
                .execute(Statement::new(CONSUME_STEP).bind(step).bind(user_id))
                .await?;
            Ok(changed == 1)
        }
        Some(Code::Recovery(canonical)) => {
            let used = Statement::new(USE_RECOVERY_CODE)
                .bind(rfc3339(now))
                .bind(user_id)
                .bind(recovery_hash(user_id, &canonical));
            Ok(platform.db.execute(used).await? == 1)
        }
        None => Ok(false),
    }
}

fn already_enabled() -> ApiError {
    ApiError::Conflict {
        code: "totp_already_enabled",
        message: "Two-factor sign-in is already on.".into(),
    }
}

fn not_enabled() -> ApiError {
    ApiError::Conflict {
        code: "totp_not_enabled",
        message: "Two-factor sign-in is off.".into(),
    }
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict {
        code: "totp_changed",
        message: "Two-factor settings changed meanwhile. Reload and try again.".into(),
    }
}

fn wrong_code() -> ApiError {
    ApiError::field("code", "is not a valid code")
}

/// `POST /api/auth/totp/setup`: starts (or restarts) enrollment with a new
/// secret. Not audited: nothing about signing in changes until `enable`.
pub async fn setup(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<TotpEnrollment>, ApiError> {
    let factor = load(&platform, &caller.user_id).await?;
    if factor.totp_enabled != 0 {
        return Err(already_enabled());
    }
    let totp = generator(crypto::random_bytes::<20>()?.to_vec(), &factor.email)?;
    let secret = totp.secret().to_base32();
    let otpauth_url = totp
        .to_url()
        .map_err(|e| ApiError::Internal(format!("otpauth url: {e}")))?;
    let sealed = platform
        .config
        .sealer
        .seal(secret.as_bytes(), &caller.user_id)?;
    let start = Statement::new(START)
        .bind(sealed)
        .bind(rfc3339(platform.clock.now_ms()))
        .bind(caller.user_id.as_str());
    if platform.db.execute(start).await? != 1 {
        return Err(already_enabled());
    }
    Ok(Json(TotpEnrollment {
        secret,
        otpauth_url,
    }))
}

/// `POST /api/auth/totp/enable`: checks a code against the pending secret,
/// turns 2FA on and returns the recovery codes once.
pub async fn enable(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let factor = load(&platform, &caller.user_id).await?;
    if factor.totp_enabled != 0 {
        return Err(already_enabled());
    }
    let Some(pending) = factor.totp_secret.as_deref() else {
        return Err(ApiError::Conflict {
            code: "totp_setup_required",
            message: "Start two-factor setup first.".into(),
        });
    };
    let totp = open(&platform, &caller.user_id, pending)?;
    let attempt = rate_limit::user_secret(&platform, "totp", &caller.user_id).await?;
    let now = platform.clock.now_ms();
    let step = match Code::parse(&body.code) {
        Some(Code::Totp(digits)) => matching_step(&totp, &digits, now, factor.totp_last_step),
        _ => None,
    };
    let Some(step) = step else {
        return Err(wrong_code());
    };

    let resealed = platform
        .config
        .sealer
        .seal(totp.secret().to_base32().as_bytes(), &caller.user_id)?;
    let codes = new_recovery_codes()?;
    let mut batch = vec![
        Statement::new(ENABLE)
            .bind(resealed.as_str())
            .bind(rfc3339(now))
            .bind(step)
            .bind(caller.user_id.as_str())
            .bind(pending),
    ];
    batch.extend(replace_codes(&caller.user_id, &resealed, &codes));
    batch.extend(attempt.succeeded());
    commit_codes(&platform, &caller, &meta, batch, "totp.enable", codes).await
}

/// `POST /api/auth/totp/disable`: with the password and a second factor,
/// turns 2FA off and forgets the secret and the recovery codes.
pub async fn disable(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<TotpDisable>,
) -> Result<StatusCode, ApiError> {
    let factor = load(&platform, &caller.user_id).await?;
    if factor.totp_enabled == 0 {
        return Err(not_enabled());
    }
    let attempt = rate_limit::user_secret(&platform, "totp", &caller.user_id).await?;
    if body.password.len() > 1024
        || !crypto::verify_password(&body.password, &factor.password_hash)?.0
    {
        return Err(ApiError::field("password", "is not your current password"));
    }
    if !verify_second_factor(&platform, &caller.user_id, &body.code).await? {
        return Err(wrong_code());
    }
    let entry = audit::Entry {
        org_id: None,
        action: "totp.disable",
        resource_type: "user",
        resource_id: &caller.user_id,
        metadata: json!({}),
    };
    let mut batch = vec![
        Statement::new(DISABLE)
            .bind(rfc3339(platform.clock.now_ms()))
            .bind(caller.user_id.as_str()),
        Statement::new(DELETE_RECOVERY_CODES).bind(caller.user_id.as_str()),
        entry.by(&platform, &caller, &meta)?,
    ];
    batch.extend(attempt.succeeded());
    platform.db.batch(batch).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/auth/totp/recovery-codes`: with a second factor, replaces the
/// recovery codes and returns the new ones once.
pub async fn regenerate_recovery_codes(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(body): ApiJson<TotpCode>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let factor = load(&platform, &caller.user_id).await?;
    let (true, Some(sealed)) = (factor.totp_enabled != 0, factor.totp_secret) else {
        return Err(not_enabled());
    };
    let attempt = rate_limit::user_secret(&platform, "totp", &caller.user_id).await?;
    if !verify_second_factor(&platform, &caller.user_id, &body.code).await? {
        return Err(wrong_code());
    }
    let codes = new_recovery_codes()?;
    let mut batch = replace_codes(&caller.user_id, &sealed, &codes);
    batch.extend(attempt.succeeded());
    commit_codes(
        &platform,
        &caller,
        &meta,
        batch,
        "totp.recovery_codes",
        codes,
    )
    .await
}

/// Commits `batch` (which stores `codes`) with its audit entry and shows the
/// codes once; a concurrent change to the secret fails the batch whole.
async fn commit_codes(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    mut batch: Vec<Statement>,
    action: &str,
    codes: Vec<String>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let entry = audit::Entry {
        org_id: None,
        action,
        resource_type: "user",
        resource_id: &caller.user_id,
        metadata: json!({}),
    };
    batch.push(entry.by(platform, caller, meta)?);
    match platform.db.batch(batch).await {
        Ok(_) => Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        })),
        Err(DbError::Constraint(_)) => Err(changed_meanwhile()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key.
    fn rfc_generator() -> Result<Totp, ApiError> {
        generator(b"12345678901234567890".to_vec(), "ada@example.com")
    }

    #[test]
    fn codes_match_the_rfc_vectors_within_one_step() -> Result<(), ApiError> {
        let totp = rfc_generator()?;
        // 94287082 at T = 59 s (step 1), 07081804 at T = 1111111109 (step 37037036).
        assert_eq!(matching_step(&totp, "287082", 59_000, None), Some(1));
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000, None),
            Some(37_037_036)
        );
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000 + 30_000, None),
            Some(37_037_036)
        );
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000 - 30_000, None),
            Some(37_037_036)
        );
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000 + 60_000, None),
            None
        );
        assert_eq!(
            matching_step(&totp, "081805", 1_111_111_109_000, None),
            None
        );
        Ok(())
    }

    #[test]
    fn used_steps_are_refused() -> Result<(), ApiError> {
        let totp = rfc_generator()?;
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000, Some(37_037_035)),
            Some(37_037_036)
        );
        assert_eq!(
            matching_step(&totp, "081804", 1_111_111_109_000, Some(37_037_036)),
            None
        );
        Ok(())
    }

    #[test]
    fn the_otpauth_url_names_issuer_and_account() -> Result<(), ApiError> {
        let url = rfc_generator()?.to_url().unwrap_or_default();
        assert_eq!(
            url,
            "otpauth://totp/Flamingo:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Flamingo"
        );
        Ok(())
    }

    #[test]
    fn recovery_codes_are_fifty_random_bits_in_a_readable_form() {
        let codes = new_recovery_codes().unwrap_or_default();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-");
            assert_eq!(Code::parse(code), Some(Code::Recovery(code.clone())));
        }
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
    }

    #[test]
    fn input_is_recognised_by_shape() {
        assert_eq!(Code::parse(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(
            Code::parse("ABCDE-FGH0J"),
            Some(Code::Recovery("abcde-fgh0j".into()))
        );
        // Misreadable letters map to the digits they look like.
        assert_eq!(
            Code::parse("oOiIl 22222"),
            Some(Code::Recovery("00111-22222".into()))
        );
        assert_eq!(Code::parse("abcde-fghuj"), None);
        assert_eq!(Code::parse("12345"), None);
        assert_eq!(Code::parse(""), None);
        assert_eq!(Code::parse(&"1".repeat(100)), None);
    }
}
