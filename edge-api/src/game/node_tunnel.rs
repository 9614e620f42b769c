//! Wings behind NAT: a node reached through one of the organization's
//! tunnel hosts instead of at its own address.
//!
//! Marking a node (`POST /api/orgs/{org}/nodes/{node}/tunnel`) reserves two
//! names on the chosen host for it (`crate::tunnels::node_names`): an HTTP
//! name for Wings' API (`https://<name>.<tunnel_domain>`, the host's HTTPS
//! listener on 443, which is what a Worker's `fetch` can reach) and a TCP
//! port for Wings' SFTP (`<tunnel_domain>:<sftp_port>`). The node's
//! configuration then carries [`TunnelSetup`]: the commands that make a key
//! on the Wings machine and enroll it (`POST /api/remote/tunnel-key` with the
//! node token, no browser), and a systemd unit running plain OpenSSH
//! `ssh -N -R` for both names, restarted on failure. Only that key may bind
//! those names, and it may bind nothing else.
//!
//! Everything that reaches the node goes through
//! [`super::node::NodeAccess::base_url`], which answers the tunnel address
//! for such a node: the Wings client, the console relay, signed file URLs and
//! the SFTP details ([`sftp_details`]) follow without knowing about tunnels.
//!
//! `http_port` (tests on loopback only) makes Flamingo call the host's plain
//! HTTP listener, `http://<name>.<tunnel_domain>:<http_port>`, instead.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
};
use durable_state::{link::LinkRequest, names};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::node::{self, NodeAccess};
use crate::{
    auth::{Access, Action, Resource, ServerNeed},
    context::{Caller, OrgContext, RequestMeta, ServerContext},
    error::ApiError,
    extract::ApiJson,
    platform::{
        Platform,
        clock::rfc3339,
        db::{DatabaseExt, DbError, Statement},
    },
    record::audit,
    route::Route,
    tunnels::{ssh_key, tunnel},
    validate,
};

/// The lowest TCP port Flamingo picks for a node's SFTP (tunnel-host's default range is 20000-20999).
const FIRST_SFTP_PORT: i64 = 20022;
/// The highest.
const LAST_SFTP_PORT: i64 = 20999;
/// Where the Wings machine keeps its tunnel key.
pub const KEY_PATH: &str = "/etc/pelican/tunnel/id_ed25519";
/// Where it keeps the tunnel host's host key.
pub const KNOWN_HOSTS_PATH: &str = "/etc/pelican/tunnel/known_hosts";
/// The systemd unit's file.
pub const UNIT_PATH: &str = "/etc/systemd/system/flamingo-tunnel.service";

/// The node tunnel routes.
pub fn routes() -> Vec<Route> {
    let nodes = |action| Access::Org(Resource::Nodes, action);
    let perm = |p| Access::Server(ServerNeed::Permission(p));
    vec![
        Route::get(
            "/api/orgs/{org}/nodes/{node}/tunnel",
            nodes(Action::Read),
            show,
        ),
        Route::post(
            "/api/orgs/{org}/nodes/{node}/tunnel",
            nodes(Action::Write),
            create,
        ),
        Route::delete(
            "/api/orgs/{org}/nodes/{node}/tunnel",
            nodes(Action::Write),
            remove,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/sftp",
            perm("file.sftp"),
            sftp_details,
        ),
        // Wings' node token is the authentication (checked in the handler).
        Route::post("/api/remote/tunnel-key", Access::Node, enroll_key),
    ]
}

/// How a node is reached through a tunnel host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct NodeTunnel {
    /// The node.
    pub node_id: String,
    /// The tunnel host.
    pub tunnel_host_id: String,
    /// The HTTP tunnel name of Wings' API.
    pub name: String,
    /// The TCP port on the tunnel host for Wings' SFTP.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub sftp_port: i64,
    /// Where Flamingo calls Wings: `https://<name>.<tunnel_domain>`.
    pub api_url: String,
    /// The tunnel host's SSH address the Wings machine connects to.
    pub ssh_host: String,
    /// Its SSH port.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub ssh_port: i64,
    /// Tunnels are served under this domain.
    pub tunnel_domain: String,
    /// `SHA256:...` of the Wings machine's key, once it enrolled one.
    pub key_fingerprint: Option<String>,
    /// RFC 3339, when it did.
    pub key_enrolled_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

