//! What a `RUN` adds to its stage: package installs looked up in the package
//! tables (`packages.rs`), language package managers and builds by rules of
//! thumb, caches left behind unless the same RUN removes them, and an
//! `Unknown` part for every command that is not understood (never a silent
//! zero).
//!
//! The shell text is read the way `sh` splits it, closely enough for sizes:
//! quotes, backslashes, `$(…)`, redirections and comments are honoured;
//! commands are split on `&&`, `||`, `;`, `|`, `&`, newlines and brackets.

use super::amount::{Bytes, Distro, Known, Part};
use super::packages::{self, MB};

/// The parts a RUN adds, in command order, caches it leaves behind last.
/// `shell` is the logical shell text (continuations joined, heredoc bodies
/// appended after a newline).
pub fn analyse_run(shell: &str, distro: Distro) -> Vec<Part> {
    if looks_like_powershell(shell) {
        return vec![part(
            "PowerShell RUN: not analysed",
            mb(0.0, 50.0, 2000.0),
            Known::Unknown,
            "PowerShell is not read: 0 to 2 GB, 50 MB as a guess",
        )];
    }
    let commands = commands(script_text(shell));
    let cleanup = Cleanup::of(&commands);
    let mut state = State::default();
    let mut parts = Vec::new();
    // Calls of functions the RUN defines: their bodies are analysed in place.
    let functions: Vec<&str> = commands
        .iter()
        .filter(|c| c.program() == "function")
        .filter_map(|c| c.args().first().map(|n| n.trim_end_matches("()")))
        .collect();
    for (index, command) in commands.iter().enumerate() {
        if functions.contains(&command.program()) {
            continue;
        }
        analyse_command(
            &commands, index, command, distro, &cleanup, &mut state, &mut parts,
        );
    }
    leftovers(&cleanup, &state, &mut parts);
    parts
}

/// The part of the RUN text that is shell: heredoc bodies are the script
/// when the line is just `<<EOF` or feeds a shell (`bash <<EOF`); fed to any
/// other command (`cat <<EOF > file.go`, `python3 <<EOF`) they are data.
pub(crate) fn script_text(shell: &str) -> &str {
    let Some((first, _body)) = shell.split_once('\n') else {
        return shell;
    };
    let Some(at) = first.find("<<") else {
        return shell;
    };
    let before = first[..at].trim_end();
    let feeds = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
        .find(|w| !w.is_empty() && !w.starts_with('-'))
        .unwrap_or("");
    if before.is_empty() || matches!(basename(feeds), "sh" | "bash" | "ash" | "dash" | "zsh") {
        shell
    } else {
        first
    }
}

/// Windows images' `SHELL ["powershell", …]`: cmdlets (`Verb-Noun`) or
/// `$ErrorActionPreference`.
fn looks_like_powershell(shell: &str) -> bool {
    const CMDLETS: &[&str] = &[
        "Write-Host",
        "Invoke-WebRequest",
        "Remove-Item",
        "Expand-Archive",
        "New-Item",
        "Get-FileHash",
        "Start-Process",
        "Set-ItemProperty",
        "Get-ChildItem",
        "Copy-Item",
        "$ErrorActionPreference",
        "[Environment]::",
        "$env:",
    ];
    CMDLETS.iter().any(|c| shell.contains(c))
}

// ------------------------------------------------------------------ lexing

/// How a command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Join {
    Start,
    /// `|`: the previous command's output is this one's input.
    Pipe,
    Other,
}

/// One simple command: leading assignments, then the words.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    pub join: Join,
    pub env: Vec<(String, String)>,
    pub words: Vec<String>,
}

impl Command {
    pub fn program(&self) -> &str {
        self.words.first().map(|w| basename(w)).unwrap_or("")
    }

    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }

    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Splits shell text into simple commands, with `sudo`, `env` and
/// assignments taken off the front and shell keywords skipped.
#[allow(unused_assignments)] // the macros reset state that is not read again at the end
pub(crate) fn commands(shell: &str) -> Vec<Command> {
    let mut raw: Vec<(Join, Vec<String>)> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut join = Join::Start;
    let mut skip_next_word = false; // redirection target
    let mut pending_heredocs: Vec<String> = Vec::new();
    let chars: Vec<char> = shell.chars().collect();
    let mut i = 0;

    macro_rules! end_word {
        () => {
            if in_word {
                if skip_next_word {
                    skip_next_word = false;
                } else {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                in_word = false;
            }
        };
    }
    macro_rules! end_command {
        ($next:expr) => {
            end_word!();
            skip_next_word = false;
            if !words.is_empty() {
                raw.push((join, std::mem::take(&mut words)));
            }
            join = $next;
        };
    }

    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                if let Some(&next) = chars.get(i + 1) {
                    if next != '\n' {
                        word.push(next);
                        in_word = true;
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '$' && matches!(chars.get(i + 1), Some('(') | Some('{')) {
                        let end = substitution_end(&chars, i);
                        word.extend(&chars[i..end]);
                        i = end;
                        continue;
                    }
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '$' if matches!(chars.get(i + 1), Some('(') | Some('{')) => {
                // `$(…)` / `${…}` stays inside the word.
                in_word = true;
                let end = substitution_end(&chars, i);
                word.extend(&chars[i..end]);
                i = end;
            }
            '`' => {
                in_word = true;
                word.push('`');
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    word.push(chars[i]);
                    i += 1;
                }
                word.push('`');
                i += 1;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ' ' | '\t' | '\r' => {
                end_word!();
                i += 1;
            }
            '\n' | ';' => {
                end_command!(Join::Other);
                i += 1;
                if c == '\n' {
                    // Skip the bodies of heredocs started on the line.
                    for delimiter in std::mem::take(&mut pending_heredocs) {
                        while i < chars.len() {
                            let end = chars[i..]
                                .iter()
                                .position(|c| *c == '\n')
                                .map_or(chars.len(), |n| i + n);
                            let line: String = chars[i..end].iter().collect();
                            i = (end + 1).min(chars.len().max(end));
                            if line.trim_start_matches('\t').trim_end() == delimiter {
                                break;
                            }
                        }
                    }
                }
            }
            '&' => {
                if chars.get(i + 1) == Some(&'>') {
                    // `&>file`
                    end_word!();
                    skip_next_word = true;
                    i += 2;
                    if chars.get(i) == Some(&'>') {
                        i += 1;
                    }
                } else {
                    end_command!(Join::Other);
                    i += if chars.get(i + 1) == Some(&'&') { 2 } else { 1 };
                }
            }
            '|' => {
                if chars.get(i + 1) == Some(&'|') {
                    end_command!(Join::Other);
                    i += 2;
                } else {
                    end_command!(Join::Pipe);
                    i += 1;
                }
            }
            // `{` and `}` are reserved words only when standing alone
            // (`find … -exec rm {} \;` keeps its `{}`).
            '{' | '}'
                if !in_word
                    && chars
                        .get(i + 1)
                        .is_none_or(|n| n.is_whitespace() || *n == ';') =>
            {
                end_command!(Join::Other);
                i += 1;
            }
            '(' | ')' if !in_word => {
                end_command!(Join::Other);
                i += 1;
            }
            ')' => {
                // `name() {`: a function definition, remembered as `function name`.
                if let Some(name) = word.strip_suffix('(').filter(|n| !n.is_empty()) {
                    raw.push((Join::Other, vec!["function".to_string(), name.to_string()]));
                }
                // `case` pattern `amd64)` or `amd64 | x86_64)`: no command.
                if !in_word {
                    words.pop();
                }
                word.clear();
                in_word = false;
                while join == Join::Pipe && raw.last().is_some_and(|(_, w)| w.len() == 1) {
                    if let Some((previous, _)) = raw.pop() {
                        join = previous;
                    }
                }
                end_command!(Join::Other);
                i += 1;
            }
            '<' | '>' => {
                // A file descriptor number before it belongs to the redirection.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                } else {
                    end_word!();
                }
                let op = c;
                let from = i;
                i += 1;
                while i < chars.len() && (chars[i] == op || chars[i] == '-' || chars[i] == '|') {
                    i += 1;
                }
                let heredoc =
                    op == '<' && chars[from..i].iter().filter(|c| **c == '<').count() == 2;
                let feeds_data = words.first().is_some_and(|w| {
                    !matches!(basename(w), "sh" | "bash" | "ash" | "dash" | "zsh")
                });
                if heredoc && feeds_data {
                    // `cat <<'eot' > main.go`: the body up to `eot` is data.
                    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
                        i += 1;
                    }
                    let mut delimiter = String::new();
                    while let Some(&d) = chars.get(i) {
                        if d.is_whitespace() || matches!(d, ';' | '&' | '|' | '<' | '>' | ')') {
                            break;
                        }
                        if d != '\'' && d != '"' && d != '\\' {
                            delimiter.push(d);
                        }
                        i += 1;
                    }
                    if !delimiter.is_empty() {
                        pending_heredocs.push(delimiter);
                    }
                    continue;
                }
                if chars.get(i) == Some(&'&') {
                    // `2>&1`: the target follows directly.
                    i += 1;
                    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '-') {
                        i += 1;
                    }
                } else {
                    skip_next_word = true;
                }
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    end_command!(Join::Other);
    let _ = join;

    raw.into_iter()
        .filter_map(|(join, words)| simple_command(join, words))
        .collect()
}

/// The end (exclusive) of the `$(…)` or `${…}` starting at `start`, with
/// quotes and nesting inside honoured.
fn substitution_end(chars: &[char], start: usize) -> usize {
    let (open, close) = if chars.get(start + 1) == Some(&'(') {
        ('(', ')')
    } else {
        ('{', '}')
    };
    let mut depth = 0usize;
    let mut i = start + 1;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' && q == '"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '\\' {
                    i += 1;
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == open {
                    depth += 1;
                } else if c == close {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return (i + 1).min(chars.len());
                    }
                }
            }
        }
        i += 1;
    }
    chars.len()
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "time", "nohup", "exec", "command",
    "builtin", "xargs",
];

