//! [`Timer`]: a Durable Object that is only an alarm clock. Arming keeps the
//! earlier of its alarm and the wanted time; when the alarm fires it runs
//! the Worker's wake function for its key (see [`crate::timer`]) and sets
//! the alarm for the time that answers.

use worker::{Date, DurableObject, Env, Request, Response, Result, State, durable_object};

use crate::timer::{self, Arm};

const KEY: &str = "key";

/// Wakes the Worker for one key (a server's schedules, an organization's
/// webhook deliveries).
#[durable_object]
pub struct Timer {
    state: State,
    env: Env,
}

impl Timer {
    async fn set(&self, wanted: i64) -> Result<()> {
        let storage = self.state.storage();
        let now = Date::now().as_millis() as i64;
        let current = storage.get_alarm().await?;
        let at = timer::next_alarm(current, wanted, now);
        if current != Some(at) {
            storage.set_alarm(at - now).await?;
        }
        Ok(())
    }
}

impl DurableObject for Timer {
    fn new(state: State, env: Env) -> Self {
        Timer { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let arm: Arm = match req.json().await {
            Ok(arm) => arm,
            Err(e) => return Response::error(format!("bad arm: {e}"), 400),
        };
        self.state.storage().put(KEY, arm.key).await?;
        self.set(arm.at_ms).await?;
        Response::empty()
    }

    async fn alarm(&self) -> Result<Response> {
        let Some(key) = self.state.storage().get::<String>(KEY).await? else {
            return Response::empty();
        };
        if let Some(next) = timer::wake(self.env.clone(), key.clone()).await {
            self.set(next).await?;
        }
        Response::empty()
    }
}
