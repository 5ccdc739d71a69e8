//! The stdio transport: the client-to-server filter, and the one writer
//! both tower-lsp and the server's own serialized messages go out through.
//!
//! tower-lsp-server ends the whole session at the first frame it cannot
//! decode (a bad header, a body that is not UTF-8, JSON or JSON-RPC). This
//! filter sits between stdin and tower-lsp and passes on only well-formed
//! messages, re-framed, so a client's garbage costs that message and not
//! the session.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

const HEADER: &[u8] = b"content-length:";
/// The size of each buffer a message passes through on its way in or out
/// (reads of stdin, the pipes to and from tower-lsp, pieces of a streamed
/// answer): all are resident for the whole session, and a megabyte goes
/// through 16 KiB ones about as fast as through larger ones.
pub const PIPE_BUFFER: usize = 16 * 1024;
/// Longer header blocks are garbage that happens to contain the header name.
const MAX_HEADER_BLOCK: usize = 4096;
/// A larger announced body is taken as a corrupt header, not waited for.
const MAX_BODY: usize = 64 << 20;

/// Copies well-formed messages from `input` to `output` until `input` ends,
/// reporting each dropped message or run of stray bytes on stderr.
pub async fn filter(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    exit_seen: std::sync::Arc<tokio::sync::Notify>,
    stash: Stash,
) -> io::Result<()> {
    let mut framer = Framer::default();
    let mut routing = Routing {
        stash,
        ..Routing::default()
    };
    let mut chunk = vec![0u8; PIPE_BUFFER];
    loop {
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        framer.buffer.extend_from_slice(&chunk[..read]);
        while let Some(frame) = framer.next_frame() {
            match frame {
                Frame::Message(body) => {
                    let body = routing.route(body);
                    if routing.exited {
                        exit_seen.notify_one();
                    }
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    output.write_all(header.as_bytes()).await?;
                    output.write_all(&body).await?;
                    output.flush().await?;
                }
                Frame::Dropped(reason) => eprintln!("dockerfile-ls: {reason}"),
            }
        }
        if framer.buffer.capacity() > 4 * chunk.len() && framer.buffer.len() < chunk.len() {
            // a whole document went through: give its memory back
            framer.buffer.shrink_to(chunk.len());
        }
    }
}

/// Where every server-to-client message goes, one whole message at a
/// time. tower-lsp turns each outgoing message into a `serde_json::Value`
/// and then into text; the server writes its largest ones (a document's
/// diagnostics, semantic tokens) here directly, serialized once, and
/// tower-lsp's own frames pass through [`forward`] to the same place.
///
/// Sending only queues the frame: one writer task owns the output. A
/// handler must never wait for the writer, because handlers run inside
/// tower-lsp's dispatch, which stops polling them while its own output
/// is backed up, and that output drains through this same writer.
///
/// A document's diagnostics supersede the ones pushed before: while a
/// push waits to be written (a client reading slower than the user types),
/// a newer push for the same document takes its place, so the server never
/// holds more than one unwritten push per document.
#[derive(Clone)]
pub struct Outbox {
    queue: tokio::sync::mpsc::UnboundedSender<Outgoing>,
    latest: Arc<Mutex<Latest>>,
}

/// The newest unwritten body of each superseding kind of message, by key,
/// with the stamp of the queue entry that writes it.
#[derive(Default)]
struct Latest {
    bodies: HashMap<String, (u64, Vec<u8>)>,
    next_stamp: u64,
}

enum Outgoing {
    /// Header and body, as tower-lsp wrote them.
    Framed(Vec<u8>),
    /// A body still to be framed: the writer writes its header, so a large
    /// answer is never copied only to put a header in front of it.
    Body(Vec<u8>),
    /// The body kept under `key` in [`Latest`], if it is still the one
    /// queued with `stamp` (else a later entry writes a newer one).
    Latest { key: String, stamp: u64 },
    /// A body of `len` bytes, written as its pieces arrive.
    Stream {
        len: usize,
        pieces: tokio::sync::mpsc::Receiver<Vec<u8>>,
    },
}

