//! The scenarios of one server on one document size, in one session (a new
//! session only after a timeout, with the document reopened as it was).

use super::client::{Failure, Session};
use super::{ms, Options, Outcome};
use serde_json::{json, Value};
use std::time::Instant;

/// The line the typing scenario types, key by key, after an Enter.
const TYPED: &str = "RUN apt-get install -y --no-install-recommends curl";

struct Run<'a> {
    command: &'a [String],
    options: &'a Options,
    /// our copy of the document, one string a line (ASCII: UTF-16 columns
    /// are byte columns)
    lines: Vec<String>,
    uri: String,
    version: i64,
    session: Option<Session>,
    /// whether the server puts the document version on its pushes
    versioned: Option<bool>,
    /// 0 none, 1 full, 2 incremental (the advertised TextDocumentSyncKind)
    sync: u64,
    capabilities: Value,
    /// why the server cannot be used any more
    broken: Option<String>,
    peak_rss_kib: u64,
    first_open_ms: Option<f64>,
}

pub fn run(
    command: &[String],
    lines: usize,
    text: &str,
    options: &Options,
) -> Vec<(&'static str, Outcome)> {
    let mut run = Run {
        command,
        options,
        lines: text.split('\n').map(str::to_string).collect(),
        uri: format!("file:///tmp/dockerfile-ls-bench/{lines}/Dockerfile"),
        version: 1,
        session: None,
        versioned: None,
        sync: 0,
        capabilities: Value::Null,
        broken: None,
        peak_rss_kib: 0,
        first_open_ms: None,
    };
    let want = |s: &str| options.scenarios.iter().any(|x| x == s);
    let mut out = Vec::new();
    if let Err(e) = run.session() {
        run.broken = Some(e.to_string());
    }
    if want("open") {
        let mut o = run.open();
        if let Some(first) = run.first_open_ms {
            o.note = Some(format!(
                "first open in the process (not in the samples): {} ms",
                super::fmt(first)
            ));
        }
        out.push(("open", o));
    }
    if want("edit") {
        out.push(("edit", run.edit()));
    }
    if want("typing") {
        out.push(("typing", run.typing()));
    }
    if want("hover") {
        out.push((
            "hover",
            run.navigation("hover", "textDocument/hover", "hoverProvider"),
        ));
    }
    if want("definition") {
        out.push((
            "definition",
            run.navigation(
                "definition",
                "textDocument/definition",
                "definitionProvider",
            ),
        ));
    }
    if want("completion") {
        out.push(("completion", run.completion()));
    }
    if want("semantic_tokens") {
        out.push(("semantic_tokens", run.semantic_tokens()));
    }
    if want("symbols") {
        out.push(("symbols", run.symbols()));
    }
    run.retire();
    let rss = Outcome {
        samples: if run.peak_rss_kib > 0 {
            vec![run.peak_rss_kib as f64 / 1024.0]
        } else {
            vec![]
        },
        failure: (run.peak_rss_kib == 0).then(|| "n/a".to_string()),
        note: None,
    };
    out.push(("peak_rss", rss));
    out
}

