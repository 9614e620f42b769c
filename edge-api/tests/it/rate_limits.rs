//! Rate limits: attempts are counted before the check, so bursts get no more
//! than the limit; sign-in is limited per (account, IP) pair, per IP and by an
//! account-wide ceiling that slows guessing without locking the owner out.

use crate::common;

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Reply, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    auth::rate_limit::{LOGIN_ACCOUNT, LOGIN_IP, LOGIN_PAIR, USER_SECRETS},
    platform::db::{DatabaseExt, Statement},
};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const BURST: usize = 50;

fn from_ip(mut request: Request<Body>, ip: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert("cf-connecting-ip", ip.parse().expect("ip header"));
    request
}

async fn login(platform: &Platform, email: &str, password: &str, ip: &str) -> Reply {
    let body = json!({ "email": email, "password": password });
    send(
        platform,
        from_ip(api("POST", "/api/auth/login", None, Some(body)), ip),
    )
    .await
}

/// Sends `BURST` requests at once, on as many threads as the runtime has,
/// and returns the statuses that were not 429 (each 429 carries Retry-After).
async fn burst(platform: &Platform, request: impl Fn(usize) -> Request<Body>) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let platform = platform.clone();
            let request = request(i);
            tokio::spawn(async move { send(&platform, request).await })
        })
        .collect();
    let mut checked = Vec::new();
    for task in tasks {
        let reply = task.await.expect("request task");
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(reply.json["error"]["code"], "rate_limited");
            assert!(reply.headers.get(header::RETRY_AFTER).is_some());
        } else {
            checked.push(reply.status);
        }
    }
    checked
}

