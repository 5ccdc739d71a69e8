//! The Helix snippet (`editors/helix/languages.toml`): it is valid TOML, it
//! starts this crate's binary, configures the `dockerfile` language with it,
//! and the settings it shows reach the server the way Helix sends them.
//!
//! No TOML crate: a small strict reader of the TOML this file needs (tables,
//! arrays of tables, dotted keys, strings, integers, booleans, arrays, inline
//! tables) turns it into JSON, which is also what Helix hands the server. It
//! rejects anything else, so a construct it does not know fails the test
//! rather than passing unchecked. The Neovim config has its own headless test
//! (`editors/neovim/test.sh`); `queries.rs` checks the tree-sitter queries.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use support::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate is in the workspace")
        .to_path_buf()
}

fn helix_toml() -> (String, Value) {
    let path = repo().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value = toml_to_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (text, value)
}

/// The uncommented text of the example lines `# <prefix>…` (any indent).
fn examples(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix('#'))
        .map(str::trim_start)
        .filter(|line| line.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn example(text: &str, prefix: &str) -> String {
    let found = examples(text, prefix);
    assert_eq!(
        found.len(),
        1,
        "one commented example `{prefix}…`: {found:?}"
    );
    found.into_iter().next().unwrap_or_default()
}

fn parse(what: &str, toml: &str) -> Value {
    toml_to_json(toml).unwrap_or_else(|e| panic!("{what} is not valid TOML: {e}\n{toml}"))
}

const SERVER: &str = "dockerfile-ls";

#[test]
fn helix_language_server_starts_our_binary() {
    let (_, toml) = helix_toml();
    let server = &toml["language-server"][SERVER];
    assert!(server.is_object(), "no [language-server.{SERVER}]: {toml}");
    let binary = Path::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("binary name");
    assert_eq!(server["command"], binary, "command names the binary");
    assert_eq!(server["args"], json!(["--stdio"]));
    let config = server["config"].as_object().expect("config is a table");
    // Helix sends `config` as initializationOptions and answers
    // workspace/configuration for section "dockerfile-ls" with config["dockerfile-ls"]
    assert_eq!(
        config.keys().collect::<Vec<_>>(),
        [SERVER],
        "config wraps the settings in \"{SERVER}\""
    );
    assert!(config[SERVER].is_object());
}

#[test]
fn helix_dockerfile_language_lists_the_server() {
    let (text, toml) = helix_toml();
    let languages = toml["language"].as_array().expect("[[language]] entries");
    let dockerfile: Vec<_> = languages
        .iter()
        .filter(|l| l["name"] == "dockerfile")
        .collect();
    assert_eq!(dockerfile.len(), 1, "one [[language]] named dockerfile");
    assert_eq!(dockerfile[0]["language-servers"], json!([SERVER]));

    // the commented alternative that keeps docker-langserver for the rest
    let both = parse(
        "the keep-both example",
        &example(&text, "language-servers = "),
    );
    let both = both["language-servers"].as_array().expect("a list");
    assert_eq!(both[0], SERVER, "ours first: Helix asks the first server");
    assert_eq!(both[1]["name"], "docker-langserver");
    assert!(both[1]["only-features"].is_array());
}

#[test]
fn helix_grammar_example_points_at_our_grammar() {
    let (text, toml) = helix_toml();
    assert!(
        toml.get("grammar").is_none(),
        "the [[grammar]] override stays commented out: it needs our queries too"
    );
    let local = [
        example(&text, "[[grammar]]"),
        example(&text, "name = \"dockerfile\""),
        example(&text, "source = { path"),
    ]
    .join("\n");
    let grammar = parse("the [[grammar]] example", &local);
    let grammar = &grammar["grammar"][0];
    assert_eq!(grammar["name"], "dockerfile");
    let path = grammar["source"]["path"].as_str().expect("source.path");
    assert!(path.ends_with("/grammar"), "{path}");
    let git = parse("the git source", &example(&text, "source = { git"));
    assert_eq!(git["source"]["subpath"], "grammar");
    assert!(git["source"]["rev"].is_string());
    // what Helix compiles: src/parser.c and src/scanner.c under that folder
    for file in ["src/parser.c", "src/scanner.c"] {
        assert!(
            repo().join("grammar").join(file).is_file(),
            "grammar/{file}"
        );
    }
}

const DOCKERFILE: &str = "\
FROM golang:1.22 AS builder
FROM alpine AS release
COPY --from=buidler /src/app /app
COPY --from=assets /logo.png /logo.png
";

/// Runs the server as Helix does: positions offered UTF-8 first,
/// `config` as initializationOptions and, for workspace/configuration,
/// the config's "dockerfile-ls" table. Returns the negotiated encoding, the
/// pushed diagnostics and the server's log messages.
fn run_like_helix(config: &Value) -> (Value, Vec<Value>, Vec<String>) {
    let mut capabilities = capabilities(Some(&["utf-8", "utf-32", "utf-16"]));
    capabilities["workspace"] = json!({ "configuration": true });
    let mut lsp = Lsp::start_with(&["--stdio"]);
    lsp.configuration = config[SERVER].clone();
    let response = lsp.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "initializationOptions": config }),
    );
    let encoding = response["result"]["capabilities"]["positionEncoding"].clone();
    lsp.notify("initialized", json!({}));
    let uri = "file:///project/Dockerfile";
    lsp.open(uri, DOCKERFILE, 1);
    let diagnostics = lsp.diagnostics(uri, Some(1));
    // a request after the configuration round trip, so its log lines are in
    lsp.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let log = lsp.log_messages();
    assert!(lsp.shutdown().success());
    (encoding, diagnostics, log)
}

