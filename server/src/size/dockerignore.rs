//! `.dockerignore` as BuildKit reads and applies it.
//!
//! Three steps, each written from the behaviour of moby/patternmatcher (the
//! library BuildKit, buildx and the docker CLI share):
//! 1. `ReadAll` (`ignorefile`): lines of at most 64 KiB, a UTF-8 BOM stripped
//!    from the first line, `#` a comment only in column 1, whitespace trimmed,
//!    `!` marks an exception, every pattern `filepath.Clean`ed and one leading
//!    `/` dropped.
//! 2. `New` + `Pattern.compile`: a bare `!` is an error, the pattern must be a
//!    valid `filepath.Match` glob, then it becomes an exact, prefix, suffix or
//!    regular-expression matcher. The regular expression is Go RE2 syntax; we
//!    translate that text into the `regex` crate's syntax ourselves, so
//!    everything Go reads differently from Rust (class set operations `&&`
//!    `--` `~~`, nested `[`, `\Q…\E`, ASCII-only `\d`/`\w`/`\b`) keeps Go's
//!    meaning. Errors in that step are lazy in BuildKit (reported only when
//!    the pattern is first evaluated), so they are here too: see
//!    [`IgnoreRules::check`] and [`IgnoreRules::problems`].
//! 3. Matching: last matching pattern wins, a pattern also matches through a
//!    parent directory, in the incremental form BuildKit's file walker uses
//!    (tonistiigi/fsutil `filter.go`, `filterFS.Walk` calls
//!    `MatchesUsingParentResults` with the parent directory's results: a
//!    pattern skipped for a directory is later tried on the child's own path
//!    only). It differs from
//!    `MatchesOrParentMatches` in one corner: `a`, `!a/b`, `a` leaves `a/b`
//!    in the context (the walker's answer, which is what a build sees).
//!
//! Paths are `/`-separated and relative to the context root (Linux rules; on
//! Windows callers convert `\` first, and patterns keep `\` as an escape).
//! File names that are not UTF-8 are matched in their lossy form (each bad
//! sequence read as U+FFFD), so only wildcards can match them.

use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;

/// Why a `.dockerignore` (or a `COPY --exclude` list) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreError {
    /// 1-based line in the ignore file, when the error comes from one.
    pub line: Option<usize>,
    /// The pattern as BuildKit holds it (cleaned; `!` included).
    pub pattern: String,
    /// BuildKit's message (`syntax error in pattern`, `illegal exclusion
    /// pattern: "!"`, `bufio.Scanner: token too long`), with our detail.
    pub message: String,
}

impl fmt::Display for IgnoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for IgnoreError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// Cleaned pattern without the `!`.
    text: String,
    exclusion: bool,
    line: Option<usize>,
    kind: Kind,
    regex: Option<Regex>,
    /// A compile error BuildKit raises when the pattern is first evaluated.
    broken: Option<String>,
    /// Number of path segments every match has, when that is fixed.
    depth: Option<usize>,
}

/// Per-pattern results for a directory, handed to its children
/// (patternmatcher's `MatchInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchInfo(Vec<bool>);

/// Compiled `.dockerignore` rules.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    patterns: Vec<Pattern>,
    exceptions: bool,
}

const MAX_LINE: usize = 64 * 1024;

impl IgnoreRules {
    /// Reads an ignore file the way BuildKit does (`ReadAll`, then `New`).
    /// Errors are the ones BuildKit raises whatever the context holds;
    /// patterns that fail only when evaluated are kept (see [`Self::check`]).
    pub fn parse(text: &str) -> Result<IgnoreRules, IgnoreError> {
        Self::parse_bytes(text.as_bytes())
    }

