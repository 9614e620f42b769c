//! The timer's protocol: edge-api asks the [`Timer`](crate::Timer) object
//! called by a key (`schedules:<server id>`, `webhooks:<org id>`) to wake
//! no later than a time. When its alarm fires the object hands the key to
//! the Worker's wake function (installed once at start, see `install`),
//! which does the due work through D1 and answers when to wake next. The
//! object keeps no domain state: everything it would need lives in D1, so a
//! lost alarm only delays work until the next arm.

use serde::{Deserialize, Serialize};

/// The path edge-api posts an [`Arm`] to.
pub const ARM_PATH: &str = "/timer/arm";

/// The alarm is never set sooner than this after now, so a wake function
/// that keeps answering "now" cannot spin the object.
pub const MIN_DELAY_MS: i64 = 250;

/// Wake no later than `at_ms` for `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arm {
    /// What to wake (the object's name).
    pub key: String,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
}

/// The time to set the alarm to: the earlier of the current alarm and the
/// wanted time, at least [`MIN_DELAY_MS`] from now.
pub fn next_alarm(current: Option<i64>, wanted: i64, now_ms: i64) -> i64 {
    let wanted = wanted.max(now_ms + MIN_DELAY_MS);
    match current {
        Some(current) if current <= wanted && current > now_ms => current,
        _ => wanted,
    }
}

#[cfg(target_arch = "wasm32")]
pub use wake::{Wake, install, wake};

#[cfg(target_arch = "wasm32")]
mod wake {
    use std::{cell::RefCell, future::Future, pin::Pin};

    /// The Worker's wake function: does what is due for a key and answers
    /// when to wake next (None: nothing left).
    pub type Wake = fn(worker::Env, String) -> Pin<Box<dyn Future<Output = Option<i64>>>>;

    thread_local! {
        static WAKE: RefCell<Option<Wake>> = const { RefCell::new(None) };
    }

    /// Installs the wake function (the Worker's `start` event does, before
    /// any request or alarm reaches this isolate).
    pub fn install(wake: Wake) {
        WAKE.with(|w| *w.borrow_mut() = Some(wake));
    }

    /// Runs the installed wake function for `key`; None without one.
    pub async fn wake(env: worker::Env, key: String) -> Option<i64> {
        let wake = WAKE.with(|w| *w.borrow())?;
        wake(env, key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alarm_keeps_the_earlier_time_and_never_spins() {
        assert_eq!(next_alarm(None, 5_000, 1_000), 5_000);
        assert_eq!(next_alarm(Some(3_000), 5_000, 1_000), 3_000);
        assert_eq!(next_alarm(Some(9_000), 5_000, 1_000), 5_000);
        // A past alarm (it is firing now) does not hold the next one back.
        assert_eq!(next_alarm(Some(900), 5_000, 1_000), 5_000);
        assert_eq!(next_alarm(None, 0, 1_000), 1_000 + MIN_DELAY_MS);
    }
}