fn simple_command(join: Join, words: Vec<String>) -> Option<Command> {
    let mut env = Vec::new();
    let mut rest: &[String] = &words;
    while let Some(first) = rest.first() {
        if let Some((name, value)) = assignment(first) {
            env.push((name.to_string(), value.to_string()));
            rest = &rest[1..];
        } else if KEYWORDS.contains(&first.as_str()) {
            rest = &rest[1..];
            // `xargs -r`, `command -v` and the like: drop their flags.
            while rest
                .first()
                .is_some_and(|w| w.starts_with('-') && w.len() > 1)
            {
                rest = &rest[1..];
            }
        } else if first == "sudo" || first == "env" || first == "gosu" || first == "su-exec" {
            let gosu = first != "sudo" && first != "env";
            rest = &rest[1..];
            if gosu {
                rest = rest.get(1..).unwrap_or(&[]); // the user
            }
            while let Some(flag) = rest.first() {
                if !flag.starts_with('-') {
                    break;
                }
                let takes_value = matches!(flag.as_str(), "-u" | "-g" | "-C" | "-h" | "-U");
                rest = rest.get(if takes_value { 2 } else { 1 }..).unwrap_or(&[]);
            }
        } else {
            break;
        }
    }
    if rest.is_empty() && env.is_empty() {
        return None;
    }
    Some(Command {
        join,
        env,
        words: rest.to_vec(),
    })
}

fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

// --------------------------------------------------------------- cleanups

/// What the RUN removes or cleans anywhere in its text.
#[derive(Debug, Default)]
struct Cleanup {
    removed: Vec<String>,
    apt_removed: Vec<String>,
    apt_remove_unknown: bool,
    apk_deleted: Vec<String>,
    dnf_clean: bool,
    pip_purge: bool,
    npm_clean: bool,
    yarn_clean: bool,
    pnpm_prune: bool,
    go_clean_cache: bool,
    go_clean_modcache: bool,
    gem_clean: bool,
}

impl Cleanup {
    fn of(commands: &[Command]) -> Cleanup {
        let mut c = Cleanup::default();
        for cmd in commands {
            let args = cmd.args();
            let words: Vec<&str> = args.iter().map(String::as_str).collect();
            match cmd.program() {
                "rm" => c.removed.extend(
                    args.iter()
                        .filter(|a| !a.starts_with('-'))
                        .map(|a| normalise_path(a)),
                ),
                "apt-get" | "apt" | "aptitude"
                    if words.iter().any(|w| matches!(*w, "purge" | "remove")) =>
                {
                    let names = words
                        .iter()
                        .skip_while(|w| !matches!(**w, "purge" | "remove"))
                        .skip(1)
                        .filter(|w| !w.starts_with('-'));
                    for name in names {
                        if name.contains('$') {
                            c.apt_remove_unknown = true;
                        } else {
                            c.apt_removed.push(package_name(name).to_string());
                        }
                    }
                }
                "apk" | "xx-apk" if words.iter().find(|w| !w.starts_with('-')) == Some(&"del") => {
                    c.apk_deleted.extend(
                        words
                            .iter()
                            .filter(|w| !w.starts_with('-'))
                            .skip(1)
                            .map(|w| w.to_string()),
                    );
                }
                "dnf" | "yum" | "microdnf" if words.contains(&"clean") => c.dnf_clean = true,
                "pip" | "pip3" | "python" | "python3" if words.contains(&"cache") => {
                    c.pip_purge |= words.contains(&"purge") || words.contains(&"remove");
                }
                "npm" if words.contains(&"cache") => c.npm_clean = true,
                "yarn" if words.contains(&"cache") => c.yarn_clean = true,
                "pnpm" if words.contains(&"store") => c.pnpm_prune = true,
                "go" if words.first() == Some(&"clean") => {
                    c.go_clean_cache |= words.contains(&"-cache");
                    c.go_clean_modcache |= words.contains(&"-modcache");
                }
                "gem" if words.first() == Some(&"cleanup") => c.gem_clean = true,
                _ => {}
            }
        }
        c
    }

    /// Whether an `rm` removes `dir` (or a directory above it, or its content).
    fn removes(&self, dirs: &[&str]) -> bool {
        self.removed.iter().any(|removed| {
            dirs.iter().any(|dir| {
                removed == dir
                    || dir.starts_with(&format!("{removed}/"))
                    || (removed.len() > 1
                        && dir.starts_with(removed.as_str())
                        && removed.ends_with('/'))
            })
        })
    }
}

/// `~/.cache/pip/*` → `/root/.cache/pip`; trailing `/*`, `/` and quotes off.
fn normalise_path(path: &str) -> String {
    let mut p = path.trim_matches(|c| c == '"' || c == '\'').to_string();
    for home in ["~", "$HOME", "${HOME}"] {
        if let Some(rest) = p.strip_prefix(home) {
            p = format!("/root{rest}");
        }
    }
    for (var, dir) in [
        ("$GOPATH", "/go"),
        ("${GOPATH}", "/go"),
        ("$CARGO_HOME", "/usr/local/cargo"),
        ("${CARGO_HOME}", "/usr/local/cargo"),
    ] {
        if let Some(rest) = p.strip_prefix(var) {
            p = format!("{dir}{rest}");
        }
    }
    loop {
        if let Some(rest) = p.strip_suffix("/*") {
            p = rest.to_string();
        } else if let Some(rest) = p.strip_suffix("/.") {
            p = rest.to_string();
        } else if p.len() > 1 && p.ends_with('/') {
            p.pop();
        } else {
            break;
        }
    }
    p
}

// ------------------------------------------------------------------ state

