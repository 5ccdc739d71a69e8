//! A minimal LSP client over a child's stdio, with timestamps on arrival.
//!
//! A writer thread owns the child's stdin (a large didOpen never blocks the
//! client), a reader thread frames messages, stamps them with the time they
//! arrived and answers the server's own requests (`workspace/configuration`,
//! `client/registerCapability`, …) at once. Every wait has a deadline, and a
//! session that missed one is killed, so nothing hangs.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub enum Failure {
    Timeout(Duration),
    Exited(String),
    Error(String),
    /// the server could not be (re)started or did not open the document
    NotAvailable(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout(d) => write!(f, "> {} s", d.as_secs()),
            Failure::Exited(why) => write!(f, "server exited ({why})"),
            Failure::Error(why) => write!(f, "error: {why}"),
            Failure::NotAvailable(why) => write!(f, "n/a: {why}"),
        }
    }
}

pub struct Push {
    pub at: Instant,
    pub uri: String,
    pub version: Option<i64>,
    pub count: usize,
}

enum Incoming {
    Message(Instant, Value),
    Closed,
}

pub struct Session {
    child: Child,
    pub pid: u32,
    writer: Sender<Vec<u8>>,
    incoming: Receiver<Incoming>,
    next_id: i64,
    responses: HashMap<i64, (Instant, Value)>,
    pub pushes: Vec<Push>,
    pub closed: bool,
    pub capabilities: Value,
    pub server_info: Value,
}

pub fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("JSON");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

