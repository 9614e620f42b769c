//! Transfer rows: the API's shape, the statements, and the one-way moves
//! out of `pending`. Each settling batch starts with a conditional UPDATE
//! that writes a fresh `outcome_id`; every other statement of the batch runs
//! only if that id is there, so a report that arrives twice or late, or a
//! cancel racing a report, settles a transfer once and never undoes the
//! outcome (nor touches a later transfer of the same server).

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::Resource,
    context::RequestMeta,
    crypto,
    error::ApiError,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::{
        audit,
        events::{self, Audience, NewEvent},
    },
};

/// A transfer as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Transfer {
    /// Id.
    pub id: String,
    /// The server.
    pub server_id: String,
    /// Where it was.
    pub old_node_id: String,
    /// Where it goes.
    pub new_node_id: String,
    /// Its default allocation before.
    pub old_allocation_id: String,
    /// Its default allocation after (on the new node).
    pub new_allocation_id: String,
    /// Its other allocations after (on the new node).
    pub new_additional_allocation_ids: Vec<String>,
    /// The backups on the old node's disk sent along.
    pub backups: Vec<String>,
    /// `pending`, `completed`, `failed` or `cancelled`.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once settled.
    pub finished_at: Option<String>,
}

/// A stored transfer.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Server.
    pub server_id: String,
    /// Source node.
    pub old_node_id: String,
    /// Destination node.
    pub new_node_id: String,
    /// Default allocation before.
    pub old_allocation_id: String,
    /// Default allocation after.
    pub new_allocation_id: String,
    /// JSON array of allocation ids.
    pub new_additional: String,
    /// JSON array of backup ids.
    pub backups: String,
    /// Status.
    pub status: String,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub finished_at: Option<String>,
}

fn ids(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl Row {
    /// As the API shows it.
    pub fn to_transfer(&self) -> Transfer {
        Transfer {
            id: self.id.clone(),
            server_id: self.server_id.clone(),
            old_node_id: self.old_node_id.clone(),
            new_node_id: self.new_node_id.clone(),
            old_allocation_id: self.old_allocation_id.clone(),
            new_allocation_id: self.new_allocation_id.clone(),
            new_additional_allocation_ids: ids(&self.new_additional),
            backups: ids(&self.backups),
            status: self.status.clone(),
            error: self.error.clone(),
            created_at: self.created_at.clone(),
            finished_at: self.finished_at.clone(),
        }
    }

    /// The backup ids sent along.
    pub fn backup_ids(&self) -> Vec<String> {
        ids(&self.backups)
    }
}

const COLUMNS: &str = "id, server_id, old_node_id, new_node_id, old_allocation_id, new_allocation_id, \
     new_additional, backups, status, error, created_at, finished_at";

/// The transfer `id`.
pub async fn by_id(platform: &Platform, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM server_transfers WHERE id = ?1"
            ))
            .bind(id),
        )
        .await?)
}

/// The server's transfer under way, else its latest one.
pub async fn latest(platform: &Platform, server_id: &str) -> Result<Option<Row>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM server_transfers WHERE server_id = ?1 \
                 ORDER BY status = 'pending' DESC, created_at DESC, rowid DESC LIMIT 1"
            ))
            .bind(server_id),
        )
        .await?)
}

/// The server's transfer under way.
pub async fn pending(platform: &Platform, server_id: &str) -> Result<Option<Row>, ApiError> {
    Ok(latest(platform, server_id)
        .await?
        .filter(|r| r.status == "pending"))
}

/// How a transfer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The destination has the server: it moves there.
    Completed,
    /// The source gave up: it stays.
    Failed,
    /// An admin called it off: it stays.
    Cancelled,
}

impl Outcome {
    /// The status it leaves.
    pub fn status(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// The audit log's action for this outcome.
    pub fn audit_action(self) -> &'static str {
        match self {
            Outcome::Completed => "server.transfer_completed",
            Outcome::Failed => "server.transfer_failed",
            Outcome::Cancelled => "server.transfer_cancelled",
        }
    }
}

/// A settling batch under construction: its first statement moves the
/// transfer out of `pending`; [`Settle::guard`] is the condition every
/// other statement of the batch adds.
pub struct Settle {
    /// The transfer.
    pub id: String,
    /// The value only this batch writes.
    pub outcome_id: String,
    /// RFC 3339 now.
    pub now: String,
}

impl Settle {
    /// A settle of `id` at the platform's now.
    pub fn new(platform: &Platform, id: &str) -> Result<Settle, ApiError> {
        Ok(Settle {
            id: id.to_owned(),
            outcome_id: crypto::uuid()?,
            now: rfc3339(platform.clock.now_ms()),
        })
    }

    /// `EXISTS (…)` true only once this batch's first statement has run and changed the row;
    /// its parameters are `?{first}` (transfer id) and `?{first + 1}` (outcome id).
    pub fn guard(first: usize) -> String {
        format!(
            "EXISTS (SELECT 1 FROM server_transfers WHERE id = ?{first} AND outcome_id = ?{})",
            first + 1
        )
    }

    /// The first statement: `pending` -> `outcome`, with `error`.
    pub fn statement(&self, outcome: Outcome, error: Option<&str>) -> Statement {
        Statement::new(
            "UPDATE server_transfers SET status = ?2, error = ?3, outcome_id = ?4, finished_at = ?5 \
             WHERE id = ?1 AND status = 'pending'",
        )
        .bind(self.id.as_str())
        .bind(outcome.status())
        .bind(error)
        .bind(self.outcome_id.as_str())
        .bind(self.now.as_str())
    }