/// What earlier commands of the same RUN did, for the leftovers.
#[derive(Debug, Default)]
struct State {
    apt_update: bool,
    apk_index: bool,
    dnf_metadata: bool,
    pip_cache: Option<Bytes>,
    npm_cache: Option<Bytes>,
    yarn_cache: Option<Bytes>,
    go_modules: bool,
    go_build_cache: bool,
    cargo_registry: bool,
    downloaded: bool,
    venv: Option<String>,
}

fn part(
    what: impl Into<String>,
    unpacked: Bytes,
    known: Known,
    source: impl Into<std::borrow::Cow<'static, str>>,
) -> Part {
    Part {
        what: what.into(),
        unpacked,
        known,
        source: source.into(),
    }
}

fn mb(low: f64, best: f64, high: f64) -> Bytes {
    Bytes::range(
        (low * MB as f64) as u64,
        (best * MB as f64) as u64,
        (high * MB as f64) as u64,
    )
}

/// The figure for a command that is not understood.
pub(crate) fn unknown_part(command: &Command) -> Part {
    part(
        format!("`{}`: not understood", short(command, 4)),
        mb(0.0, 5.0, 200.0),
        Known::Unknown,
        "not understood: 0 to 200 MB, 5 MB as a guess",
    )
}

/// The first `n` words, for a `what`.
fn short(command: &Command, n: usize) -> String {
    let mut s: Vec<&str> = command.words.iter().take(n).map(String::as_str).collect();
    if command.words.len() > n {
        s.push("…");
    }
    s.join(" ")
}

/// Commands that add nothing worth counting.
const NOTHING: &[&str] = &[
    "echo",
    "printf",
    "mkdir",
    "ln",
    "chmod",
    "chown",
    "chgrp",
    "useradd",
    "adduser",
    "addgroup",
    "groupadd",
    "usermod",
    "groupmod",
    "userdel",
    "deluser",
    "cd",
    "export",
    "set",
    "unset",
    "true",
    "false",
    ":",
    "test",
    "[",
    "[[",
    "]",
    "]]",
    "rm",
    "rmdir",
    "touch",
    "mv",
    "cp",
    "install",
    "sed",
    "grep",
    "egrep",
    "awk",
    "cat",
    "tee",
    "ls",
    "id",
    "whoami",
    "sleep",
    "wait",
    "exit",
    "return",
    "source",
    ".",
    "shift",
    "trap",
    "umask",
    "ulimit",
    "which",
    "type",
    "hash",
    "printenv",
    "uname",
    "dpkg-architecture",
    "head",
    "tail",
    "cut",
    "tr",
    "sort",
    "uniq",
    "wc",
    "find",
    "xargs",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "sha256sum",
    "sha512sum",
    "sha1sum",
    "md5sum",
    "gpg",
    "gpgv",
    "gpgconf",
    "dirmngr",
    "apt-key",
    "apt-mark",
    "apt-cache",
    "dpkg-reconfigure",
    "dpkg-query",
    "ldconfig",
    "update-ca-certificates",
    "update-alternatives",
    "locale-gen",
    "localedef",
    "systemctl",
    "service",
    "passwd",
    "chpasswd",
    "visudo",
    "fi",
    "done",
    "esac",
    "for",
    "case",
    "function",
    "locale",
    "dpkg-scanpackages",
    "in",
    "local",
    "declare",
    "readonly",
    "let",
    "eval",
    "getent",
    "stat",
    "du",
    "df",
    "date",
    "env",
    "nproc",
    "ps",
    "kill",
    "pwd",
    "strip",
    "file",
    "ldd",
    "ulimit",
    "su",
    "setcap",
    "getcap",
    "usr",
    "sync",
    "tput",
    "read",
    "jq",
    "yq",
    "diff",
    "cmp",
    "corepack",
    "git-lfs",
    "a2enmod",
    "a2dismod",
    "a2ensite",
    "a2dissite",
    "chsh",
    "update-rc.d",
    "setfacl",
    "mktemp",
    "seq",
    "expr",
    "tini",
    "dumb-init",
    "ssh-keygen",
    "ssh-keyscan",
    "openssl",
    "base64",
    "gunzip",
    "gzip",
    "bunzip2",
    "xz",
    "unxz",
    "zstd",
    "rsync",
    "patch",
    "envsubst",
    "savedAptMark",
    "dpkg-divert",
    "fc-cache",
    "php",
    "docker-php-source",
    "docker-php-ext-enable",
    "node",
    "ruby",
    "java",
    "bash",
    "sh",
];

