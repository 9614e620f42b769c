//! Tunnel names held by Wings nodes (`node_tunnels`, set up by
//! `game::node_tunnel`): what a tunnel host is told about a node's key and
//! the names only that key may bind.
//!
//! A node's key is a key of no user: the host knows it as the user
//! [`NODE_USER_PREFIX`]`<node id>` (a prefix no Flamingo user id and no
//! authorized_keys user name can have: ids are UUIDs and the file's names
//! admit no `:`). Two rules keep the names apart, both decided here and in
//! [`super::tunnel::check_name`]:
//!
//! - a node key binds only its node's two names (the HTTP name and
//!   `tcp-<sftp_port>`) on the host the node was set up on;
//! - nobody else binds those names, on any host of the organization.
//!
//! A node key wins over a user key with the same fingerprint: the holder of
//! the private key is the node machine either way.

use serde::Deserialize;

use crate::{
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// The user a node's key opens tunnels as, before the node id.
pub const NODE_USER_PREFIX: &str = "node:";

/// The host user of the node `node_id`.
pub fn node_user(node_id: &str) -> String {
    format!("{NODE_USER_PREFIX}{node_id}")
}

/// The tunnel name of a TCP port, as the host names TCP tunnels.
pub fn tcp_name(port: i64) -> String {
    format!("tcp-{port}")
}

/// A node key as a host sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeKey {
    /// The node.
    pub node_id: String,
    /// Its display name.
    pub node_name: String,
    /// The only names it may bind on the host that asked.
    pub names: Vec<String>,
}

/// The node whose enrolled key has `fingerprint`, among `org_id`'s nodes,
/// with the names it may bind on `host_id` (none on another host).
pub async fn key(
    platform: &Platform,
    org_id: &str,
    host_id: &str,
    fingerprint: &str,
) -> Result<Option<NodeKey>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        node_id: String,
        node_name: String,
        host_id: String,
        name: String,
        sftp_port: i64,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT t.node_id, n.name AS node_name, t.host_id, t.name, t.sftp_port \
                 FROM node_tunnels t JOIN nodes n ON n.id = t.node_id \
                 WHERE t.key_fingerprint = ?1 AND t.org_id = ?2",
            )
            .bind(fingerprint)
            .bind(org_id),
        )
        .await?;
    Ok(row.map(|r| NodeKey {
        names: if r.host_id == host_id {
            vec![r.name, tcp_name(r.sftp_port)]
        } else {
            Vec::new()
        },
        node_id: r.node_id,
        node_name: r.node_name,
    }))
}

/// Who may bind `name` (lowercased) on `host_id` of `org_id` when a node holds
/// it: `Some((node user, node name))`, or `None` when no node does.
pub async fn holder(
    platform: &Platform,
    org_id: &str,
    host_id: &str,
    name: &str,
) -> Result<Option<(String, String)>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        node_id: String,
        node_name: String,
    }
    let port = name
        .strip_prefix("tcp-")
        .and_then(|p| p.parse::<i64>().ok());
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT t.node_id, n.name AS node_name FROM node_tunnels t JOIN nodes n ON n.id = t.node_id \
                 WHERE t.org_id = ?1 AND (t.name = ?2 OR (t.host_id = ?3 AND t.sftp_port = ?4))",
            )
            .bind(org_id)
            .bind(name)
            .bind(host_id)
            .bind(port),
        )
        .await?;
    Ok(row.map(|r| (node_user(&r.node_id), r.node_name)))
}

/// Whether the node behind host user `user` may bind `name` on `host_id`:
/// only its own two names, only on the host it was set up on. `false` for a
/// user that is not a node's.
pub async fn node_may_bind(
    platform: &Platform,
    org_id: &str,
    host_id: &str,
    user: &str,
    name: &str,
) -> Result<bool, ApiError> {
    let Some(node_id) = user.strip_prefix(NODE_USER_PREFIX) else {
        return Ok(false);
    };
    #[derive(Deserialize)]
    struct Row {
        name: String,
        sftp_port: i64,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT name, sftp_port FROM node_tunnels \
                 WHERE node_id = ?1 AND org_id = ?2 AND host_id = ?3 AND key_fingerprint IS NOT NULL",
            )
            .bind(node_id)
            .bind(org_id)
            .bind(host_id),
        )
        .await?;
    Ok(row.is_some_and(|r| r.name == name || tcp_name(r.sftp_port) == name))
}

/// Whether a node of `org_id` holds the HTTP name `name` (a member's
/// reservation must not take it).
pub async fn name_taken(platform: &Platform, org_id: &str, name: &str) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Count {
        held: i64,
    }
    let count: Option<Count> = platform
        .db
        .first(
            Statement::new(
                "SELECT COUNT(*) AS held FROM node_tunnels WHERE org_id = ?1 AND name = ?2",
            )
            .bind(org_id)
            .bind(name),
        )
        .await?;
    Ok(count.is_some_and(|c| c.held > 0))
}
