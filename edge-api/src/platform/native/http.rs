//! Outbound HTTP natively: reqwest with rustls, the request's timeout
//! covering the whole exchange.

use async_trait::async_trait;

use crate::platform::http::{Http, HttpError, HttpRequest, HttpResponse, Method};

/// A reqwest client (connection pool shared by clones).
#[derive(Debug, Clone, Default)]
pub struct Reqwest(reqwest::Client);

impl Reqwest {
    /// A client that never follows redirects (Wings answers directly).
    pub fn new() -> Result<Self, HttpError> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(Reqwest)
            .map_err(|e| HttpError::Invalid(e.to_string()))
    }
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

fn failure(e: reqwest::Error) -> HttpError {
    if e.is_timeout() {
        HttpError::Timeout
    } else if e.is_builder() {
        HttpError::Invalid(e.to_string())
    } else {
        HttpError::Unreachable(e.to_string())
    }
}

#[async_trait]
impl Http for Reqwest {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut builder = self
            .0
            .request(method(request.method), request.url.as_str())
            .timeout(request.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().await.map_err(failure)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = response.bytes().await.map_err(failure)?.to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
