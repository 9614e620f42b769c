//! The event relay: an object that raises organization events itself (the
//! tunnel link: `host.*` and `tunnel.*` as frames arrive) hands them to the
//! Worker's relay function, installed once at start (see [`install`]),
//! which publishes them exactly as edge-api publishes its own: offered to
//! the organization's webhooks, then sent to its event hub. The object
//! never talks to the hub itself, so every event on the live stream is one
//! webhooks saw too, once.

#[cfg(target_arch = "wasm32")]
pub use wasm::{Relay, install, relay};

#[cfg(target_arch = "wasm32")]
mod wasm {
    use std::{cell::RefCell, future::Future, pin::Pin};

    use crate::protocol::EventDraft;

    /// The Worker's relay function: publishes `events` (in order) for the
    /// organization `org_id`.
    pub type Relay = fn(worker::Env, String, Vec<EventDraft>) -> Pin<Box<dyn Future<Output = ()>>>;

    thread_local! {
        static RELAY: RefCell<Option<Relay>> = const { RefCell::new(None) };
    }

    /// Installs the relay function (the Worker's `start` event does, before
    /// any request or socket message reaches this isolate).
    pub fn install(relay: Relay) {
        RELAY.with(|r| *r.borrow_mut() = Some(relay));
    }

    /// Publishes `events` for `org_id` through the installed relay; logs
    /// and drops them without one (a Worker that forgot to install it).
    pub async fn relay(env: worker::Env, org_id: String, events: Vec<EventDraft>) {
        if events.is_empty() {
            return;
        }
        let Some(relay) = RELAY.with(|r| *r.borrow()) else {
            worker::console_error!(
                "event relay: none installed, {} events dropped",
                events.len()
            );
            return;
        };
        relay(env, org_id, events).await;
    }
}
