//! One subscriber's bounded queue: the hub pushes frames into an [`Outlet`],
//! the response body drains the matching [`Frames`] stream.
//!
//! Nothing blocks and nothing grows past the capacity: a full queue is
//! emptied and replaced by a single final frame (`reset`), and a stream
//! whose reader went away is noticed on the next push.

use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll, Waker},
};

use bytes::Bytes;
use futures_core::Stream;

#[derive(Debug, Default)]
struct Shared {
    queue: VecDeque<Bytes>,
    /// Bytes in `queue`.
    bytes: usize,
    /// No more frames will come: end the stream once the queue drains.
    closed: bool,
    /// The stream was dropped (the client went away).
    gone: bool,
    waker: Option<Waker>,
}

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The reader has not taken the frames or bytes the queue may hold.
    Full,
    /// The reader went away, or the outlet was closed.
    Closed,
}

/// The hub's end of one subscriber's queue. Dropping it ends the stream
/// after the frames already queued.
#[derive(Debug)]
pub struct Outlet {
    shared: Arc<Mutex<Shared>>,
    max_frames: usize,
    max_bytes: usize,
}

/// The response's end: a stream of SSE frames that ends when the outlet
/// is closed or dropped. Its error type is [`Infallible`] so it can feed a
/// response body directly.
#[derive(Debug)]
pub struct Frames {
    shared: Arc<Mutex<Shared>>,
}

/// A queue holding at most `max_frames` unread frames and `max_bytes`
/// unread bytes (a single frame larger than that is still accepted into an
/// empty queue).
pub fn outlet(max_frames: usize, max_bytes: usize) -> (Outlet, Frames) {
    let shared = Arc::new(Mutex::new(Shared::default()));
    (
        Outlet {
            shared: shared.clone(),
            max_frames: max_frames.max(1),
            max_bytes,
        },
        Frames { shared },
    )
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // Nothing panics while holding the lock; a poisoned queue is still sound.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

impl Outlet {
    /// Queues one frame.
    pub fn send(&self, frame: Bytes) -> Result<(), Refused> {
        let mut shared = lock(&self.shared);
        if shared.gone || shared.closed {
            return Err(Refused::Closed);
        }
        let too_many = shared.queue.len() >= self.max_frames;
        let too_big = !shared.queue.is_empty() && shared.bytes + frame.len() > self.max_bytes;
        if too_many || too_big {
            return Err(Refused::Full);
        }
        shared.bytes += frame.len();
        shared.queue.push_back(frame);
        shared.wake();
        Ok(())
    }

    /// Drops every unread frame, queues `last` instead and closes: the
    /// reader gets `last` and then the end of the stream.
    pub fn finish_with(&self, last: Bytes) {
        let mut shared = lock(&self.shared);
        shared.queue.clear();
        shared.bytes = 0;
        if !shared.gone {
            shared.bytes = last.len();
            shared.queue.push_back(last);
        }
        shared.closed = true;
        shared.wake();
    }

    /// Whether the reader went away.
    pub fn is_gone(&self) -> bool {
        lock(&self.shared).gone
    }

    /// Unread frames.
    pub fn len(&self) -> usize {
        lock(&self.shared).queue.len()
    }

    /// Unread bytes.
    pub fn bytes(&self) -> usize {
        lock(&self.shared).bytes
    }

    /// Whether every frame was read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Outlet {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        shared.closed = true;
        shared.wake();
    }
}

impl Stream for Frames {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut shared = lock(&self.shared);
        if let Some(frame) = shared.queue.pop_front() {
            shared.bytes -= frame.len();
            return Poll::Ready(Some(Ok(frame)));
        }
        if shared.closed {
            return Poll::Ready(None);
        }
        shared.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        shared.gone = true;
        shared.queue.clear();
        shared.bytes = 0;
        shared.waker = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll(frames: &mut Frames) -> Poll<Option<Bytes>> {
        let mut cx = Context::from_waker(Waker::noop());
        Pin::new(frames)
            .poll_next(&mut cx)
            .map(|item| item.map(|Ok(frame)| frame))
    }

    #[test]
    fn frames_arrive_in_order_then_the_stream_ends_on_drop() {
        let (outlet, mut frames) = outlet(4, 1024);
        assert_eq!(poll(&mut frames), Poll::Pending);
        assert_eq!(outlet.send(Bytes::from_static(b"a")), Ok(()));
        assert_eq!(outlet.send(Bytes::from_static(b"b")), Ok(()));
        drop(outlet);
        assert_eq!(
            poll(&mut frames),
            Poll::Ready(Some(Bytes::from_static(b"a")))
        );
        assert_eq!(
            poll(&mut frames),
            Poll::Ready(Some(Bytes::from_static(b"b")))
        );
        assert_eq!(poll(&mut frames), Poll::Ready(None));
    }

    #[test]
    fn a_full_queue_refuses_and_finishing_replaces_it() {
        let (outlet, mut frames) = outlet(2, 1024);
        assert_eq!(outlet.send(Bytes::from_static(b"1")), Ok(()));
        assert_eq!(outlet.send(Bytes::from_static(b"2")), Ok(()));
        assert_eq!(outlet.send(Bytes::from_static(b"3")), Err(Refused::Full));
        assert_eq!(outlet.len(), 2);
        outlet.finish_with(Bytes::from_static(b"reset"));
        assert_eq!(outlet.len(), 1);
        assert_eq!(outlet.send(Bytes::from_static(b"4")), Err(Refused::Closed));
        assert_eq!(
            poll(&mut frames),
            Poll::Ready(Some(Bytes::from_static(b"reset")))
        );
        assert_eq!(poll(&mut frames), Poll::Ready(None));
    }

    #[test]
    fn unread_bytes_are_bounded_too() {
        let (outlet, mut frames) = outlet(100, 10);
        assert_eq!(outlet.send(Bytes::from_static(b"123456")), Ok(()));
        assert_eq!(outlet.send(Bytes::from_static(b"7890")), Ok(()));
        assert_eq!(outlet.send(Bytes::from_static(b"x")), Err(Refused::Full));
        assert_eq!(outlet.bytes(), 10);
        assert!(poll(&mut frames).is_ready());
        assert_eq!(outlet.bytes(), 4);
        assert_eq!(outlet.send(Bytes::from_static(b"x")), Ok(()));
        // A lone frame larger than the limit still goes through.
        let (big, _frames) = super::outlet(100, 1);
        assert_eq!(big.send(Bytes::from_static(b"larger")), Ok(()));
    }

    #[test]
    fn a_dropped_reader_is_noticed_and_frees_its_queue() {
        let (outlet, frames) = outlet(2, 1024);
        assert_eq!(outlet.send(Bytes::from_static(b"1")), Ok(()));
        drop(frames);
        assert!(outlet.is_gone());
        assert!(outlet.is_empty());
        assert_eq!(outlet.send(Bytes::from_static(b"2")), Err(Refused::Closed));
    }
}
