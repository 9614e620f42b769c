//! A strict gate in front of hyper's HTTP/1 parser: every request head is read whole and
//! checked here before hyper sees a byte of it.
//!
//! hyper is lenient where a proxy must not be: it takes bare LF line endings, drops a
//! `Content-Length` that sits next to `Transfer-Encoding` (so the proxy cannot see that the
//! visitor sent both) and accepts a repeated identical `Content-Length`. Any of these can make
//! two parsers disagree on where a request ends. The gate hands hyper, in place of such a
//! head, a head hyper itself refuses, so hyper answers `400` (or `431` for a head over the
//! size or header-count limit) in order after any earlier response, and closes.
//! It follows `Content-Length` bodies so the next head on a keep-alive connection is checked
//! too. It follows a chunked body's framing to its end (malformed framing fails the
//! connection) and then passes bytes through, as after an upgrade; the proxy closes such
//! connections after their response ([`must_close_after`]). A body of either kind that sends
//! nothing for `body_idle_timeout` while hyper waits for it, or arrives slower than
//! `min_body_rate`, fails the connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderMap, header};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Limits the gate enforces on every request head and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadLimits {
    /// Largest request head (request line and headers), in bytes.
    pub max_head_bytes: usize,
    /// Most header lines in one request.
    pub max_headers: usize,
    /// Longest a request body may send nothing while it is being read.
    pub body_idle_timeout: Duration,
    /// Slowest a request body may arrive (bytes per second of waiting for it), checked once
    /// `body_idle_timeout` of waiting has added up; 0 for no check.
    pub min_body_rate: u64,
}

/// What follows a head that passed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body, or a `Content-Length` body of this many bytes.
    Length(u64),
    /// A chunked body: the gate follows it, then stops reading heads on this connection.
    Chunked,
    /// An upgrade or `CONNECT`: the gate stops reading heads on this connection.
    Opaque,
}

/// Why a head was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Malformed or ambiguous framing: `400`.
    Bad(&'static str),
    /// Over the size or header-count limit: `431`.
    TooLarge,
}

/// Checks one complete head (ending in CRLF CRLF) against `limits`.
pub(crate) fn check_head(head: &[u8], limits: &HeadLimits) -> Result<Framing, Refusal> {
    if head.len() > limits.max_head_bytes {
        return Err(Refusal::TooLarge);
    }
    let Some(body) = head.strip_suffix(b"\r\n\r\n") else {
        return Err(Refusal::Bad("the head does not end with CRLF CRLF"));
    };
    for (i, b) in body.iter().enumerate() {
        if *b == b'\n' && (i == 0 || body[i - 1] != b'\r') {
            return Err(Refusal::Bad("bare LF line ending"));
        }
        if *b == b'\r' && body.get(i + 1) != Some(&b'\n') {
            return Err(Refusal::Bad("bare CR"));
        }
    }
    let mut lines = body
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let method = request_line
        .split(|b| *b == b' ')
        .next()
        .unwrap_or_default();
    let (mut lengths, mut encodings, mut hosts, mut count, mut upgrade) = (0, 0, 0, 0, false);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    for line in lines {
        count += 1;
        if count > limits.max_headers {
            return Err(Refusal::TooLarge);
        }
        if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            return Err(Refusal::Bad("obsolete line folding"));
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            return Err(Refusal::Bad("a header line without a colon"));
        };
        let name = &line[..colon];
        if name.is_empty() || name.iter().any(|b| !is_token(*b)) {
            return Err(Refusal::Bad("a malformed header name"));
        }
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            lengths += 1;
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(Refusal::Bad("a malformed Content-Length"));
            }
            length = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            if length.is_none() {
                return Err(Refusal::Bad("a malformed Content-Length"));
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            encodings += 1;
            chunked = value.eq_ignore_ascii_case(b"chunked");
        } else if name.eq_ignore_ascii_case(b"host") {
            hosts += 1;
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            upgrade = true;
        }
    }
    if lengths > 1 {
        return Err(Refusal::Bad("more than one Content-Length"));
    }
    if encodings > 1 {
        return Err(Refusal::Bad("more than one Transfer-Encoding"));
    }
    if encodings == 1 && !chunked {
        return Err(Refusal::Bad("a Transfer-Encoding other than chunked"));
    }
    if encodings == 1 && lengths == 1 {
        return Err(Refusal::Bad("both Content-Length and Transfer-Encoding"));
    }
    if hosts > 1 {
        return Err(Refusal::Bad("more than one Host"));
    }
    if upgrade || method.eq_ignore_ascii_case(b"CONNECT") {
        return Ok(Framing::Opaque);
    }
    if chunked {
        return Ok(Framing::Chunked);
    }
    Ok(Framing::Length(length.unwrap_or(0)))
}