#[allow(clippy::too_many_arguments)]
fn analyse_command(
    all: &[Command],
    index: usize,
    cmd: &Command,
    distro: Distro,
    cleanup: &Cleanup,
    state: &mut State,
    parts: &mut Vec<Part>,
) {
    if cmd.words.is_empty() {
        return; // assignments only
    }
    let program = cmd.program();
    let args: Vec<&str> = cmd.args().iter().map(String::as_str).collect();
    let next_is_pipe = all.get(index + 1).is_some_and(|n| n.join == Join::Pipe);
    let piped_into = if next_is_pipe {
        all.get(index + 1).map(Command::program)
    } else {
        None
    };

    // Smoke tests: `postgres --version`, `node -v`, `go version`.
    if matches!(
        args.as_slice(),
        ["--version" | "-v" | "-V" | "version" | "--help" | "-h" | "-version"]
    ) {
        return;
    }
    // tonistiigi/xx cross-compilation wrappers behave like the tool they wrap.
    let program = match program {
        "xx-apk" => "apk",
        "xx-apt-get" | "xx-apt" => "apt-get",
        "xx-go" => "go",
        "xx-cargo" => "cargo",
        "xx-clang" | "xx-clang++" => "clang",
        "xx-verify" | "xx-info" | "fix-permissions" => return,
        p => p,
    };
    match program {
        "conda" | "mamba" | "micromamba" => {
            if args
                .iter()
                .any(|a| matches!(*a, "install" | "create" | "update"))
            {
                let cleaned = all.iter().any(|c| {
                    matches!(c.program(), "conda" | "mamba" | "micromamba")
                        && c.args().iter().any(|a| a == "clean")
                });
                parts.push(part(
                    format!(
                        "{program} {}{}",
                        args.iter()
                            .filter(|a| !a.starts_with('-'))
                            .take(4)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(" "),
                        if cleaned {
                            ""
                        } else {
                            " (pkgs cache kept: no conda clean)"
                        }
                    ),
                    if cleaned {
                        mb(10.0, 200.0, 3000.0)
                    } else {
                        mb(20.0, 400.0, 5000.0)
                    },
                    Known::Heuristic,
                    "rule of thumb: conda packages with dependencies, 10 MB to 3 GB; \
                     the pkgs cache doubles it unless cleaned (estimate)",
                ));
            }
        }
        "apt-get" | "apt" | "aptitude" => apt(cmd, &args, distro, cleanup, state, parts),
        "apk" => apk(&args, cleanup, state, parts),
        "dnf" | "yum" | "microdnf" | "tdnf" => dnf(program, &args, state, parts),
        "pip" | "pip3" => pip(cmd, &args, cleanup, state, parts),
        p if p.starts_with("pip3.") => pip(cmd, &args, cleanup, state, parts),
        "python" | "python3" | "py" => python(cmd, &args, cleanup, state, parts),
        p if p.starts_with("python3.") => python(cmd, &args, cleanup, state, parts),
        "uv" if args.first() == Some(&"pip") => pip(cmd, &args[1..], cleanup, state, parts),
        "uv" if args.first() == Some(&"sync") => parts.push(part(
            "uv sync",
            mb(5.0, 60.0, 1000.0),
            Known::Heuristic,
            PIP_PROJECT,
        )),
        "npm" | "yarn" | "pnpm" => node(cmd, program, &args, state, parts),
        "npx" => parts.push(unknown_part(cmd)),
        "gem" => gem(&args, cleanup, parts),
        "bundle" | "bundler" => {
            if args.first().is_none_or(|a| *a == "install") {
                parts.push(part(
                    "bundle install",
                    mb(10.0, 80.0, 500.0),
                    Known::Heuristic,
                    "rule of thumb for a Gemfile of unknown content (estimate)",
                ));
            }
        }
        "go" => go(&args, state, parts),
        "cargo" => cargo(&args, state, parts),
        "rustup" => {
            if args.iter().any(|a| matches!(*a, "add" | "install")) {
                parts.push(part(
                    format!("rustup {}", args.join(" ")),
                    mb(5.0, 60.0, 600.0),
                    Known::Heuristic,
                    "rule of thumb: a target's std library or a toolchain (estimate)",
                ));
            }
        }
        "make" | "gmake" | "ninja" => {
            let install = args.contains(&"install");
            let clean = args
                .iter()
                .all(|a| a.contains("clean") || a.starts_with('-'))
                && !args.is_empty();
            if !clean {
                parts.push(part(
                    format!("{program}{}", if install { " install" } else { "" }),
                    if install {
                        mb(0.1, 10.0, 300.0)
                    } else {
                        mb(0.0, 20.0, 500.0)
                    },
                    Known::Heuristic,
                    "rule of thumb: build products of an unknown project",
                ));
            }
        }
        "configure" => parts.push(part(
            "./configure",
            mb(0.0, 0.5, 5.0),
            Known::Heuristic,
            "rule of thumb: config.status, Makefiles, config.log",
        )),
        "cmake" => {
            let build = args.contains(&"--build") || args.contains(&"--install");
            parts.push(part(
                format!("cmake{}", if build { " --build" } else { "" }),
                if build {
                    mb(0.0, 20.0, 500.0)
                } else {
                    mb(0.0, 0.5, 10.0)
                },
                Known::Heuristic,
                "rule of thumb: build products of an unknown project",
            ));
        }
        "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" => parts.push(part(
            format!("{program} (compiled output)"),
            mb(0.01, 0.2, 20.0),
            Known::Heuristic,
            "rule of thumb: a compiled program or object",
        )),
        "mvn" | "mvnw" | "gradle" | "gradlew" => jvm(program, &args, parts),
        "dotnet" => {
            if args
                .iter()
                .any(|a| matches!(*a, "publish" | "build" | "restore"))
            {
                parts.push(part(
                    format!("dotnet {}", args.first().copied().unwrap_or("")),
                    mb(1.0, 60.0, 500.0),
                    Known::Heuristic,
                    "rule of thumb: output plus the NuGet cache (~/.nuget/packages)",
                ));
            }
        }
        "curl" | "wget" => download(cmd, &args, piped_into, state, parts),
        "git" => {
            if args.contains(&"clone") {
                parts.push(part(
                    "git clone",
                    mb(0.1, 20.0, 1000.0),
                    Known::Unknown,
                    "a repository of unknown size: 0.1 MB to 1 GB",
                ));
            }
        }
        "tar" | "unzip" | "7z" | "bsdtar" => {
            let extract = program != "tar"
                || args
                    .first()
                    .is_some_and(|a| !a.starts_with('-') && a.contains('x'))
                || args.iter().any(|a| {
                    (a.starts_with('-') && !a.starts_with("--") && a.contains('x'))
                        || *a == "--extract"
                });
            if extract && !state.downloaded && cmd.join != Join::Pipe {
                parts.push(part(
                    format!("{program}: unpack an archive"),
                    mb(0.0, 20.0, 500.0),
                    Known::Unknown,
                    "an archive of unknown size",
                ));
            }
        }
        "dpkg" => {
            if args.iter().any(|a| *a == "-i" || *a == "--install") {
                parts.push(part(
                    "dpkg -i (local .deb)",
                    mb(0.1, 20.0, 500.0),
                    Known::Unknown,
                    "a package file of unknown size",
                ));
            }
        }
        "docker-php-ext-install" | "docker-php-ext-configure" | "pecl" => {
            if program != "docker-php-ext-configure" {
                parts.push(part(
                    format!("{program} {}", args.join(" ")),
                    mb(0.1, 2.0, 50.0),
                    Known::Heuristic,
                    "rule of thumb: a PHP extension is 0.1–5 MB",
                ));
            }
        }
        p if NOTHING.contains(&p) => {
            // Interpreters running a script we cannot see.
            if matches!(p, "bash" | "sh" | "node" | "ruby" | "php" | "java") {
                script(cmd, &args, piped_into, parts);
            }
        }
        p if p.starts_with('$') || p.starts_with('`') => parts.push(unknown_part(cmd)),
        _ => parts.push(unknown_part(cmd)),
    }
}

/// `bash script.sh`, `sh -c "…"`: a `-c` string is analysed as shell; a
/// script from a pipe (`curl … | sh`) is counted by the download.
fn script(cmd: &Command, args: &[&str], _piped_into: Option<&str>, parts: &mut Vec<Part>) {
    if cmd.join == Join::Pipe {
        return; // counted with the download
    }
    if let Some(i) = args
        .iter()
        .position(|a| *a == "-c" || *a == "-ec" || *a == "-ex" || *a == "-xe")
    {
        if let Some(text) = args.get(i + 1) {
            // Nested shells: analysed as their own RUN, with no distro.
            let depth_guard = text.len() < 100_000;
            if depth_guard {
                parts.extend(analyse_run(text, Distro::Unknown));
            }
        }
        return;
    }
    let runs_file = args.iter().any(|a| !a.starts_with('-'));
    if runs_file {
        parts.push(unknown_part(cmd));
    }
}

// -------------------------------------------------------------------- apt

