//! Two-factor sign-in: enrollment, sign-in with a code, replay refusal,
//! recovery codes, rate limits and turning it off, over the native platform.

use crate::common;

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::{StatusCode, header};
use common::{Reply, api, platform, send, setup_owner};
use edge_api::{
    Platform,
    platform::{
        db::{Database, DatabaseExt, DbError, Outcome, Statement},
        native::ManualClock,
    },
};
use serde_json::{Value, json};
use totp_rs::{Builder, Secret, Totp};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";

/// Sets Flamingo up with Ada as owner; returns her cookie and user id.
async fn owner(platform: &Platform) -> (String, String) {
    let (cookie, me) = setup_owner(platform).await;
    (
        cookie,
        me["user"]["id"].as_str().expect("user id").to_owned(),
    )
}

/// The authenticator app, from the secret setup showed.
fn authenticator(secret: &str) -> Totp {
    let bytes = Secret::try_from_base32(secret).expect("base32 secret");
    Builder::new()
        .with_secret(bytes.as_bytes().to_vec())
        .build()
        .expect("a valid totp")
}

/// The code the app shows at the platform clock's time.
fn code_now(app: &Totp, clock: &ManualClock) -> String {
    use edge_api::platform::clock::Clock;
    app.generate(u64::try_from(clock.now_ms() / 1000).expect("after 1970"))
        .to_string()
}

async fn login(platform: &Platform, totp: Option<&str>) -> Reply {
    let mut body = json!({ "email": EMAIL, "password": PASSWORD });
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    send(platform, api("POST", "/api/auth/login", None, Some(body))).await
}

async fn rows(platform: &Platform, sql: &str, user_id: &str) -> Vec<Value> {
    platform
        .db
        .all(Statement::new(sql).bind(user_id))
        .await
        .expect("query runs")
}

/// Starts enrollment and turns 2FA on; returns the app and the recovery codes.
async fn enroll(platform: &Platform, clock: &ManualClock, cookie: &str) -> (Totp, Vec<String>) {
    let setup = send(
        platform,
        api("POST", "/api/auth/totp/setup", Some(cookie), None),
    )
    .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.json);
    let app = authenticator(setup.json["secret"].as_str().expect("secret"));
    let code = code_now(&app, clock);
    let enabled = send(
        platform,
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(cookie),
            Some(json!({ "code": code })),
        ),
    )
    .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.json);
    let codes = enabled.json["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    (app, codes)
}

