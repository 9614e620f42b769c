//! The per-organization event hub.

use worker::{DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::protocol::{HubReply, HubRequest};

const PINGS_KEY: &str = "pings";

/// Fans an organization's events out to its subscribers.
#[durable_object]
pub struct EventHub {
    state: State,
}

impl DurableObject for EventHub {
    fn new(state: State, _env: Env) -> Self {
        EventHub { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let request: HubRequest = match req.json().await {
            Ok(request) => request,
            Err(e) => return Response::error(format!("bad hub request: {e}"), 400),
        };
        let reply = match request {
            HubRequest::Ping => {
                let storage = self.state.storage();
                let count = storage.get::<u64>(PINGS_KEY).await?.unwrap_or(0) + 1;
                storage.put(PINGS_KEY, count).await?;
                HubReply::Pong { count }
            }
        };
        Response::from_json(&reply)
    }
}