    /// [`Self::parse`] for raw file contents (lines that are not UTF-8 are
    /// read lossily).
    pub fn parse_bytes(bytes: &[u8]) -> Result<IgnoreRules, IgnoreError> {
        let mut lines = Vec::new();
        for (index, raw) in scan_lines(bytes)?.into_iter().enumerate() {
            let raw = if index == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(raw)
            } else {
                raw
            };
            let line = String::from_utf8_lossy(raw);
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let invert = pattern.starts_with('!');
            if invert {
                pattern = pattern[1..].trim();
            }
            let mut cleaned = String::new();
            if !pattern.is_empty() {
                cleaned = go_clean(pattern);
                if cleaned.len() > 1 && cleaned.starts_with('/') {
                    cleaned.remove(0);
                }
            }
            if invert {
                cleaned.insert(0, '!');
            }
            lines.push((index + 1, cleaned));
        }
        Self::build(lines.iter().map(|(l, p)| (Some(*l), p.as_str())))
    }

    /// Patterns given one by one, as `COPY --exclude` passes them
    /// (patternmatcher's `New`: trimmed and cleaned, no leading-`/` removal).
    pub fn from_patterns(patterns: &[&str]) -> Result<IgnoreRules, IgnoreError> {
        Self::build(patterns.iter().map(|p| (None, *p)))
    }

    fn build<'a>(
        patterns: impl Iterator<Item = (Option<usize>, &'a str)>,
    ) -> Result<IgnoreRules, IgnoreError> {
        let mut rules = IgnoreRules::default();
        for (line, raw) in patterns {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let cleaned = go_clean(trimmed);
            let (exclusion, text) = match cleaned.strip_prefix('!') {
                Some("") => {
                    return Err(IgnoreError {
                        line,
                        pattern: cleaned.clone(),
                        message: "illegal exclusion pattern: \"!\"".into(),
                    })
                }
                Some(rest) => (true, rest.to_string()),
                None => (false, cleaned.clone()),
            };
            if go_match(&text, ".").is_err() {
                return Err(IgnoreError {
                    line,
                    pattern: cleaned,
                    message: format!("syntax error in pattern {text:?}"),
                });
            }
            rules.exceptions |= exclusion;
            rules.patterns.push(compile(text, exclusion, line));
        }
        Ok(rules)
    }

    /// No patterns at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any pattern is an exception (`!…`).
    pub fn has_exceptions(&self) -> bool {
        self.exceptions
    }

    /// The patterns as BuildKit holds them, exceptions with their `!`.
    pub fn patterns(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|p| {
                if p.exclusion {
                    format!("!{}", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    /// Patterns that make BuildKit fail once it evaluates them (a reversed
    /// range `[z-a]`, an escape Go's regexp refuses, …).
    pub fn problems(&self) -> Vec<IgnoreError> {
        self.patterns
            .iter()
            .filter_map(|p| p.broken.as_ref().map(|why| p.error(why)))
            .collect()
    }

    /// Is `path` (slash-separated, relative to the context root) left out of
    /// the context? A pattern that fails to compile counts as not matching;
    /// [`Self::check`] reports it instead.
    pub fn excludes(&self, path: &str) -> bool {
        self.check(path).unwrap_or(false)
    }

    /// [`Self::excludes`], with BuildKit's error when a broken pattern gets
    /// evaluated on the way.
    pub fn check(&self, path: &str) -> Result<bool, IgnoreError> {
        let path = normalize(path);
        if path.is_empty() || self.patterns.is_empty() {
            return Ok(false);
        }
        let mut info: Option<MatchInfo> = None;
        let mut result = false;
        for (end, _) in path
            .match_indices('/')
            .chain(std::iter::once((path.len(), "")))
        {
            let (m, next) = self.matches_with_parent(&path[..end], info.as_ref())?;
            result = m;
            info = Some(next);
        }
        Ok(result)
    }

    /// One step of the walker's incremental matching: `path` given the
    /// results of its parent directory (`None` for entries of the root, or
    /// when unknown: then every ancestor is tried, as `MatchesOrParentMatches`
    /// does).
    pub fn matches_with_parent(
        &self,
        path: &str,
        parent: Option<&MatchInfo>,
    ) -> Result<(bool, MatchInfo), IgnoreError> {
        let mut matched = false;
        let mut info = vec![false; self.patterns.len()];
        let parent = parent.filter(|p| p.0.len() == self.patterns.len());
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut m = parent.is_some_and(|p| p.0[i]);
            if !m {
                if pattern.exclusion != matched {
                    continue;
                }
                m = pattern.matches(path)?;
                if !m && parent.is_none() {
                    m = path
                        .match_indices('/')
                        .any(|(end, _)| pattern.matches(&path[..end]).unwrap_or(false));
                }
            }
            info[i] = m;
            if m {
                matched = !pattern.exclusion;
            }
        }
        Ok((matched, MatchInfo(info)))
    }

    /// For an excluded directory: can a walker skip everything below it?
    /// True when no exception could match a path inside (then nothing there
    /// can come back); false when unsure.
    pub fn can_prune(&self, dir: &str) -> bool {
        let dir = normalize(dir);
        if dir.is_empty() {
            return false;
        }
        let depth = dir.split('/').count();
        let dir_slash = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exclusion)
            .all(|p| match p.kind {
                Kind::Exact => !p.text.starts_with(&dir_slash),
                Kind::Prefix => {
                    let prefix = &p.text[..p.text.len() - 2];
                    !(prefix.starts_with(&dir_slash) || dir_slash.starts_with(prefix))
                }
                Kind::Suffix | Kind::Regexp => {
                    p.broken.is_none() && p.depth.is_some_and(|k| k <= depth)
                }
            })
    }
}

impl Pattern {
    fn error(&self, why: &str) -> IgnoreError {
        IgnoreError {
            line: self.line,
            pattern: if self.exclusion {
                format!("!{}", self.text)
            } else {
                self.text.clone()
            },
            message: format!("syntax error in pattern {:?}: {why}", self.text),
        }
    }

    fn matches(&self, path: &str) -> Result<bool, IgnoreError> {
        if let Some(why) = &self.broken {
            return Err(self.error(why));
        }
        Ok(match self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/') == Some(path)
            }
            Kind::Regexp => self.regex.as_ref().is_some_and(|re| re.is_match(path)),
        })
    }
}