impl Outbox {
    /// The outbox, and the writer task that ends once every clone of the
    /// outbox is gone and the queue is written.
    pub fn new(
        out: impl AsyncWrite + Send + 'static,
    ) -> (Outbox, tokio::task::JoinHandle<io::Result<()>>) {
        Outbox::with_sink(AsyncSink(Box::pin(out)))
    }

    /// An outbox writing to the process's standard output from a thread of
    /// its own (see [`StdoutThread`]).
    pub fn to_stdout() -> (Outbox, tokio::task::JoinHandle<io::Result<()>>) {
        match StdoutThread::start() {
            Ok(sink) => Outbox::with_sink(sink),
            Err(error) => {
                eprintln!("dockerfile-ls: no thread for stdout ({error}); writing through tokio");
                Outbox::new(tokio::io::stdout())
            }
        }
    }

    fn with_sink(
        mut out: impl Sink + 'static,
    ) -> (Outbox, tokio::task::JoinHandle<io::Result<()>>) {
        let (queue, mut frames) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
        let latest = Arc::new(Mutex::new(Latest::default()));
        let kept = latest.clone();
        let writer = tokio::spawn(async move {
            while let Some(frame) = frames.recv().await {
                let body = match frame {
                    Outgoing::Framed(frame) => {
                        out.write(frame).await?;
                        None
                    }
                    Outgoing::Body(body) => Some(body),
                    Outgoing::Latest { key, stamp } => take_latest(&kept, &key, stamp),
                    Outgoing::Stream { len, mut pieces } => {
                        let header = format!("Content-Length: {len}\r\n\r\n");
                        out.write(header.into_bytes()).await?;
                        let mut written = 0;
                        while let Some(mut piece) = pieces.recv().await {
                            piece.truncate(len - written);
                            written += piece.len();
                            out.write(piece).await?;
                        }
                        // a producer that stopped short (it cannot, short of
                        // a bug) must not take the framing down with it
                        if written < len {
                            out.write(vec![b' '; len - written]).await?;
                        }
                        None
                    }
                };
                if let Some(body) = body {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    out.write(header.into_bytes()).await?;
                    out.write(body).await?;
                }
                // (a burst is flushed once, after its last frame)
                if frames.is_empty() {
                    out.flush().await?;
                }
            }
            out.finish().await
        });
        (Outbox { queue, latest }, writer)
    }

    /// Queues a body of `len` bytes to be written as it is made: what the
    /// returned writer is given goes out in pieces, while it is written
    /// (call it off the async threads: it blocks while the writer is behind).
    pub fn send_stream(&self, len: usize) -> StreamWriter {
        let (pieces, receiver) = tokio::sync::mpsc::channel(2);
        self.queue(Outgoing::Stream {
            len,
            pieces: receiver,
        });
        StreamWriter {
            pieces,
            piece: Vec::new(),
        }
    }

    /// Queues one message body, to be framed on its way out.
    pub fn send(&self, body: Vec<u8>) {
        self.queue(Outgoing::Body(body));
    }

    /// Queues a body that replaces any body queued under `key` and not
    /// written yet (the replaced one is dropped unwritten).
    pub fn send_latest(&self, key: &str, body: Vec<u8>) {
        let mut latest = lock(&self.latest);
        let stamp = latest.next_stamp;
        latest.next_stamp += 1;
        latest.bodies.insert(key.to_string(), (stamp, body));
        // (queued under the lock: entries are in stamp order)
        self.queue(Outgoing::Latest {
            key: key.to_string(),
            stamp,
        });
    }

    fn send_framed(&self, frame: Vec<u8>) {
        self.queue(Outgoing::Framed(frame));
    }

    fn queue(&self, outgoing: Outgoing) {
        // (the writer is gone only once the client stopped reading)
        let _ = self.queue.send(outgoing);
    }
}