const COLUMNS: &str = "node_id, host_id AS tunnel_host_id, name, sftp_port, api_url, ssh_host, \
     ssh_port, tunnel_domain, key_fingerprint, key_enrolled_at, created_at";

/// `POST /api/orgs/{org}/nodes/{node}/tunnel` body.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct NewNodeTunnel {
    /// An enrolled tunnel host of the organization that has connected once (so its address is known).
    pub tunnel_host_id: String,
    /// The HTTP name (a DNS label); default `wings-<first 8 characters of the node id>`.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub name: Option<String>,
    /// The TCP port on the host for SFTP, in the host's TCP range; default the first free from 20022.
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub sftp_port: Option<i64>,
    /// Tests on loopback only: call the host's plain HTTP listener on this port
    /// instead of HTTPS on 443 (a Worker in production can fetch only the latter).
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional, type = "number"))]
    pub http_port: Option<i64>,
}

/// What the Wings machine runs, in the node's configuration answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct TunnelSetup {
    /// Root shell commands, run once: make the key, enroll it with the node token, install and start the unit.
    pub setup_command: String,
    /// The `ssh` command that keeps both tunnels open (what the unit runs).
    pub ssh_command: String,
    /// Its arguments after `ssh`, one per element.
    pub ssh_args: Vec<String>,
    /// The systemd unit, for [`UNIT_PATH`].
    pub systemd_unit: String,
    /// Where the unit goes.
    pub unit_path: String,
}

/// SFTP details of a server as users connect.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct SftpDetails {
    /// Host name.
    pub host: String,
    /// Port.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub port: i64,
    /// The server's short id: users sign in as `<their email>.<username_suffix>`.
    pub username_suffix: String,
    /// `sftp://<host>:<port>`.
    pub url: String,
}

/// `POST /api/remote/tunnel-key` body (Wings machine, with its node token).
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(deny_unknown_fields)]
pub struct TunnelKey {
    /// One OpenSSH public key line (the `.pub` file).
    pub public_key: String,
}

/// The tunnel of `node_id`, if it has one.
pub async fn of(platform: &Platform, node_id: &str) -> Result<Option<NodeTunnel>, ApiError> {
    Ok(platform
        .db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM node_tunnels WHERE node_id = ?1"
            ))
            .bind(node_id),
        )
        .await?)
}

/// A shell word: as is when plain, else single-quoted.
fn word(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '=' | ',')
        });
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// The `ssh` arguments keeping `tunnel` open for `node` (Wings on this machine's loopback).
pub fn ssh_args(node: &NodeAccess, tunnel: &NodeTunnel) -> Vec<String> {
    let options = [
        "IdentitiesOnly=yes",
        "BatchMode=yes",
        "ExitOnForwardFailure=yes",
        "ServerAliveInterval=15",
        "ServerAliveCountMax=3",
        "StrictHostKeyChecking=accept-new",
    ];
    let mut args = vec!["-N".to_owned(), "-T".to_owned(), "-F".into(), "none".into()];
    args.extend(["-i".to_owned(), KEY_PATH.to_owned()]);
    for option in options {
        args.extend(["-o".to_owned(), option.to_owned()]);
    }
    args.extend([
        "-o".to_owned(),
        format!("UserKnownHostsFile={KNOWN_HOSTS_PATH}"),
        "-p".into(),
        tunnel.ssh_port.to_string(),
        "-R".into(),
        format!("{}:80:127.0.0.1:{}", tunnel.name, node.daemon_port),
        "-R".into(),
        format!("{}:127.0.0.1:{}", tunnel.sftp_port, node.sftp_port),
        format!("wings@{}", tunnel.ssh_host),
    ]);
    args
}

