//! In-process stand-ins for the Durable Objects, answering the same protocol
//! with the same [`Hub`] the event hub object runs.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use axum::body::Body;
use durable_state::hub::{Hub, KEEPALIVE_SECS};

use crate::objects::{HubReply, HubRequest, ObjectError, Objects, Subscription};

/// One in-process event hub.
#[derive(Debug, Default)]
struct LocalHub {
    hub: Hub,
    /// Whether a keepalive task runs for it.
    ticking: bool,
}

type SharedHub = Arc<Mutex<LocalHub>>;

/// Event hubs held in memory, keyed by name.
#[derive(Debug, Default)]
pub struct LocalObjects {
    pings: Mutex<HashMap<String, u64>>,
    hubs: Mutex<HashMap<String, SharedHub>>,
}

fn poisoned<T>(_: T) -> ObjectError {
    ObjectError("lock poisoned".into())
}

fn lock(hub: &SharedHub) -> Result<MutexGuard<'_, LocalHub>, ObjectError> {
    hub.lock().map_err(poisoned)
}

impl LocalObjects {
    fn hub_named(&self, name: &str) -> Result<SharedHub, ObjectError> {
        let mut hubs = self.hubs.lock().map_err(poisoned)?;
        Ok(hubs.entry(name.to_owned()).or_default().clone())
    }

    fn with_hub<T>(&self, name: &str, f: impl FnOnce(&mut Hub) -> T) -> Result<T, ObjectError> {
        let hub = self.hub_named(name)?;
        let mut local = lock(&hub)?;
        Ok(f(&mut local.hub))
    }
}

/// Sends keepalives every [`KEEPALIVE_SECS`] while `hub` has streams, as the
/// object's alarm does. Needs a tokio runtime: returns false without one.
fn tick(hub: &SharedHub) -> bool {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return false;
    };
    let weak = Arc::downgrade(hub);
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(KEEPALIVE_SECS)).await;
            let Some(hub) = weak.upgrade() else { return };
            let Ok(mut local) = hub.lock() else { return };
            if local.hub.keepalive() == 0 {
                local.ticking = false;
                return;
            }
        }
    });
    true
}

#[async_trait]
impl Objects for LocalObjects {
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError> {
        Ok(match request {
            HubRequest::Ping => {
                let mut pings = self.pings.lock().map_err(poisoned)?;
                let count = pings.entry(name.to_owned()).or_default();
                *count += 1;
                HubReply::Pong { count: *count }
            }
            HubRequest::Publish { event } => HubReply::Published {
                id: self.with_hub(name, |hub| hub.publish(event))?,
            },
            HubRequest::Poll(subscription) => {
                HubReply::Backlog(self.with_hub(name, |hub| hub.backlog(&subscription))?)
            }
            HubRequest::Disconnect { user_id } => HubReply::Disconnected {
                streams: self.with_hub(name, |hub| hub.disconnect(&user_id))? as u64,
            },
            HubRequest::Subscribe(_) => {
                return Err(ObjectError(
                    "subscribe answers with a stream: use Objects::subscribe".into(),
                ));
            }
        })
    }

    async fn subscribe(
        &self,
        name: &str,
        subscription: Subscription,
    ) -> Result<Option<Body>, ObjectError> {
        let hub = self.hub_named(name)?;
        let mut local = lock(&hub)?;
        let Ok(frames) = local.hub.subscribe(subscription) else {
            return Ok(None);
        };
        if !local.ticking {
            local.ticking = tick(&hub);
        }
        Ok(Some(Body::from_stream(frames)))
    }
}
