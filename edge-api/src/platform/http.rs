//! The outbound HTTP seam: one request with a deadline, answered with the
//! whole response, or a typed failure. The Worker adapter uses `fetch` with
//! an `AbortSignal`; the native adapter uses reqwest with rustls. The domain
//! (the Wings client) never names either.

use std::time::Duration;

use async_trait::async_trait;

/// The HTTP method of an outbound request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One outbound request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// Header name → value, sent as given.
    pub headers: Vec<(String, String)>,
    /// Body bytes, if any.
    pub body: Option<Vec<u8>>,
    /// The whole exchange (connect, send, read the answer) must end within this.
    pub timeout: Duration,
}

/// A whole response.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header name (lowercase) → value.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why an outbound request got no answer.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum HttpError {
    /// No complete answer within the request's timeout.
    #[error("timed out")]
    Timeout,
    /// The peer could not be reached (DNS, refused, reset, TLS).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The request itself is unusable (bad URL or header).
    #[error("bad request: {0}")]
    Invalid(String),
}

/// Outbound HTTP: `fetch` in the Worker, reqwest natively.
#[async_trait]
pub trait Http: Send + Sync {
    /// Sends `request` and reads the whole answer, within its timeout.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}
