//! Invitations to one server: a new person (an email without a Flamingo
//! account) is given a single-use link, `/join/{token}`, the same link and
//! page as an organization's invitations ([`crate::orgs::invitation`] looks
//! a token up here when it is not an organization's). Accepting it, signed in
//! or with a new account, makes the person a subuser of that one server with
//! the invitation's permissions: never a member of the organization.
//!
//! As for organizations, only the token's SHA-256 is stored, the link
//! expires, and the email is a note that is never checked (emails are not
//! verified). Accepting is one D1 batch: the claim (`accepted_at`,
//! `accepted_by` set while still pending) and the `subusers` row whose
//! `server_id` and `permissions` are subqueries on the row *claimed by this
//! user at this instant*, so a lost race leaves them NULL, the batch fails
//! whole, and exactly one accept commits.

use serde::Deserialize;
use serde_json::json;

use crate::{
    context::{Caller, RequestMeta},
    crypto,
    error::ApiError,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
};

/// How long a server invitation stays valid.
pub const DAYS: i64 = 7;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Pending invitations a server may have at once.
const MAX_PENDING: i64 = 50;

/// Still pending at `?2`.
pub const OPEN: &str = "i.accepted_at IS NULL AND i.expires_at > ?2";

/// A pending server invitation found by its token.
#[derive(Debug, Clone, Deserialize)]
pub struct Pending {
    /// Invitation id.
    pub id: String,
    /// The server.
    pub server_id: String,
    /// Its name.
    pub server_name: String,
    /// Its organization.
    pub org_id: String,
    /// The organization's name.
    pub org_name: String,
    /// Its slug.
    pub org_slug: String,
    /// The server's owner (who cannot also be a subuser).
    pub owner_id: Option<String>,
    /// JSON array of permission strings.
    pub permissions: String,
    /// RFC 3339.
    pub expires_at: String,
}

impl Pending {
    /// The permissions it grants.
    pub fn permission_list(&self) -> Vec<String> {
        serde_json::from_str(&self.permissions).unwrap_or_default()
    }
}

/// The pending invitation whose token hashes to `hash`, if any.
pub async fn find(platform: &Platform, hash: &str) -> Result<Option<Pending>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT i.id, i.server_id, s.name AS server_name, o.id AS org_id, o.name AS org_name, \
                 o.slug AS org_slug, s.owner_id, i.permissions, i.expires_at \
                 FROM subuser_invitations i JOIN servers s ON s.id = i.server_id \
                 JOIN organizations o ON o.id = s.org_id \
                 WHERE i.token_hash = ?1 AND {OPEN}"
            ))
            .bind(hash)
            .bind(rfc3339(platform.clock.now_ms())),
        )
        .await?)
}