#[test]
fn helix_settings_reach_the_server() {
    let (text, toml) = helix_toml();
    let config = &toml["language-server"][SERVER]["config"];

    // the snippet as shipped: defaults
    let (encoding, diagnostics, log) = run_like_helix(config);
    assert_eq!(
        encoding, "utf-8",
        "Helix offers UTF-8 first; the server takes it"
    );
    assert!(log.is_empty(), "settings problems: {log:?}");
    let typo = with_code(&diagnostics, "unknown-stage");
    assert_eq!(typo.len(), 1, "{diagnostics:?}");
    assert_eq!(typo[0]["severity"], 2, "a warning by default");
    assert_eq!(
        with_code(&diagnostics, "unused-stage").len(),
        1,
        "{diagnostics:?}"
    );
    assert!(
        diagnostics.iter().any(|d| d["message"]
            .as_str()
            .is_some_and(|m| m.contains("'assets'"))),
        "--from=assets is flagged without buildContexts: {diagnostics:?}"
    );

    // the settings the comments show, filled in
    let mut settings = Map::new();
    for key in ["diagnostics = ", "buildContexts = ", "target = "] {
        let line = example(&text, key);
        let parsed = parse("a settings example", &line);
        settings.extend(parsed.as_object().cloned().unwrap_or_default());
    }
    let filled = json!({ SERVER: settings });
    let (_, diagnostics, log) = run_like_helix(&filled);
    assert!(log.is_empty(), "settings problems with {filled}: {log:?}");
    let typo = with_code(&diagnostics, "unknown-stage");
    assert_eq!(typo.len(), 1, "{diagnostics:?}");
    assert_eq!(typo[0]["severity"], 1, "severity unknown-stage = error");
    assert!(
        with_code(&diagnostics, "unused-stage").is_empty(),
        "disabled: {diagnostics:?}"
    );
    assert!(
        !diagnostics.iter().any(|d| d["message"]
            .as_str()
            .is_some_and(|m| m.contains("'assets'"))),
        "assets is a build context: {diagnostics:?}"
    );
}

#[test]
fn toml_reader_rejects_what_it_does_not_know() {
    for bad in [
        "a = 1\na = 2",
        "[t]\n[t]",
        "a = ",
        "a = [1, 2",
        "a = { b = 1, }",
        "a = 1.5",
        "a = \"x\" b",
        "a.b = 1\na = 2",
        "a = \"\"\"x\"\"\"",
        "a = 1979-05-27",
    ] {
        assert!(toml_to_json(bad).is_err(), "accepted: {bad:?}");
    }
    let ok = toml_to_json(
        "# c\n[x.\"y z\"] # c\nk-1 = 'lit'\nn = -1_000\nb = true\n\
         arr = [\n  \"a\", # c\n  { n = 'b' },\n]\n[[t]]\nv = 1\n[[t]]\nv = 2\n[t.sub]\nw = \"\\u00e9\\n\"\n",
    )
    .expect("valid");
    assert_eq!(
        ok,
        json!({
            "x": { "y z": { "k-1": "lit", "n": -1000, "b": true, "arr": ["a", { "n": "b" }] } },
            "t": [ { "v": 1 }, { "v": 2, "sub": { "w": "é\n" } } ]
        })
    );
}