/// The producing end of [`Outbox::send_stream`]: a blocking writer that
/// hands the writer task a piece at a time, so a large answer is never
/// whole in memory.
pub struct StreamWriter {
    pieces: tokio::sync::mpsc::Sender<Vec<u8>>,
    piece: Vec<u8>,
}

const STREAM_PIECE: usize = PIPE_BUFFER;

impl StreamWriter {
    fn send_piece(&mut self) -> io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(STREAM_PIECE));
        self.pieces
            .blocking_send(piece)
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl std::io::Write for StreamWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let room = STREAM_PIECE.saturating_sub(self.piece.len()).max(1);
        let taken = bytes.len().min(room);
        self.piece.extend_from_slice(&bytes[..taken]);
        if self.piece.len() >= STREAM_PIECE {
            self.send_piece()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_piece()
    }
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        let _ = self.send_piece();
    }
}

/// Where the writer puts what it writes: owned bytes, so that a sink that
/// hands them to another thread need not copy them.
trait Sink: Send {
    fn write(&mut self, bytes: Vec<u8>)
        -> impl std::future::Future<Output = io::Result<()>> + Send;
    fn flush(&mut self) -> impl std::future::Future<Output = io::Result<()>> + Send;
    /// Everything written is out.
    fn finish(self) -> impl std::future::Future<Output = io::Result<()>> + Send;
}

struct AsyncSink<W>(std::pin::Pin<Box<W>>);

impl<W: AsyncWrite + Send> Sink for AsyncSink<W> {
    async fn write(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        self.0.write_all(&bytes).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.0.flush().await
    }

    async fn finish(mut self) -> io::Result<()> {
        self.0.flush().await
    }
}

/// Standard output written by a thread of its own, which blocks while the
/// client is not reading. Tokio's stdout would copy each write into a
/// buffer of its own and keep that buffer at the size of the largest write
/// for good (a megabyte, after one large outline); this thread writes the
/// frames it is handed. One frame waits at most: the rest stay in the
/// outbox's queue, where newer diagnostics can still replace older ones.
struct StdoutThread {
    frames: tokio::sync::mpsc::Sender<Vec<u8>>,
    done: tokio::sync::oneshot::Receiver<io::Result<()>>,
}

impl StdoutThread {
    fn start() -> io::Result<StdoutThread> {
        let (frames, mut to_write) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
        let (report, done) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("dockerfile-ls stdout".to_string())
            .spawn(move || {
                let mut write_all = || -> io::Result<()> {
                    use std::io::Write;
                    while let Some(bytes) = to_write.blocking_recv() {
                        let mut out = std::io::stdout().lock();
                        out.write_all(&bytes)?;
                        if to_write.is_empty() {
                            out.flush()?;
                        }
                    }
                    std::io::stdout().lock().flush()
                };
                let _ = report.send(write_all());
            })?;
        Ok(StdoutThread { frames, done })
    }
}

impl Sink for StdoutThread {
    async fn write(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        if self.frames.send(bytes).await.is_ok() {
            return Ok(());
        }
        // the thread ended: on a write error, which it reports
        match (&mut self.done).await {
            Ok(Err(error)) => Err(error),
            _ => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        // (the thread flushes whenever it has nothing more to write)
        Ok(())
    }

    async fn finish(self) -> io::Result<()> {
        drop(self.frames);
        self.done
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::BrokenPipe.into()))
    }
}

fn take_latest(latest: &Mutex<Latest>, key: &str, stamp: u64) -> Option<Vec<u8>> {
    let mut latest = lock(latest);
    match latest.bodies.get(key) {
        Some((kept, _)) if *kept == stamp => latest.bodies.remove(key).map(|(_, body)| body),
        _ => None,
    }
}

