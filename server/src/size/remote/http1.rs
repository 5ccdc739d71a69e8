//! Just enough HTTP/1.1 for the Engine API over a unix socket: one GET with
//! `Connection: close`, the whole response read until the peer closes (or
//! the body is complete), chunked transfer decoded.

use std::io::{Read, Write};
use std::time::Instant;

/// Responses larger than this are refused (an image inspect is a few KB).
pub const MAX_RESPONSE: usize = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` on `stream` and reads the response. The stream's read
/// and write timeouts are the caller's; `deadline` bounds the whole exchange.
pub fn get<S: Read + Write>(
    stream: &mut S,
    host: &str,
    path: &str,
    deadline: Instant,
) -> Result<Response, String> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: dockerfile-ls/{}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending the request: {e}"))?;
    stream
        .flush()
        .map_err(|e| format!("sending the request: {e}"))?;
    let mut raw = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if Instant::now() > deadline {
            return Err("timed out reading the response".into());
        }
        // Stop as soon as the response is complete: a server may keep the
        // connection open despite `Connection: close`.
        if let Some(Ok(response)) = parse(&raw, false) {
            return Ok(response);
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buffer[..n]);
                if raw.len() > MAX_RESPONSE {
                    return Err("response too large".into());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err("timed out reading the response".into())
            }
            Err(e) => return Err(format!("reading the response: {e}")),
        }
    }
    match parse(&raw, true) {
        Some(result) => result,
        None => Err("the connection closed before a complete response".into()),
    }
}

/// Parses a complete response. `None`: more bytes are needed (when `eof`
/// is false). With `eof`, a body without length runs to the end.
pub fn parse(raw: &[u8], eof: bool) -> Option<Result<Response, String>> {
    let head_end = find(raw, b"\r\n\r\n")?;
    let head = match std::str::from_utf8(&raw[..head_end]) {
        Ok(head) => head,
        Err(_) => return Some(Err("response head is not UTF-8".into())),
    };
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let status = match (
        version.starts_with("HTTP/1."),
        parts.next().and_then(|s| s.parse::<u16>().ok()),
    ) {
        (true, Some(status)) => status,
        _ => return Some(Err(format!("not an HTTP/1.x response: {status_line:?}"))),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let body = &raw[head_end + 4..];
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        match decode_chunked(body) {
            Ok(Some(body)) => body,
            Ok(None) if eof => return Some(Err("truncated chunked body".into())),
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        }
    } else if let Some(length) = header("content-length") {
        let Ok(length) = length.parse::<usize>() else {
            return Some(Err(format!("bad Content-Length {length:?}")));
        };
        if body.len() >= length {
            body[..length].to_vec()
        } else if eof {
            return Some(Err("truncated body".into()));
        } else {
            return None;
        }
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else if eof {
        body.to_vec()
    } else {
        return None;
    };
    Some(Ok(Response {
        status,
        headers,
        body,
    }))
}

/// Decodes a chunked body. `Ok(None)`: incomplete so far.
pub fn decode_chunked(mut input: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(input, b"\r\n") else {
            return Ok(None);
        };
        let size_line =
            std::str::from_utf8(&input[..line_end]).map_err(|_| "bad chunk size line")?;
        // Chunk extensions follow a `;`.
        let size_text = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        input = &input[line_end + 2..];
        if size == 0 {
            // Trailers (ignored) end with an empty line; a close right after
            // the last chunk is tolerated.
            return Ok(Some(body));
        }
        if input.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&input[..size]);
        if &input[size..size + 2] != b"\r\n" {
            return Err("chunk not followed by CRLF".into());
        }
        input = &input[size + 2..];
        if body.len() > MAX_RESPONSE {
            return Err("response too large".into());
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_decoded() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
            5\r\n{\"a\":\r\n3;ext=1\r\n 12\r\nB\r\n, \"b\": [1]}\r\n0\r\n\r\n";
        let response = parse(raw, false).unwrap().unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("Content-Type"), Some("application/json"));
        assert_eq!(
            String::from_utf8(response.body).unwrap(),
            "{\"a\": 12, \"b\": [1]}"
        );
        // Cut anywhere before the last chunk: incomplete, not an error.
        for cut in 60..raw.len() - 5 {
            assert_eq!(parse(&raw[..cut], false), None, "cut at {cut}");
        }
        assert!(parse(&raw[..raw.len() - 8], true).unwrap().is_err());
        assert!(decode_chunked(b"zz\r\n").is_err());
        assert!(decode_chunked(b"2\r\nabcd").is_err());
    }

    #[test]
    fn length_and_close_delimited_bodies() {
        let raw = b"HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n{}extra";
        let response = parse(raw, false).unwrap().unwrap();
        assert_eq!(
            (response.status, response.body.as_slice()),
            (404, b"{}extra".as_slice())
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}", false),
            None
        );
        assert_eq!(parse(b"HTTP/1.0 200 OK\r\n\r\n[1]", false), None);
        assert_eq!(
            parse(b"HTTP/1.0 200 OK\r\n\r\n[1]", true)
                .unwrap()
                .unwrap()
                .body,
            b"[1]"
        );
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n", true).unwrap().is_err());
    }

    #[test]
    fn a_whole_exchange_over_a_stream() {
        struct Canned {
            input: std::io::Cursor<Vec<u8>>,
            sent: Vec<u8>,
        }
        impl Read for Canned {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                // One byte at a time: the parser must not need more.
                let n = buf.len().min(1);
                self.input.read(&mut buf[..n])
            }
        }
        impl Write for Canned {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.sent.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut stream = Canned {
            input: std::io::Cursor::new(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                    .to_vec(),
            ),
            sent: Vec::new(),
        };
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let response = get(&mut stream, "docker", "/info", deadline).unwrap();
        assert_eq!(response.body, b"{}");
        let sent = String::from_utf8(stream.sent).unwrap();
        assert!(
            sent.starts_with("GET /info HTTP/1.1\r\nHost: docker\r\n"),
            "{sent}"
        );
        assert!(sent.contains("Connection: close\r\n") && sent.ends_with("\r\n\r\n"));
    }
}