fn apt(
    cmd: &Command,
    args: &[&str],
    distro: Distro,
    cleanup: &Cleanup,
    state: &mut State,
    parts: &mut Vec<Part>,
) {
    let mut verb = None;
    let mut no_recommends = cmd.env("APT_INSTALL_RECOMMENDS").is_some_and(|v| v == "0");
    let mut names = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if matches!(
            a,
            "-o" | "-c" | "-t" | "--option" | "--target-release" | "--config-file"
        ) {
            if let Some(value) = args.get(i) {
                if value.contains("Install-Recommends") && value.ends_with("false")
                    || value.ends_with("=0") && value.contains("Install-Recommends")
                {
                    no_recommends = true;
                }
            }
            i += 1;
            continue;
        }
        if a == "--no-install-recommends" {
            no_recommends = true;
        }
        if a.starts_with('-') {
            continue;
        }
        if verb.is_none() {
            verb = Some(a);
        } else {
            names.push(a);
        }
    }
    match verb {
        Some("update") => state.apt_update = true,
        Some("install") | Some("reinstall") => {}
        Some("upgrade") | Some("dist-upgrade") | Some("full-upgrade") => {
            parts.push(part(
                "apt-get upgrade",
                mb(0.0, 10.0, 150.0),
                Known::Heuristic,
                "rule of thumb: upgraded packages are written again in this layer",
            ));
            return;
        }
        _ => return,
    }
    if verb != Some("install") && verb != Some("reinstall") {
        return;
    }
    let purged_later = |name: &str| cleanup.apt_removed.iter().any(|r| r == name);
    let mut known_names = Vec::new();
    let mut known = Bytes::ZERO;
    let mut biggest = 0u64;
    let mut owns = 0u64;
    let mut unknown_names = Vec::new();
    let mut variables = 0;
    let mut removed = Vec::new();
    for raw in names {
        if raw.contains('$') || raw.contains('`') {
            variables += 1;
            continue;
        }
        let name = package_name(raw);
        if name.is_empty() {
            continue;
        }
        if raw.starts_with('.') || raw.starts_with('/') || raw.ends_with(".deb") {
            unknown_names.push(raw.to_string());
            continue;
        }
        if purged_later(name) {
            removed.push(name.to_string());
            continue;
        }
        match packages::apt_package(name, no_recommends) {
            Some(size) => {
                known += size.unpacked;
                biggest = biggest.max(size.unpacked.best);
                owns += size.own;
                known_names.push(name.to_string());
            }
            None => unknown_names.push(name.to_string()),
        }
    }
    let ubuntu = distro == Distro::Ubuntu;
    let foreign = matches!(distro, Distro::Alpine | Distro::Rhel);
    let flag = if no_recommends {
        " --no-install-recommends"
    } else {
        ""
    };
    if !known_names.is_empty() {
        // Shared dependencies are counted once per package in the table:
        // the sum is the upper end, the biggest closure plus the others'
        // own sizes the lower end.
        let mut unpacked = known;
        if known_names.len() > 1 {
            let low = biggest.max(owns).max(known.low.min(biggest + owns));
            let low = low.min(known.best);
            let best = known.best - (known.best - low) / 3;
            unpacked = Bytes::range(low, best, known.high);
        }
        if cleanup.apt_remove_unknown {
            unpacked = Bytes::range(0, unpacked.best, unpacked.high);
        }
        let (k, source) = if ubuntu || foreign {
            (
                Known::Heuristic,
                format!(
                    "{}: Debian 12 figures used for {} (server/data/packages-debian.csv)",
                    packages::DEBIAN_SOURCE,
                    if ubuntu {
                        "Ubuntu"
                    } else {
                        "a non-Debian base"
                    }
                ),
            )
        } else {
            (
                Known::Table,
                format!(
                    "{} (server/data/packages-debian.csv)",
                    packages::DEBIAN_SOURCE
                ),
            )
        };
        let figures: Vec<String> = known_names
            .iter()
            .take(6)
            .filter_map(|n| packages::apt_package(n, no_recommends))
            .map(|p| format!("{} {:.1} MB", p.name, p.unpacked.best as f64 / MB as f64))
            .collect();
        let source = format!(
            "{source}, {}{}: {}",
            packages::debian_table_date(),
            if no_recommends {
                ""
            } else {
                ", with Recommends"
            },
            figures.join(", ")
        );
        parts.push(part(
            format!("apt-get install{flag} {}", list(&known_names)),
            unpacked,
            k,
            source,
        ));
    }
    if !unknown_names.is_empty() || variables > 0 {
        let each = packages::apt_unknown(no_recommends);
        let n = (unknown_names.len() + variables) as f64;
        let mut what = format!("apt-get install{flag} {}", list(&unknown_names));
        if variables > 0 {
            what = format!("{what} + {variables} from variables").replace("  ", " ");
        }
        parts.push(part(
            format!("{what} (not in the table)"),
            each.scaled(n),
            Known::Heuristic,
            packages::APT_UNKNOWN_SOURCE,
        ));
    }
    if !removed.is_empty() {
        parts.push(part(
            format!(
                "apt-get install {} (purged in the same RUN)",
                list(&removed)
            ),
            mb(0.0, 0.0, 5.0),
            Known::Heuristic,
            "installed and purged in the same RUN: only leftovers remain",
        ));
    }
}

/// `curl=7.88*`, `libssl3:amd64`, `'pkg'` → the bare package name.
fn package_name(raw: &str) -> &str {
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    let end = raw
        .find(['=', ':', '>', '<', '~', '@'])
        .unwrap_or(raw.len());
    &raw[..end]
}

fn list(names: &[String]) -> String {
    if names.len() <= 6 {
        names.join(" ")
    } else {
        format!("{} … ({} packages)", names[..5].join(" "), names.len())
    }
}

// -------------------------------------------------------------------- apk

fn apk(args: &[&str], cleanup: &Cleanup, state: &mut State, parts: &mut Vec<Part>) {
    let Some(verb) = args.iter().find(|a| !a.starts_with('-')) else {
        return;
    };
    let mut no_cache = args.contains(&"--no-cache");
    let update =
        args.contains(&"--update") || args.contains(&"-U") || args.contains(&"--update-cache");
    match *verb {
        "update" => {
            state.apk_index = true;
            return;
        }
        "add" => {}
        "upgrade" => {
            parts.push(part(
                "apk upgrade",
                mb(0.0, 2.0, 50.0),
                Known::Heuristic,
                "rule of thumb: upgraded packages are written again in this layer",
            ));
            return;
        }
        _ => return,
    }
    let mut names = Vec::new();
    let mut virtual_name = None;
    let mut i = 0;
    let mut seen_verb = false;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if matches!(
            a,
            "--virtual"
                | "-t"
                | "--repository"
                | "-X"
                | "--root"
                | "-p"
                | "--arch"
                | "--keys-dir"
                | "--repositories-file"
                | "--cache-dir"
        ) {
            if matches!(a, "--virtual" | "-t") {
                virtual_name = args.get(i).copied();
            }
            i += 1;
            continue;
        }
        if let Some(v) = a.strip_prefix("--virtual=") {
            virtual_name = Some(v);
            continue;
        }
        if a.starts_with('-') {
            continue;
        }
        if !seen_verb {
            seen_verb = true;
            continue;
        }
        names.push(a);
    }
    if !no_cache && cleanup.removes(&["/var/cache/apk"]) {
        no_cache = true;
    }
    if !no_cache || update {
        state.apk_index |= !args.contains(&"--no-cache");
    }
    let flag = if args.contains(&"--no-cache") {
        " --no-cache"
    } else {
        ""
    };
    let deleted = |name: &str| cleanup.apk_deleted.iter().any(|d| d == name);
    if let Some(v) = virtual_name {
        if deleted(v) {
            parts.push(part(
                format!(
                    "apk add --virtual {v} {} (deleted in the same RUN)",
                    names.join(" ")
                ),
                mb(0.0, 0.0, 5.0),
                Known::Heuristic,
                "a virtual package deleted in the same RUN: only leftovers remain",
            ));
            return;
        }
    }
    let mut variables = 0usize;
    let mut clean: Vec<String> = Vec::new();
    for raw in names {
        if raw.contains('$') || raw.contains('`') {
            variables += 1;
        } else if !deleted(package_name(raw)) {
            clean.push(package_name(raw).to_string());
        }
    }
    let found = packages::apk_packages(&clean);
    for row in &found.rows {
        parts.push(part(
            format!("apk add{flag} {}", row.names.join(" ")),
            row.unpacked,
            row.known,
            row.source.clone(),
        ));
    }
    if !found.unknown.is_empty() || variables > 0 {
        let n = found.unknown.len() + variables;
        parts.push(part(
            format!(
                "apk add{flag} {}{} (not in the table)",
                list(&found.unknown),
                if variables > 0 {
                    format!(" + {variables} from variables")
                } else {
                    String::new()
                }
            ),
            packages::apk_unknown().scaled(n as f64),
            Known::Heuristic,
            packages::APK_UNKNOWN_SOURCE,
        ));
    }
}

// -------------------------------------------------------------------- dnf