    /// The statements that follow for `outcome` of `row`: the allocations
    /// freed on the node the server does not end up on, and on completion
    /// the server (and the backups sent along) moved to the new node.
    pub fn effects(&self, row: &Row, outcome: Outcome) -> Vec<Statement> {
        let guard = Self::guard(1);
        let mut out = Vec::new();
        let freed_node = match outcome {
            Outcome::Completed => row.old_node_id.as_str(),
            Outcome::Failed | Outcome::Cancelled => row.new_node_id.as_str(),
        };
        out.push(
            Statement::new(format!(
                "UPDATE allocations SET server_id = NULL WHERE server_id = ?3 AND node_id = ?4 AND {guard}"
            ))
            .bind(self.id.as_str())
            .bind(self.outcome_id.as_str())
            .bind(row.server_id.as_str())
            .bind(freed_node),
        );
        if outcome == Outcome::Completed {
            out.push(
                Statement::new(format!(
                    "UPDATE servers SET node_id = ?4, allocation_id = ?5, container_state = 'offline', \
                     state_at = ?6, updated_at = ?6 WHERE id = ?3 AND {guard}"
                ))
                .bind(self.id.as_str())
                .bind(self.outcome_id.as_str())
                .bind(row.server_id.as_str())
                .bind(row.new_node_id.as_str())
                .bind(row.new_allocation_id.as_str())
                .bind(self.now.as_str()),
            );
            out.push(
                Statement::new(format!(
                    "UPDATE backups SET node_id = ?4 WHERE server_id = ?3 AND adapter = 'wings' \
                     AND node_id = ?5 AND id IN (SELECT value FROM json_each(?6)) AND {guard}"
                ))
                .bind(self.id.as_str())
                .bind(self.outcome_id.as_str())
                .bind(row.server_id.as_str())
                .bind(row.new_node_id.as_str())
                .bind(row.old_node_id.as_str())
                .bind(row.backups.as_str()),
            );
        }
        out
    }

    /// A system entry in the server's activity log, written only by this batch.
    pub fn activity(
        &self,
        server_id: &str,
        user_id: Option<&str>,
        event: &str,
        metadata: serde_json::Value,
    ) -> Result<Statement, ApiError> {
        Ok(Statement::new(format!(
            "INSERT INTO server_activity (id, server_id, user_id, event, metadata, ip, source, created_at) \
             SELECT ?3, ?4, ?5, ?6, ?7, NULL, 'flamingo', ?8 WHERE {}",
            Self::guard(1)
        ))
        .bind(self.id.as_str())
        .bind(self.outcome_id.as_str())
        .bind(crypto::uuid()?)
        .bind(server_id)
        .bind(user_id)
        .bind(event)
        .bind(metadata.to_string())
        .bind(self.now.as_str()))
    }
}

/// Publishes `server.transfer` for `row` as it is now.
pub async fn publish(platform: &Platform, org_id: &str, row: &Row) {
    events::publish(
        platform,
        org_id,
        NewEvent::new(
            "server.transfer",
            json!({
                "server_id": row.server_id,
                "transfer_id": row.id,
                "status": row.status,
                "old_node_id": row.old_node_id,
                "new_node_id": row.new_node_id,
                "error": row.error,
            }),
            Audience::Read(Resource::GameServers),
        ),
    )
    .await;
}

/// Who settles a transfer: a signed-in admin (id, name), or `None` for a node's report.
pub type Actor<'a> = Option<(&'a str, &'a str)>;

/// Settles the pending transfer `row` of a server of `org_id` as `outcome`
/// (with `error`), in one batch with its effects, the server's activity
/// entry and the audit entry; publishes `server.transfer` when this call is
/// the one that settled it. Whether it did.
pub async fn settle(
    platform: &Platform,
    org_id: &str,
    row: &Row,
    outcome: Outcome,
    error: Option<&str>,
    actor: Actor<'_>,
    meta: &RequestMeta,
) -> Result<bool, ApiError> {
    let settle = Settle::new(platform, &row.id)?;
    let facts = json!({
        "transfer_id": row.id,
        "old_node_id": row.old_node_id,
        "new_node_id": row.new_node_id,
        "error": error,
    });
    let mut batch = vec![settle.statement(outcome, error)];
    batch.extend(settle.effects(row, outcome));
    batch.push(settle.activity(
        &row.server_id,
        actor.map(|(id, _)| id),
        &format!("server:transfer.{}", outcome.status()),
        facts.clone(),
    )?);
    let entry = audit::Entry {
        org_id: Some(org_id),
        action: outcome.audit_action(),
        resource_type: "server",
        resource_id: &row.server_id,
        metadata: facts,
    };
    batch.push(
        entry
            .statement_if(&Settle::guard(11), platform, actor, meta)?
            .bind(settle.id.as_str())
            .bind(settle.outcome_id.as_str()),
    );
    let outcomes = platform.db.batch(batch).await?;
    let settled = outcomes.first().is_some_and(|o| o.changes > 0);
    if settled && let Some(now) = by_id(platform, &row.id).await? {
        publish(platform, org_id, &now).await;
    }
    Ok(settled)
}
