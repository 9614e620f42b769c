//! Allocations: the `ip:port` pairs of a node that servers listen on. They
//! are added in bulk (`{ip, alias?, ports: ["25565", "25570-25580"]}`),
//! listed with whether a server holds each, given notes, and deleted while
//! free. A port past 65535, a malformed range or a pair the node already has
//! is a field error, and nothing is written.

use std::collections::BTreeSet;

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::node;
use crate::{
    context::{Caller, OrgContext, RequestMeta},
    crypto,
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, Statement},
    },
    record::audit,
    validate::{self, Problems},
};

/// Ports one request may add.
pub const MAX_PORTS_PER_REQUEST: usize = 1000;

/// An allocation as listed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Allocation {
    /// Allocation id.
    pub id: String,
    /// The node.
    pub node_id: String,
    /// IP address Wings binds.
    pub ip: String,
    /// What people connect to instead of the IP, if set.
    pub alias: Option<String>,
    /// Port.
    pub port: i64,
    /// Free text.
    pub notes: Option<String>,
    /// The server holding it, if any.
    pub server_id: Option<String>,
    /// That server's name.
    pub server_name: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

const SELECT: &str = "SELECT a.id, a.node_id, a.ip, a.alias, a.port, a.notes, a.server_id, \
     s.name AS server_name, a.created_at FROM allocations a LEFT JOIN servers s ON s.id = a.server_id";

/// `POST /api/orgs/{org}/nodes/{node}/allocations` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewAllocations {
    /// IP address Wings binds (`0.0.0.0` for all).
    pub ip: String,
    /// What people connect to instead, e.g. `play.example.com`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub alias: Option<String>,
    /// Ports and ranges, e.g. `["25565", "25570-25580"]`.
    pub ports: Vec<String>,
    /// Free text.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub notes: Option<String>,
}

/// `PATCH …/allocations/{allocation}` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct AllocationChange {
    /// New alias (empty clears it).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub alias: Option<String>,
    /// New notes (empty clears them).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub notes: Option<String>,
}

/// Parses `["25565", "25570-25580"]` into distinct ports, or says what is wrong.
pub fn parse_ports(specs: &[String]) -> Result<BTreeSet<u16>, String> {
    if specs.is_empty() {
        return Err("must list at least one port or range".into());
    }
    let mut ports = BTreeSet::new();
    let one = |text: &str| -> Result<u16, String> {
        let n: u64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a port or a range like 25565-25600"))?;
        if (1..=65535).contains(&n) {
            Ok(n as u16)
        } else {
            Err(format!("{n} is not a port between 1 and 65535"))
        }
    };
    for spec in specs {
        let (start, end) = match spec.split_once('-') {
            Some((a, b)) => (one(a)?, one(b)?),
            None => {
                let p = one(spec)?;
                (p, p)
            }
        };
        if start > end {
            return Err(format!("{spec:?} runs backwards"));
        }
        if usize::from(end - start) + 1 + ports.len() > MAX_PORTS_PER_REQUEST {
            return Err(format!(
                "may add at most {MAX_PORTS_PER_REQUEST} ports at once"
            ));
        }
        for p in start..=end {
            if !ports.insert(p) {
                return Err(format!("lists port {p} twice"));
            }
        }
    }
    Ok(ports)
}

fn ip(value: &str) -> Result<(), String> {
    value
        .trim()
        .parse::<std::net::IpAddr>()
        .map(drop)
        .map_err(|_| "must be an IPv4 or IPv6 address".to_owned())
}

fn short_text(value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else {
        Ok(())
    }
}

fn blank_is_none(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `GET /api/orgs/{org}/nodes/{node}/allocations`: every allocation by ip and port.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<Vec<Allocation>>, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let rows: Vec<Allocation> = platform
        .db
        .all(
            Statement::new(format!(
                "{SELECT} WHERE a.node_id = ?1 ORDER BY a.ip, a.port"
            ))
            .bind(node.id.as_str()),
        )
        .await?;
    Ok(Json(rows))
}

