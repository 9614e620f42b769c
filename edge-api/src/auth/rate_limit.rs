//! Limits on guessing secrets (passwords, second factors, tokens, codes).
//!
//! An attempt is counted *before* the secret is checked, in one D1 batch of
//! upserts that each return the new count, and refused with 429 when a count
//! is over its limit; so however many requests arrive at once, no more than
//! the limit reach the slow check. A request that turns out not to be a
//! failure gives its count back ([`Attempt::forgive`], [`Attempt::succeeded`]),
//! so the counts are failures plus attempts still in flight.
//!
//! Each route's keys and limits are chosen here, in one place:
//! - sign-in: per (account, IP) pair, per IP across accounts, and an
//!   account-wide ceiling that slows guessing from many IPs without locking
//!   the owner out: past it, each IP gets one attempt per window at that
//!   account, so a correct password from an IP that has not failed signs in;
//! - password change and the 2FA routes: per signed-in user;
//! - invitation and enrollment tokens: per IP;
//! - device activation codes: per user and per IP;
//! - device authorizations: per tunnel host.

use std::net::IpAddr;

use serde::Deserialize;

use crate::{
    crypto,
    error::ApiError,
    platform::{
        Platform,
        db::{Statement, Value, decode_rows},
    },
};

/// How many attempts a fixed window allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: i64,
    /// Window length in ms.
    pub window_ms: i64,
}

const FIFTEEN_MINUTES: i64 = 15 * 60 * 1000;

/// Sign-in failures for one account from one IP: 5 per 15 minutes.
pub const LOGIN_PAIR: Limit = Limit {
    max: 5,
    window_ms: FIFTEEN_MINUTES,
};

/// Sign-in failures from one IP across all accounts: 30 per 15 minutes.
pub const LOGIN_IP: Limit = Limit {
    max: 30,
    window_ms: FIFTEEN_MINUTES,
};

/// Sign-in failures at one account from all IPs before it slows down to one
/// attempt per IP per window: 50 per 15 minutes.
pub const LOGIN_ACCOUNT: Limit = Limit {
    max: 50,
    window_ms: FIFTEEN_MINUTES,
};

/// Wrong current passwords and second factors a signed-in user may send
/// (password change, 2FA enable/disable/recovery codes): 5 per 15 minutes.
pub const USER_SECRETS: Limit = Limit {
    max: 5,
    window_ms: FIFTEEN_MINUTES,
};

/// Unknown invitation or enrollment tokens from one IP: 5 per 15 minutes.
pub const TOKENS: Limit = Limit {
    max: 5,
    window_ms: FIFTEEN_MINUTES,
};

/// Unknown device activation codes from one user: 5 per 15 minutes.
pub const ACTIVATE_USER: Limit = Limit {
    max: 5,
    window_ms: FIFTEEN_MINUTES,
};

/// Unknown device activation codes from one IP, across users: 20 per 15 minutes.
pub const ACTIVATE_IP: Limit = Limit {
    max: 20,
    window_ms: FIFTEEN_MINUTES,
};

/// Device authorizations one tunnel host may start: 30 per 10 minutes. Each
/// is an unknown key connecting; more means someone is knocking.
pub const DEVICE_STARTS: Limit = Limit {
    max: 30,
    window_ms: 10 * 60 * 1000,
};

/// SFTP sign-in failures at one server from one IP: 10 per 15 minutes.
pub const SFTP_PAIR: Limit = Limit {
    max: 10,
    window_ms: FIFTEEN_MINUTES,
};

/// Forgets windows that have ended, so the table holds only live counts.
const SWEEP: &str = "DELETE FROM rate_limits WHERE reset_at <= ?1";
/// Counts one attempt (`?1` key, `?2` now, `?3` window) and returns the count,
/// unless one of the keys counted before it in the batch is over its limit
/// (then no row is returned); the guard is appended per earlier key.
const COUNT_HEAD: &str = "INSERT INTO rate_limits (key, count, reset_at) SELECT ?1, 1, ?2 + ?3 \
     WHERE NOT EXISTS (SELECT 1 FROM rate_limits WHERE reset_at > ?2 AND (0";
const COUNT_TAIL: &str = ")) ON CONFLICT (key) DO UPDATE SET \
       count = CASE WHEN reset_at <= ?2 THEN 1 ELSE count + 1 END, \
       reset_at = CASE WHEN reset_at <= ?2 THEN ?2 + ?3 ELSE reset_at END \
     RETURNING count, reset_at";
const REFUND: &str =
    "UPDATE rate_limits SET count = count - 1 WHERE key = ?1 AND reset_at = ?2 AND count > 0";