fn normalize(path: &str) -> &str {
    let mut p = path;
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest;
        } else {
            break;
        }
    }
    let p = p.trim_end_matches('/');
    if p == "." {
        ""
    } else {
        p
    }
}

/// Lines as Go's `bufio.Scanner` with `ScanLines` yields them: split at
/// `\n`, one trailing `\r` dropped, a line that does not fit in 64 KiB is
/// an error.
fn scan_lines(bytes: &[u8]) -> Result<Vec<&[u8]>, IgnoreError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        let (line, next, had_newline) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], false),
        };
        // the scanner's buffer holds at most 64 KiB, newline included
        let needed = line.len() + usize::from(had_newline);
        if needed > MAX_LINE {
            return Err(IgnoreError {
                line: Some(line_no),
                pattern: String::new(),
                message: "bufio.Scanner: token too long".into(),
            });
        }
        out.push(line.strip_suffix(b"\r").unwrap_or(line));
        rest = next;
    }
    Ok(out)
}

/// Go's `path/filepath.Clean` on Unix.
pub(crate) fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

// ---------------------------------------------------------------------------
// Go's filepath.Match (Unix): used to validate patterns, and by COPY sources.

/// `filepath.Match(pattern, name)`: `Err(())` is `ErrBadPattern`.
pub(crate) fn go_match(pattern: &str, name: &str) -> Result<bool, ()> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let first = match_chunk(chunk, name);
        if let Ok(Some(t)) = first {
            if t.is_empty() || !pattern.is_empty() {
                name = t;
                continue;
            }
        }
        first?;
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(t) = match_chunk(chunk, &name[i + 1..])? {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut p = pattern;
    let mut star = false;
    while p.first() == Some(&b'*') {
        p = &p[1..];
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'\\' if i + 1 < p.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &p[..i], &p[i..])
}

fn decode(bytes: &[u8]) -> (char, usize, bool) {
    let width = match bytes.first() {
        None => return ('\u{FFFD}', 0, false),
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        Some(_) => 1,
    };
    match bytes.get(..width).and_then(|b| std::str::from_utf8(b).ok()) {
        Some(s) => (s.chars().next().unwrap_or('\u{FFFD}'), width, true),
        None => ('\u{FFFD}', 1, false),
    }
}