/// `POST /api/orgs/{org}/nodes/{node}/allocations`: adds every listed port
/// on `ip` in one batch, or none.
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewAllocations>,
) -> Result<(StatusCode, Json<Vec<Allocation>>), ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let mut problems = Problems::new();
    problems.check("ip", ip(&body.ip));
    if let Some(alias) = &body.alias {
        problems.check("alias", short_text(alias, 253));
    }
    if let Some(notes) = &body.notes {
        problems.check("notes", short_text(notes, 500));
    }
    let ports = match parse_ports(&body.ports) {
        Ok(ports) => ports,
        Err(problem) => {
            problems.add("ports", problem);
            BTreeSet::new()
        }
    };
    problems.finish()?;
    let ip_text = body
        .ip
        .trim()
        .parse::<std::net::IpAddr>()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let wanted = serde_json::to_string(&ports).map_err(|e| ApiError::Internal(e.to_string()))?;
    #[derive(Deserialize)]
    struct Taken {
        port: i64,
    }
    let taken: Vec<Taken> = platform
        .db
        .all(
            Statement::new(
                "SELECT port FROM allocations WHERE node_id = ?1 AND ip = ?2 \
                 AND port IN (SELECT value FROM json_each(?3)) ORDER BY port LIMIT 5",
            )
            .bind(node.id.as_str())
            .bind(ip_text.as_str())
            .bind(wanted.as_str()),
        )
        .await?;
    if !taken.is_empty() {
        let list: Vec<String> = taken.iter().map(|t| t.port.to_string()).collect();
        return Err(ApiError::field(
            "ports",
            format!(
                "{ip_text} already has port {} on this node",
                list.join(", ")
            ),
        ));
    }
    let now = rfc3339(platform.clock.now_ms());
    let alias = blank_is_none(body.alias.as_deref());
    let notes = blank_is_none(body.notes.as_deref());
    let mut statements = Vec::with_capacity(ports.len() + 1);
    for port in &ports {
        statements.push(
            Statement::new(
                "INSERT INTO allocations (id, node_id, ip, alias, port, notes, server_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)",
            )
            .bind(crypto::uuid()?)
            .bind(node.id.as_str())
            .bind(ip_text.as_str())
            .bind(alias.clone())
            .bind(i64::from(*port))
            .bind(notes.clone())
            .bind(now.as_str()),
        );
    }
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "allocation.create",
        resource_type: "node",
        resource_id: &node.id,
        metadata: json!({ "ip": ip_text, "ports": body.ports, "count": ports.len() }),
    };
    statements.push(entry.by(&platform, &caller, &meta)?);
    match platform.db.batch(statements).await {
        Ok(_) => {}
        Err(crate::platform::db::DbError::Constraint(_)) => {
            return Err(ApiError::field(
                "ports",
                "some of these ports were just added on this node",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let rows: Vec<Allocation> = platform
        .db
        .all(
            Statement::new(format!(
                "{SELECT} WHERE a.node_id = ?1 AND a.ip = ?2 AND a.port IN (SELECT value FROM json_each(?3)) \
                 ORDER BY a.port"
            ))
            .bind(node.id.as_str())
            .bind(ip_text.as_str())
            .bind(wanted.as_str()),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rows)))
}

async fn load(
    platform: &Platform,
    node_id: &str,
    allocation: &str,
) -> Result<Allocation, ApiError> {
    let id = validate::as_id(allocation).ok_or(ApiError::NotFound)?;
    platform
        .db
        .first(
            Statement::new(format!("{SELECT} WHERE a.node_id = ?1 AND a.id = ?2"))
                .bind(node_id)
                .bind(id),
        )
        .await?
        .ok_or(ApiError::NotFound)
}

/// `PATCH /api/orgs/{org}/nodes/{node}/allocations/{allocation}`: alias and notes.
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node, allocation)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<AllocationChange>,
) -> Result<Json<Allocation>, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let current = load(&platform, &node.id, &allocation).await?;
    let mut problems = Problems::new();
    if let Some(alias) = &body.alias {
        problems.check("alias", short_text(alias, 253));
    }
    if let Some(notes) = &body.notes {
        problems.check("notes", short_text(notes, 500));
    }
    problems.finish()?;
    let alias = match &body.alias {
        Some(a) => blank_is_none(Some(a)),
        None => current.alias.clone(),
    };
    let notes = match &body.notes {
        Some(n) => blank_is_none(Some(n)),
        None => current.notes.clone(),
    };
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "allocation.update",
        resource_type: "allocation",
        resource_id: &current.id,
        metadata: json!({ "ip": current.ip, "port": current.port, "alias": alias }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("UPDATE allocations SET alias = ?1, notes = ?2 WHERE id = ?3")
                .bind(alias)
                .bind(notes)
                .bind(current.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(Json(load(&platform, &node.id, &current.id).await?))
}

/// `DELETE /api/orgs/{org}/nodes/{node}/allocations/{allocation}`: only while free.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node, allocation)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let current = load(&platform, &node.id, &allocation).await?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "allocation.delete",
        resource_type: "allocation",
        resource_id: &current.id,
        metadata: json!({ "ip": current.ip, "port": current.port }),
    };
    let audit_row = entry
        .statement_if(
            "NOT EXISTS (SELECT 1 FROM allocations WHERE id = ?11)",
            &platform,
            Some((&caller.user_id, &caller.name)),
            &meta,
        )?
        .bind(current.id.as_str());
    let outcomes = platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM allocations WHERE id = ?1 AND server_id IS NULL")
                .bind(current.id.as_str()),
            audit_row,
        ])
        .await?;
    if outcomes.first().is_none_or(|o| o.changes != 1) {
        return Err(ApiError::Conflict {
            code: "allocation_in_use",
            message: "A server holds this allocation; remove it from the server first.".into(),
        });
    }
    Ok(StatusCode::NO_CONTENT)
}

