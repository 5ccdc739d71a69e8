//! A minimal LSP client for end-to-end tests: the built binary over stdio,
//! Content-Length framed JSON-RPC, and an editor-side copy of each document.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::ops::Range;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------
// a minimal LSP client

pub struct Lsp {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub incoming: Receiver<Value>,
    pub next_id: i64,
    /// Notifications received and not yet looked at.
    pub notifications: VecDeque<Value>,
    /// The answer to `workspace/configuration` items.
    pub configuration: Value,
    /// Requests the server sent us (method names).
    pub server_requests: Vec<String>,
    /// Every publishDiagnostics received, consumed or not, in order.
    pub pushed: Vec<Value>,
}

impl Lsp {
    pub fn start() -> Lsp {
        Lsp::start_with(&[])
    }

    pub fn start_with(args: &[&str]) -> Lsp {
        Lsp::start_env(args, &[])
    }

    /// Starts the server with extra environment variables.
    pub fn start_env(args: &[&str], envs: &[(&str, &str)]) -> Lsp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("DOCKERFILE_LS_E2E_STDERR").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, incoming) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Lsp {
            stdin: child.stdin.take(),
            child,
            incoming,
            next_id: 0,
            notifications: VecDeque::new(),
            configuration: Value::Null,
            server_requests: Vec::new(),
            pushed: Vec::new(),
        }
    }

    /// Starts the server and runs initialize/initialized.
    pub fn initialized(capabilities: Value, options: Value) -> (Lsp, Value) {
        let mut lsp = Lsp::start();
        let response = lsp.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        let result = response["result"].clone();
        assert!(result.is_object(), "initialize failed: {response}");
        lsp.notify("initialized", json!({}));
        (lsp, result)
    }

    /// Runs initialize/initialized on a started server; the result.
    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.call(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// Sends a request without waiting for its response; its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The server's resident memory in KiB (Linux), from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("the server reads its stdin");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        self.send_raw(&bytes);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.receive();
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
            self.keep(message);
        }
    }

    /// The result of a request that must succeed.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    pub fn receive(&mut self) -> Value {
        match self.incoming.recv_timeout(TIMEOUT) {
            Ok(message) => self.record(message),
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    /// Answers server requests; keeps notifications for later.
    pub fn keep(&mut self, message: Value) {
        let Some(method) = message["method"].as_str().map(str::to_string) else {
            return; // a stray response
        };
        match message.get("id") {
            Some(id) => {
                let result = match method.as_str() {
                    "workspace/configuration" => {
                        let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![self.configuration.clone(); items])
                    }
                    _ => Value::Null,
                };
                self.server_requests.push(method);
                let id = id.clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            None => self.notifications.push_back(message),
        }
    }

    /// The first notification (already received or still to come) that
    /// matches; it is consumed.
    pub fn notification(&mut self, mut matches: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.notifications.iter().position(&mut matches) {
            return self.notifications.remove(i).expect("index in range");
        }
        loop {
            let message = self.receive();
            if message.get("id").is_none() && matches(&message) {
                return message;
            }
            self.keep(message);
        }
    }

    /// The diagnostics pushed for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self.notification(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && (version.is_none() || m["params"]["version"] == json!(version))
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn record(&mut self, message: Value) -> Value {
        if message["method"] == "textDocument/publishDiagnostics" {
            self.pushed.push(message["params"].clone());
        }
        message
    }

    /// Takes in what already arrived, without waiting.
    pub fn drain(&mut self) {
        while let Ok(message) = self.incoming.try_recv() {
            let message = self.record(message);
            self.keep(message);
        }
    }

    /// The diagnostics of the latest push for `uri`, once that push is for
    /// `version` (whether or not it was looked at before).
    pub fn latest_diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let latest = self.pushed.iter().rev().find(|p| p["uri"] == uri);
            if let Some(push) = latest.filter(|p| p["version"] == json!(version)) {
                return push["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            let message = self.receive();
            self.keep(message);
        }
    }

    /// Whether a publishDiagnostics for `uri` arrived (without waiting).
    pub fn pushed_for(&mut self, uri: &str) -> bool {
        self.drain();
        self.pushed.iter().any(|p| p["uri"] == uri)
    }

    pub fn log_messages(&mut self) -> Vec<String> {
        self.drain();
        self.notifications
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .filter_map(|m| m["params"]["message"].as_str().map(str::to_string))
            .collect()
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "dockerfile", "version": version, "text": text
            } }),
        );
    }

    pub fn shutdown(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.exit()
    }

    /// Sends `exit` and waits for the process to end (stdin stays open: a
    /// client need not close it).
    pub fn exit(mut self) -> ExitStatus {
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

// ---------------------------------------------------------------------------
// the editor side: documents and positions as the client computes them

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn units(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.encode_utf16().count(),
            Encoding::Utf32 => text.chars().count(),
        }
    }
}

/// An LSP position of a byte offset: lines end at LF, CRLF or CR.
pub fn position(text: &str, offset: usize, encoding: Encoding) -> Value {
    let before = &text[..offset];
    let mut line = 0;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let breaks = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if breaks {
            line += 1;
            line_start = i + 1;
        }
    }
    json!({ "line": line, "character": encoding.units(&before[line_start..]) })
}