fn limit(max: i64) -> usize {
    usize::try_from(max).expect("small limit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn simultaneous_wrong_passwords_get_only_the_pair_limit_checked() {
    let (platform, _) = platform();
    setup_owner(&platform).await;
    let checked = burst(&platform, |i| {
        let body = json!({ "email": "ada@example.com", "password": format!("wrong {i}") });
        from_ip(
            api("POST", "/api/auth/login", None, Some(body)),
            "203.0.113.1",
        )
    })
    .await;
    assert_eq!(
        checked,
        vec![StatusCode::UNAUTHORIZED; limit(LOGIN_PAIR.max)],
        "only the pair's allowance was checked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn simultaneous_wrong_passwords_across_accounts_get_only_the_ip_limit_checked() {
    let (platform, _) = platform();
    setup_owner(&platform).await;
    let checked = burst(&platform, |i| {
        let body = json!({ "email": format!("nobody{i}@example.com"), "password": "wrong" });
        from_ip(
            api("POST", "/api/auth/login", None, Some(body)),
            "203.0.113.2",
        )
    })
    .await;
    assert_eq!(checked, vec![StatusCode::UNAUTHORIZED; limit(LOGIN_IP.max)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn simultaneous_wrong_current_passwords_get_only_the_user_limit_checked() {
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let checked = burst(&platform, |i| {
        let body = json!({ "current_password": format!("wrong {i}"), "new_password": "another good password" });
        api("PUT", "/api/auth/password", Some(&cookie), Some(body))
    })
    .await;
    assert_eq!(
        checked,
        vec![StatusCode::UNPROCESSABLE_ENTITY; limit(USER_SECRETS.max)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn simultaneous_guesses_at_tokens_and_codes_get_only_the_limit_checked() {
    let (platform, _) = platform();
    let (cookie, _) = setup_owner(&platform).await;
    let join = burst(&platform, |i| {
        let body =
            json!({ "name": "Eve", "email": format!("eve{i}@example.com"), "password": PASSWORD });
        api("POST", &format!("/api/join/guess-{i}"), None, Some(body))
    })
    .await;
    assert_eq!(join, vec![StatusCode::NOT_FOUND; 5], "join");
    let enroll = burst(&platform, |i| {
        let body = json!({ "enrollment_token": format!("fte_guess{i}") });
        from_ip(
            api("POST", "/api/tunnel-hosts/enroll", None, Some(body)),
            "203.0.113.3",
        )
    })
    .await;
    assert_eq!(enroll, vec![StatusCode::NOT_FOUND; 5], "enroll");
    let activate = burst(&platform, |i| {
        let body = json!({ "code": format!("ZZZZ-ZZ{:02}", i % 100) });
        api("POST", "/api/activate", Some(&cookie), Some(body))
    })
    .await;
    assert_eq!(activate, vec![StatusCode::NOT_FOUND; 5], "activate");
    let enable = burst(&platform, |_| {
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(&cookie),
            Some(json!({ "code": "000000" })),
        )
    })
    .await;
    // No setup started: a conflict, not a guess, and never counted.
    assert_eq!(enable, vec![StatusCode::CONFLICT; BURST], "totp enable");
}

#[tokio::test]
async fn wrong_passwords_from_one_ip_do_not_lock_the_owner_out_from_another() {
    let (platform, _) = platform();
    setup_owner(&platform).await;
    for i in 0..limit(LOGIN_PAIR.max) {
        let reply = login(
            &platform,
            "ada@example.com",
            &format!("wrong {i}"),
            "203.0.113.9",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let attacker = login(&platform, "ada@example.com", PASSWORD, "203.0.113.9").await;
    assert_eq!(
        attacker.status,
        StatusCode::TOO_MANY_REQUESTS,
        "that pair is spent, even with the right password"
    );
    let retry: u64 = attacker.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");

    let owner = login(&platform, "ada@example.com", PASSWORD, "198.51.100.7").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.json);
    // The attacker's IP may still try other accounts (up to its own limit).
    add_user(&platform, "Bob", "bob@example.com").await;
    let bob = login(&platform, "bob@example.com", PASSWORD, "203.0.113.9").await;
    assert_eq!(bob.status, StatusCode::OK, "{}", bob.json);
}

#[tokio::test]
async fn past_the_account_ceiling_each_ip_gets_one_attempt_per_window() {
    let (platform, clock) = platform();
    setup_owner(&platform).await;
    let per_ip = LOGIN_PAIR.max;
    let ips = LOGIN_ACCOUNT.max / per_ip;
    for ip in 0..ips {
        for i in 0..per_ip {
            let reply = login(
                &platform,
                "ada@example.com",
                "wrong",
                &format!("203.0.113.{ip}"),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "ip {ip} attempt {i}"
            );
        }
    }
    // The ceiling is reached: a fresh IP gets one attempt, not five.
    let first = login(&platform, "ada@example.com", "wrong", "198.51.100.50").await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    let second = login(&platform, "ada@example.com", "wrong", "198.51.100.50").await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    // The owner's one attempt from a clean IP is enough.
    let owner = login(&platform, "ada@example.com", PASSWORD, "198.51.100.51").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.json);
    // Other accounts are untouched.
    add_user(&platform, "Bob", "bob@example.com").await;
    for i in 0..2 {
        let reply = login(&platform, "bob@example.com", "wrong", "198.51.100.52").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "bob attempt {i}");
    }

    clock.advance_ms(LOGIN_ACCOUNT.window_ms);
    for i in 0..per_ip {
        let reply = login(&platform, "ada@example.com", "wrong", "198.51.100.50").await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "next window, attempt {i}"
        );
    }
}

#[tokio::test]
async fn successes_give_their_count_back_and_clear_only_their_pair() {
    let (platform, _) = platform();
    setup_owner(&platform).await;
    // More successful sign-ins from one IP than any limit: none is refused.
    for i in 0..=LOGIN_IP.max {
        let reply = login(&platform, "ada@example.com", PASSWORD, "192.0.2.77").await;
        assert_eq!(reply.status, StatusCode::OK, "sign-in {i}");
    }
    // Four typos, then the right password: the pair starts over...
    for round in 0..2 {
        for i in 0..LOGIN_PAIR.max - 1 {
            let reply = login(&platform, "ada@example.com", "typo", "192.0.2.77").await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "round {round} typo {i}"
            );
        }
        let reply = login(&platform, "ada@example.com", PASSWORD, "192.0.2.77").await;
        assert_eq!(reply.status, StatusCode::OK, "round {round}");
    }
    // ...but the IP's failures stay counted: 8 so far, all counted there.
    let rows: Vec<Value> = platform
        .db
        .all(Statement::new(
            "SELECT key, count FROM rate_limits WHERE key LIKE 'login:%' ORDER BY key",
        ))
        .await
        .expect("query runs");
    let counts: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            let key = r["key"].as_str().expect("key");
            (
                key.split(':').nth(1).expect("kind").to_owned(),
                r["count"].as_i64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![("account".to_owned(), 8), ("ip".to_owned(), 8)],
        "the pair was cleared; the IP and the account keep the typos"
    );
}

#[tokio::test]
async fn a_correct_password_waiting_for_its_code_does_not_reset_code_guesses() {
    let (platform, clock) = platform();
    let (cookie, me) = setup_owner(&platform).await;
    let user_id = me["user"]["id"].as_str().expect("user id").to_owned();
    turn_on_totp(&platform, &clock, &cookie).await;
    let attempt = |totp: Option<&str>| {
        let mut body = json!({ "email": "ada@example.com", "password": PASSWORD });
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        from_ip(
            api("POST", "/api/auth/login", None, Some(body)),
            "203.0.113.40",
        )
    };
    for i in 0..LOGIN_PAIR.max {
        // Asking for the second factor gives back only its own count...
        let asked = send(&platform, attempt(None)).await;
        assert_eq!(asked.json["error"]["code"], "totp_required", "ask {i}");
        let wrong = send(&platform, attempt(Some("000000"))).await;
        assert_eq!(wrong.json["error"]["code"], "invalid_totp", "code {i}");
    }
    // ...and clears nothing: the wrong codes stay counted.
    let limited = send(&platform, attempt(Some("000000"))).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);

    // Password change and 2FA routes are per signed-in user, wherever from.
    let other_session = sign_in_as(&platform, &user_id).await;
    for i in 0..USER_SECRETS.max {
        let reply = send(
            &platform,
            api(
                "POST",
                "/api/auth/totp/recovery-codes",
                Some(&other_session),
                Some(json!({ "code": "000000" })),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "code {i}");
    }
    let limited = send(
        &platform,
        from_ip(
            api(
                "POST",
                "/api/auth/totp/recovery-codes",
                Some(&cookie),
                Some(json!({ "code": "000000" })),
            ),
            "198.51.100.99",
        ),
    )
    .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Turns two-factor sign-in on for the signed-in owner.
async fn turn_on_totp(
    platform: &Platform,
    clock: &edge_api::platform::native::ManualClock,
    cookie: &str,
) {
    use edge_api::platform::clock::Clock;
    let setup = send(
        platform,
        api("POST", "/api/auth/totp/setup", Some(cookie), None),
    )
    .await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.json);
    let secret = totp_rs::Secret::try_from_base32(setup.json["secret"].as_str().expect("secret"))
        .expect("base32 secret");
    let app = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .expect("a valid totp");
    let code = app.generate(u64::try_from(clock.now_ms() / 1000).expect("after 1970"));
    let enabled = send(
        platform,
        api(
            "POST",
            "/api/auth/totp/enable",
            Some(cookie),
            Some(json!({ "code": code.to_string() })),
        ),
    )
    .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.json);
}