/// How often an automatic allocation is picked again when racing requests take it.
const AUTO_ALLOCATION_ATTEMPTS: usize = 10;

/// After a write found `wanted[0]` taken by a racing request: an automatic pick (`auto`)
/// moves to the node's next free allocation, up to [`AUTO_ALLOCATION_ATTEMPTS`] writes in
/// all; a chosen allocation, or the attempts used up, is a 409 for the caller to pick another.
pub(crate) async fn next_after_taken(
    platform: &Platform,
    node_id: &str,
    auto: bool,
    attempts: &mut usize,
    wanted: &mut [String],
) -> Result<(), ApiError> {
    *attempts += 1;
    let next = if auto && *attempts < AUTO_ALLOCATION_ATTEMPTS {
        first_free(platform, node_id, wanted.get(1..).unwrap_or_default()).await?
    } else {
        None
    };
    match (next, wanted.first_mut()) {
        (Some(next), Some(first)) => {
            *first = next;
            Ok(())
        }
        _ => Err(ApiError::Conflict {
            code: "allocation_taken",
            message: "An allocation was just taken by another server; pick another.".into(),
        }),
    }
}

/// The node's first free allocation (by ip and port), leaving out `except`.
pub(crate) async fn first_free(
    platform: &Platform,
    node_id: &str,
    except: &[String],
) -> Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Free {
        id: String,
    }
    let except = serde_json::to_string(except).map_err(|e| ApiError::Internal(e.to_string()))?;
    let free: Option<Free> = platform
        .db
        .first(
            Statement::new(
                "SELECT id FROM allocations WHERE node_id = ?1 AND server_id IS NULL \
                 AND id NOT IN (SELECT value FROM json_each(?2)) ORDER BY ip, port LIMIT 1",
            )
            .bind(node_id)
            .bind(except),
        )
        .await?;
    Ok(free.map(|f| f.id))
}

#[cfg(test)]
mod tests {
    use super::parse_ports;

    fn specs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ports_and_ranges() {
        let ports = parse_ports(&specs(&["25565", "25570-25572"])).unwrap_or_default();
        assert_eq!(
            ports.into_iter().collect::<Vec<_>>(),
            vec![25565, 25570, 25571, 25572]
        );
        for bad in [
            &["65536"][..],
            &["25600-25565"],
            &["1-2", "2"],
            &["abc"],
            &["0"],
            &["65500-65600"],
            &[],
        ] {
            assert!(parse_ports(&specs(bad)).is_err(), "{bad:?}");
        }
        assert!(parse_ports(&specs(&["1-1001"])).is_err());
    }
}