#[tokio::test]
async fn enrollment_sign_in_replay_recovery_and_disable() {
    let (platform, clock) = platform();
    let (cookie, user_id) = owner(&platform).await;

    // Enrollment: the secret is shown once, with an otpauth URL for a QR code.
    let setup = send(
        &platform,
        api("POST", "/api/auth/totp/setup", Some(&cookie), None),
    )
    .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.json);
    let secret = setup.json["secret"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 32, "20 bytes in base32");
    let url = setup.json["otpauth_url"].as_str().expect("otpauth url");
    assert!(
        url.starts_with(&format!(
            "otpauth://totp/Flamingo:ada%40example.com?secret={secret}"
        )),
        "{url}"
    );
    assert!(url.contains("issuer=Flamingo"), "{url}");
    // Stored sealed, never in the clear; 2FA is not on yet.
    let stored = rows(
        &platform,
        "SELECT totp_secret, totp_enabled_at FROM users WHERE id = ?1",
        &user_id,
    )
    .await;
    let sealed = stored[0]["totp_secret"].as_str().expect("sealed secret");
    assert!(sealed.starts_with("v1.") && !sealed.contains(&secret));
    assert!(stored[0]["totp_enabled_at"].is_null());
    assert_eq!(
        login(&platform, None).await.status,
        StatusCode::OK,
        "not required before enable"
    );

    // A wrong code is a field error; the right one turns 2FA on.
    let app = authenticator(&secret);
    let wrong = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(&cookie),
            Some(json!({ "code": "000000" })),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.json["error"]["fields"]["code"].is_string());
    let enrolled_code = code_now(&app, &clock);
    let enabled = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(&cookie),
            Some(json!({ "code": enrolled_code })),
        ),
    )
    .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.json);
    let codes: Vec<String> = enabled.json["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    for code in &codes {
        assert!(code.len() == 11 && code.as_bytes()[5] == b'-', "{code}");
        assert!(
            code.chars()
                .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_lowercase()),
            "{code}"
        );
    }
    let stored = rows(
        &platform,
        "SELECT code_hash, used_at FROM recovery_codes WHERE user_id = ?1",
        &user_id,
    )
    .await;
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|r| {
        r["code_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64 && !codes.iter().any(|c| h.contains(c.as_str())))
    }));
    let me = send(&platform, api("GET", "/api/auth/me", Some(&cookie), None)).await;
    assert_eq!(me.json["user"]["totp_enabled"], true);
    let again = send(
        &platform,
        api("POST", "/api/auth/totp/setup", Some(&cookie), None),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "totp_already_enabled");

    // Sign-in now asks for the second factor.
    let missing = login(&platform, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.json["error"]["code"], "totp_required");
    // The code used to enable cannot be used again, even within its window.
    let replay = login(&platform, Some(&enrolled_code)).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.json["error"]["code"], "invalid_totp");

    // The next step's code works once.
    clock.advance_ms(30_000);
    let code = code_now(&app, &clock);
    let signed_in = login(&platform, Some(&code)).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.json);
    assert!(signed_in.headers.get(header::SET_COOKIE).is_some());
    let replay = login(&platform, Some(&code)).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.json["error"]["code"], "invalid_totp");

    // A recovery code works once, typed in upper case without its dash too.
    let typed = codes[0].to_uppercase().replace('-', "");
    assert_eq!(login(&platform, Some(&typed)).await.status, StatusCode::OK);
    let reused = login(&platform, Some(&codes[0])).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reused.json["error"]["code"], "invalid_totp");
    let used = rows(
        &platform,
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?1 AND used_at IS NOT NULL",
        &user_id,
    )
    .await;
    assert_eq!(used[0]["n"], 1);

    // New recovery codes replace the old ones.
    clock.advance_ms(30_000);
    let fresh = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/recovery-codes",
            Some(&cookie),
            Some(json!({ "code": code_now(&app, &clock) })),
        ),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.json);
    let fresh: Vec<String> = fresh.json["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(
        !edge_api::auth::totp::verify_second_factor(&platform, &user_id, &codes[1])
            .await
            .expect("verifies")
    );
    let live = rows(
        &platform,
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
        &user_id,
    )
    .await;
    assert_eq!(live[0]["n"], 10);

    // Turning it off takes the password and a second factor.
    let bad_password = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/disable",
            Some(&cookie),
            Some(json!({ "password": "not my password", "code": fresh[0] })),
        ),
    )
    .await;
    assert_eq!(bad_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_password.json["error"]["fields"]["password"].is_string());
    let bad_code = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/disable",
            Some(&cookie),
            Some(json!({ "password": PASSWORD, "code": "abcde-fghjk" })),
        ),
    )
    .await;
    assert_eq!(bad_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_code.json["error"]["fields"]["code"].is_string());
    let disabled = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/disable",
            Some(&cookie),
            Some(json!({ "password": PASSWORD, "code": fresh[0] })),
        ),
    )
    .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{}", disabled.json);
    let stored = rows(
        &platform,
        "SELECT totp_secret, totp_enabled_at, (SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?1) AS codes \
         FROM users WHERE id = ?1",
        &user_id,
    )
    .await;
    assert!(stored[0]["totp_secret"].is_null() && stored[0]["totp_enabled_at"].is_null());
    assert_eq!(stored[0]["codes"], 0);
    assert_eq!(
        login(&platform, None).await.status,
        StatusCode::OK,
        "no second factor once off"
    );

    // Each change is in the audit log, by Ada, outside any organization.
    let audit = rows(
        &platform,
        "SELECT action, org_id, resource_type, resource_id, ip FROM audit_log \
         WHERE actor_id = ?1 AND action LIKE 'totp.%' ORDER BY rowid",
        &user_id,
    )
    .await;
    let actions: Vec<&str> = audit.iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["totp.enable", "totp.recovery_codes", "totp.disable"]
    );
    for row in &audit {
        assert!(row["org_id"].is_null());
        assert_eq!(row["resource_type"], "user");
        assert_eq!(row["resource_id"], user_id.as_str());
        assert_eq!(row["ip"], "192.0.2.1");
    }
}