const DROP_EMPTY: &str = "DELETE FROM rate_limits WHERE key = ?1 AND count <= 0";
const CLEAR: &str = "DELETE FROM rate_limits WHERE key = ?1";

/// What a success does to a key's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// Forget the key's failures: the success proves they were the owner's.
    Clear,
    /// Give back only this attempt's count: the success proves nothing about
    /// the others (an attacker can succeed at their own account or token).
    Refund,
}

/// One key to count an attempt against.
struct Rule {
    key: String,
    limit: Limit,
    settle: Settle,
}

/// A key this attempt was counted against.
#[derive(Debug, Clone)]
struct Counted {
    key: String,
    count: i64,
    reset_at: i64,
    limit: Limit,
    settle: Settle,
}

/// An attempt that was counted and allowed; settle it once the check is done.
/// Dropping it leaves the attempt counted as a failure.
#[derive(Debug)]
#[must_use = "a failure stays counted; call succeeded() or forgive() otherwise"]
pub struct Attempt {
    counted: Vec<Counted>,
}

impl Attempt {
    /// Statements settling a success, for the caller's success batch: clears
    /// what the success proves harmless and gives back this attempt's count
    /// elsewhere.
    pub fn succeeded(&self) -> Vec<Statement> {
        self.counted
            .iter()
            .flat_map(|c| match c.settle {
                Settle::Clear => vec![Statement::new(CLEAR).bind(c.key.as_str())],
                Settle::Refund => refund(c),
            })
            .collect()
    }

    /// Gives back this attempt's count everywhere without clearing anything:
    /// the attempt was not a failure, but proved nothing either (e.g. a
    /// correct password still waiting for its second factor).
    pub async fn forgive(self, platform: &Platform) -> Result<(), ApiError> {
        platform
            .db
            .batch(self.counted.iter().flat_map(refund).collect())
            .await?;
        Ok(())
    }
}

fn refund(c: &Counted) -> Vec<Statement> {
    vec![
        Statement::new(REFUND).bind(c.key.as_str()).bind(c.reset_at),
        Statement::new(DROP_EMPTY).bind(c.key.as_str()),
    ]
}

/// The client as rate limits see it: an IPv4 address, an IPv6 /64 (one
/// subscriber usually holds a whole /64), or `unknown`.
pub fn client(ip: Option<&str>) -> String {
    let Some(ip) = ip else {
        return "unknown".into();
    };
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.chars().take(64).collect(),
    }
}

/// Counts a sign-in attempt for `email` (already lowercased) from `ip`.
pub async fn login(
    platform: &Platform,
    email: &str,
    ip: Option<&str>,
) -> Result<Attempt, ApiError> {
    // Hashed: the key is bounded, and emails without accounts are not stored.
    let account = crypto::sha256_hex(email.as_bytes());
    let client = client(ip);
    let counted = count(
        platform,
        vec![
            Rule {
                key: format!("login:ip:{client}"),
                limit: LOGIN_IP,
                settle: Settle::Refund,
            },
            Rule {
                key: format!("login:pair:{account}:{client}"),
                limit: LOGIN_PAIR,
                settle: Settle::Clear,
            },
            Rule {
                key: format!("login:account:{account}"),
                limit: LOGIN_ACCOUNT,
                settle: Settle::Refund,
            },
        ],
    )
    .await?;
    // The IP and the pair are limits; the account's count is a ceiling.
    refuse_over_limit(platform, counted.get(..2).unwrap_or(&counted))?;
    match counted.as_slice() {
        // Past the account's ceiling, only an IP's first attempt in its window
        // goes on: guessing from many IPs slows, the owner is not locked out.
        [_, pair, account] if account.count > account.limit.max && pair.count > 1 => {
            Err(refused(platform, pair))
        }
        [_, _, _] => Ok(Attempt { counted }),
        _ => Err(ApiError::Internal("sign-in attempt was not counted".into())),
    }
}

/// Counts a signed-in user's attempt at a secret in `scope` (`password`,
/// `totp`): a wrong current password or second factor.
pub async fn user_secret(
    platform: &Platform,
    scope: &str,
    user_id: &str,
) -> Result<Attempt, ApiError> {
    allow(
        platform,
        vec![Rule {
            key: format!("{scope}:user:{user_id}"),
            limit: USER_SECRETS,
            settle: Settle::Clear,
        }],
    )
    .await
}

/// Counts an attempt at a one-time token in `scope` (`join`, `enroll`) from
/// `ip`. Tokens are random, so a guess never repeats: only the IP is counted.
pub async fn token(
    platform: &Platform,
    scope: &str,
    ip: Option<&str>,
) -> Result<Attempt, ApiError> {
    allow(
        platform,
        vec![Rule {
            key: format!("{scope}:ip:{}", client(ip)),
            limit: TOKENS,
            settle: Settle::Refund,
        }],
    )
    .await
}