fn dnf(program: &str, args: &[&str], state: &mut State, parts: &mut Vec<Part>) {
    let mut verb = None;
    let mut names = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if matches!(
            a,
            "--enablerepo"
                | "--disablerepo"
                | "--setopt"
                | "--releasever"
                | "--installroot"
                | "-c"
                | "--config"
        ) {
            i += 1;
            continue;
        }
        if a.starts_with('-') {
            continue;
        }
        if verb.is_none() {
            verb = Some(a);
        } else {
            names.push(a);
        }
    }
    match verb {
        Some("install") | Some("groupinstall") | Some("reinstall") => {}
        Some("update") | Some("upgrade") => {
            state.dnf_metadata = true;
            parts.push(part(
                format!("{program} update"),
                mb(0.0, 20.0, 300.0),
                Known::Heuristic,
                "rule of thumb: upgraded packages are written again in this layer",
            ));
            return;
        }
        Some("makecache") => {
            state.dnf_metadata = true;
            return;
        }
        _ => return,
    }
    state.dnf_metadata = true;
    let docs = !args
        .iter()
        .any(|a| *a == "--nodocs" || a.contains("tsflags=nodocs"));
    let mut known_names = Vec::new();
    let mut total = Bytes::ZERO;
    let mut unknown = Vec::new();
    for raw in names {
        if raw.contains('$') || raw.starts_with('@') || raw.contains('/') {
            unknown.push(raw.to_string());
            continue;
        }
        let name = raw.split(['=', '>', '<']).next().unwrap_or(raw);
        match packages::rpm_package(name) {
            Some(size) => {
                total += size.unpacked;
                known_names.push(name.to_string());
            }
            None => unknown.push(name.to_string()),
        }
    }
    let docs_note = if docs { "" } else { " --nodocs" };
    if !known_names.is_empty() {
        parts.push(part(
            format!("{program} install{docs_note} {}", list(&known_names)),
            total,
            Known::Heuristic,
            packages::RPM_SOURCE,
        ));
    }
    if !unknown.is_empty() {
        parts.push(part(
            format!(
                "{program} install{docs_note} {} (not in the table)",
                list(&unknown)
            ),
            packages::rpm_unknown().scaled(unknown.len() as f64),
            Known::Heuristic,
            packages::RPM_UNKNOWN_SOURCE,
        ));
    }
}

// -------------------------------------------------------------------- pip

const PIP_PROJECT: &str =
    "rule of thumb for requirements of unknown content: 5 MB to 1.5 GB (torch-sized), 60 MB as a guess";

fn python(
    cmd: &Command,
    args: &[&str],
    cleanup: &Cleanup,
    state: &mut State,
    parts: &mut Vec<Part>,
) {
    match args {
        ["-m", "pip", rest @ ..] => pip(cmd, rest, cleanup, state, parts),
        ["-m", "venv", rest @ ..] | ["-m", "virtualenv", rest @ ..] => {
            if let Some(dir) = rest.iter().find(|a| !a.starts_with('-')) {
                state.venv = Some(dir.to_string());
            }
            parts.push(part(
                "python -m venv",
                mb(8.0, 15.0, 30.0),
                Known::Heuristic,
                "rule of thumb: a venv with pip and setuptools (estimate)",
            ));
        }
        ["-m", "compileall", ..] => parts.push(part(
            "python -m compileall",
            mb(0.0, 5.0, 100.0),
            Known::Heuristic,
            "rule of thumb: .pyc files",
        )),
        [script, ..] if script.ends_with(".py") && args.contains(&"install") => parts.push(part(
            "python setup.py install",
            mb(0.1, 10.0, 300.0),
            Known::Heuristic,
            PIP_PROJECT,
        )),
        ["-c", ..] | ["--version", ..] | ["-V", ..] => {}
        _ => parts.push(unknown_part(cmd)),
    }
}

fn pip(cmd: &Command, args: &[&str], cleanup: &Cleanup, state: &mut State, parts: &mut Vec<Part>) {
    let Some(verb) = args.iter().find(|a| !a.starts_with('-')) else {
        return;
    };
    if *verb != "install" {
        return;
    }
    let estimate = pip_install(args);
    let no_cache = args.contains(&"--no-cache-dir")
        || cmd
            .env("PIP_NO_CACHE_DIR")
            .is_some_and(|v| !matches!(v, "0" | "false" | "off"))
        || cleanup.pip_purge
        || cleanup.removes(&["/root/.cache/pip"]);
    let flag = if args.contains(&"--no-cache-dir") {
        " --no-cache-dir"
    } else {
        ""
    };
    for (what, unpacked, known, source) in estimate {
        if !no_cache {
            // Downloaded wheels are compressed: the cache is 30–100 % of the install.
            let cache = Bytes::range(unpacked.low * 3 / 10, unpacked.best / 2, unpacked.high);
            state.pip_cache = Some(state.pip_cache.unwrap_or(Bytes::ZERO) + cache);
        }
        parts.push(part(
            format!("pip install{flag} {what}"),
            unpacked,
            known,
            source,
        ));
    }
}