/// The commands and unit for the Wings machine of `node`, for a panel at `origin`.
pub fn setup(node: &NodeAccess, tunnel: &NodeTunnel, origin: &str, token: &str) -> TunnelSetup {
    let args = ssh_args(node, tunnel);
    let ssh_command = std::iter::once("/usr/bin/ssh".to_owned())
        .chain(args.iter().map(|a| word(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let systemd_unit = format!(
        "[Unit]\n\
         Description=Flamingo tunnel for Wings node {name} (ssh -R through {host})\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         StartLimitIntervalSec=0\n\
         \n\
         [Service]\n\
         ExecStart={ssh_command}\n\
         Restart=always\n\
         RestartSec=5\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        name = node.name.replace(['\n', '\r'], " "),
        host = tunnel.ssh_host,
    );
    let origin = origin.trim_end_matches('/');
    let unit_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(systemd_unit.as_bytes())
    };
    let bearer = word(&format!("Authorization: Bearer {}.{token}", node.token_id));
    let setup_command = format!(
        "apt-get install -y openssh-client curl && install -d -m 700 /etc/pelican/tunnel && \
         (test -f {KEY_PATH} || ssh-keygen -q -t ed25519 -N '' -C {comment} -f {KEY_PATH}) && \
         curl -fsS -X POST -H {bearer} -H 'Content-Type: application/json' \
         --data \"{{\\\"public_key\\\":\\\"$(cat {KEY_PATH}.pub)\\\"}}\" {url} && \
         echo {unit_b64} | base64 -d > {UNIT_PATH} && systemctl daemon-reload && \
         systemctl enable --now flamingo-tunnel.service",
        comment = word(&format!("flamingo-node-{}", node.id)),
        url = word(&format!("{origin}/api/remote/tunnel-key")),
    );
    TunnelSetup {
        setup_command,
        ssh_command,
        ssh_args: args,
        systemd_unit,
        unit_path: UNIT_PATH.into(),
    }
}

/// `https://<name>.<domain>`, or with `http_port` the plain listener's URL.
fn api_url(name: &str, domain: &str, http_port: Option<i64>) -> String {
    match http_port {
        None => format!("https://{name}.{domain}"),
        Some(80) => format!("http://{name}.{domain}"),
        Some(port) => format!("http://{name}.{domain}:{port}"),
    }
}

/// `GET /api/orgs/{org}/nodes/{node}/tunnel`: the node's tunnel, or 404.
pub async fn show(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<Json<NodeTunnel>, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    of(&platform, &node.id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

fn port(field: &str, value: i64) -> Result<(), ApiError> {
    if (1..=65535).contains(&value) {
        Ok(())
    } else {
        Err(ApiError::field(field, "must be a port between 1 and 65535"))
    }
}

/// `POST /api/orgs/{org}/nodes/{node}/tunnel`: reserves the node's names on
/// the host and makes Flamingo call the node through it. 409 when the node
/// already has a tunnel, a name or port is taken, or the host has not
/// reported its address yet (it never connected).
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewNodeTunnel>,
) -> Result<(StatusCode, Json<NodeTunnel>), ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let name = body
        .name
        .as_deref()
        .map(|n| n.trim().to_ascii_lowercase())
        .unwrap_or_else(|| format!("wings-{}", node.id.get(..8).unwrap_or(&node.id)));
    names::check(&name).map_err(|problem| ApiError::field("name", problem.to_string()))?;
    if let Some(p) = body.sftp_port {
        port("sftp_port", p)?;
    }
    if let Some(p) = body.http_port {
        port("http_port", p)?;
    }
    let host_id = validate::as_id(&body.tunnel_host_id).ok_or_else(|| {
        ApiError::field(
            "tunnel_host_id",
            "is not a tunnel host of this organization",
        )
    })?;
    #[derive(Deserialize)]
    struct Host {
        id: String,
        name: String,
    }
    let host: Option<Host> = platform
        .db
        .first(
            Statement::new(
                "SELECT id, name FROM tunnel_hosts WHERE id = ?1 AND org_id = ?2 AND enrolled_at IS NOT NULL",
            )
            .bind(host_id.as_str())
            .bind(org.id.as_str()),
        )
        .await?;
    let host = host.ok_or_else(|| {
        ApiError::field(
            "tunnel_host_id",
            "is not an enrolled tunnel host of this organization",
        )
    })?;
    let status = tunnel::statuses_of(
        &platform,
        vec![(host.id.clone(), host.name.clone())],
        LinkRequest::Status,
    )
    .await;
    let address = status
        .into_iter()
        .next()
        .and_then(|(_, _, s)| s.address)
        .ok_or_else(|| ApiError::Conflict {
            code: "host_address_unknown",
            message: format!(
                "The tunnel host {} has not reported its address yet; start it and try again.",
                host.name
            ),
        })?;
    let sftp_port = match body.sftp_port {
        Some(p) => p,
        None => free_sftp_port(&platform, &host.id).await?,
    };
    let tunnel = NodeTunnel {
        node_id: node.id.clone(),
        tunnel_host_id: host.id.clone(),
        api_url: api_url(&name, &address.tunnel_domain, body.http_port),
        name,
        sftp_port,
        ssh_host: address.ssh_host,
        ssh_port: i64::from(address.ssh_port),
        tunnel_domain: address.tunnel_domain,
        key_fingerprint: None,
        key_enrolled_at: None,
        created_at: rfc3339(platform.clock.now_ms()),
    };
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node_tunnel.create",
        resource_type: "node",
        resource_id: &node.id,
        metadata: json!({
            "name": node.name,
            "tunnel_name": tunnel.name,
            "sftp_port": tunnel.sftp_port,
            "host": host.name,
        }),
    };
    // The name is not a member's reservation: checked in the same statement.
    let audit_row = entry
        .statement_if(
            "EXISTS (SELECT 1 FROM node_tunnels WHERE node_id = ?11 AND created_at = ?12)",
            &platform,
            Some((&caller.user_id, &caller.name)),
            &meta,
        )?
        .bind(node.id.as_str())
        .bind(tunnel.created_at.as_str());
    let insert = Statement::new(
        "INSERT INTO node_tunnels (node_id, org_id, host_id, name, sftp_port, api_url, ssh_host, ssh_port, \
         tunnel_domain, created_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 \
         WHERE NOT EXISTS (SELECT 1 FROM tunnel_names WHERE org_id = ?2 AND name = ?4)",
    )
    .bind(tunnel.node_id.as_str())
    .bind(org.id.as_str())
    .bind(tunnel.tunnel_host_id.as_str())
    .bind(tunnel.name.as_str())
    .bind(tunnel.sftp_port)
    .bind(tunnel.api_url.as_str())
    .bind(tunnel.ssh_host.as_str())
    .bind(tunnel.ssh_port)
    .bind(tunnel.tunnel_domain.as_str())
    .bind(tunnel.created_at.as_str());
    let taken = |what: String| ApiError::Conflict {
        code: "tunnel_name_taken",
        message: what,
    };
    match platform.db.batch(vec![insert, audit_row]).await {
        Ok(outcomes) if outcomes.first().is_some_and(|o| o.changes == 1) => {
            Ok((StatusCode::CREATED, Json(tunnel)))
        }
        Ok(_) => Err(taken(format!(
            "The name {} is reserved for a member; choose another.",
            tunnel.name
        ))),
        Err(DbError::Constraint(m)) if m.contains("node_tunnels.node_id") => {
            Err(ApiError::Conflict {
                code: "node_has_tunnel",
                message: "This node is already reached through a tunnel; remove it first.".into(),
            })
        }
        Err(DbError::Constraint(m)) if m.contains("sftp_port") => Err(taken(format!(
            "Port {} on this tunnel host is another node's.",
            tunnel.sftp_port
        ))),
        Err(DbError::Constraint(_)) => Err(taken(format!(
            "The name {} is another node's.",
            tunnel.name
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The first port from [`FIRST_SFTP_PORT`] no node uses on `host_id`.
async fn free_sftp_port(platform: &Platform, host_id: &str) -> Result<i64, ApiError> {
    #[derive(Deserialize)]
    struct Used {
        sftp_port: i64,
    }
    let used: Vec<Used> = platform
        .db
        .all(Statement::new("SELECT sftp_port FROM node_tunnels WHERE host_id = ?1").bind(host_id))
        .await?;
    let used: std::collections::BTreeSet<i64> = used.into_iter().map(|u| u.sftp_port).collect();
    (FIRST_SFTP_PORT..=LAST_SFTP_PORT)
        .find(|p| !used.contains(p))
        .ok_or_else(|| ApiError::Conflict {
            code: "no_free_port",
            message: "Every SFTP port of this tunnel host is taken; give one.".into(),
        })
}

/// `DELETE /api/orgs/{org}/nodes/{node}/tunnel`: Flamingo calls the node at
/// its own address again; its names and key are forgotten.
pub async fn remove(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let tunnel = of(&platform, &node.id).await?.ok_or(ApiError::NotFound)?;
    let entry = audit::Entry {
        org_id: Some(&org.id),
        action: "node_tunnel.delete",
        resource_type: "node",
        resource_id: &node.id,
        metadata: json!({ "name": node.name, "tunnel_name": tunnel.name }),
    };
    platform
        .db
        .batch(vec![
            Statement::new("DELETE FROM node_tunnels WHERE node_id = ?1 AND org_id = ?2")
                .bind(node.id.as_str())
                .bind(org.id.as_str()),
            entry.by(&platform, &caller, &meta)?,
        ])
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/remote/tunnel-key` (Wings' node token): the Wings machine's
/// public key, the only key that may open this node's tunnel names. Sending
/// the same key again changes nothing; another key replaces it (whoever
/// holds the node token is the node already). 404 when the node is not
/// reached through a tunnel; 409 when a user registered the same key.
pub async fn enroll_key(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TunnelKey>,
) -> Result<Json<NodeTunnel>, super::remote::RemoteError> {
    let node = super::remote::auth::node(&platform, &headers).await?;
    let tunnel = of(&platform, &node.id).await?.ok_or(ApiError::NotFound)?;
    let key = ssh_key::parse(&body.public_key)
        .map_err(|problem| ApiError::field("public_key", problem))?;
    if tunnel.key_fingerprint.as_deref() == Some(key.fingerprint.as_str()) {
        return Ok(Json(tunnel));
    }
    if ssh_key::owner_of(&platform, &key.fingerprint)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict {
            code: "key_in_use",
            message: "This key is a user's SSH key; make a key for the node.".into(),
        }
        .into());
    }
    let now = rfc3339(platform.clock.now_ms());
    let entry = audit::Entry {
        org_id: Some(&node.org_id),
        action: "node_tunnel.key_enroll",
        resource_type: "node",
        resource_id: &node.id,
        metadata: json!({ "name": node.name, "fingerprint": key.fingerprint }),
    };
    let result = platform
        .db
        .batch(vec![
            Statement::new(
                "UPDATE node_tunnels SET key_fingerprint = ?1, public_key = ?2, key_enrolled_at = ?3 \
                 WHERE node_id = ?4",
            )
            .bind(key.fingerprint.as_str())
            .bind(key.public_key.as_str())
            .bind(now.as_str())
            .bind(node.id.as_str()),
            entry.statement(&platform, None, &meta)?,
        ])
        .await;
    match result {
        Ok(_) => {}
        Err(DbError::Constraint(_)) => {
            return Err(ApiError::Conflict {
                code: "key_in_use",
                message: "This key is another node's; make a key for this node.".into(),
            }
            .into());
        }
        Err(e) => return Err(ApiError::from(e).into()),
    }
    Ok(Json(
        of(&platform, &node.id).await?.ok_or(ApiError::NotFound)?,
    ))
}

/// `GET /api/orgs/{org}/servers/{server}/sftp` (`file.sftp`): where users
/// connect with SFTP: the node's own address, or its tunnel's.
pub async fn sftp_details(
    State(platform): State<Platform>,
    Extension(ctx): Extension<ServerContext>,
) -> Result<Json<SftpDetails>, ApiError> {
    let server = super::server::current(&platform, &ctx).await?;
    let node = super::server::node_of(&platform, &server).await?;
    let (host, port) = node.sftp_address();
    Ok(Json(SftpDetails {
        url: format!("sftp://{host}:{port}"),
        host,
        port,
        username_suffix: server.short_id.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeAccess {
        serde_json::from_value(json!({
            "id": "0b6a3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "org_id": "o", "name": "home's box",
            "fqdn": "wings.invalid", "scheme": "https", "daemon_port": 8080, "sftp_port": 2022,
            "upload_limit": 100, "maintenance": 0, "token_id": "abcdefghijklmnop", "token_sealed": "x",
            "tunnel_api_url": "https://wings-0b6a3f0e.tunnel.example.com"
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn tunnel() -> NodeTunnel {
        NodeTunnel {
            node_id: "0b6a3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b".into(),
            tunnel_host_id: "h".into(),
            name: "wings-0b6a3f0e".into(),
            sftp_port: 20022,
            api_url: "https://wings-0b6a3f0e.tunnel.example.com".into(),
            ssh_host: "ssh.example.com".into(),
            ssh_port: 2222,
            tunnel_domain: "tunnel.example.com".into(),
            key_fingerprint: None,
            key_enrolled_at: None,
            created_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_setup_is_valid_shell_and_the_unit_runs_the_command() {
        let token = "t0k3n'with\"quotes";
        let setup = setup(&node(), &tunnel(), "https://panel.example.com/", token);
        for script in [&setup.setup_command, &setup.ssh_command] {
            let checked = std::process::Command::new("sh")
                .args(["-n", "-c", script])
                .status()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(checked.success(), "{script}");
        }
        assert!(
            setup
                .setup_command
                .contains("https://panel.example.com/api/remote/tunnel-key")
        );
        assert!(
            setup
                .setup_command
                .contains(r#"'Authorization: Bearer abcdefghijklmnop.t0k3n'\''with"quotes'"#),
            "{}",
            setup.setup_command
        );
        assert!(
            setup
                .systemd_unit
                .contains(&format!("\nExecStart={}\n", setup.ssh_command))
        );
        assert!(
            setup
                .systemd_unit
                .contains("Description=Flamingo tunnel for Wings node home's box")
        );
        assert_eq!(
            setup.ssh_args[setup.ssh_args.len() - 5..],
            [
                "-R",
                "wings-0b6a3f0e:80:127.0.0.1:8080",
                "-R",
                "20022:127.0.0.1:2022",
                "wings@ssh.example.com"
            ]
        );
    }

    #[test]
    fn api_urls_are_https_on_443_unless_a_test_port_is_given() {
        assert_eq!(api_url("w", "t.example", None), "https://w.t.example");
        assert_eq!(
            api_url("w", "localhost", Some(8080)),
            "http://w.localhost:8080"
        );
        assert_eq!(api_url("w", "t.example", Some(80)), "http://w.t.example");
        assert_eq!(
            node().base_url(),
            "https://wings-0b6a3f0e.tunnel.example.com"
        );
    }
}
