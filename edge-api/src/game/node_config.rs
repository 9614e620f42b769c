//! A node's Wings configuration (contract section 2): `config.yml` for
//! `/etc/pelican/config.yml`, the same as JSON (what `wings configure`
//! reads, with Wings' json tags), and a one-line install command.
//!
//! Two routes serve it: `GET /api/orgs/{org}/nodes/{node}/configuration`
//! (YAML, or `?format=json` with the install command) for the panel, and
//! `GET /api/application/nodes/{node}/configuration` for `wings configure`,
//! which sends a Flamingo API key as its bearer; the key's owner must be
//! allowed to manage the node's organization's nodes.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};

use super::node::{self, NodeAccess};
use crate::{
    auth::{self, Access, Action, Decision, Resource, Role},
    context::{Caller, OrgContext, RequestMeta},
    error::ApiError,
    extract::ApiQuery,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
    validate,
};

/// Where Wings keeps server volumes.
pub const DATA_DIRECTORY: &str = "/var/lib/pelican/volumes";
/// Where the install command writes the configuration.
pub const CONFIG_PATH: &str = "/etc/pelican/config.yml";

/// `api.ssl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsSsl")
)]
pub struct Ssl {
    /// Whether Wings serves TLS itself.
    pub enabled: bool,
    /// Certificate path.
    pub cert: String,
    /// Key path.
    pub key: String,
}

/// `api`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsApi")
)]
pub struct Api {
    /// Bind address.
    pub host: String,
    /// Bind port.
    pub port: i64,
    /// TLS.
    pub ssl: Ssl,
    /// MiB.
    pub upload_limit: i64,
}

/// `system.sftp`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsSftp")
)]
pub struct Sftp {
    /// SFTP port.
    pub bind_port: i64,
}

/// `system`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsSystemConfig")
)]
pub struct System {
    /// Server volumes.
    pub data: String,
    /// SFTP.
    pub sftp: Sftp,
}

/// `remote_query`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsRemoteQuery")
)]
pub struct RemoteQuery {
    /// Seconds per call to the panel.
    pub timeout: i64,
    /// Servers per page of the boot list.
    pub boot_servers_per_page: i64,
}

/// A node's Wings configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct WingsConfig {
    /// Debug logging.
    pub debug: bool,
    /// The node's id.
    pub uuid: String,
    /// The token's public half.
    pub token_id: String,
    /// The node's secret token.
    pub token: String,
    /// Wings' API.
    pub api: Api,
    /// Files and SFTP.
    pub system: System,
    /// Host paths servers may mount.
    pub allowed_mounts: Vec<String>,
    /// Browser origins the console socket accepts besides `remote`.
    pub allowed_origins: Vec<String>,
    /// The panel's base URL, no trailing slash.
    pub remote: String,
    /// How Wings calls the panel.
    pub remote_query: RemoteQuery,
}

/// The configuration of `node` for a panel at `origin`.
pub fn config_for(
    platform: &Platform,
    node: &NodeAccess,
    origin: &str,
) -> Result<WingsConfig, ApiError> {
    let origin = origin.trim_end_matches('/').to_owned();
    Ok(WingsConfig {
        debug: false,
        uuid: node.id.clone(),
        token_id: node.token_id.clone(),
        token: node.token(platform)?,
        api: Api {
            host: "0.0.0.0".into(),
            port: node.daemon_port,
            ssl: Ssl {
                enabled: node.scheme == "https",
                cert: format!("/etc/letsencrypt/live/{}/fullchain.pem", node.fqdn),
                key: format!("/etc/letsencrypt/live/{}/privkey.pem", node.fqdn),
            },
            upload_limit: node.upload_limit,
        },
        system: System {
            data: DATA_DIRECTORY.into(),
            sftp: Sftp {
                bind_port: node.sftp_port,
            },
        },
        allowed_mounts: Vec::new(),
        allowed_origins: vec![origin.clone()],
        remote: origin,
        remote_query: RemoteQuery {
            timeout: 30,
            boot_servers_per_page: 50,
        },
    })
}

