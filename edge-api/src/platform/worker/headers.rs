//! Security headers on every API response. The web app's pages get theirs
//! from `edge-ui/public/_headers` (Workers static assets apply it), with a
//! policy that lets the app's own scripts and styles run.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

/// An API response is data, never a page: it may load, frame, run and
/// submit nothing, and no page may frame it.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the security headers to an API response (leaving any it set).
pub fn secure(headers: &mut HeaderMap) {
    let all: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Nothing in a JSON body links anywhere; the app's own policy is
        // `same-origin` (see `_headers`).
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in all {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
}