pub fn range(text: &str, span: Range<usize>, encoding: Encoding) -> Value {
    json!({ "start": position(text, span.start, encoding), "end": position(text, span.end, encoding) })
}

pub struct Editor {
    pub uri: String,
    pub text: String,
    pub version: i64,
    pub encoding: Encoding,
}

impl Editor {
    pub fn open(lsp: &mut Lsp, uri: &str, text: &str, encoding: Encoding) -> Editor {
        lsp.open(uri, text, 1);
        Editor {
            uri: uri.to_string(),
            text: text.to_string(),
            version: 1,
            encoding,
        }
    }

    pub fn offset_of(&self, needle: &str) -> usize {
        self.text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {:?}", self.text))
    }

    pub fn span_of(&self, needle: &str) -> Range<usize> {
        let start = self.offset_of(needle);
        start..start + needle.len()
    }

    /// One content change, computed against the text as it is now (after
    /// the changes before it in the same notification), and applied here.
    pub fn change(&mut self, span: Range<usize>, new_text: &str) -> Value {
        let change =
            json!({ "range": range(&self.text, span.clone(), self.encoding), "text": new_text });
        self.text.replace_range(span, new_text);
        change
    }

    pub fn send(&mut self, lsp: &mut Lsp, changes: Vec<Value>) {
        self.version += 1;
        lsp.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": self.uri, "version": self.version },
                "contentChanges": changes,
            }),
        );
    }

    pub fn edit(&mut self, lsp: &mut Lsp, span: Range<usize>, new_text: &str) {
        let change = self.change(span, new_text);
        self.send(lsp, vec![change]);
    }

    /// The diagnostics pushed for the editor's current version.
    pub fn diagnostics(&self, lsp: &mut Lsp) -> Vec<Value> {
        lsp.latest_diagnostics(&self.uri, self.version)
    }

    pub fn range(&self, span: Range<usize>) -> Value {
        range(&self.text, span, self.encoding)
    }
}

pub fn capabilities(encodings: Option<&[&str]>) -> Value {
    let mut capabilities = json!({
        "textDocument": {
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "rename": { "prepareSupport": true },
        }
    });
    if let Some(encodings) = encodings {
        capabilities["general"] = json!({ "positionEncodings": encodings });
    }
    capabilities
}

/// A JSON value with one URI replaced, to compare two documents' answers.
pub fn normalized(value: &Value, uri: &str) -> String {
    value.to_string().replace(uri, "<uri>")
}

pub fn symbols(lsp: &mut Lsp, uri: &str) -> Value {
    lsp.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    )
}

/// The editor's text opened afresh must give the same diagnostics and
/// outline as the edited document.
pub fn assert_matches_fresh_open(lsp: &mut Lsp, editor: &Editor, fresh_uri: &str) {
    let edited = editor.diagnostics(lsp);
    lsp.open(fresh_uri, &editor.text, 1);
    let fresh = lsp.diagnostics(fresh_uri, Some(1));
    assert_eq!(
        normalized(&json!(edited), &editor.uri),
        normalized(&json!(fresh), fresh_uri),
        "diagnostics after edits differ from a fresh open of {:?}",
        editor.text
    );
    let edited_symbols = symbols(lsp, &editor.uri);
    let fresh_symbols = symbols(lsp, fresh_uri);
    assert_eq!(
        normalized(&edited_symbols, &editor.uri),
        normalized(&fresh_symbols, fresh_uri),
        "outline after edits differs from a fresh open of {:?}",
        editor.text
    );
}

pub fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

/// What a client can see of a document's text, all of it position-exact:
/// pulled diagnostics, outline, semantic tokens, folding ranges, links.
/// Equal fingerprints of an edited document and a fresh open of the
/// client's text mean the server's text is the client's.
pub fn fingerprint(lsp: &mut Lsp, uri: &str) -> Vec<String> {
    let doc = json!({ "textDocument": { "uri": uri } });
    [
        "textDocument/diagnostic",
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/foldingRange",
        "textDocument/documentLink",
    ]
    .iter()
    .map(|method| {
        let mut result = lsp.call(method, doc.clone());
        if let Some(object) = result.as_object_mut() {
            object.remove("resultId");
        }
        format!("{method}: {}", normalized(&result, uri))
    })
    .collect()
}

/// The server's copy of `editor`'s document equals the editor's text:
/// its fingerprint is that of a fresh open of the text (then closed).
pub fn assert_same_text(lsp: &mut Lsp, editor: &Editor, fresh_uri: &str) {
    let edited = fingerprint(lsp, &editor.uri);
    lsp.open(fresh_uri, &editor.text, 1);
    let fresh = fingerprint(lsp, fresh_uri);
    lsp.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": fresh_uri } }),
    );
    for (edited, fresh) in edited.iter().zip(&fresh) {
        assert!(
            edited == fresh.replace(fresh_uri, &editor.uri).as_str() || edited == fresh,
            "the server's text of {} differs from the client's {:?}:\n edited: {}\n fresh:  {}",
            editor.uri,
            shorten(&editor.text),
            shorten(edited),
            shorten(fresh),
        );
    }
}

fn shorten(text: &str) -> String {
    if text.len() <= 600 {
        return text.to_string();
    }
    let mut end = 600;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}
