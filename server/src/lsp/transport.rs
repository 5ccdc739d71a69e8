//! The client-to-server half of the stdio transport.
//!
//! tower-lsp-server ends the whole session at the first frame it cannot
//! decode (a bad header, a body that is not UTF-8, JSON or JSON-RPC). This
//! filter sits between stdin and tower-lsp and passes on only well-formed
//! messages, re-framed, so a client's garbage costs that message and not
//! the session.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tower_lsp_server::jsonrpc::{Request, Response};

const HEADER: &[u8] = b"content-length:";
/// Longer header blocks are garbage that happens to contain the header name.
const MAX_HEADER_BLOCK: usize = 4096;
/// A larger announced body is taken as a corrupt header, not waited for.
const MAX_BODY: usize = 64 << 20;

/// Copies well-formed messages from `input` to `output` until `input` ends,
/// reporting each dropped message or run of stray bytes on stderr.
pub async fn filter(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> io::Result<()> {
    let mut framer = Framer::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = input.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        framer.buffer.extend_from_slice(&chunk[..read]);
        while let Some(frame) = framer.next_frame() {
            match frame {
                Frame::Message(body) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    output.write_all(header.as_bytes()).await?;
                    output.write_all(&body).await?;
                    output.flush().await?;
                }
                Frame::Dropped(reason) => eprintln!("dockerfile-ls: {reason}"),
            }
        }
    }
}

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