fn lock(latest: &Mutex<Latest>) -> std::sync::MutexGuard<'_, Latest> {
    // (nothing panics while holding it; a poisoned map is still whole)
    latest
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Passes tower-lsp's framed output on to `outbox` a whole message at a
/// time, until tower-lsp closes its end.
pub async fn forward(mut input: impl AsyncRead + Unpin, outbox: Outbox) -> io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; PIPE_BUFFER];
    loop {
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            if !buffer.is_empty() {
                outbox.send_framed(buffer);
            }
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        let mut taken = 0;
        while let Some(len) = complete_frame(&buffer[taken..]) {
            outbox.send_framed(buffer[taken..taken + len].to_vec());
            taken += len;
        }
        buffer.drain(..taken);
        if buffer.capacity() > 4 * chunk.len() && buffer.len() < chunk.len() {
            // a large response went through: give its memory back
            buffer.shrink_to(chunk.len());
        }
    }
}

/// The length of the first whole frame (header and body) of well-formed
/// output, if it is all there.
fn complete_frame(buffer: &[u8]) -> Option<usize> {
    let end = find(buffer, b"\r\n\r\n")?;
    let body = buffer[..end]
        .split(|&b| b == b'\n')
        .find_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    let len = end + 4 + body;
    (buffer.len() >= len).then_some(len)
}

/// Turns the requests the server answers itself into notifications for
/// it (`wire::OwnRequest`): only between `initialized` and `shutdown`,
/// where tower-lsp would hand them on too (before, it answers with an
/// error, and after it nothing is routed), and never a large body (the
/// requests routed are small, a whole document is not).
#[derive(Default)]
struct Routing {
    open: bool,
    closed: bool,
    /// `exit` went through.
    exited: bool,
    stash: Stash,
}

/// The texts of large `didOpen`s, which the stdin filter takes out of the
/// message and hands to the server beside tower-lsp: tower-lsp's reader
/// keeps a buffer the size of the largest message it ever read (half a
/// megabyte for the rest of the session, after opening a 10,000-line
/// file), and copies the text twice more on its way to the handler.
#[derive(Clone, Default)]
pub struct Stash {
    texts: Arc<Mutex<HashMap<u64, String>>>,
}

/// Messages from this size on have their text stashed.
const STASH_FROM: usize = 64 * 1024;

impl Stash {
    fn put(&self, id: u64, text: String) {
        self.lock().insert(id, text);
    }

