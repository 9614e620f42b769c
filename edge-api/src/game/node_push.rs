//! Pushing a node's configuration to Wings (`POST /api/update`, contract
//! section 2) when settings Wings reads change: the API port and TLS, the
//! upload limit, the SFTP port. Best effort: the change is committed in
//! Flamingo first, and the answer says whether Wings applied it (Wings
//! keeps serving on its old port until it restarts, so the push goes to
//! the address it had before the change, as Pelican does).

use serde::{Deserialize, Serialize};

use super::{node::NodeAccess, node_config, wings::Wings};
use crate::{context::RequestMeta, error::ApiError, platform::Platform};

/// What became of a configuration push.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct ConfigPush {
    /// Whether Wings answered `{"applied": true}`.
    pub applied: bool,
    /// Why not, as a sentence, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(optional))]
    pub message: Option<String>,
}

/// Whether a change from `before` to `after` touches what Wings reads.
pub fn wings_relevant(before: &NodeAccess, after: &NodeAccess) -> bool {
    before.fqdn != after.fqdn
        || before.scheme != after.scheme
        || before.daemon_port != after.daemon_port
        || before.sftp_port != after.sftp_port
        || before.upload_limit != after.upload_limit
}

/// Sends `after`'s configuration to the node at `before`'s address.
pub async fn push(
    platform: &Platform,
    meta: &RequestMeta,
    before: &NodeAccess,
    after: &NodeAccess,
) -> Result<ConfigPush, ApiError> {
    let origin = node_config::panel_origin(platform, meta)?;
    let config = node_config::config_for(platform, after, &origin)?;
    let body = serde_json::to_value(&config).map_err(|e| ApiError::Internal(e.to_string()))?;
    let target = before.target(platform)?;
    Ok(
        match Wings::new(platform.http.as_ref(), &target)
            .update_config(&body)
            .await
        {
            Ok(answer) if answer.applied => ConfigPush {
                applied: true,
                message: None,
            },
            Ok(_) => ConfigPush {
                applied: false,
                message: Some(format!(
                    "The node {} did not apply the new configuration: copy it to the node and restart Wings.",
                    before.name
                )),
            },
            Err(e) => ConfigPush {
                applied: false,
                message: Some(format!(
                    "{} Copy the new configuration to the node and restart Wings.",
                    e.sentence()
                )),
            },
        },
    )
}