/// What a `pip install` puts on disk, without its cache: one entry per
/// table row, one for names not in the table, one per requirements file or
/// local project.
pub(crate) fn pip_install(args: &[&str]) -> Vec<(String, Bytes, Known, String)> {
    let mut names = Vec::new();
    let mut projects = Vec::new();
    let mut i = 0;
    let mut seen_verb = false;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if matches!(
            a,
            "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
        ) {
            if let Some(file) = args.get(i) {
                if a != "-c" && a != "--constraint" {
                    projects.push(format!("{a} {file}"));
                }
            }
            i += 1;
            continue;
        }
        if matches!(
            a,
            "-i" | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "--trusted-host"
                | "--target"
                | "-t"
                | "--prefix"
                | "--root"
                | "--progress-bar"
                | "--platform"
                | "--python-version"
                | "--implementation"
                | "--abi"
                | "--only-binary"
                | "--no-binary"
                | "--src"
                | "--upgrade-strategy"
                | "--cache-dir"
                | "--log"
                | "--timeout"
                | "--retries"
        ) {
            i += 1;
            continue;
        }
        if a.starts_with('-') {
            continue;
        }
        if !seen_verb {
            seen_verb = true;
            continue;
        }
        if a == "."
            || a.starts_with("./")
            || a.starts_with('/')
            || a.ends_with(".whl")
            || a.ends_with(".tar.gz")
            || a.contains("://")
            || a.contains('$')
        {
            projects.push(a.to_string());
        } else {
            let name = a
                .split(['=', '>', '<', '~', '!', '[', ';', ' ', '@'])
                .next()
                .unwrap_or(a)
                .trim_matches(|c| c == '"' || c == '\'')
                .to_ascii_lowercase()
                .replace('_', "-");
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    let mut out = Vec::new();
    let found = packages::pip_packages(&names);
    for row in found.rows {
        out.push((row.names.join(" "), row.unpacked, row.known, row.source));
    }
    if !found.unknown.is_empty() {
        out.push((
            format!("{} (not in the table)", list(&found.unknown)),
            packages::pip_unknown().scaled(found.unknown.len() as f64),
            Known::Heuristic,
            packages::PIP_UNKNOWN_SOURCE.to_string(),
        ));
    }
    for project in projects {
        out.push((
            project,
            mb(5.0, 60.0, 1500.0),
            Known::Heuristic,
            PIP_PROJECT.to_string(),
        ));
    }
    out
}

// ------------------------------------------------------------------- node

fn node(cmd: &Command, program: &str, args: &[&str], state: &mut State, parts: &mut Vec<Part>) {
    let verb = args.iter().find(|a| !a.starts_with('-')).copied();
    let production = args.iter().any(|a| {
        matches!(
            *a,
            "--omit=dev" | "--production" | "--only=production" | "--only=prod" | "--prod" | "-P"
        )
    }) || (args.windows(2).any(|w| w == ["--omit", "dev"]))
        || cmd.env("NODE_ENV") == Some("production");
    let global = args.iter().any(|a| matches!(*a, "-g" | "--global")) || verb == Some("global");
    let install_verb = matches!(
        (program, verb),
        (
            "npm",
            Some("ci" | "install" | "i" | "add" | "isntall" | "in")
        ) | ("yarn", None | Some("install" | "add" | "global"))
            | ("pnpm", Some("install" | "i" | "add" | "fetch"))
    );
    if install_verb {
        let names: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .skip(1)
            .filter(|a| **a != "add")
            .map(|a| {
                // `@scope/name@1.2` → `@scope/name`
                let (scope, rest) = match a.strip_prefix('@') {
                    Some(rest) => ("@", rest),
                    None => ("", *a),
                };
                format!("{scope}{}", rest.split('@').next().unwrap_or(rest))
            })
            .collect();
        let scope = if production { " (production)" } else { "" };
        let what = format!(
            "{program} {}{scope}",
            args.iter()
                .filter(|a| !a.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        );
        let unpacked = if names.is_empty() {
            packages::node_project(production)
        } else {
            let found = packages::npm_packages(&names);
            let mut total: Bytes = found.rows.iter().map(|r| r.unpacked).sum();
            total += packages::npm_unknown().scaled(found.unknown.len() as f64);
            let known = if found.unknown.is_empty() {
                Known::Table
            } else {
                Known::Heuristic
            };
            let source = if found.unknown.is_empty() {
                found
                    .rows
                    .iter()
                    .map(|r| r.source.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            } else {
                packages::NPM_UNKNOWN_SOURCE.to_string()
            };
            parts.push(part(what, total, known, source));
            add_node_cache(program, total, state);
            return;
        };
        parts.push(part(
            what,
            unpacked,
            Known::Heuristic,
            packages::NODE_PROJECT_SOURCE,
        ));
        add_node_cache(program, unpacked, state);
        let _ = global;
        return;
    }
    match (program, verb) {
        (_, Some("run" | "build" | "run-script")) => {
            let script = if verb == Some("build") {
                "build"
            } else {
                args.iter()
                    .filter(|a| !a.starts_with('-'))
                    .nth(1)
                    .copied()
                    .unwrap_or("")
            };
            if script.starts_with("build") {
                parts.push(part(
                    format!("{program} run {script}"),
                    mb(0.1, 2.0, 300.0),
                    Known::Heuristic,
                    "image-sizes.md §2: a frontend dist is 0.2–2 MB (vite, measured); \
                     Next.js .next output can reach hundreds of MB (estimate)",
                ));
            } else if !matches!(script, "lint" | "test" | "typecheck") {
                parts.push(unknown_part(cmd));
            }
        }
        (
            _,
            Some(
                "config" | "set" | "cache" | "--version" | "version" | "prune" | "dedupe" | "store"
                | "link" | "audit",
            ),
        ) => {}
        (_, None) => {}
        _ => parts.push(unknown_part(cmd)),
    }
}

fn add_node_cache(program: &str, installed: Bytes, state: &mut State) {
    // npm keeps the tarballs (compressed, ~30–60 % of node_modules) in
    // ~/.npm; yarn v1 keeps unpacked copies in /usr/local/share/.cache/yarn.
    let cache = match program {
        "npm" => Bytes::range(
            installed.low / 5,
            installed.best * 2 / 5,
            installed.high * 3 / 5,
        ),
        "yarn" => Bytes::range(installed.low / 2, installed.best, installed.high),
        _ => return, // pnpm: node_modules hard-links its store
    };
    let slot = if program == "npm" {
        &mut state.npm_cache
    } else {
        &mut state.yarn_cache
    };
    *slot = Some(slot.unwrap_or(Bytes::ZERO) + cache);
}

// -------------------------------------------------------------------- gem

fn gem(args: &[&str], cleanup: &Cleanup, parts: &mut Vec<Part>) {
    if args.first() != Some(&"install") {
        return;
    }
    let mut names = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if matches!(
            a,
            "-v" | "--version" | "-i" | "--install-dir" | "-n" | "--bindir" | "--source"
        ) {
            i += 1;
            continue;
        }
        if !a.starts_with('-') {
            names.push(a.to_string());
        }
    }
    let docs = !args
        .iter()
        .any(|a| matches!(*a, "--no-document" | "-N" | "--no-rdoc" | "--no-ri"));
    let mut each = packages::gem_unknown();
    if docs {
        each = each.scaled(1.3);
    }
    let _ = cleanup;
    parts.push(part(
        format!(
            "gem install {}{}",
            list(&names),
            if docs { "" } else { " --no-document" }
        ),
        each.scaled(names.len().max(1) as f64),
        Known::Heuristic,
        packages::GEM_SOURCE,
    ));
}

// --------------------------------------------------------------------- go

fn go(args: &[&str], state: &mut State, parts: &mut Vec<Part>) {
    match args.first().copied() {
        Some("build") => {
            parts.push(part(
                "go build (binary)",
                mb(1.0, 7.0, 60.0),
                Known::Table,
                "image-sizes.md §2: 1.3–1.8 MB hello world, 5–8 MB web server, 16–24 MB real service",
            ));
            state.go_modules = true;
            state.go_build_cache = true;
        }
        Some("install") => {
            parts.push(part(
                format!("go install {}", args.get(1..).unwrap_or(&[]).join(" ")),
                mb(1.0, 10.0, 60.0),
                Known::Table,
                "image-sizes.md §2: Go binaries 1.3–24 MB",
            ));
            state.go_modules = true;
            state.go_build_cache = true;
        }
        Some("test") | Some("vet") | Some("generate") => state.go_build_cache = true,
        Some("mod")
            if args
                .get(1)
                .is_some_and(|a| matches!(*a, "download" | "tidy" | "vendor")) =>
        {
            state.go_modules = true;
        }
        Some("get") => state.go_modules = true,
        _ => {}
    }
}

// ------------------------------------------------------------------ cargo

fn cargo(args: &[&str], state: &mut State, parts: &mut Vec<Part>) {
    match args.first().copied() {
        Some("build") | Some("b") | Some("test") | Some("t") | Some("run") | Some("chef") => {
            let release = args.iter().any(|a| matches!(*a, "--release" | "-r"))
                || args.iter().any(|a| a.starts_with("--profile"));
            parts.push(part(
                format!(
                    "cargo {} target directory",
                    if release { "build --release" } else { "build" }
                ),
                if release {
                    mb(30.0, 300.0, 3000.0)
                } else {
                    mb(80.0, 800.0, 5000.0)
                },
                Known::Heuristic,
                "rule of thumb: target/ holds every dependency's build output (estimate)",
            ));
            state.cargo_registry = true;
        }
        Some("install") => {
            parts.push(part(
                format!("cargo install {}", args.get(1..).unwrap_or(&[]).join(" ")),
                mb(0.3, 8.0, 60.0),
                Known::Table,
                "image-sizes.md §2: release binaries 0.4 MB (hello) to 5–20 MB (real service); \
                 cargo install removes its temporary target directory",
            ));
            state.cargo_registry = true;
        }
        Some("fetch") | Some("vendor") => state.cargo_registry = true,
        _ => {}
    }
}

// -------------------------------------------------------------------- jvm

fn jvm(program: &str, args: &[&str], parts: &mut Vec<Part>) {
    let goals: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    if goals.is_empty()
        || goals
            .iter()
            .all(|g| matches!(*g, "clean" | "--version" | "-v"))
    {
        return;
    }
    let maven = program.starts_with("mvn");
    parts.push(part(
        format!("{program} {}", goals.join(" ")),
        if maven {
            mb(30.0, 200.0, 1000.0)
        } else {
            mb(50.0, 300.0, 1500.0)
        },
        Known::Heuristic,
        if maven {
            "rule of thumb: ~/.m2 repository plus target/ (estimate)"
        } else {
            "rule of thumb: ~/.gradle caches plus build/ (estimate)"
        },
    ));
}

// --------------------------------------------------------------- download

fn download(
    cmd: &Command,
    args: &[&str],
    piped_into: Option<&str>,
    state: &mut State,
    parts: &mut Vec<Part>,
) {
    let urls: Vec<&str> = args.iter().copied().filter(|a| a.contains("://")).collect();
    if urls.is_empty() {
        return;
    }
    if let Some(into) = piped_into {
        if matches!(
            into,
            "gpg"
                | "apt-key"
                | "grep"
                | "jq"
                | "sed"
                | "awk"
                | "head"
                | "tail"
                | "cut"
                | "sha256sum"
                | "sha512sum"
                | "tee"
                | "cat"
                | "wc"
                | "gpgv"
        ) {
            return; // a key or a checksum
        }
    }
    let output = args
        .iter()
        .position(|a| matches!(*a, "-o" | "-O" | "--output" | "--output-document"))
        .and_then(|i| args.get(i + 1).copied())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--output-document="))
        });
    let small = |s: &str| {
        let s = s.to_ascii_lowercase();
        [
            ".asc",
            ".gpg",
            ".sig",
            ".sha256",
            ".sha512",
            ".sha256sum",
            ".key",
            ".pub",
            ".txt",
            ".json",
            ".sha1",
            ".md5",
            ".list",
            ".pem",
            ".crt",
            ".repo",
            ".conf",
        ]
        .iter()
        .any(|ext| s.ends_with(ext))
            || s.starts_with("/etc/")
            || s.contains("keyring")
    };
    if output.is_some_and(small) || (output.is_none() && urls.iter().all(|u| small(u))) {
        return;
    }
    if piped_into.is_none() && output.is_none() && urls.iter().all(|u| small(u)) {
        return;
    }
    state.downloaded = true;
    let into = match piped_into {
        Some(p @ ("sh" | "bash" | "python" | "python3" | "zsh")) => {
            format!(" | {p} (installer script)")
        }
        Some(p) => format!(" | {p}"),
        None => String::new(),
    };
    parts.push(part(
        format!("{} {}{into}: download", cmd.program(), shorten_url(urls[0])),
        mb(0.0, 20.0, 500.0),
        Known::Unknown,
        "a download of unknown size: 0 to 500 MB, 20 MB as a guess",
    ));
}

