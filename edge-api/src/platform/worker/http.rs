//! Outbound HTTP in the Worker: `fetch` with an `AbortSignal` fired when
//! the request's timeout passes first.

use async_trait::async_trait;
use futures_util::future::{Either, select};
use worker::{
    AbortController, Delay, Fetch, Headers, Request, RequestInit, send::SendFuture,
    wasm_bindgen::JsValue,
};

use crate::platform::http::{Http, HttpError, HttpRequest, HttpResponse, Method};

/// `fetch`.
pub struct WorkerFetch;

fn method(m: Method) -> worker::Method {
    match m {
        Method::Get => worker::Method::Get,
        Method::Post => worker::Method::Post,
        Method::Put => worker::Method::Put,
        Method::Patch => worker::Method::Patch,
        Method::Delete => worker::Method::Delete,
    }
}

async fn exchange(request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let invalid = |e: worker::Error| HttpError::Invalid(e.to_string());
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(invalid)?;
    }
    let mut init = RequestInit::new();
    init.with_method(method(request.method))
        .with_headers(headers);
    if let Some(body) = &request.body {
        let bytes = worker::js_sys::Uint8Array::from(body.as_slice());
        init.with_body(Some(JsValue::from(bytes)));
    }
    let outgoing = Request::new_with_init(&request.url, &init).map_err(invalid)?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(outgoing);
    let call = Box::pin(async {
        let mut response = fetch
            .send_with_signal(&signal)
            .await
            .map_err(|e| HttpError::Unreachable(e.to_string()))?;
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError::Unreachable(e.to_string()))?;
        let headers = response.headers().entries().collect();
        Ok(HttpResponse {
            status: response.status_code(),
            headers,
            body,
        })
    });
    let deadline = Box::pin(Delay::from(request.timeout));
    match select(call, deadline).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => {
            controller.abort();
            Err(HttpError::Timeout)
        }
    }
}

#[async_trait]
impl Http for WorkerFetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        SendFuture::new(exchange(request)).await
    }
}