impl Run<'_> {
    /// The live session, started (and the document opened) when needed.
    fn session(&mut self) -> Result<&mut Session, Failure> {
        if let Some(why) = &self.broken {
            return Err(Failure::NotAvailable(why.clone()));
        }
        if self.session.is_none() {
            let timeout = self.options.timeout;
            let (mut session, _) = Session::start(self.command, timeout)?;
            self.capabilities = session.capabilities.clone();
            self.sync = match &self.capabilities["textDocumentSync"] {
                Value::Number(n) => n.as_u64().unwrap_or(0),
                Value::Object(o) => o.get("change").and_then(Value::as_u64).unwrap_or(0),
                _ => 0,
            };
            let sent = Instant::now();
            session.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": self.uri, "languageId": "dockerfile",
                       "version": self.version, "text": self.lines.join("\n")}}),
            );
            match session.push_for(&self.uri, sent, None, timeout) {
                Ok((at, _, version)) => {
                    self.versioned.get_or_insert(version.is_some());
                    self.first_open_ms.get_or_insert(ms(at - sent));
                }
                Err(e) => {
                    self.peak_rss_kib = self.peak_rss_kib.max(session.peak_rss_kib().unwrap_or(0));
                    session.kill();
                    self.broken = Some(format!("opening the document: {e}"));
                    return Err(e);
                }
            }
            self.session = Some(session);
        }
        Ok(self.session.as_mut().expect("session"))
    }

    /// Ends the session (after a timeout, or at the end), keeping its peak RSS.
    fn retire(&mut self) {
        if let Some(mut session) = self.session.take() {
            self.peak_rss_kib = self.peak_rss_kib.max(session.peak_rss_kib().unwrap_or(0));
            if session.closed {
                session.kill();
            } else {
                session.stop();
            }
        }
    }

    /// Up to `iterations` samples within the budget; a timeout or exit ends
    /// the scenario and the session.
    fn iterate(
        &mut self,
        mut one: impl FnMut(&mut Self, usize) -> Result<f64, Failure>,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        // a restart (after a timeout) is not charged to this scenario's budget
        let _ = self.session();
        let started = Instant::now();
        for i in 0..self.options.iterations {
            if i > 0 && started.elapsed() > self.options.budget {
                break;
            }
            match one(self, i) {
                Ok(sample) => outcome.samples.push(sample),
                Err(e) => {
                    if matches!(e, Failure::Timeout(_) | Failure::Exited(_)) {
                        if let Some(s) = self.session.as_mut() {
                            self.peak_rss_kib =
                                self.peak_rss_kib.max(s.peak_rss_kib().unwrap_or(0));
                            s.kill();
                        }
                        self.session = None;
                    }
                    outcome.failure = Some(e.to_string());
                    break;
                }
            }
        }
        outcome
    }

    fn quiet(&mut self) -> Result<&mut Session, Failure> {
        let session = self.session()?;
        session.drain();
        session.pushes.clear();
        Ok(session)
    }

    /// didOpen of a fresh URI → its first publishDiagnostics; then didClose.
    /// The document the other scenarios use is closed meanwhile, so the
    /// server holds one document at a time, as an editor with this one file
    /// open (and as lspbench.py, whose scenarios each have a server of
    /// their own): peak RSS is what one document of the size costs.
    fn open(&mut self) -> Outcome {
        let text = self.lines.join("\n");
        let timeout = self.options.timeout;
        let lines = self.lines.len();
        let uri = self.uri.clone();
        if let Ok(session) = self.quiet() {
            session.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            );
        }
        let outcome = self.iterate(|run, i| {
            let uri = format!("file:///tmp/dockerfile-ls-bench/{lines}/open-{i}/Dockerfile");
            let session = run.quiet()?;
            let sent = Instant::now();
            session.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
            );
            let (at, _, _) = session.push_for(&uri, sent, None, timeout)?;
            session.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
            Ok(ms(at - sent))
        });
        let version = self.version;
        let Some(session) = self.session.as_mut() else {
            // (a session started after a timeout has the document open)
            return outcome;
        };
        session.drain();
        session.pushes.clear();
        let reopened = {
            let sent = Instant::now();
            session.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}}),
            );
            session.push_for(&uri, sent, None, timeout)
        };
        if reopened.is_err() {
            // the next scenario starts a session with the document open
            self.retire();
        }
        outcome
    }

    /// Sends one insertion as a didChange (incremental, or the whole text
    /// for full-sync servers); returns the send time and the new version.
    fn insert(&mut self, line: usize, col: usize, text: &str) -> Result<(Instant, i64), Failure> {
        let current = &self.lines[line];
        let replaced = format!("{}{}{}", &current[..col], text, &current[col..]);
        let new_lines: Vec<String> = replaced.split('\n').map(str::to_string).collect();
        self.lines.splice(line..=line, new_lines);
        self.version += 1;
        let version = self.version;
        let change = if self.sync == 2 {
            json!({"range": {"start": {"line": line, "character": col},
                             "end": {"line": line, "character": col}},
                   "text": text})
        } else {
            json!({"text": self.lines.join("\n")})
        };
        let uri = self.uri.clone();
        let session = self.session()?;
        let sent = Instant::now();
        session.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        Ok((sent, version))
    }

    /// When the diagnostics of `version` arrived: the push carrying that
    /// version; for servers that put no version on pushes (the peer), the
    /// last push sent before the server answered a request queued after the
    /// change (a barrier: such servers handle messages in order).
    fn diagnostics(&mut self, sent: Instant, version: i64) -> Result<Instant, Failure> {
        let timeout = self.options.timeout;
        let uri = self.uri.clone();
        let versioned = self.versioned.unwrap_or(true);
        let session = self.session()?;
        if versioned {
            return session
                .push_for(&uri, sent, Some(version), timeout)
                .map(|p| p.0);
        }
        let id = session.request("$/dockerfileLsBench/barrier", json!({}));
        let (barrier, _) = session.raw_response(id, timeout)?;
        if let Some(p) = session
            .pushes
            .iter()
            .rev()
            .find(|p| p.uri == uri && p.at >= sent && p.at <= barrier)
        {
            return Ok(p.at);
        }
        session.push_for(&uri, sent, None, timeout).map(|p| p.0)
    }

    fn no_sync(&self) -> Option<Outcome> {
        if self.broken.is_none() && self.sync == 0 {
            return Some(Outcome {
                failure: Some("n/a: no incremental or full sync advertised".into()),
                ..Outcome::default()
            });
        }
        None
    }

    /// Lines to edit: one-line RUN instructions (no heredoc, no
    /// continuation), spread over the file.
    fn edit_site(&self, i: usize) -> (usize, usize) {
        let sites: Vec<usize> = (0..self.lines.len())
            .filter(|&n| {
                let l = &self.lines[n];
                l.starts_with("RUN ") && !l.contains("<<") && !l.ends_with('\\')
            })
            .collect();
        spread(&sites, i, self.options.iterations)
            .map(|n| (n, self.lines[n].len()))
            .unwrap_or((0, self.lines[0].len()))
    }

    /// A line after which a new instruction may start (WORKDIR lines are
    /// always one line), spread over the file.
    fn line_site(&self, i: usize, of: usize) -> usize {
        let sites: Vec<usize> = (0..self.lines.len())
            .filter(|&n| self.lines[n].starts_with("WORKDIR "))
            .collect();
        spread(&sites, i, of).unwrap_or(self.lines.len().saturating_sub(2))
    }

    /// One character appended to a RUN line's arguments → its diagnostics.
    fn edit(&mut self) -> Outcome {
        if let Some(o) = self.no_sync() {
            return o;
        }
        let mut outcome = self.iterate(|run, i| {
            run.quiet()?;
            let (line, col) = run.edit_site(i);
            let (sent, version) = run.insert(line, col, "x")?;
            let at = run.diagnostics(sent, version)?;
            Ok(ms(at - sent))
        });
        if self.versioned == Some(false) {
            outcome.note = Some(
                "pushes carry no version: timed to the last push before the answer to a request sent after the change"
                    .into(),
            );
        }
        if self.sync == 1 {
            outcome.note = Some("full sync: every didChange carries the whole text".into());
        }
        outcome
    }

    /// Enter at the end of a line, then `TYPED` one key a didChange, sent
    /// back to back → the diagnostics of the last version.
    fn typing(&mut self) -> Outcome {
        if let Some(o) = self.no_sync() {
            return o;
        }
        let mut outcome = self.iterate(|run, i| {
            run.quiet()?;
            let line = run.line_site(i, run.options.iterations);
            let col = run.lines[line].len();
            let (first, _) = run.insert(line, col, "\n")?;
            let mut version = 0;
            for (j, c) in TYPED.char_indices() {
                version = run.insert(line + 1, j, &c.to_string())?.1;
            }
            let at = run.diagnostics(first, version)?;
            Ok(ms(at - first))
        });
        outcome.note = Some(format!("{} didChange per sample", TYPED.len() + 1));
        outcome
    }

    /// Hover or definition on the stage name of a `COPY --from=<stage>`
    /// near the middle of the file.
    fn navigation(&mut self, what: &str, method: &str, capability: &str) -> Outcome {
        if let Some(o) = self.not_advertised(capability) {
            return o;
        }
        let Some((line, col)) = self.stage_reference() else {
            return Outcome {
                failure: Some("n/a: no COPY --from in the file".into()),
                ..Outcome::default()
            };
        };
        let uri = self.uri.clone();
        let mut empty = 0;
        let mut outcome = self.iterate(|run, _| {
            let params =
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}});
            let (t, result) = run.timed_request(method, params)?;
            if result.is_null() || result.as_array().is_some_and(Vec::is_empty) {
                empty += 1;
            }
            Ok(t)
        });
        if empty > 0 {
            outcome.note = Some(format!("{what}: {empty} empty results"));
        }
        outcome
    }

    /// Completion right after a freshly typed `COPY --` line (typed once,
    /// untimed).
    fn completion(&mut self) -> Outcome {
        if let Some(o) = self.not_advertised("completionProvider") {
            return o;
        }
        if let Some(o) = self.no_sync() {
            return o;
        }
        let line = self.line_site(0, 1);
        let col = self.lines[line].len();
        let setup = (|| {
            self.quiet()?;
            let (sent, version) = self.insert(line, col, "\nCOPY --")?;
            self.diagnostics(sent, version)
        })();
        if let Err(e) = setup {
            return Outcome {
                failure: Some(format!("setup: {e}")),
                ..Outcome::default()
            };
        }
        let uri = self.uri.clone();
        let mut items = None;
        let mut outcome = self.iterate(|run, _| {
            let params = json!({"textDocument": {"uri": uri}, "position": {"line": line + 1, "character": 7},
                                "context": {"triggerKind": 2, "triggerCharacter": "-"}});
            let (t, result) = run.timed_request("textDocument/completion", params)?;
            let list = result.get("items").unwrap_or(&result);
            items.get_or_insert(list.as_array().map_or(0, Vec::len));
            Ok(t)
        });
        outcome.note = items.map(|n| format!("{n} items"));
        outcome
    }

    /// semanticTokens/full after a one-character edit whose diagnostics
    /// arrived (so no server can answer from a cache of the same text).
    fn semantic_tokens(&mut self) -> Outcome {
        if let Some(o) = self.not_advertised("semanticTokensProvider") {
            return o;
        }
        let uri = self.uri.clone();
        let mut tokens = None;
        let mut outcome = self.iterate(|run, i| {
            if run.sync != 0 {
                run.quiet()?;
                let (line, col) = run.edit_site(run.options.iterations - 1 - i);
                let (sent, version) = run.insert(line, col, "y")?;
                run.diagnostics(sent, version)?;
            }
            let (t, result) = run.timed_request(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            )?;
            tokens.get_or_insert(result["data"].as_array().map_or(0, |d| d.len() / 5));
            Ok(t)
        });
        outcome.note = tokens.map(|n| format!("{n} tokens"));
        outcome
    }

    /// The document's outline (`textDocument/documentSymbol`).
    fn symbols(&mut self) -> Outcome {
        if let Some(o) = self.not_advertised("documentSymbolProvider") {
            return o;
        }
        let uri = self.uri.clone();
        let mut count = None;
        let mut outcome = self.iterate(|run, _| {
            let (t, result) = run.timed_request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            )?;
            count.get_or_insert(result.as_array().map_or(0, Vec::len));
            Ok(t)
        });
        outcome.note = count.map(|n| format!("{n} top-level symbols"));
        outcome
    }

    fn not_advertised(&self, capability: &str) -> Option<Outcome> {
        if self.broken.is_some() {
            return None; // iterate reports why
        }
        match &self.capabilities[capability] {
            Value::Null | Value::Bool(false) => Some(Outcome {
                failure: Some(format!("n/a: no {capability}")),
                ..Outcome::default()
            }),
            _ => None,
        }
    }

    fn timed_request(&mut self, method: &str, params: Value) -> Result<(f64, Value), Failure> {
        let timeout = self.options.timeout;
        let session = self.quiet()?;
        let sent = Instant::now();
        let id = session.request(method, params);
        let (at, result) = session.response(id, timeout)?;
        Ok((ms(at - sent), result))
    }

    /// The middle of a stage name after `COPY --from=`, from the middle of
    /// the file on (names only: not indexes, not the deliberate typos).
    fn stage_reference(&self) -> Option<(usize, usize)> {
        let mid = self.lines.len() / 2;
        let found = |n: usize| -> Option<(usize, usize)> {
            let name = self.lines[n]
                .strip_prefix("COPY --from=")?
                .split(' ')
                .next()?;
            if name.starts_with("missing-") || name.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            Some((n, "COPY --from=".len() + name.len() / 2))
        };
        (mid..self.lines.len()).chain(0..mid).find_map(found)
    }
}

/// The `i`-th of `of` sites spread evenly over `sites`.
fn spread(sites: &[usize], i: usize, of: usize) -> Option<usize> {
    if sites.is_empty() {
        return None;
    }
    let of = of.max(1);
    let index = ((2 * (i % of) + 1) * sites.len()) / (2 * of);
    Some(sites[index.min(sites.len() - 1)])
}