#[tokio::test]
async fn codes_from_one_step_either_side_are_accepted_and_later_ones_refuse_earlier() {
    let (platform, clock) = platform();
    let (cookie, user_id) = owner(&platform).await;
    let (app, _) = enroll(&platform, &clock, &cookie).await;
    let verify = |code: String| {
        let platform = platform.clone();
        let user_id = user_id.clone();
        async move {
            edge_api::auth::totp::verify_second_factor(&platform, &user_id, &code)
                .await
                .expect("verifies")
        }
    };
    let at = |offset_steps: i64| {
        use edge_api::platform::clock::Clock;
        let secs = u64::try_from(clock.now_ms() / 1000 + offset_steps * 30).expect("after 1970");
        app.generate(secs).to_string()
    };

    clock.advance_ms(90_000);
    assert!(!verify(at(-2)).await, "two steps late");
    assert!(!verify(at(2)).await, "two steps early");
    assert!(verify(at(-1)).await, "one step late");
    assert!(verify(at(1)).await, "one step early");
    // The current step is before the last accepted one now.
    assert!(!verify(at(0)).await, "earlier than a code already used");
    assert!(!verify("12345".into()).await);
    assert!(!verify("not a code at all".into()).await);
}

#[tokio::test]
async fn enrollment_needs_setup_and_wrong_codes_are_rate_limited() {
    let (platform, _clock) = platform();
    let (cookie, _) = owner(&platform).await;
    let enable = |code: &str| {
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(&cookie),
            Some(json!({ "code": code })),
        )
    };

    let early = send(&platform, enable("123456")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.json["error"]["code"], "totp_setup_required");
    let off = send(
        &platform,
        api(
            "POST",
            "/api/auth/totp/recovery-codes",
            Some(&cookie),
            Some(json!({ "code": "123456" })),
        ),
    )
    .await;
    assert_eq!(off.json["error"]["code"], "totp_not_enabled");

    let setup = send(
        &platform,
        api("POST", "/api/auth/totp/setup", Some(&cookie), None),
    )
    .await;
    assert_eq!(setup.status, StatusCode::OK);
    for _ in 0..5 {
        assert_eq!(
            send(&platform, enable("000000")).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let limited = send(&platform, enable("000000")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.get(header::RETRY_AFTER).is_some());
    assert!(
        send(
            &platform,
            api(
                "POST",
                "/api/auth/totp/enable",
                Some(&cookie),
                Some(json!({ "code": "000000", "extra": 1 }))
            )
        )
        .await
        .status
        .is_client_error()
    );
}

/// A database that yields before every call, so requests driven by
/// `tokio::join!` interleave as they would on a real network.
struct Yielding(Arc<dyn Database>);

#[async_trait]
impl Database for Yielding {
    async fn run(&self, stmt: Statement) -> Result<Outcome, DbError> {
        tokio::task::yield_now().await;
        self.0.run(stmt).await
    }

    async fn batch(&self, stmts: Vec<Statement>) -> Result<Vec<Outcome>, DbError> {
        tokio::task::yield_now().await;
        self.0.batch(stmts).await
    }
}

#[tokio::test]
async fn one_code_wins_once_when_two_sign_ins_race() {
    let (mut platform, clock) = platform();
    let (cookie, user_id) = owner(&platform).await;
    let (app, codes) = enroll(&platform, &clock, &cookie).await;
    platform.db = Arc::new(Yielding(platform.db.clone()));

    clock.advance_ms(30_000);
    let code = code_now(&app, &clock);
    let (a, b) = tokio::join!(
        edge_api::auth::totp::verify_second_factor(&platform, &user_id, &code),
        edge_api::auth::totp::verify_second_factor(&platform, &user_id, &code),
    );
    assert_eq!(
        [a.expect("verifies"), b.expect("verifies")]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1
    );

    let (a, b) = tokio::join!(
        edge_api::auth::totp::verify_second_factor(&platform, &user_id, &codes[3]),
        edge_api::auth::totp::verify_second_factor(&platform, &user_id, &codes[3]),
    );
    assert_eq!(
        [a.expect("verifies"), b.expect("verifies")]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1
    );
}
