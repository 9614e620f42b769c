//! Durable Object namespaces behind the [`Objects`] seam.

use async_trait::async_trait;
use axum::body::Body;
use worker::{
    Method, ObjectNamespace, Request, RequestInit,
    send::{SendFuture, SendWrapper},
    wasm_bindgen::JsValue,
};

use crate::platform::objects::{
    Arm, ConsoleJoin, ConsoleRequest, ConsoleStatus, HubReply, HubRequest, LinkReply, LinkRequest,
    ObjectError, Objects, Subscription,
};

/// The Durable Object bindings.
pub struct Bindings {
    event_hub: SendWrapper<ObjectNamespace>,
    tunnel_link: SendWrapper<ObjectNamespace>,
    console_relay: SendWrapper<ObjectNamespace>,
    timer: SendWrapper<ObjectNamespace>,
}

impl Bindings {
    pub fn new(
        event_hub: ObjectNamespace,
        tunnel_link: ObjectNamespace,
        console_relay: ObjectNamespace,
        timer: ObjectNamespace,
    ) -> Self {
        Bindings {
            event_hub: SendWrapper::new(event_hub),
            tunnel_link: SendWrapper::new(tunnel_link),
            console_relay: SendWrapper::new(console_relay),
            timer: SendWrapper::new(timer),
        }
    }
}

/// The event hub's status when it already has its maximum of streams.
const HUB_FULL: u16 = durable_state::hub::FULL_STATUS;

fn error(e: impl std::fmt::Display) -> ObjectError {
    ObjectError(e.to_string())
}

/// POSTs `body` as JSON to the object called `name`.
async fn post(
    namespace: &ObjectNamespace,
    name: &str,
    path: &str,
    body: String,
) -> Result<worker::Response, ObjectError> {
    let stub = namespace.get_by_name(name).map_err(error)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    let request = Request::new_with_init(&format!("https://object{path}"), &init).map_err(error)?;
    stub.fetch_with_request(request).await.map_err(error)
}

/// Fails unless `response` is a 200.
async fn ok(path: &str, mut response: worker::Response) -> Result<worker::Response, ObjectError> {
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(ObjectError(format!(
            "{path} answered {}: {text}",
            response.status_code()
        )));
    }
    Ok(response)
}

/// POSTs `body` as JSON to the object called `name` and decodes its reply.
async fn call<T: serde::de::DeserializeOwned>(
    namespace: &ObjectNamespace,
    name: &str,
    path: &str,
    body: String,
) -> Result<T, ObjectError> {
    let response = post(namespace, name, path, body).await?;
    ok(path, response).await?.json().await.map_err(error)
}

#[async_trait]
impl Objects for Bindings {
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError> {
        let body = serde_json::to_string(&request).map_err(error)?;
        let namespace = SendWrapper::new(self.event_hub.0.clone());
        let name = name.to_owned();
        SendFuture::new(async move { call(&namespace, &name, "/hub", body).await }).await
    }

    async fn subscribe(
        &self,
        name: &str,
        subscription: Subscription,
    ) -> Result<Option<Body>, ObjectError> {
        let body = serde_json::to_string(&HubRequest::Subscribe(subscription)).map_err(error)?;
        let namespace = SendWrapper::new(self.event_hub.0.clone());
        let name = name.to_owned();
        SendFuture::new(async move {
            let response = post(&namespace, &name, "/hub", body).await?;
            if response.status_code() == HUB_FULL {
                return Ok(None);
            }
            let response = ok("/hub", response).await?;
            // The object's ReadableStream, read as it arrives. When the
            // client goes away, the runtime cancels it on a failed write
            // (the next event or keepalive), which ends the subscriber's
            // stream in the object.
            let response: axum::http::Response<Body> = response.into();
            Ok(Some(response.into_body()))
        })
        .await
    }

    async fn link(&self, host_id: &str, request: LinkRequest) -> Result<LinkReply, ObjectError> {
        let body = serde_json::to_string(&request).map_err(error)?;
        let namespace = SendWrapper::new(self.tunnel_link.0.clone());
        let name = host_id.to_owned();
        SendFuture::new(async move { call(&namespace, &name, "/link", body).await }).await
    }

    async fn console_join(
        &self,
        server_id: &str,
        join: ConsoleJoin,
        headers: axum::http::HeaderMap,
    ) -> Result<axum::response::Response, ObjectError> {
        let join = serde_json::to_string(&join).map_err(error)?;
        let namespace = SendWrapper::new(self.console_relay.0.clone());
        let name = server_id.to_owned();
        SendFuture::new(async move {
            let forwarded = worker::Headers::new();
            for (key, value) in &headers {
                // Only what the upgrade needs; the viewer's cookies stay here.
                let key = key.as_str();
                let wanted =
                    key.starts_with("sec-websocket-") || key == "upgrade" || key == "connection";
                if wanted && let Ok(value) = value.to_str() {
                    forwarded.set(key, value).map_err(error)?;
                }
            }
            forwarded
                .set(durable_state::console::JOIN_HEADER, &join)
                .map_err(error)?;
            let mut init = RequestInit::new();
            init.with_method(Method::Get).with_headers(forwarded);
            let request = Request::new_with_init(
                &format!("https://object{}", durable_state::console::JOIN_PATH),
                &init,
            )
            .map_err(error)?;
            let stub = namespace.get_by_name(&name).map_err(error)?;
            let response = stub.fetch_with_request(request).await.map_err(error)?;
            // The 101 keeps the object's WebSocket (an extension the
            // runtime hands back to the viewer).
            let response: axum::http::Response<Body> = response.into();
            Ok(response)
        })
        .await
    }

    async fn console(
        &self,
        server_id: &str,
        request: ConsoleRequest,
    ) -> Result<ConsoleStatus, ObjectError> {
        let body = serde_json::to_string(&request).map_err(error)?;
        let namespace = SendWrapper::new(self.console_relay.0.clone());
        let name = server_id.to_owned();
        let path = durable_state::console::REQUEST_PATH;
        SendFuture::new(async move { call(&namespace, &name, path, body).await }).await
    }

    async fn timer(&self, arm: Arm) -> Result<(), ObjectError> {
        let body = serde_json::to_string(&arm).map_err(error)?;
        let namespace = SendWrapper::new(self.timer.0.clone());
        let name = arm.key.clone();
        let path = durable_state::timer::ARM_PATH;
        SendFuture::new(async move {
            let response = post(&namespace, &name, path, body).await?;
            ok(path, response).await.map(drop)
        })
        .await
    }
}