impl Session {
    /// Spawns `command` (program + arguments); returns the session and the
    /// instant just before the spawn.
    pub fn spawn(command: &[String]) -> Result<(Session, Instant), Failure> {
        let started = Instant::now();
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Failure::Error(format!("cannot start {:?}: {e}", command[0])))?;
        let pid = child.id();
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (writer, to_write) = mpsc::channel::<Vec<u8>>();
        thread::spawn(move || {
            for bytes in to_write {
                if stdin
                    .write_all(&bytes)
                    .and_then(|()| stdin.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        let (sender, incoming) = mpsc::channel();
        let answer = writer.clone();
        thread::spawn(move || read_loop(stdout, sender, answer));
        let session = Session {
            child,
            pid,
            writer,
            incoming,
            next_id: 0,
            responses: HashMap::new(),
            pushes: Vec::new(),
            closed: false,
            capabilities: Value::Null,
            server_info: Value::Null,
        };
        Ok((session, started))
    }

    /// Spawn + initialize; returns the session and spawn → initialize result.
    pub fn start(command: &[String], timeout: Duration) -> Result<(Session, Duration), Failure> {
        let (mut session, started) = Session::spawn(command)?;
        let id = session.request("initialize", initialize_params());
        let (at, result) = match session.response(id, timeout) {
            Ok(ok) => ok,
            Err(e) => {
                session.kill();
                return Err(e);
            }
        };
        let startup = at - started;
        session.capabilities = result["capabilities"].clone();
        session.server_info = result["serverInfo"].clone();
        session.notify("initialized", json!({}));
        Ok((session, startup))
    }

    pub fn send(&self, message: &Value) {
        let _ = self.writer.send(frame(message));
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Takes one message, waiting until `deadline`; false on timeout.
    fn pump(&mut self, deadline: Instant) -> Result<bool, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(Incoming::Message(at, message)) => {
                self.take(at, message);
                Ok(true)
            }
            Ok(Incoming::Closed) | Err(RecvTimeoutError::Disconnected) => {
                self.closed = true;
                Err(Failure::Exited(self.exit_status()))
            }
            Err(RecvTimeoutError::Timeout) => Ok(false),
        }
    }

    fn exit_status(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => status.to_string(),
            _ => "stdout closed".into(),
        }
    }

    fn take(&mut self, at: Instant, message: Value) {
        if message.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
        {
            let params = &message["params"];
            self.pushes.push(Push {
                at,
                uri: params["uri"].as_str().unwrap_or_default().to_string(),
                version: params["version"].as_i64(),
                count: params["diagnostics"].as_array().map_or(0, Vec::len),
            });
        } else if message.get("method").is_none() {
            if let Some(id) = message.get("id").and_then(Value::as_i64) {
                self.responses.insert(id, (at, message));
            }
        }
    }

    /// Takes everything that already arrived.
    pub fn drain(&mut self) {
        while let Ok(Incoming::Message(at, message)) = self.incoming.try_recv() {
            self.take(at, message);
        }
    }

    /// The response message to request `id` (result or error) and its arrival.
    pub fn raw_response(
        &mut self,
        id: i64,
        timeout: Duration,
    ) -> Result<(Instant, Value), Failure> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(answer) = self.responses.remove(&id) {
                return Ok(answer);
            }
            if !self.pump(deadline)? && Instant::now() >= deadline {
                return Err(Failure::Timeout(timeout));
            }
        }
    }

    /// The response to request `id`: its arrival and its `result` (an error
    /// response is a `Failure::Error`).
    pub fn response(&mut self, id: i64, timeout: Duration) -> Result<(Instant, Value), Failure> {
        let (at, message) = self.raw_response(id, timeout)?;
        match message.get("error") {
            Some(error) => Err(Failure::Error(
                error["message"].as_str().unwrap_or("?").to_string(),
            )),
            None => Ok((at, message["result"].clone())),
        }
    }

    /// The first push for `uri` after `after` that is for `version` or later
    /// (when the server versions its pushes).
    pub fn push_for(
        &mut self,
        uri: &str,
        after: Instant,
        version: Option<i64>,
        timeout: Duration,
    ) -> Result<(Instant, usize, Option<i64>), Failure> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.pushes.iter().find(|p| {
                p.uri == uri
                    && p.at >= after
                    && match (version, p.version) {
                        (Some(want), Some(got)) => got >= want,
                        _ => true,
                    }
            });
            if let Some(p) = found {
                return Ok((p.at, p.count, p.version));
            }
            if !self.pump(deadline)? && Instant::now() >= deadline {
                return Err(Failure::Timeout(timeout));
            }
        }
    }

    /// Peak resident set (VmHWM) of the server and its descendants, in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let mut total = 0;
        let mut any = false;
        for pid in descendants(self.pid) {
            if let Some(kib) = vm_hwm_kib(pid) {
                total += kib;
                any = true;
            }
        }
        any.then_some(total)
    }

    /// shutdown + exit, then a kill if it is still there after 3 s.
    pub fn stop(mut self) {
        if !self.closed {
            let id = self.request("shutdown", Value::Null);
            let _ = self.response(id, Duration::from_secs(5));
            self.notify("exit", Value::Null);
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.closed = true;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_loop(stdout: impl Read, sender: Sender<Incoming>, answer: Sender<Vec<u8>>) {
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    loop {
        let mut length: Option<usize> = None;
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = sender.send(Incoming::Closed);
                    return;
                }
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(length) = length else { continue };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            let _ = sender.send(Incoming::Closed);
            return;
        }
        let at = Instant::now();
        let Ok(message) = serde_json::from_slice::<Value>(&body) else {
            continue;
        };
        if let (Some(id), Some(method)) = (
            message.get("id"),
            message.get("method").and_then(Value::as_str),
        ) {
            // the server asks us something: answer at once
            let result = match method {
                "workspace/configuration" => {
                    let n = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; n])
                }
                _ => Value::Null,
            };
            let _ = answer.send(frame(
                &json!({"jsonrpc": "2.0", "id": id, "result": result}),
            ));
            continue;
        }
        if sender.send(Incoming::Message(at, message)).is_err() {
            return;
        }
    }
}

/// What a plain editor client says it can do: push diagnostics (no pull
/// capability, so both servers push), UTF-16 positions, markdown hovers,
/// semantic tokens (full), a nested outline, no workspace/configuration.
pub fn initialize_params() -> Value {
    json!({
        "processId": std::process::id(),
        "clientInfo": {"name": "dockerfile-ls lsp_stdio bench"},
        "rootUri": null,
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {
                "synchronization": {"didSave": false, "dynamicRegistration": false},
                "publishDiagnostics": {"versionSupport": true, "relatedInformation": true},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "definition": {"linkSupport": false},
                "completion": {"completionItem": {"snippetSupport": false, "documentationFormat": ["markdown", "plaintext"]}},
                "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
                "semanticTokens": {
                    "requests": {"full": {"delta": false}, "range": false},
                    "tokenTypes": ["namespace", "type", "class", "parameter", "variable", "property", "function", "keyword", "comment", "string", "number", "operator", "macro"],
                    "tokenModifiers": ["declaration", "definition", "deprecated", "readonly"],
                    "formats": ["relative"],
                    "multilineTokenSupport": false,
                    "overlappingTokenSupport": false
                }
            },
            "workspace": {"configuration": false, "workspaceFolders": false}
        },
        "workspaceFolders": null
    })
}

/// `pid` and every process below it, from /proc/*/stat.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // the command name is in parentheses and may hold spaces
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parents.push((p, ppid));
            }
        }
    }
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        all.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    all
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