fn match_chunk<'a>(chunk: &[u8], s: &'a [u8]) -> Result<Option<&'a [u8]>, ()> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (c, n, _) = decode(s);
                    r = c;
                    s = &s[n.max(1).min(s.len())..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n, _) = decode(s);
                    s = &s[n.max(1).min(s.len())..];
                }
                chunk = &chunk[1..];
            }
            c => {
                if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(());
                    }
                }
                if !failed {
                    if chunk[0] != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

fn get_esc(chunk: &[u8]) -> Result<(char, &[u8]), ()> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(()),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(());
            }
        }
        _ => {}
    }
    let (r, n, ok) = decode(chunk);
    if !ok {
        return Err(());
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(());
    }
    Ok((r, rest))
}

// ---------------------------------------------------------------------------
// Pattern.compile: glob -> Go regexp text -> Rust regex.

fn compile(text: String, exclusion: bool, line: Option<usize>) -> Pattern {
    let (kind, go_re) = go_regexp_text(&text);
    let mut pattern = Pattern {
        depth: fixed_depth(&text),
        text,
        exclusion,
        line,
        kind,
        regex: None,
        broken: None,
    };
    if kind == Kind::Regexp {
        match go_regex_to_rust(&go_re).and_then(|re| Regex::new(&re).map_err(|e| e.to_string())) {
            Ok(re) => pattern.regex = Some(re),
            Err(why) => pattern.broken = Some(why),
        }
    }
    pattern
}

/// Segments every match has, for patterns made of literals, `*` and `?`.
fn fixed_depth(text: &str) -> Option<usize> {
    if text.contains("**") || text.contains(['[', ']', '\\', '^']) {
        return None;
    }
    Some(text.split('/').count())
}

/// patternmatcher's `compile` with `/` as separator: the kind of match and
/// the Go regular expression text.
fn go_regexp_text(pattern: &str) -> (Kind, String) {
    // (Go's text/scanner would skip a leading BOM here; a BOM can only lead
    // a pattern on line 2 or later, where we keep it as a character)
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let mut k = 0;
    let mut iteration = 0;
    while k < chars.len() {
        let ch = chars[k];
        k += 1;
        match ch {
            '*' if chars.get(k) == Some(&'*') => {
                k += 1;
                if chars.get(k) == Some(&'/') {
                    k += 1;
                }
                if k == chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regexp;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regexp;
                }
                if iteration == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regexp;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regexp;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => {
                re.push('\\');
                if let Some(&next) = chars.get(k) {
                    re.push(next);
                    k += 1;
                    kind = Kind::Regexp;
                }
            }
            '[' | ']' => {
                re.push(ch);
                kind = Kind::Regexp;
            }
            _ => re.push(ch),
        }
        iteration += 1;
    }
    if kind == Kind::Regexp {
        re.push('$');
    }
    (kind, re)
}

fn push_literal(out: &mut String, ch: char) {
    use std::fmt::Write;
    let _ = write!(out, "\\x{{{:X}}}", ch as u32);
}