    /// The text stashed under `id`, once.
    pub fn take(&self, id: u64) -> Option<String> {
        self.lock().remove(&id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, String>> {
        // (nothing panics while holding it; a poisoned map is still whole)
        self.texts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Routing {
    fn route(&mut self, body: Vec<u8>) -> Vec<u8> {
        // (every keystroke passes here: only bodies that can be one of the
        // methods below are parsed)
        let named = |name: &[u8]| find(&body, name).is_some();
        if body.len() >= STASH_FROM && self.open && !self.closed && named(b"textDocument/didOpen") {
            return self.stash_open(body);
        }
        let routable = || {
            super::wire::ROUTED
                .iter()
                .any(|(method, _)| named(method.as_bytes()))
        };
        if body.len() > 4096
            || !(named(b"initialized") || named(b"shutdown") || named(b"exit") || routable())
        {
            return body;
        }
        let Ok(mut message) = serde_json::from_slice::<serde_json::Map<String, Value>>(&body)
        else {
            return body;
        };
        let method = message.get("method").and_then(Value::as_str);
        let own_method = super::wire::ROUTED
            .iter()
            .find(|(routed, _)| Some(*routed) == method)
            .map(|(_, own)| *own);
        match method {
            Some("initialized") => self.open = true,
            Some("shutdown") => self.closed = true,
            Some("exit") => {
                self.closed = true;
                self.exited = true;
            }
            _ => {}
        }
        let Some(own_method) = own_method else {
            return body;
        };
        if !self.open || self.closed || !message.contains_key("id") {
            return body;
        }
        let own = super::wire::OwnRequest {
            id: message.remove("id").unwrap_or(Value::Null),
            params: message.remove("params").unwrap_or(Value::Null),
        };
        let notification = serde_json::json!({
            "jsonrpc": "2.0",
            "method": own_method,
            "params": own,
        });
        serde_json::to_vec(&notification).unwrap_or(body)
    }

    /// A large `didOpen` as the server's own notification, its text in the
    /// stash (anything else unchanged).
    fn stash_open(&mut self, body: Vec<u8>) -> Vec<u8> {
        let Ok(mut message) = serde_json::from_slice::<serde_json::Map<String, Value>>(&body)
        else {
            return body;
        };
        if message.get("method").and_then(Value::as_str) != Some("textDocument/didOpen")
            || message.contains_key("id")
        {
            return body;
        }
        let Some(mut open) = message.remove("params") else {
            return body;
        };
        let Some(Value::String(text)) = open.pointer_mut("/textDocument/text") else {
            return body;
        };
        let text = std::mem::take(text);
        drop(body);
        let stash = STASHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.stash.put(stash, text);
        let notification = serde_json::json!({
            "jsonrpc": "2.0",
            "method": super::wire::OWN_DID_OPEN,
            "params": super::wire::StashedOpen { stash, open },
        });
        serde_json::to_vec(&notification).unwrap_or_default()
    }
}

/// Ids of stashed texts, unique in the process.
static STASHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Message(Vec<u8>),
    Dropped(String),
}

#[derive(Default)]
struct Framer {
    buffer: Vec<u8>,
    /// Set once a header was read: the length of the body to wait for.
    body_len: Option<usize>,
}

impl Framer {
    /// The next message or complaint; `None` when more input is needed.
    fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if let Some(len) = self.body_len {
                if self.buffer.len() < len {
                    return None;
                }
                let body: Vec<u8> = self.buffer.drain(..len).collect();
                self.body_len = None;
                return Some(if is_json_rpc(&body) {
                    Frame::Message(dollar_request_renamed(body))
                } else {
                    Frame::Dropped(format!(
                        "dropped a message that is not JSON-RPC: {}",
                        preview(&body)
                    ))
                });
            }

            let Some(start) = find_ignoring_case(&self.buffer, HEADER) else {
                // keep the last, unfinished line: it may be a header split
                // across reads (and is judged harmless or not once whole)
                let len = self.buffer.len();
                let line_start = self
                    .buffer
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let mut stray = line_start;
                if len - stray > MAX_HEADER_BLOCK {
                    stray = len - (HEADER.len() - 1);
                }
                let dropped: Vec<u8> = self.buffer.drain(..stray).collect();
                return stray_bytes(&dropped);
            };
            if start > 0 {
                let dropped: Vec<u8> = self.buffer.drain(..start).collect();
                if let Some(complaint) = stray_bytes(&dropped) {
                    return Some(complaint);
                }
            }

            let Some(end) = find(&self.buffer, b"\r\n\r\n") else {
                if self.buffer.len() > MAX_HEADER_BLOCK {
                    // skip this header name and look for the next one
                    self.buffer.drain(..HEADER.len());
                    return Some(Frame::Dropped("dropped an unterminated header".into()));
                }
                return None;
            };
            let header: Vec<u8> = self.buffer.drain(..end + 4).collect();
            let value = header[HEADER.len()..end]
                .split(|&b| b == b'\n')
                .next()
                .unwrap_or_default();
            let len = std::str::from_utf8(value)
                .ok()
                .and_then(|value| value.trim().parse::<usize>().ok());
            match len {
                Some(len) if len <= MAX_BODY => self.body_len = Some(len),
                _ => {
                    return Some(Frame::Dropped(format!(
                        "dropped a message with the header Content-Length:{}",
                        preview(value)
                    )))
                }
            }
        }
    }
}

/// Whether tower-lsp will decode the body (it tries a response, then a
/// request or notification).
fn is_json_rpc(body: &[u8]) -> bool {
    serde_json::from_slice::<Response>(body).is_ok()
        || serde_json::from_slice::<Request>(body).is_ok()
}

/// tower-lsp drops requests whose method starts with `$/` unanswered (as
/// if they were notifications), and the client waits forever; LSP says to
/// answer them with MethodNotFound. Renamed, they get that answer.
fn dollar_request_renamed(body: Vec<u8>) -> Vec<u8> {
    if find(&body, b"\"$/").is_none() {
        return body;
    }
    let Ok(serde_json::Value::Object(mut message)) = serde_json::from_slice(&body) else {
        return body;
    };
    let Some(method) = message.get("method").and_then(|m| m.as_str()) else {
        return body;
    };
    if !method.starts_with("$/") || message.get("id").is_none_or(|id| id.is_null()) {
        return body;
    }
    let renamed = format!("dockerfile-ls/unsupported-request{}", &method[1..]);
    message.insert("method".into(), renamed.into());
    serde_json::to_vec(&message).unwrap_or(body)
}

/// Bytes outside any message are worth a complaint unless they are blank
/// or other headers (Content-Type) in front of Content-Length.
fn stray_bytes(bytes: &[u8]) -> Option<Frame> {
    let text = String::from_utf8_lossy(bytes);
    let harmless = text.split("\r\n").all(|line| {
        line.trim().is_empty() || line.to_ascii_lowercase().starts_with("content-type:")
    });
    (!harmless).then(|| {
        Frame::Dropped(format!(
            "skipped {} bytes outside any message: {}",
            bytes.len(),
            preview(bytes)
        ))
    })
}

fn preview(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    format!("{text:?}")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[&[u8]]) -> Vec<Frame> {
        let mut framer = Framer::default();
        let mut out = Vec::new();
        for piece in input {
            framer.buffer.extend_from_slice(piece);
            while let Some(frame) = framer.next_frame() {
                out.push(frame);
            }
        }
        out
    }