/// An invitation made: its id, the token (shown once) and its expiry.
pub struct Created {
    /// Invitation id.
    pub id: String,
    /// The link's secret.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Invites `email` to `server_id` with `permissions` (already checked): an
/// expired pending invitation for the same email is replaced; a live one
/// answers 422 on `email`.
pub async fn create(
    platform: &Platform,
    caller: &Caller,
    meta: &RequestMeta,
    (org_id, server_id): (&str, &str),
    email: &str,
    permissions: &[String],
) -> Result<Created, ApiError> {
    let now_ms = platform.clock.now_ms();
    let now = rfc3339(now_ms);
    #[derive(Deserialize)]
    struct Count {
        pending: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new(format!(
                "SELECT COUNT(*) AS pending FROM subuser_invitations i WHERE i.server_id = ?1 AND {OPEN}"
            ))
            .bind(server_id)
            .bind(now.as_str()),
        )
        .await?;
    if count.is_some_and(|c| c.pending >= MAX_PENDING) {
        return Err(ApiError::Conflict {
            code: "too_many_invitations",
            message: format!(
                "A server may have {MAX_PENDING} pending invitations; revoke some first."
            ),
        });
    }
    let created = Created {
        id: crypto::uuid()?,
        token: crypto::token()?,
        expires_at: rfc3339(now_ms + DAYS * DAY_MS),
    };
    let perms =
        serde_json::to_string(permissions).map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = audit::Entry {
        org_id: Some(org_id),
        action: "subuser.invite",
        resource_type: "server",
        resource_id: server_id,
        metadata: json!({ "email": email, "permissions": permissions, "expires_at": created.expires_at }),
    };
    let outcome = platform
        .db
        .batch(vec![
            Statement::new(
                "DELETE FROM subuser_invitations WHERE server_id = ?1 AND email = ?2 \
                 AND accepted_at IS NULL AND expires_at <= ?3",
            )
            .bind(server_id)
            .bind(email)
            .bind(now.as_str()),
            Statement::new(
                "INSERT INTO subuser_invitations (id, server_id, token_hash, email, permissions, created_by, \
                 created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .bind(created.id.as_str())
            .bind(server_id)
            .bind(crypto::sha256_hex(created.token.as_bytes()))
            .bind(email)
            .bind(perms.as_str())
            .bind(caller.user_id.as_str())
            .bind(now.as_str())
            .bind(created.expires_at.as_str()),
            entry.by(platform, caller, meta)?,
        ])
        .await;
    match outcome {
        Ok(_) => Ok(created),
        Err(crate::platform::db::DbError::Constraint(_)) => Err(ApiError::field(
            "email",
            "has a pending invitation to this server already",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Changes a pending invitation's permissions (none changed: 404).
pub fn update(server_id: &str, id: &str, permissions: &str, now: &str) -> Statement {
    Statement::new(
        "UPDATE subuser_invitations SET permissions = ?3 WHERE id = ?1 AND server_id = ?4 \
         AND accepted_at IS NULL AND expires_at > ?2",
    )
    .bind(id)
    .bind(now)
    .bind(permissions)
    .bind(server_id)
}

/// Revokes a pending invitation: the link stops working at once.
pub fn revoke(server_id: &str, id: &str) -> Statement {
    Statement::new(
        "DELETE FROM subuser_invitations WHERE id = ?1 AND server_id = ?2 AND accepted_at IS NULL",
    )
    .bind(id)
    .bind(server_id)
}

/// Claims the invitation for `?2` at `?1` if it is still pending.
const CLAIM: &str = "UPDATE subuser_invitations SET accepted_at = ?1, accepted_by = ?2 \
     WHERE id = ?3 AND accepted_at IS NULL AND expires_at > ?1";
/// The subuser row for the invitation claimed by `?2` at `?3`; NULLs (and so
/// a failed batch) when this request's claim did not happen.
const GRANT: &str = "INSERT INTO subusers (server_id, user_id, permissions, created_at, updated_at) VALUES (\
     (SELECT server_id FROM subuser_invitations WHERE id = ?1 AND accepted_by = ?2 AND accepted_at = ?3), ?2, \
     (SELECT permissions FROM subuser_invitations WHERE id = ?1 AND accepted_by = ?2 AND accepted_at = ?3), ?3, ?3)";

/// The statements that accept `invitation` for `user_id` (after the new
/// account's INSERT, if any): the claim, the subuser row, the audit entry.
pub fn accept(
    platform: &Platform,
    meta: &RequestMeta,
    invitation: &Pending,
    (user_id, name): (&str, &str),
    new_account: bool,
) -> Result<Vec<Statement>, ApiError> {
    if invitation.owner_id.as_deref() == Some(user_id) {
        return Err(ApiError::Conflict {
            code: "already_subuser",
            message: "You own this server already.".into(),
        });
    }
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&invitation.org_id),
        action: "subuser.join",
        resource_type: "server",
        resource_id: &invitation.server_id,
        metadata: json!({
            "invitation_id": invitation.id,
            "user_id": user_id,
            "permissions": invitation.permission_list(),
            "new_account": new_account,
        }),
    };
    Ok(vec![
        Statement::new(CLAIM)
            .bind(now.as_str())
            .bind(user_id)
            .bind(invitation.id.as_str()),
        Statement::new(GRANT)
            .bind(invitation.id.as_str())
            .bind(user_id)
            .bind(now.as_str()),
        entry.statement(platform, Some((user_id, name)), meta)?,
    ])
}