fn perl_class(letter: char) -> Option<&'static str> {
    // Go's \d \s \w are ASCII-only
    Some(match letter {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[\\t\\n\\x0C\\r ]",
        'S' => "[^\\t\\n\\x0C\\r ]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

const POSIX: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Go RE2 text (as `compile` produces it) to equivalent `regex` crate text.
fn go_regex_to_rust(src: &str) -> Result<String, String> {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        match ch {
            '\\' => {
                let Some(&e) = c.get(i) else {
                    return Err("trailing backslash".into());
                };
                i += 1;
                match e {
                    'A' => out.push_str("\\A"),
                    'z' => out.push_str("\\z"),
                    'b' => out.push_str("(?-u:\\b)"),
                    'B' => out.push_str("(?-u:\\B)"),
                    'Q' => {
                        let mut j = i;
                        while j < c.len() && !(c[j] == '\\' && c.get(j + 1) == Some(&'E')) {
                            j += 1;
                        }
                        for &lit in &c[i..j] {
                            push_literal(&mut out, lit);
                        }
                        i = (j + 2).min(c.len());
                    }
                    'p' | 'P' => {
                        let class = unicode_class(e, &c, &mut i)?;
                        out.push_str(&class);
                    }
                    _ => match perl_class(e) {
                        Some(class) => out.push_str(class),
                        None => push_literal(&mut out, escape_char(e, &c, &mut i)?),
                    },
                }
            }
            '[' => i = class(&c, i, &mut out)?,
            '(' | ')' | '.' | '*' | '?' | '^' | '$' | '|' | '+' => out.push(ch),
            _ => push_literal(&mut out, ch),
        }
    }
    Ok(out)
}

/// `\p` / `\P` after the letter: `\pL` or `\p{Name}` (`\p{^Name}` negated).
fn unicode_class(letter: char, c: &[char], i: &mut usize) -> Result<String, String> {
    let mut negated = letter == 'P';
    let name: String = match c.get(*i) {
        None => return Err("invalid character class range: \\p".into()),
        Some('{') => {
            let Some(end) = c[*i..].iter().position(|&x| x == '}') else {
                return Err("invalid character class range: missing }".into());
            };
            let name: String = c[*i + 1..*i + end].iter().collect();
            *i += end + 1;
            name
        }
        Some(&single) => {
            *i += 1;
            single.to_string()
        }
    };
    let name = match name.strip_prefix('^') {
        Some(rest) => {
            negated = !negated;
            rest.to_string()
        }
        None => name,
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        return Err(format!("invalid character class range: \\p{{{name}}}"));
    }
    Ok(format!("\\{}{{{name}}}", if negated { 'P' } else { 'p' }))
}

/// Go's `parseEscape` after the backslash and the letter `e`.
fn escape_char(e: char, c: &[char], i: &mut usize) -> Result<char, String> {
    let invalid = || format!("invalid escape sequence: \\{e}");
    if e.is_ascii() && !e.is_ascii_alphanumeric() {
        return Ok(e);
    }
    let octal = |ch: Option<&char>| ch.is_some_and(|x| ('0'..='7').contains(x));
    match e {
        '1'..='7' if !octal(c.get(*i)) => Err(invalid()),
        '0'..='7' => {
            let mut r = e as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal(c.get(*i)) {
                    break;
                }
                r = r * 8 + (c[*i] as u32 - '0' as u32);
                *i += 1;
            }
            char::from_u32(r).ok_or_else(invalid)
        }
        'x' => {
            let digits: String = if c.get(*i) == Some(&'{') {
                let end = c[*i..].iter().position(|&x| x == '}').ok_or_else(invalid)?;
                let d: String = c[*i + 1..*i + end].iter().collect();
                *i += end + 1;
                d
            } else {
                let d: String = c.get(*i..*i + 2).ok_or_else(invalid)?.iter().collect();
                *i += 2;
                d
            };
            if digits.is_empty() || !digits.chars().all(|d| d.is_ascii_hexdigit()) {
                return Err(invalid());
            }
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(invalid)
        }
        'a' => Ok('\x07'),
        'f' => Ok('\x0C'),
        'n' => Ok('\n'),
        'r' => Ok('\r'),
        't' => Ok('\t'),
        'v' => Ok('\x0B'),
        _ => Err(invalid()),
    }
}