    const PING: &[u8] = br#"{"jsonrpc":"2.0","method":"ping","id":1}"#;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }

    /// Frames written by two writers at once come out whole: tower-lsp's,
    /// split into arbitrary pieces, and the server's own.
    #[tokio::test]
    async fn forwarded_frames_and_own_messages_never_interleave() {
        let (out_write, mut out_read) = tokio::io::duplex(1 << 20);
        let (outbox, outbox_writer) = Outbox::new(out_write);
        let (mut tower_write, tower_read) = tokio::io::duplex(64);
        let forwarding = tokio::spawn(forward(tower_read, outbox.clone()));
        let tower_frames: Vec<Vec<u8>> = (0..50)
            .map(|i| {
                framed(
                    format!(
                        "{{\"jsonrpc\":\"2.0\",\"method\":\"t\",\"params\":{{\"x\":\"{}\"}}}}",
                        "7".repeat(i * 37)
                    )
                    .as_bytes(),
                )
            })
            .collect();
        let writer = tokio::spawn({
            let frames = tower_frames.clone();
            async move {
                for frame in frames {
                    for piece in frame.chunks(13) {
                        tower_write.write_all(piece).await.unwrap();
                    }
                }
            }
        });
        for i in 0..50 {
            let body =
                format!("{{\"jsonrpc\":\"2.0\",\"method\":\"own\",\"params\":{{\"i\":{i}}}}}");
            outbox.send(body.into_bytes());
            tokio::task::yield_now().await;
        }
        writer.await.unwrap();
        forwarding.await.unwrap().unwrap();
        drop(outbox);
        outbox_writer.await.unwrap().unwrap();
        let mut all = Vec::new();
        out_read.read_to_end(&mut all).await.unwrap();
        let mut framer = Framer {
            buffer: all,
            ..Framer::default()
        };
        let mut own = 0;
        let mut forwarded = 0;
        while let Some(frame) = framer.next_frame() {
            let Frame::Message(body) = frame else {
                panic!("{frame:?}")
            };
            let text = String::from_utf8(body).unwrap();
            if text.contains("\"own\"") {
                own += 1;
            } else {
                assert_eq!(framed(text.as_bytes()), tower_frames[forwarded]);
                forwarded += 1;
            }
        }
        assert_eq!((own, forwarded), (50, 50));
    }