/// Whether the proxy must close the connection after answering this request, because the
/// gate stopped checking heads on it (a chunked body, or an upgrade that did not happen).
pub(crate) fn must_close_after(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING) || headers.contains_key(header::UPGRADE)
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

enum State {
    /// Collecting a head (bytes held back from hyper until checked).
    Head,
    /// Passing this many body bytes.
    Body(u64),
    /// Following a chunked body.
    Chunked(Chunk),
    /// Passing everything (chunked body or upgraded connection).
    Opaque,
    /// Refused: the stand-in head is handed over, then EOF.
    Done,
}

/// Where the gate is in a chunked body (RFC 9112 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// In a chunk-size line: the size so far and its count of hex digits.
    Size {
        size: u64,
        digits: u8,
    },
    /// In a chunk extension (or the whitespace before it), up to the line's CR.
    Ext {
        size: u64,
    },
    /// After the size line's CR.
    SizeLf {
        size: u64,
    },
    /// This many data bytes to go.
    Data(u64),
    /// After a chunk's data: its CR, then its LF.
    DataCr,
    DataLf,
    /// In the trailer section: bytes on the current line, whether its CR came, and the
    /// section's bytes so far.
    Trailer {
        line: usize,
        cr: bool,
        total: usize,
    },
}

impl Chunk {
    const START: Chunk = Chunk::Size { size: 0, digits: 0 };

    /// The state after byte `b` outside chunk data, `Ok(None)` once the body has ended, or
    /// why the framing is malformed. Trailers over `max_trailer` bytes are refused too.
    fn next(self, b: u8, max_trailer: usize) -> Result<Option<Chunk>, &'static str> {
        use Chunk::*;
        // visible characters, space, tab and obs-text: what a field or an extension may hold
        let text = b == b'\t' || (b >= 0x20 && b != 0x7f);
        let next = match (self, b) {
            (Size { size, digits }, _) if b.is_ascii_hexdigit() => {
                if digits == 16 {
                    return Err("a chunk size over 16 hex digits");
                }
                let digit = u64::from((b as char).to_digit(16).unwrap_or(0));
                Size {
                    size: size << 4 | digit,
                    digits: digits + 1,
                }
            }
            (Size { digits: 0, .. }, _) => return Err("a chunk line without a size"),
            (Size { size, .. }, b';' | b' ' | b'\t') => Ext { size },
            (Size { size, .. } | Ext { size }, b'\r') => SizeLf { size },
            (Ext { size }, _) if text => Ext { size },
            (SizeLf { size: 0 }, b'\n') => Trailer {
                line: 0,
                cr: false,
                total: 0,
            },
            (SizeLf { size }, b'\n') => Data(size),
            (DataCr, b'\r') => DataLf,
            (DataLf, b'\n') => Chunk::START,
            (
                Trailer {
                    line: 0, cr: true, ..
                },
                b'\n',
            ) => return Ok(None),
            (
                Trailer {
                    cr: true, total, ..
                },
                b'\n',
            ) => Trailer {
                line: 0,
                cr: false,
                total,
            },
            (
                Trailer {
                    line,
                    cr: false,
                    total,
                },
                b'\r',
            ) => Trailer {
                line,
                cr: true,
                total,
            },
            (
                Trailer {
                    line,
                    cr: false,
                    total,
                },
                _,
            ) if text => {
                if total >= max_trailer {
                    return Err("trailers over the head size limit");
                }
                Trailer {
                    line: line + 1,
                    cr: false,
                    total: total + 1,
                }
            }
            _ => return Err("malformed chunked framing"),
        };
        Ok(Some(next))
    }
}