/// A Go character class starting at `c[start]` (just after `[`); appends the
/// Rust class and returns the index after the closing `]`.
fn class(c: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let missing = || "missing closing ]".to_string();
    let mut i = start;
    out.push('[');
    if c.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&ch) = c.get(i) else {
            return Err(missing());
        };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        if ch == '[' && c.get(i + 1) == Some(&':') {
            let rest = &c[i + 2..];
            if let Some(end) = rest.windows(2).position(|w| w == [':', ']']) {
                let name: String = rest[..end].iter().collect();
                let bare = name.strip_prefix('^').unwrap_or(&name);
                if !POSIX.contains(&bare) {
                    return Err(format!("invalid character class range: [:{name}:]"));
                }
                out.push_str(&format!("[:{name}:]"));
                i += 2 + end + 2;
                continue;
            }
        }
        if ch == '\\' {
            match c.get(i + 1) {
                Some(&l @ ('p' | 'P')) => {
                    i += 2;
                    out.push_str(&unicode_class(l, c, &mut i)?);
                    continue;
                }
                Some(&l) if perl_class(l).is_some() => {
                    out.push_str(perl_class(l).unwrap_or_default());
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        let lo = class_char(c, &mut i)?;
        let mut hi = lo;
        if c.get(i) == Some(&'-') && c.get(i + 1).is_some_and(|&x| x != ']') {
            i += 1;
            hi = class_char(c, &mut i)?;
            if hi < lo {
                return Err(format!("invalid character class range: {lo}-{hi}"));
            }
        }
        push_literal(out, lo);
        if hi != lo {
            out.push('-');
            push_literal(out, hi);
        }
    }
    out.push(']');
    Ok(i)
}

fn class_char(c: &[char], i: &mut usize) -> Result<char, String> {
    let Some(&ch) = c.get(*i) else {
        return Err("missing closing ]".into());
    };
    *i += 1;
    if ch != '\\' {
        return Ok(ch);
    }
    let Some(&e) = c.get(*i) else {
        return Err("trailing backslash".into());
    };
    *i += 1;
    escape_char(e, c, i)
}

// ---------------------------------------------------------------------------

/// The ignore file BuildKit uses for a build: `<Dockerfile name>.dockerignore`
/// next to the Dockerfile wins over `<context>/.dockerignore`.
///
/// BuildKit `frontend/dockerui/config.go`: `ReadEntrypoint` loads
/// `bctx.filename + ".dockerignore"` together with the Dockerfile and, when
/// that read succeeds, stores it as `bc.dockerignore`; `dockerIgnorePatterns`
/// reads the context's `DefaultDockerignoreName` (`.dockerignore`) only while
/// `bc.dockerignore` is still nil.
pub fn ignore_file_for(context_root: &Path, dockerfile: &Path) -> Option<PathBuf> {
    if let Some(name) = dockerfile.file_name() {
        let mut own = name.to_os_string();
        own.push(".dockerignore");
        let own = dockerfile.with_file_name(own);
        if own.is_file() {
            return Some(own);
        }
    }
    let shared = context_root.join(".dockerignore");
    shared.is_file().then_some(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            ("./foo", "foo"),
            ("foo//bar/", "foo/bar"),
            ("foo/.", "foo"),
            ("a/../b", "b"),
            ("../x", "../x"),
            ("/../x", "/x"),
            ("/", "/"),
            ("a/b/../..", "."),
        ] {
            assert_eq!(go_clean(input), want, "{input}");
        }
    }

    #[test]
    fn go_glob_validation() {
        for bad in ["[", "[a", "[]a]", "[-a]", "[a-]", "a\\", "[a-b-c]", "[^]"] {
            assert!(go_match(bad, ".").is_err(), "{bad}");
        }
        for good in [
            "[a]", "[!a]", "[^a]", "[z-a]", "a*b?", "[*]", "\\*", "[\\]]",
        ] {
            assert!(go_match(good, ".").is_ok(), "{good}");
        }
        assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(go_match("*.txt", "a/b.txt"), Ok(false));
        assert_eq!(go_match("a?c", "abc"), Ok(true));
        assert_eq!(go_match("[^a]b", "/b"), Ok(true));
        assert_eq!(go_match("*/x", "dir/x"), Ok(true));
    }

    #[test]
    fn regex_translation() {
        for text in ["a\\b*", "\\pL*", "[\\d]*", "\\x41*", "[[:alpha:]]"] {
            let p = compile(text.to_string(), false, None);
            assert!(p.broken.is_none(), "{text}: {:?}", p.broken);
        }
        // `{` is escaped before Go's regexp sees it, so `\p{…}` breaks there too
        assert!(compile("\\p{Greek}*".into(), false, None).broken.is_some());
        assert_eq!(go_regexp_text("foo").0, Kind::Exact);
        assert_eq!(go_regexp_text("foo**").0, Kind::Prefix);
        assert_eq!(go_regexp_text("**foo").0, Kind::Suffix);
        assert_eq!(go_regexp_text("**/*.go").0, Kind::Regexp);
        assert!(go_regex_to_rust("^[z-a]$").is_err());
        assert!(go_regex_to_rust("^\\é$").is_err());
        assert!(go_regex_to_rust("^[[:foo:]]$").is_err());
        assert!(go_regex_to_rust("^[a&&b]$").is_ok());
    }
}