    /// While the client is not reading, a document's newer push replaces
    /// its unwritten older one; everything else goes out as queued, and
    /// the surviving push where it was queued.
    #[tokio::test(flavor = "current_thread")]
    async fn a_newer_push_supersedes_an_unwritten_one() {
        let (out_write, mut out_read) = tokio::io::duplex(1 << 16);
        let (outbox, writer) = Outbox::new(out_write);
        // (the writer task cannot run before this test awaits)
        outbox.send_latest("file:///a", b"a1".to_vec());
        outbox.send(b"r1".to_vec());
        outbox.send_latest("file:///a", b"a2".to_vec());
        outbox.send_latest("file:///b", b"b1".to_vec());
        outbox.send(b"r2".to_vec());
        outbox.send_latest("file:///a", b"a3".to_vec());
        drop(outbox);
        writer.await.unwrap().unwrap();
        let mut written = Vec::new();
        out_read.read_to_end(&mut written).await.unwrap();
        let expected: Vec<u8> = [b"r1", b"b1", b"r2", b"a3"]
            .iter()
            .flat_map(|body| framed(*body))
            .collect();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected)
        );
    }

    /// A streamed body goes out whole, framed, in its place in the queue;
    /// one whose producer stops short is padded to its announced length,
    /// so the messages after it still frame.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_streamed_body_goes_out_whole_in_its_place() {
        let (out_write, mut out_read) = tokio::io::duplex(1 << 16);
        let (outbox, writer) = Outbox::new(out_write);
        let big: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        outbox.send(b"first".to_vec());
        let mut stream = outbox.send_stream(big.len());
        outbox.send(b"after".to_vec());
        let mut short = outbox.send_stream(10);
        outbox.send(b"last".to_vec());
        let reader = tokio::spawn(async move {
            let mut all = Vec::new();
            out_read.read_to_end(&mut all).await.unwrap();
            all
        });
        let produced = big.clone();
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            for chunk in produced.chunks(7_000) {
                stream.write_all(chunk).unwrap();
            }
            drop(stream);
            short.write_all(b"abc").unwrap();
        })
        .await
        .unwrap();
        drop(outbox);
        writer.await.unwrap().unwrap();
        let expected: Vec<u8> = [
            framed(b"first"),
            framed(&big),
            framed(b"after"),
            framed(b"abc       "),
            framed(b"last"),
        ]
        .concat();
        assert!(reader.await.unwrap() == expected);
    }

    /// A push queued after the last one was written goes out too.
    #[tokio::test(flavor = "current_thread")]
    async fn a_push_after_a_written_one_is_written() {
        let (out_write, mut out_read) = tokio::io::duplex(1 << 16);
        let (outbox, writer) = Outbox::new(out_write);
        outbox.send_latest("file:///a", b"a1".to_vec());
        let mut first = vec![0; framed(b"a1").len()];
        out_read.read_exact(&mut first).await.unwrap();
        assert_eq!(first, framed(b"a1"));
        outbox.send_latest("file:///a", b"a2".to_vec());
        drop(outbox);
        writer.await.unwrap().unwrap();
        let mut rest = Vec::new();
        out_read.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, framed(b"a2"));
    }

    /// A large didOpen reaches tower-lsp as the server's own notification
    /// without its text, which waits in the stash (once the session is
    /// initialized); a small one, or one before that, passes unchanged.
    #[test]
    fn a_large_did_open_leaves_its_text_in_the_stash() {
        let stash = Stash::default();
        let mut routing = Routing {
            stash: stash.clone(),
            ..Routing::default()
        };
        let open = |text: &str| {
            serde_json::to_vec(&serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": "file:///a", "languageId": "dockerfile", "version": 3, "text": text}}}))
            .unwrap()
        };
        let large = "RUN echo \"\u{e9}\\\"\n".repeat(10_000);
        assert_eq!(
            routing.route(open(&large)),
            open(&large),
            "before initialized"
        );
        routing.route(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_vec());
        assert_eq!(routing.route(open("FROM a\n")), open("FROM a\n"), "small");
        let out: Value = serde_json::from_slice(&routing.route(open(&large))).unwrap();
        assert_eq!(out["method"], super::super::wire::OWN_DID_OPEN);
        assert_eq!(out["params"]["open"]["textDocument"]["text"], "");
        assert_eq!(out["params"]["open"]["textDocument"]["version"], 3);
        assert_eq!(out["params"]["open"]["textDocument"]["uri"], "file:///a");
        let id = out["params"]["stash"].as_u64().unwrap();
        assert_eq!(stash.take(id).as_deref(), Some(large.as_str()));
        assert_eq!(stash.take(id), None, "taken once");
    }

    /// The requests the server answers itself (semantic tokens, symbols)
    /// go to its own handler only once the session is initialized and
    /// until it shuts down; a notification of the same method never does.
    #[test]
    fn own_requests_are_routed_while_the_session_is_open() {
        for (method, own) in super::super::wire::ROUTED {
            let request = format!(
                r#"{{"jsonrpc":"2.0","id":"t1","method":"{method}","params":{{"textDocument":{{"uri":"file:///a"}}}}}}"#
            );
            let routed = |routing: &mut Routing, request: &str| {
                let out = routing.route(request.as_bytes().to_vec());
                let out: serde_json::Value = serde_json::from_slice(&out).unwrap();
                out["method"] == *own
            };
            let mut routing = Routing::default();
            assert!(
                !routed(&mut routing, &request),
                "{method} before initialized"
            );
            routing.route(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#.to_vec());
            assert!(routed(&mut routing, &request), "{method}");
            let out = routing.route(request.as_bytes().to_vec());
            let out: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(out["params"]["id"], "t1");
            assert_eq!(out["params"]["params"]["textDocument"]["uri"], "file:///a");
            assert!(out.get("id").is_none(), "a notification");
            let without_id = request.replace(r#""id":"t1","#, "");
            assert!(!routed(&mut routing, &without_id), "{method} without an id");
            routing.route(br#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#.to_vec());
            assert!(!routed(&mut routing, &request), "{method} after shutdown");
        }
    }

    #[test]
    fn messages_pass_whole_even_when_split() {
        let message = framed(PING);
        let (a, b) = message.split_at(10);
        let (b, c) = b.split_at(20);
        assert_eq!(frames(&[a, b, c]), [Frame::Message(PING.to_vec())]);
        let typed = [
            b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n".as_slice(),
            &message,
        ];
        assert_eq!(frames(&typed), [Frame::Message(PING.to_vec())]);
    }

    #[test]
    fn dollar_requests_are_renamed_and_notifications_kept() {
        let request = framed(br#"{"jsonrpc":"2.0","id":3,"method":"$/foo","params":{}}"#);
        let cancel = framed(br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":3}}"#);
        let got = frames(&[&request, &cancel]);
        let Frame::Message(renamed) = &got[0] else {
            panic!("{got:?}")
        };
        let renamed: serde_json::Value = serde_json::from_slice(renamed).unwrap();
        assert_eq!(renamed["method"], "dockerfile-ls/unsupported-request/foo");
        assert_eq!(renamed["id"], 3);
        assert!(
            matches!(&got[1], Frame::Message(body) if body.windows(16).any(|w| w == b"$/cancelRequest\""))
        );
    }

    #[test]
    fn garbage_is_dropped_and_the_next_message_still_arrives() {
        let garbage: &[u8] = b"\x00\xff\xfe binary \r\n\r\n junk";
        let not_json = framed(b"{ this is not json");
        let not_rpc = framed(br#"{"jsonrpc":"1.0","id":[]}"#);
        let not_utf8 = framed(b"\"\xff\xfe\"");
        let bad_len = b"Content-Length: lots\r\n\r\n".as_slice();
        let message = framed(PING);
        let got = frames(&[garbage, &not_json, &not_rpc, &not_utf8, bad_len, &message]);
        let (last, dropped) = got.split_last().unwrap();
        assert_eq!(*last, Frame::Message(PING.to_vec()));
        assert!(dropped.len() >= 5, "{got:?}");
        assert!(
            dropped.iter().all(|f| matches!(f, Frame::Dropped(_))),
            "{got:?}"
        );
    }
}