/// Wraps a visitor's stream; see the module docs.
pub(crate) struct HeadGuard<S> {
    inner: S,
    limits: HeadLimits,
    state: State,
    head: Vec<u8>,
    /// Checked bytes hyper has not taken yet.
    ready: Vec<u8>,
    ready_at: usize,
    body_idle: Option<Pin<Box<Sleep>>>,
    /// Since when hyper has been waiting for body bytes (a read returned `Pending`).
    waiting_since: Option<Instant>,
    /// Time spent waiting for the current body, and the bytes it brought, since the rate
    /// was last checked.
    waited: Duration,
    body_bytes: u64,
    /// Why a chunked body's framing was refused, for the read after the bytes before it.
    malformed: Option<&'static str>,
}

/// A head hyper refuses with `400` (a control byte as the method).
const BAD_REQUEST: &[u8] = b"\x01 / HTTP/1.1\r\n\r\n";

impl<S> HeadGuard<S> {
    /// Guards `inner` with `limits`.
    pub(crate) fn new(inner: S, limits: HeadLimits) -> Self {
        HeadGuard {
            inner,
            limits,
            state: State::Head,
            head: Vec::new(),
            ready: Vec::new(),
            ready_at: 0,
            body_idle: None,
            waiting_since: None,
            waited: Duration::ZERO,
            body_bytes: 0,
            malformed: None,
        }
    }