fn shorten_url(url: &str) -> String {
    let tail = url.rsplit('/').find(|s| !s.is_empty()).unwrap_or(url);
    if tail.chars().count() > 40 {
        format!("…/{}", tail.chars().take(40).collect::<String>())
    } else if tail.len() < url.len() {
        format!("…/{tail}")
    } else {
        url.to_string()
    }
}

// -------------------------------------------------------------- leftovers

/// Parts that are caches left in the layer, by the start of their `what`,
/// with the directory they live in (relative: under the working directory).
const CACHE_DIRS: &[(&str, &str)] = &[
    ("apt lists left", "/var/lib/apt/lists"),
    ("apk index cache", "/var/cache/apk"),
    ("dnf/yum metadata cache", "/var/cache/dnf"),
    ("pip cache", "/root/.cache/pip"),
    ("npm cache", "/root/.npm"),
    ("yarn cache", "/usr/local/share/.cache/yarn"),
    ("Go module cache", "/go/pkg/mod"),
    ("Go build cache", "/root/.cache/go-build"),
    ("Cargo registry", "/usr/local/cargo/registry"),
    ("cargo build", "target"),
];

/// The directory a cache part lives in, so a RUN with
/// `--mount=type=cache,target=…` (or tmpfs) over it can drop the part;
/// `None` for parts that are not caches. A relative answer (`target`) is
/// under the RUN's working directory.
pub fn cache_dir(part: &Part) -> Option<&'static str> {
    CACHE_DIRS
        .iter()
        .find(|(what, _)| part.what.starts_with(what))
        .map(|(_, dir)| *dir)
}

fn leftovers(cleanup: &Cleanup, state: &State, parts: &mut Vec<Part>) {
    if state.apt_update && !cleanup.removes(&["/var/lib/apt/lists"]) {
        parts.push(part(
            "apt lists left by apt-get update (no rm -rf /var/lib/apt/lists/*)",
            mb(18.0, 20.0, 45.0),
            Known::Heuristic,
            "measured on Debian 12: bookworm, -updates and -security indexes kept compressed \
             (docker-clean) are 19.7 MB; Ubuntu's are larger (image-sizes.md §2: 20–45 MB)",
        ));
    }
    if state.apk_index && !cleanup.removes(&["/var/cache/apk"]) {
        parts.push(part(
            "apk index cache (no --no-cache)",
            mb(1.0, 2.5, 4.0),
            Known::Heuristic,
            "rule of thumb: APKINDEX for main + community in /var/cache/apk (estimate)",
        ));
    }
    if state.dnf_metadata
        && !cleanup.dnf_clean
        && !cleanup.removes(&["/var/cache/dnf", "/var/cache/yum"])
    {
        parts.push(part(
            "dnf/yum metadata cache (no dnf clean all)",
            mb(10.0, 60.0, 250.0),
            Known::Heuristic,
            "rule of thumb: repository metadata in /var/cache/dnf (estimate)",
        ));
    }
    if let Some(cache) = state.pip_cache {
        parts.push(part(
            "pip cache (no --no-cache-dir)",
            cache,
            Known::Heuristic,
            "image-sizes.md §2: the wheel cache adds ~30–100 % of the installed size",
        ));
    }
    if let Some(cache) = state.npm_cache {
        if !cleanup.npm_clean && !cleanup.removes(&["/root/.npm", "/root/.npm/_cacache"]) {
            parts.push(part(
                "npm cache in ~/.npm (no npm cache clean)",
                cache,
                Known::Heuristic,
                "rule of thumb: compressed tarballs, 20–60 % of node_modules",
            ));
        }
    }
    if let Some(cache) = state.yarn_cache {
        if !cleanup.yarn_clean
            && !cleanup.removes(&["/usr/local/share/.cache/yarn", "/root/.cache/yarn"])
        {
            parts.push(part(
                "yarn cache (no yarn cache clean)",
                cache,
                Known::Heuristic,
                "rule of thumb: yarn v1 keeps an unpacked copy of every package",
            ));
        }
    }
    if state.go_modules
        && !cleanup.go_clean_modcache
        && !cleanup.removes(&["/go/pkg/mod", "/root/go/pkg/mod"])
    {
        parts.push(part(
            "Go module cache (/go/pkg/mod)",
            mb(5.0, 100.0, 1000.0),
            Known::Heuristic,
            "rule of thumb: module sources of an unknown go.mod (estimate)",
        ));
    }
    if state.go_build_cache
        && !cleanup.go_clean_cache
        && !cleanup.removes(&["/root/.cache/go-build"])
    {
        parts.push(part(
            "Go build cache (~/.cache/go-build)",
            mb(20.0, 150.0, 800.0),
            Known::Heuristic,
            "rule of thumb: compiled packages of the build (estimate)",
        ));
    }
    if state.cargo_registry
        && !cleanup.removes(&["/usr/local/cargo/registry", "/root/.cargo/registry"])
    {
        parts.push(part(
            "Cargo registry (crate sources and index)",
            mb(10.0, 100.0, 800.0),
            Known::Heuristic,
            "rule of thumb: $CARGO_HOME/registry for an unknown Cargo.lock (estimate)",
        ));
    }
    let _ = &state.venv;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(shell: &str) -> Vec<Vec<String>> {
        commands(shell).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_like_sh() {
        assert_eq!(
            words("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y 'a b' c; echo \"x && y\" | tee f 2>&1 >/dev/null"),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c"],
                vec!["echo", "x && y"],
                vec!["tee", "f"],
            ]
        );
        assert_eq!(
            words("sudo -E env X=1 pip install $(cat r.txt)"),
            vec![vec!["pip", "install", "$(cat r.txt)"]]
        );
        assert_eq!(
            words("case \"$a\" in amd64) x=1 ;; esac"),
            vec![vec!["case", "$a", "in"], vec![], vec!["esac"]]
        );
    }

    #[test]
    fn every_part_is_ordered() {
        for shell in [
            "apt-get install -y curl git",
            "pip install flask",
            "npm ci",
            "",
            "\\",
            "'",
            "$(",
            "a)b(c",
        ] {
            for p in analyse_run(shell, Distro::Debian) {
                assert!(
                    p.unpacked.low <= p.unpacked.best && p.unpacked.best <= p.unpacked.high,
                    "{p:?}"
                );
            }
        }
    }
}
