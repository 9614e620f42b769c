//! Node authentication for the remote API: `Authorization: Bearer
//! {token_id}.{token}` split on the first `.`, the node found by its
//! `token_id`, the token compared in constant time. No header: 401; a
//! malformed one: 400; an unknown node or a wrong token: 403.

use axum::http::{HeaderMap, header};

use crate::{
    crypto,
    error::ApiError,
    game::node::{self, NodeAccess},
    platform::Platform,
};

/// Longest bearer accepted (16 + 1 + 64, with room).
const MAX_BEARER: usize = 256;

/// The node behind the request's bearer.
pub async fn node(platform: &Platform, headers: &HeaderMap) -> Result<NodeAccess, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized {
            code: "missing_authorization",
            message: "Send Authorization: Bearer {token_id}.{token}.".into(),
        });
    };
    let malformed = || ApiError::BadRequest {
        code: "malformed_authorization",
        message: "The Authorization header must be Bearer {token_id}.{token}.".into(),
    };
    let text = value.to_str().map_err(|_| malformed())?;
    if text.len() > MAX_BEARER {
        return Err(malformed());
    }
    let bearer = text.strip_prefix("Bearer ").ok_or_else(malformed)?.trim();
    let (token_id, token) = bearer.split_once('.').ok_or_else(malformed)?;
    if token_id.is_empty() || token.is_empty() {
        return Err(malformed());
    }
    let denied = || ApiError::Forbidden {
        code: "access_denied",
        message: "This node's credentials are not valid.".into(),
    };
    let node = node::by_token_id(platform, token_id)
        .await?
        .ok_or_else(denied)?;
    let expected = node.token(platform)?;
    if crypto::constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        Ok(node)
    } else {
        Err(denied())
    }
}
