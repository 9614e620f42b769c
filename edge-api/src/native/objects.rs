//! In-process stand-ins for the Durable Objects, answering the same protocol.

use std::{collections::HashMap, sync::Mutex};

use async_trait::async_trait;

use crate::objects::{HubReply, HubRequest, ObjectError, Objects};

/// Event hubs held in memory, keyed by name.
#[derive(Debug, Default)]
pub struct LocalObjects {
    pings: Mutex<HashMap<String, u64>>,
}

#[async_trait]
impl Objects for LocalObjects {
    async fn hub(&self, name: &str, request: HubRequest) -> Result<HubReply, ObjectError> {
        match request {
            HubRequest::Ping => {
                let mut pings = self
                    .pings
                    .lock()
                    .map_err(|_| ObjectError("lock poisoned".into()))?;
                let count = pings.entry(name.to_owned()).or_default();
                *count += 1;
                Ok(HubReply::Pong { count: *count })
            }
        }
    }
}
