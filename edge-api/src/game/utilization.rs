//! Live figures for the organization's server list: one Wings
//! `GET /api/servers` per node, every node at once and each bounded by the
//! client's timeout, so a node that is down costs one timeout, never one per
//! server. Only the organization's own servers are reported (a node may hold
//! containers Flamingo does not know, or that moved to another node).

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::{Extension, Json, extract::State};
use serde::{Deserialize, Serialize};

use super::{
    node::{ACCESS_COLUMNS, NodeAccess},
    wings::{Wings, types::ServerDetails},
};
use crate::{
    context::OrgContext,
    error::ApiError,
    platform::{
        Platform,
        db::{DatabaseExt, Statement},
    },
};

/// Whether a node answered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct NodeReach {
    /// Whether its `GET /api/servers` answered.
    pub online: bool,
    /// Why not, as a sentence naming the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub error: Option<String>,
}

/// One server's live figures, as Wings reported them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ServerFigures {
    /// `offline|starting|running|stopping`.
    pub state: String,
    /// Percent of one core.
    pub cpu_absolute: f64,
    /// Bytes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_bytes: u64,
    /// Bytes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_limit_bytes: u64,
    /// Bytes.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub disk_bytes: i64,
    /// Bytes received.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub network_rx_bytes: u64,
    /// Bytes sent.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub network_tx_bytes: u64,
    /// Milliseconds since the container started.
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub uptime_ms: i64,
}

impl From<&ServerDetails> for ServerFigures {
    fn from(d: &ServerDetails) -> Self {
        let u = &d.utilization;
        ServerFigures {
            state: if d.state.is_empty() {
                u.state.clone()
            } else {
                d.state.clone()
            },
            cpu_absolute: u.cpu_absolute,
            memory_bytes: u.memory_bytes,
            memory_limit_bytes: u.memory_limit_bytes,
            disk_bytes: u.disk_bytes,
            network_rx_bytes: u.network.rx_bytes,
            network_tx_bytes: u.network.tx_bytes,
            uptime_ms: u.uptime,
        }
    }
}

/// `GET /api/orgs/{org}/servers/utilization` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ServerUtilization")
)]
pub struct Figures {
    /// Every node of the organization by id.
    pub nodes: BTreeMap<String, NodeReach>,
    /// The servers of the nodes that answered, by id.
    pub servers: BTreeMap<String, ServerFigures>,
}

/// `GET /api/orgs/{org}/servers/utilization`. Members who may read game
/// servers see every server of the organization, so every one is reported.
pub async fn list(
    State(platform): State<Platform>,
    Extension(org): Extension<OrgContext>,
) -> Result<Json<Figures>, ApiError> {
    let nodes: Vec<NodeAccess> = platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {ACCESS_COLUMNS} FROM nodes WHERE org_id = ?1 ORDER BY id"
            ))
            .bind(org.id.as_str()),
        )
        .await?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        node_id: String,
    }
    let rows: Vec<Row> = platform
        .db
        .all(
            Statement::new("SELECT id, node_id FROM servers WHERE org_id = ?1")
                .bind(org.id.as_str()),
        )
        .await?;
    let mut known: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in &rows {
        known.entry(&r.node_id).or_default().insert(&r.id);
    }
    let asks = nodes.iter().map(|node| async {
        let target = node.target(&platform)?;
        let answer = Wings::new(platform.http.as_ref(), &target).servers().await;
        Ok::<_, ApiError>((node.id.as_str(), answer))
    });
    let answers = futures_util::future::join_all(asks).await;
    let mut out = Figures::default();
    for answer in answers {
        let (node_id, answer) = answer?;
        match answer {
            Ok(list) => {
                out.nodes.insert(
                    node_id.to_owned(),
                    NodeReach {
                        online: true,
                        error: None,
                    },
                );
                let Some(mine) = known.get(node_id) else {
                    continue;
                };
                for details in &list {
                    let Some(uuid) = details.configuration.get("uuid").and_then(|u| u.as_str())
                    else {
                        continue;
                    };
                    if mine.contains(uuid) {
                        out.servers
                            .insert(uuid.to_owned(), ServerFigures::from(details));
                    }
                }
            }
            Err(e) => {
                out.nodes.insert(
                    node_id.to_owned(),
                    NodeReach {
                        online: false,
                        error: Some(e.sentence()),
                    },
                );
            }
        }
    }
    Ok(Json(out))
}