    /// Sorts freshly read bytes into checked output, or a refusal.
    fn take(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Head => {
                    let Some(&b) = bytes.first() else { return };
                    bytes = &bytes[1..];
                    // Empty lines before a request line are allowed (RFC 9112 §2.2).
                    if self.head.is_empty() && (b == b'\r' || b == b'\n') {
                        self.ready.push(b);
                        continue;
                    }
                    self.head.push(b);
                    if self.head.len() > self.limits.max_head_bytes {
                        self.refuse(Refusal::TooLarge);
                        return;
                    }
                    let ends = self.head.ends_with(b"\r\n\r\n")
                        || (b == b'\n' && self.head.ends_with(b"\n\n"))
                        || self.head.ends_with(b"\n\r\n");
                    if ends {
                        match check_head(&self.head, &self.limits) {
                            Ok(framing) => {
                                self.ready.append(&mut self.head);
                                self.state = match framing {
                                    Framing::Length(0) => State::Head,
                                    Framing::Length(n) => State::Body(n),
                                    Framing::Chunked => State::Chunked(Chunk::START),
                                    Framing::Opaque => State::Opaque,
                                };
                            }
                            Err(refusal) => {
                                self.refuse(refusal);
                                return;
                            }
                        }
                    }
                }
                State::Body(left) | State::Chunked(Chunk::Data(left)) => {
                    let n = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    self.ready.extend_from_slice(&bytes[..n]);
                    bytes = &bytes[n..];
                    self.data_passed(n);
                }
                State::Chunked(chunk) => {
                    let Some(&b) = bytes.first() else { return };
                    bytes = &bytes[1..];
                    match chunk.next(b, self.limits.max_head_bytes) {
                        Ok(next) => {
                            self.ready.push(b);
                            // After the body, the connection closes once answered.
                            self.state = next.map_or(State::Opaque, State::Chunked);
                        }
                        Err(why) => {
                            tracing::debug!(why, "http request body refused");
                            self.malformed = Some(why);
                            self.state = State::Done;
                            return;
                        }
                    }
                }
                State::Opaque => {
                    self.ready.extend_from_slice(bytes);
                    return;
                }
                State::Done => return,
            }
        }
    }

    /// `n` bytes of a `Content-Length` body or of a chunk's data (no more than are left)
    /// passed to hyper; at their end, a head or the chunk's CRLF comes next.
    fn data_passed(&mut self, n: usize) {
        let (State::Body(left) | State::Chunked(Chunk::Data(left))) = &mut self.state else {
            return;
        };
        *left -= n as u64;
        if *left == 0 {
            self.state = match self.state {
                State::Body(_) => State::Head,
                _ => State::Chunked(Chunk::DataCr),
            };
        }
    }

    /// Whether the gate is inside a request body (where its idle timer and rate floor run).
    fn in_body(&self) -> bool {
        matches!(self.state, State::Body(_) | State::Chunked(_))
    }

    /// Nothing to read: inside a body, the idle timer runs (and fails the read once it is up).
    fn body_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.in_body() {
            self.waiting_since.get_or_insert_with(Instant::now);
            let limit = self.limits.body_idle_timeout;
            let timer = self
                .body_idle
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request body stalled",
                )));
            }
        }
        Poll::Pending
    }

    /// `n` body bytes arrived: once `body_idle_timeout` of waiting for them has added up,
    /// they must have come at `min_body_rate` or better, or the read fails.
    fn body_arrived(&mut self, n: usize) -> io::Result<()> {
        if let Some(since) = self.waiting_since.take() {
            self.waited += since.elapsed();
        }
        self.body_bytes += n as u64;
        let window = self.limits.body_idle_timeout;
        if self.limits.min_body_rate == 0 || window.is_zero() || self.waited < window {
            return Ok(());
        }
        let needed = self.limits.min_body_rate as f64 * self.waited.as_secs_f64();
        if (self.body_bytes as f64) < needed {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the request body arrived too slowly",
            ));
        }
        self.waited = Duration::ZERO;
        self.body_bytes = 0;
        Ok(())
    }

    fn refuse(&mut self, refusal: Refusal) {
        self.head.clear();
        match refusal {
            Refusal::Bad(why) => {
                tracing::debug!(why, "http request refused");
                self.ready.extend_from_slice(BAD_REQUEST);
            }
            Refusal::TooLarge => {
                // One header more than hyper's own `max_headers` (set to the same limit):
                // hyper answers 431.
                self.ready.extend_from_slice(b"GET / HTTP/1.1\r\n");
                for _ in 0..=self.limits.max_headers {
                    self.ready.extend_from_slice(b"x:1\r\n");
                }
                self.ready.extend_from_slice(b"\r\n");
            }
        }
        self.state = State::Done;
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.ready_at < this.ready.len() {
                let n = (this.ready.len() - this.ready_at).min(buf.remaining());
                buf.put_slice(&this.ready[this.ready_at..this.ready_at + n]);
                this.ready_at += n;
                if this.ready_at == this.ready.len() {
                    this.ready.clear();
                    this.ready_at = 0;
                }
                this.body_idle = None;
                return Poll::Ready(Ok(()));
            }
            if let State::Done = this.state {
                return Poll::Ready(match this.malformed.take() {
                    Some(why) => Err(io::Error::new(io::ErrorKind::InvalidData, why)),
                    None => Ok(()),
                });
            }
            // Inside a body (or chunk) that fills the caller's buffer, or passing everything,
            // the bytes go straight to hyper: no head or chunk line can start within them.
            let direct = match this.state {
                State::Body(left) | State::Chunked(Chunk::Data(left)) => {
                    usize::try_from(left).is_ok_and(|l| l >= buf.remaining())
                }
                State::Opaque => true,
                State::Head | State::Chunked(_) | State::Done => false,
            };
            if direct && buf.remaining() > 0 {
                let before = buf.filled().len();
                return match Pin::new(&mut this.inner).poll_read(cx, buf) {
                    Poll::Ready(Ok(())) => {
                        let n = buf.filled().len() - before;
                        if this.in_body() {
                            this.data_passed(n);
                            this.body_arrived(n)?;
                        }
                        this.body_idle = None;
                        Poll::Ready(Ok(()))
                    }
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    Poll::Pending => this.body_pending(cx),
                };
            }
            let mut scratch = [0u8; 16 * 1024];
            let mut read = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => {
                    // EOF: a partial head goes to hyper, which ends the connection on it.
                    this.ready.append(&mut this.head);
                    if this.ready.is_empty() {
                        return Poll::Ready(Ok(()));
                    }
                }
                Poll::Ready(Ok(())) => {
                    let filled = read.filled().to_vec();
                    if this.in_body() {
                        this.body_arrived(filled.len())?;
                    }
                    this.take(&filled);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return this.body_pending(cx),
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const LIMITS: HeadLimits = HeadLimits {
        max_head_bytes: 256,
        max_headers: 4,
        body_idle_timeout: Duration::from_secs(5),
        min_body_rate: 100,
    };

    fn check(head: &str) -> Result<Framing, Refusal> {
        check_head(head.as_bytes(), &LIMITS)
    }

    #[test]
    fn plain_requests_pass_with_their_framing() {
        assert_eq!(
            check("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            Ok(Framing::Length(0))
        );
        assert_eq!(
            check("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"),
            Ok(Framing::Length(5))
        );
        assert_eq!(
            check("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"),
            Ok(Framing::Chunked)
        );
        assert_eq!(
            check("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"),
            Ok(Framing::Opaque)
        );
    }

    #[test]
    fn ambiguous_framing_is_refused() {
        for head in [
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\n X-Folded: 1\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        ] {
            assert!(matches!(check(head), Err(Refusal::Bad(_))), "{head:?}");
        }
    }

    #[test]
    fn heads_over_the_limits_are_too_large() {
        let many = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n";
        assert_eq!(check(many), Err(Refusal::TooLarge));
        let long = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nX: {}\r\n\r\n",
            "x".repeat(300)
        );
        assert_eq!(check(&long), Err(Refusal::TooLarge));
    }

    /// Runs `input` through a guard; returns what hyper would read.
    async fn through(input: &[u8]) -> Vec<u8> {
        let (mut visitor, server) = tokio::io::duplex(64 * 1024);
        visitor.write_all(input).await.unwrap();
        visitor.shutdown().await.unwrap();
        let mut guard = HeadGuard::new(server, LIMITS);
        let mut seen = Vec::new();
        guard.read_to_end(&mut seen).await.unwrap();
        seen
    }

    #[tokio::test]
    async fn a_smuggled_second_request_never_reaches_the_parser() {
        let first = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nGET /x HT";
        let second = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        let seen = through(format!("{first}{second}").as_bytes()).await;
        assert_eq!(seen, [first.as_bytes(), BAD_REQUEST].concat());
    }

    #[tokio::test]
    async fn keep_alive_heads_are_each_checked_and_passed_whole() {
        let two = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        assert_eq!(through(two.as_bytes()).await, two.as_bytes());
        let seen = through(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\nHost: a\n\n").await;
        assert_eq!(
            seen,
            [&b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"[..], BAD_REQUEST].concat()
        );
        let big = format!("GET / HTTP/1.1\r\nX: {}", "x".repeat(300));
        let seen = through(big.as_bytes()).await;
        assert!(
            seen.starts_with(b"GET / HTTP/1.1\r\nx:1\r\n"),
            "a stand-in head hyper answers 431"
        );
        assert_eq!(
            seen.windows(5).filter(|w| w == b"x:1\r\n").count(),
            LIMITS.max_headers + 1
        );
    }

    #[tokio::test]
    async fn a_large_body_read_in_small_pieces_passes_and_the_next_head_is_still_checked() {
        let body = "b".repeat(40_000);
        let first = format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 40000\r\n\r\n{body}");
        let second = "GET / HTTP/1.1\nHost: a\n\n";
        let (mut visitor, server) = tokio::io::duplex(64 * 1024);
        let input = format!("{first}{second}");
        let writer = tokio::spawn(async move {
            // in pieces, so some reads sit wholly inside the body and one spans its end
            for piece in input.as_bytes().chunks(3000) {
                visitor.write_all(piece).await.unwrap();
                tokio::task::yield_now().await;
            }
            visitor.shutdown().await.unwrap();
        });
        let mut guard = HeadGuard::new(server, LIMITS);
        let mut seen = Vec::new();
        let mut buf = [0u8; 1000];
        loop {
            let n = guard.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        writer.await.unwrap();
        assert_eq!(seen, [first.as_bytes(), BAD_REQUEST].concat());
    }

    /// Feeds a body of `pieces` bytes, one every `gap`, through a guard (`chunked`: as one
    /// chunk); returns how many body bytes hyper got and the error that ended the reading.
    async fn trickle(pieces: usize, gap: Duration, chunked: bool) -> (usize, Option<io::Error>) {
        let (mut visitor, server) = tokio::io::duplex(1024);
        let head = if chunked {
            format!(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n{pieces:x}\r\n"
            )
        } else {
            format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {pieces}\r\n\r\n")
        };
        visitor.write_all(head.as_bytes()).await.unwrap();
        let writer = tokio::spawn(async move {
            for _ in 0..pieces {
                tokio::time::sleep(gap).await;
                if visitor.write_all(b"x").await.is_err() {
                    return;
                }
            }
            if chunked {
                let _ = visitor.write_all(b"\r\n0\r\n\r\n").await;
            }
            let _ = visitor.shutdown().await;
        });
        let mut guard = HeadGuard::new(server, LIMITS);
        let mut buf = vec![0u8; 1024];
        let mut got = 0;
        let error = loop {
            match guard.read(&mut buf).await {
                Ok(0) => break None,
                Ok(n) => got += n,
                Err(e) => break Some(e),
            }
        };
        writer.abort();
        let framing = if chunked && error.is_none() { 7 } else { 0 };
        (got - head.len() - framing, error)
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_trickling_in_under_the_minimum_rate_fails_once_the_window_has_passed() {
        for chunked in [false, true] {
            // a byte every 4 s never leaves the idle timer (5 s) run out, but is far under 100 B/s
            let (got, error) = trickle(10, Duration::from_secs(4), chunked).await;
            let error = error.expect("the trickle is cut off");
            assert_eq!(error.kind(), io::ErrorKind::TimedOut, "chunked: {chunked}");
            assert_eq!(error.to_string(), "the request body arrived too slowly");
            assert!(
                got <= 2,
                "cut off at the first check after 5 s of waiting, got {got} (chunked: {chunked})"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_at_the_minimum_rate_passes() {
        for chunked in [false, true] {
            // 200 bytes per second of waiting: over the 100 B/s floor, all of it arrives
            let (got, error) = trickle(1500, Duration::from_millis(5), chunked).await;
            assert!(error.is_none(), "chunked: {chunked}: {error:?}");
            assert_eq!(got, 1500, "chunked: {chunked}");
        }
    }

    #[tokio::test]
    async fn a_chunked_body_is_followed_to_its_end_with_extensions_and_trailers() {
        let body = format!(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
             5;name=value\r\nhello\r\n{:x} \r\n{}\r\n0\r\nX-Sum: 1\r\n\r\n",
            30_000,
            "b".repeat(30_000)
        );
        // after the body everything is passed through (the proxy closes once it answers)
        let after = "GET / HTTP/1.1\nHost: a\n\n";
        let seen = through(format!("{body}{after}").as_bytes()).await;
        assert_eq!(seen, format!("{body}{after}").as_bytes());
    }

    #[tokio::test]
    async fn malformed_chunked_framing_fails_the_connection_after_the_bytes_before_it() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (framing, passed) in [
            ("5\nhello\r\n0\r\n\r\n", "5"),
            ("5\r\nhelloXY0\r\n\r\n", "5\r\nhello"),
            ("\r\n0\r\n\r\n", ""),
            ("-5\r\nhello\r\n", ""),
            ("0x5\r\nhello\r\n", "0"),
            ("11111111111111111\r\n", "1111111111111111"),
            ("5;a\x00b\r\nhello\r\n", "5;a"),
            ("0\r\nX-Sum: 1\n\r\n", "0\r\nX-Sum: 1"),
            (&format!("0\r\nX: {}\r\n\r\n", "x".repeat(300)), ""),
        ] {
            let (mut visitor, server) = tokio::io::duplex(64 * 1024);
            visitor
                .write_all(format!("{head}{framing}").as_bytes())
                .await
                .unwrap();
            visitor.shutdown().await.unwrap();
            let mut guard = HeadGuard::new(server, LIMITS);
            let mut seen = Vec::new();
            let error = guard.read_to_end(&mut seen).await.expect_err(framing);
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{framing:?}");
            if !framing.starts_with("0\r\nX: x") {
                assert_eq!(
                    String::from_utf8_lossy(&seen),
                    format!("{head}{passed}"),
                    "{framing:?}"
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_fails_after_the_idle_timeout() {
        let (mut visitor, server) = tokio::io::duplex(1024);
        visitor
            .write_all(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
            .await
            .unwrap();
        let mut guard = HeadGuard::new(server, LIMITS);
        let mut buf = vec![0u8; 1024];
        let mut got = 0;
        let error = loop {
            match guard.read(&mut buf).await {
                Ok(n) => got += n,
                Err(e) => break e,
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(got > 0);
        drop(visitor);
    }
}
