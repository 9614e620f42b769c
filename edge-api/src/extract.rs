//! Extractors whose rejections are [`ApiError`]s, so bad input always gets
//! the JSON error envelope with the right status.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body any route accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body. Request types use `#[serde(deny_unknown_fields)]`, so
/// unknown fields are refused too.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        JsonRejection::JsonDataError(e) => ApiError::BadRequest {
            code: "invalid_json_shape",
            message: detail(&e.body_text()),
        },
        JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest {
            code: "malformed_json",
            message: detail(&e.body_text()),
        },
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        other => ApiError::BadRequest {
            code: "bad_body",
            message: other.body_text(),
        },
    }
}

/// axum's messages read "Failed to deserialize the JSON body into the target
/// type: name: invalid type ..."; keep the useful part.
fn detail(text: &str) -> String {
    text.split_once("target type: ")
        .map_or(text, |(_, rest)| rest)
        .to_owned()
}

/// A query string. Unknown parameters and wrong types are a 400 with the
/// JSON envelope (types use `#[serde(deny_unknown_fields)]`).
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::BadRequest {
                code: "invalid_query",
                message: rejection
                    .body_text()
                    .replace("Failed to deserialize query string: ", ""),
            }),
        }
    }
}