// ---------------------------------------------------------------------------
// a strict reader for the TOML subset above

fn toml_to_json(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let mut root = Value::Object(Map::new());
    // the table the key/value lines go to, and the tables defined by a header
    let mut current: Vec<String> = Vec::new();
    let mut headers: Vec<Vec<String>> = Vec::new();
    loop {
        reader.blank_lines();
        match reader.peek() {
            None => return Ok(root),
            Some(b'[') => {
                let array = reader.eat("[[");
                if !array {
                    reader.i += 1;
                }
                reader.spaces();
                let path = reader.key()?;
                reader.spaces();
                if !reader.eat(if array { "]]" } else { "]" }) {
                    return Err(reader.error("expected ] after the table name"));
                }
                reader.end_of_line()?;
                if array {
                    let (parent, last) = path.split_at(path.len() - 1);
                    let table = descend(&mut root, parent, &reader)?;
                    let entry = table
                        .entry(last[0].clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    entry
                        .as_array_mut()
                        .ok_or_else(|| reader.error("not an array of tables"))?
                        .push(Value::Object(Map::new()));
                } else {
                    if headers.contains(&path) {
                        return Err(reader.error("table defined twice"));
                    }
                    headers.push(path.clone());
                    descend(&mut root, &path, &reader)?;
                }
                current = path;
            }
            Some(_) => {
                let (key, value) = reader.key_value()?;
                reader.end_of_line()?;
                let full: Vec<String> = current.iter().chain(&key).cloned().collect();
                insert(&mut root, &full, value, &reader)?;
            }
        }
    }
}

/// The table at `path` (created as needed); an array of tables stands for
/// its last table.
fn descend<'v>(
    root: &'v mut Value,
    path: &[String],
    reader: &Reader,
) -> Result<&'v mut Map<String, Value>, String> {
    let mut at = root;
    for part in path {
        let table = at
            .as_object_mut()
            .ok_or_else(|| reader.error(&format!("{part}: not a table")))?;
        at = table
            .entry(part.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Array(tables) = at {
            at = tables
                .last_mut()
                .ok_or_else(|| reader.error("empty array"))?;
        }
    }
    at.as_object_mut()
        .ok_or_else(|| reader.error("a value where a table was expected"))
}