/// Counts a user's attempt at a device activation code.
pub async fn activate(
    platform: &Platform,
    user_id: &str,
    ip: Option<&str>,
) -> Result<Attempt, ApiError> {
    allow(
        platform,
        vec![
            Rule {
                key: format!("activate:ip:{}", client(ip)),
                limit: ACTIVATE_IP,
                settle: Settle::Refund,
            },
            Rule {
                key: format!("activate:user:{user_id}"),
                limit: ACTIVATE_USER,
                settle: Settle::Refund,
            },
        ],
    )
    .await
}

/// Counts an SFTP sign-in at server `server_id` from `ip` (Wings reports
/// the client's address); a success clears the pair's failures.
pub async fn sftp(
    platform: &Platform,
    server_id: &str,
    ip: Option<&str>,
) -> Result<Attempt, ApiError> {
    allow(
        platform,
        vec![Rule {
            key: format!("sftp:{server_id}:{}", client(ip)),
            limit: SFTP_PAIR,
            settle: Settle::Clear,
        }],
    )
    .await
}

/// Counts a device authorization started by a tunnel host; never given back.
pub async fn device_start(platform: &Platform, host_id: &str) -> Result<(), ApiError> {
    let attempt = allow(
        platform,
        vec![Rule {
            key: format!("device-start:host:{host_id}"),
            limit: DEVICE_STARTS,
            settle: Settle::Refund,
        }],
    )
    .await?;
    drop(attempt);
    Ok(())
}

/// Counts against `rules` and refuses when any is over its limit.
async fn allow(platform: &Platform, rules: Vec<Rule>) -> Result<Attempt, ApiError> {
    let counted = count(platform, rules).await?;
    refuse_over_limit(platform, &counted)?;
    Ok(Attempt { counted })
}

/// Counts one attempt against each rule's key, in order and atomically (one
/// batch); a key is not counted once an earlier one is over its limit, so an
/// attempt refused by its IP does not use up the account's allowance.
/// Returns the keys counted, in order.
async fn count(platform: &Platform, rules: Vec<Rule>) -> Result<Vec<Counted>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        count: i64,
        reset_at: i64,
    }
    let now = platform.clock.now_ms();
    let mut batch = vec![Statement::new(SWEEP).bind(now)];
    for (i, rule) in rules.iter().enumerate() {
        let mut sql = String::from(COUNT_HEAD);
        let mut params = vec![
            Value::from(rule.key.as_str()),
            Value::from(now),
            Value::from(rule.limit.window_ms),
        ];
        for earlier in &rules[..i] {
            let n = params.len();
            sql.push_str(&format!(" OR (key = ?{} AND count > ?{})", n + 1, n + 2));
            params.push(Value::from(earlier.key.as_str()));
            params.push(Value::from(earlier.limit.max));
        }
        sql.push_str(COUNT_TAIL);
        batch.push(Statement { sql, params });
    }
    let outcomes = platform.db.batch(batch).await?;
    let mut counted = Vec::with_capacity(rules.len());
    for (rule, outcome) in rules.into_iter().zip(outcomes.into_iter().skip(1)) {
        let Some(row) = decode_rows::<Row>(outcome.rows)?.into_iter().next() else {
            break;
        };
        counted.push(Counted {
            key: rule.key,
            count: row.count,
            reset_at: row.reset_at,
            limit: rule.limit,
            settle: rule.settle,
        });
    }
    Ok(counted)
}

/// 429 when a counted key is over its limit. The refused attempt stays
/// counted; windows are fixed, so that does not lengthen the wait.
fn refuse_over_limit(platform: &Platform, counted: &[Counted]) -> Result<(), ApiError> {
    match counted.iter().find(|c| c.count > c.limit.max) {
        Some(over) => Err(refused(platform, over)),
        None => Ok(()),
    }
}

fn refused(platform: &Platform, key: &Counted) -> ApiError {
    let left_ms = key.reset_at - platform.clock.now_ms();
    let retry_after = u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1);
    ApiError::RateLimited { retry_after }
}

#[cfg(test)]
mod tests {
    use super::client;

    #[test]
    fn clients_are_ipv4_addresses_and_ipv6_slash_64s() {
        assert_eq!(client(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(client(Some("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
        assert_eq!(client(Some("2001:db8:1:2:ffff::1")), "2001:db8:1:2::/64");
        assert_eq!(client(Some("::ffff:198.51.100.9")), "198.51.100.9");
        assert_eq!(client(None), "unknown");
    }
}
