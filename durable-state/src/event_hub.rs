//! The per-organization event hub Durable Object: runs [`Hub`] in memory,
//! persists its last id, streams to subscribers and sends keepalives from
//! an alarm while any stream is open.

use std::{
    cell::{Cell, RefCell},
    convert::Infallible,
    time::Duration,
};

use futures_util::TryStreamExt;
use worker::{DurableObject, Env, Headers, Request, Response, Result, State, durable_object};

use crate::{
    hub::{FULL_STATUS, Hub, KEEPALIVE_SECS},
    protocol::{HubReply, HubRequest},
};

const PINGS_KEY: &str = "pings";
/// The last event id given, so ids never go back when the object restarts.
const HEAD_KEY: &str = "head";

/// Fans an organization's events out to its subscribers.
#[durable_object]
pub struct EventHub {
    state: State,
    /// Loaded on first use (the head comes from storage).
    hub: RefCell<Option<Hub>>,
    /// Whether a keepalive alarm is scheduled.
    ticking: Cell<bool>,
}

impl EventHub {
    /// Loads the hub from storage if this instance has not yet.
    async fn load(&self) -> Result<()> {
        if self.hub.borrow().is_some() {
            return Ok(());
        }
        let head = self
            .state
            .storage()
            .get::<u64>(HEAD_KEY)
            .await?
            .unwrap_or(0);
        let mut hub = self.hub.borrow_mut();
        if hub.is_none() {
            *hub = Some(Hub::new(head));
        }
        Ok(())
    }

    /// Runs `f` on the loaded hub; never holds the borrow across an await.
    fn with_hub<T>(&self, f: impl FnOnce(&mut Hub) -> T) -> T {
        f(self.hub.borrow_mut().get_or_insert_with(Hub::default))
    }

    async fn schedule_keepalive(&self) -> Result<()> {
        if !self.ticking.replace(true) {
            let next = Duration::from_secs(KEEPALIVE_SECS);
            if let Err(e) = self.state.storage().set_alarm(next).await {
                self.ticking.set(false);
                return Err(e);
            }
        }
        Ok(())
    }
}

impl DurableObject for EventHub {
    fn new(state: State, _env: Env) -> Self {
        EventHub {
            state,
            hub: RefCell::new(None),
            ticking: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // Parsed by serde_json from the text, not by JavaScript's JSON: ids
        // are u64 and must arrive exact.
        let text = req.text().await?;
        let request: HubRequest = match serde_json::from_str(&text) {
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
            HubRequest::Publish { event } => {
                self.load().await?;
                let id = self.with_hub(|hub| hub.publish(event));
                // The output gate holds the frames until this write lands.
                self.state.storage().put(HEAD_KEY, id).await?;
                HubReply::Published { id }
            }
            HubRequest::Subscribe(subscription) => {
                self.load().await?;
                let frames = match self.with_hub(|hub| hub.subscribe(subscription)) {
                    Ok(frames) => frames,
                    Err(full) => return Response::error(full.to_string(), FULL_STATUS),
                };
                self.schedule_keepalive().await?;
                let headers = Headers::new();
                headers.set("content-type", "text/event-stream")?;
                headers.set("cache-control", "no-store")?;
                let body = frames.map_err(|never: Infallible| -> worker::Error { match never {} });
                return Ok(Response::from_stream(body)?.with_headers(headers));
            }
            HubRequest::Poll(subscription) => {
                self.load().await?;
                HubReply::Backlog(self.with_hub(|hub| hub.backlog(&subscription)))
            }
            HubRequest::Disconnect { user_id, streams } => {
                // An instance that never loaded has no streams.
                let ended = self
                    .hub
                    .borrow_mut()
                    .as_mut()
                    .map_or(0, |hub| hub.disconnect(&user_id, &streams));
                HubReply::Disconnected {
                    streams: ended as u64,
                }
            }
        };
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        self.ticking.set(false);
        let open = self.hub.borrow_mut().as_mut().map_or(0, Hub::keepalive);
        if open > 0 {
            self.schedule_keepalive().await?;
        }
        Response::empty()
    }
}