fn insert(root: &mut Value, path: &[String], value: Value, reader: &Reader) -> Result<(), String> {
    let (parent, last) = path.split_at(path.len() - 1);
    let table = descend(root, parent, reader)?;
    if table.contains_key(&last[0]) {
        return Err(reader.error(&format!("{} defined twice", path.join("."))));
    }
    table.insert(last[0].clone(), value);
    Ok(())
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> String {
        let line = self.s[..self.i.min(self.s.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("line {line}: {message}")
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.s[self.i..].starts_with(token.as_bytes()) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn comment(&mut self) {
        if self.peek() == Some(b'#') {
            while !matches!(self.peek(), None | Some(b'\n')) {
                self.i += 1;
            }
        }
    }

    /// Spaces, comments and line breaks.
    fn blank_lines(&mut self) {
        loop {
            self.spaces();
            self.comment();
            if !(self.eat("\n") || self.eat("\r\n")) {
                return;
            }
        }
    }

    fn end_of_line(&mut self) -> Result<(), String> {
        self.spaces();
        self.comment();
        if self.peek().is_none() || self.eat("\n") || self.eat("\r\n") {
            Ok(())
        } else {
            Err(self.error("expected the end of the line"))
        }
    }

    /// A dotted key: bare or quoted parts.
    fn key(&mut self) -> Result<Vec<String>, String> {
        let mut parts = Vec::new();
        loop {
            self.spaces();
            let part = match self.peek() {
                Some(b'"') => self.basic_string()?,
                Some(b'\'') => self.literal_string()?,
                _ => {
                    let start = self.i;
                    while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    {
                        self.i += 1;
                    }
                    if start == self.i {
                        return Err(self.error("expected a key"));
                    }
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
                }
            };
            parts.push(part);
            self.spaces();
            if !self.eat(".") {
                return Ok(parts);
            }
        }
    }

    fn key_value(&mut self) -> Result<(Vec<String>, Value), String> {
        let key = self.key()?;
        self.spaces();
        if !self.eat("=") {
            return Err(self.error("expected ="));
        }
        self.spaces();
        Ok((key, self.value()?))
    }

    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            Some(b'"') if self.s[self.i..].starts_with(b"\"\"\"") => {
                Err(self.error("multi-line strings are not supported"))
            }
            Some(b'"') => self.basic_string().map(Value::String),
            Some(b'\'') => self.literal_string().map(Value::String),
            Some(b'[') => self.array(),
            Some(b'{') => self.inline_table(),
            _ if self.eat("true") => Ok(Value::Bool(true)),
            _ if self.eat("false") => Ok(Value::Bool(false)),
            Some(b'+' | b'-' | b'0'..=b'9') => self.integer(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn integer(&mut self) -> Result<Value, String> {
        let start = self.i;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.i += 1;
        }
        while matches!(self.peek(), Some(b'0'..=b'9' | b'_')) {
            self.i += 1;
        }
        if matches!(
            self.peek(),
            Some(b'.' | b'e' | b'E' | b':' | b'-' | b'x' | b'o' | b'b')
        ) {
            return Err(self.error("only decimal integers are supported"));
        }
        let digits: String = String::from_utf8_lossy(&self.s[start..self.i]).replace('_', "");
        digits
            .parse::<i64>()
            .map(Value::from)
            .map_err(|e| self.error(&format!("integer: {e}")))
    }

    fn basic_string(&mut self) -> Result<String, String> {
        self.i += 1; // "
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return String::from_utf8(out).map_err(|_| self.error("not UTF-8"));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let escaped = self.peek().ok_or_else(|| self.error("bad escape"))?;
                    self.i += 1;
                    match escaped {
                        b'"' | b'\\' => out.push(escaped),
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.i..self.i + 4)
                                .ok_or_else(|| self.error("bad \\u"))?;
                            let code = u32::from_str_radix(&String::from_utf8_lossy(hex), 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("bad \\u"))?;
                            self.i += 4;
                            out.extend_from_slice(code.to_string().as_bytes());
                        }
                        _ => return Err(self.error("unsupported escape")),
                    }
                }
                Some(b) => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, String> {
        self.i += 1; // '
        let start = self.i;
        while !matches!(self.peek(), None | Some(b'\n' | b'\'')) {
            self.i += 1;
        }
        if self.peek() != Some(b'\'') {
            return Err(self.error("unterminated string"));
        }
        let s =
            String::from_utf8(self.s[start..self.i].to_vec()).map_err(|_| self.error("not UTF-8"));
        self.i += 1;
        s
    }

    fn array(&mut self) -> Result<Value, String> {
        self.i += 1; // [
        let mut items = Vec::new();
        loop {
            self.blank_lines();
            if self.eat("]") {
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.blank_lines();
            if !self.eat(",") {
                self.blank_lines();
                if self.eat("]") {
                    return Ok(Value::Array(items));
                }
                return Err(self.error("expected , or ] in an array"));
            }
        }
    }

    fn inline_table(&mut self) -> Result<Value, String> {
        self.i += 1; // {
        let mut table = Value::Object(Map::new());
        self.spaces();
        if self.eat("}") {
            return Ok(table);
        }
        loop {
            let (key, value) = self.key_value()?;
            insert(&mut table, &key, value, self)?;
            self.spaces();
            if self.eat("}") {
                return Ok(table);
            }
            if !self.eat(",") {
                return Err(self.error("expected , or } in an inline table"));
            }
            self.spaces();
            if self.peek() == Some(b'}') {
                return Err(self.error("trailing comma in an inline table"));
            }
        }
    }
}