/// The configuration as YAML.
pub fn to_yaml(config: &WingsConfig) -> Result<String, ApiError> {
    serde_yaml_ng::to_string(config).map_err(|e| ApiError::Internal(format!("config.yml: {e}")))
}

/// The JSON form, with the commands that install it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct NodeConfiguration {
    /// The configuration.
    pub config: WingsConfig,
    /// `config.yml` as text.
    pub yaml: String,
    /// One line for a root shell on the node: writes config.yml and restarts Wings.
    pub install_command: String,
    /// The same through `wings configure` and an API key of yours.
    pub configure_command: String,
}

/// `?format=` of the configuration route.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// `yaml` (default) or `json`.
    pub format: Option<String>,
}

/// The panel's origin as Wings must call it.
pub(crate) fn panel_origin(platform: &Platform, meta: &RequestMeta) -> Result<String, ApiError> {
    platform
        .config
        .origin
        .clone()
        .or_else(|| meta.origin.clone())
        .ok_or(ApiError::Misconfigured("PUBLIC_ORIGIN is not set"))
}

/// `GET /api/orgs/{org}/nodes/{node}/configuration`: `config.yml`
/// (`text/yaml`), or with `?format=json` the [`NodeConfiguration`].
pub async fn show(
    State(platform): State<Platform>,
    Extension(meta): Extension<RequestMeta>,
    Extension(org): Extension<OrgContext>,
    Path((_, node)): Path<(String, String)>,
    ApiQuery(format): ApiQuery<Format>,
) -> Result<Response, ApiError> {
    let node = node::access(&platform, &org.id, &node).await?;
    let origin = panel_origin(&platform, &meta)?;
    let config = config_for(&platform, &node, &origin)?;
    let yaml = to_yaml(&config)?;
    match format.format.as_deref() {
        None | Some("yaml") => {
            let mut response = yaml.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/yaml; charset=utf-8"),
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Some("json") => {
            let install_command = format!(
                "mkdir -p /etc/pelican && echo {} | base64 -d > {CONFIG_PATH} && chmod 600 {CONFIG_PATH} && systemctl restart wings",
                STANDARD.encode(yaml.as_bytes())
            );
            let configure_command = format!(
                "wings configure --panel-url {origin} --node {} --token <your Flamingo API key>",
                node.id
            );
            let mut response = Json(NodeConfiguration {
                config,
                yaml,
                install_command,
                configure_command,
            })
            .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Some(_) => Err(ApiError::field("format", "must be yaml or json")),
    }
}

/// `GET /api/application/nodes/{node}/configuration` (for `wings
/// configure`): the configuration as JSON (json tags), for an API key (or
/// session) whose owner may manage the node's organization's nodes.
pub async fn application(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Extension(meta): Extension<RequestMeta>,
    Path(node): Path<String>,
) -> Result<Response, ApiError> {
    let id = validate::as_id(&node).ok_or(ApiError::NotFound)?;
    #[derive(Deserialize)]
    struct Row {
        org_id: String,
        role: Option<String>,
    }
    let row: Option<Row> = platform
        .db
        .first(
            Statement::new(
                "SELECT n.org_id, m.role FROM nodes n \
                 LEFT JOIN memberships m ON m.org_id = n.org_id AND m.user_id = ?2 WHERE n.id = ?1",
            )
            .bind(id.as_str())
            .bind(caller.user_id.as_str()),
        )
        .await?;
    let Some(row) = row else {
        return Err(ApiError::NotFound);
    };
    let role = row.role.as_deref().and_then(Role::parse);
    match auth::decide(
        Access::Org(Resource::Nodes, Action::Write),
        caller.credential,
        role,
    ) {
        Decision::Allow => {}
        Decision::Deny => {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: "Your role does not allow this.".into(),
            });
        }
        Decision::SignIn | Decision::Hide => return Err(ApiError::NotFound),
    }
    let node = node::access(&platform, &row.org_id, &id).await?;
    let origin = panel_origin(&platform, &meta)?;
    let mut response = Json(config_for(&platform, &node, &origin)?).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
