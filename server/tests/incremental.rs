//! Property test: after any sequence of edits, the tree that tree-sitter
//! builds incrementally (`tree.edit` + `parser.parse(text, Some(&old))`)
//! equals a fresh parse of the same text.
//!
//! Incremental parsing reuses subtrees whose external-scanner state matches,
//! so a mismatch here almost always means the external scanner
//! (grammar/src/scanner.c) does not serialize all of the state its tokens
//! depend on, or depends on text outside the token it returns.
//!
//! Each case picks one corpus file (real Dockerfiles and BuildKit's parser
//! testfiles) and applies 1–20 random inserts, deletes and replacements of
//! Dockerfile-flavoured fragments, comparing `to_sexp` after every edit.
//! A failing case is shrunk: edits are dropped one by one while it still
//! fails; then it is restarted from a fresh parse as late as possible
//! (usually the text before the last edit, with that one edit), and that
//! text and the edits are reduced line by line, byte by byte and char by
//! char.
//!
//! Environment:
//! - `DOCKERFILE_LS_PROPTEST_CASES`: number of cases (default 200).
//! - `DOCKERFILE_LS_PROPTEST_SEED`: seed of the first case (default fixed);
//!   case `i` uses seed `SEED + i`, so a failing case is rerun alone with its
//!   printed seed and `DOCKERFILE_LS_PROPTEST_CASES=1`.
//! - `DOCKERFILE_LS_PROPTEST_MAX_FAILURES`: failing cases to shrink and
//!   report before stopping (default 3).
//!
//! `REDUCED_CASES` keeps the reductions of failures found so far as a
//! deterministic test, since random cases hit them rarely.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockerfile_ls::syntax::{parser, to_sexp};
use tree_sitter::{InputEdit, Parser, Point, Tree};

const DEFAULT_CASES: u64 = 200;
const DEFAULT_SEED: u64 = 0x00d0_c4e7_f11e;
const MAX_EDITS: usize = 20;
/// Failing cases to shrink and report before giving up, unless
/// `DOCKERFILE_LS_PROPTEST_MAX_FAILURES` says otherwise.
const DEFAULT_MAX_FAILURES: u64 = 3;

const FRAGMENTS: &[&str] = &[
    "\n",
    "\\",
    "\\\n",
    "`",
    "`\n",
    "\"",
    "'",
    "<<EOF",
    "<<-EOF\n",
    "<<\"EOF\"",
    "\nEOF\n",
    "EOF",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "$",
    "${",
    "}",
    "${a:-b}",
    "#",
    "# ",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=docker/dockerfile:1\n",
    "FROM ",
    "FROM alpine AS base\n",
    "AS ",
    "RUN ",
    "RUN <<EOF\n",
    "COPY ",
    "ENV ",
    "ARG ",
    "LABEL ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "CMD ",
    "NONE",
    "--mount=type=cache,target=/x",
    "--from=base ",
    "--",
    "=",
    " ",
    "  ",
    "\t",
    "\r\n",
    "\r",
    " \n",
    "\t\n",
    " \\\n",
    "<<EOF \n",
    ":",
    "@sha256:",
    "/",
    "é🐳",
    "é",
    "🐳",
];

// ---------------------------------------------------------------------------
// edits

/// One edit, in byte offsets of the text it applies to. Offsets are clamped
/// to the text and snapped to char boundaries when applied, so edit lists
/// stay applicable when the shrinker drops earlier edits.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    start: usize,
    old_len: usize,
    insert: String,
}

impl std::fmt::Display for Edit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.old_len, self.insert.is_empty()) {
            (0, _) => write!(f, "insert {:?} at byte {}", self.insert, self.start),
            (n, true) => write!(f, "delete bytes {}..{}", self.start, self.start + n),
            (n, false) => write!(
                f,
                "replace bytes {}..{} with {:?}",
                self.start,
                self.start + n,
                self.insert
            ),
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Row and byte column of a byte offset, the way tree-sitter counts them
/// (rows end at `\n` only).
fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => Point::new(
            before.iter().filter(|&&b| b == b'\n').count(),
            offset - nl - 1,
        ),
        None => Point::new(0, offset),
    }
}

impl Edit {
    /// The edit clamped to `text` and snapped to char boundaries.
    fn normalized(&self, text: &str) -> Edit {
        let start = floor_char_boundary(text, self.start);
        let end = ceil_char_boundary(text, start.saturating_add(self.old_len));
        Edit {
            start,
            old_len: end - start,
            insert: self.insert.clone(),
        }
    }

    /// Applies a normalized edit: the new text and the matching `InputEdit`.
    fn apply(&self, text: &str) -> (String, InputEdit) {
        let start = self.start;
        let old_end = start + self.old_len;
        let new_end = start + self.insert.len();
        let mut new_text = String::with_capacity(text.len() + self.insert.len());
        new_text.push_str(&text[..start]);
        new_text.push_str(&self.insert);
        new_text.push_str(&text[old_end..]);
        let input_edit = InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position: point_at(text, start),
            old_end_position: point_at(text, old_end),
            new_end_position: point_at(&new_text, new_end),
        };
        (new_text, input_edit)
    }
}

fn random_fragment(rng: &mut fastrand::Rng, text: &str) -> String {
    match rng.u32(..100) {
        0..=64 => FRAGMENTS[rng.usize(..FRAGMENTS.len())].to_string(),
        65..=79 => {
            let len = rng.usize(1..=6);
            (0..len)
                .map(|_| {
                    if rng.u8(..4) == 0 {
                        rng.uppercase()
                    } else {
                        rng.lowercase()
                    }
                })
                .collect()
        }
        80..=84 => rng.digit(10).to_string(),
        _ => {
            // a piece of the document itself, which is full of the constructs
            // the scanner cares about
            if text.is_empty() {
                return "x".to_string();
            }
            let start = floor_char_boundary(text, rng.usize(..text.len()));
            let end = ceil_char_boundary(text, start + rng.usize(1..=40));
            text[start..end].to_string()
        }
    }
}

fn random_position(rng: &mut fastrand::Rng, text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let bytes = text.as_bytes();
    let pos = match rng.u32(..100) {
        // anywhere
        0..=39 => rng.usize(..=text.len()),
        // at the very end, where unterminated constructs end
        40..=44 => text.len(),
        // at a line start or a line end
        45..=69 => {
            let newlines: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i)
                .collect();
            if newlines.is_empty() {
                if rng.bool() {
                    0
                } else {
                    text.len()
                }
            } else {
                let nl = newlines[rng.usize(..newlines.len())];
                if rng.bool() {
                    nl
                } else {
                    nl + 1
                }
            }
        }
        // next to a character the scanner treats specially
        _ => {
            let special: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| b"\\`<$\"'#[]{}=-".contains(b))
                .map(|(i, _)| i)
                .collect();
            if special.is_empty() {
                rng.usize(..=text.len())
            } else {
                special[rng.usize(..special.len())] + rng.usize(..=1)
            }
        }
    };
    floor_char_boundary(text, pos)
}

fn random_edit(rng: &mut fastrand::Rng, text: &str) -> Edit {
    let start = random_position(rng, text);
    let old_len = match rng.u32(..100) {
        // insert
        0..=39 => 0,
        // delete or replace a few bytes
        40..=84 => rng.usize(1..=4),
        // delete or replace a larger range, up to a few lines
        _ => rng.usize(5..=120),
    };
    let insert = if old_len > 0 && rng.u32(..100) < 45 {
        String::new()
    } else {
        let count = if rng.u32(..100) < 75 {
            1
        } else {
            rng.usize(2..=4)
        };
        (0..count).map(|_| random_fragment(rng, text)).collect()
    };
    Edit {
        start,
        old_len,
        insert,
    }
    .normalized(text)
}

// ---------------------------------------------------------------------------
// checking

struct Checker {
    incremental: Parser,
    fresh: Parser,
}

/// How a run of edits went wrong.
#[derive(Clone, Debug)]
struct Mismatch {
    /// index of the edit after which the trees differed
    step: usize,
    /// the text before that edit
    text_before: String,
    /// that edit, normalized to `text_before`
    edit: Edit,
    input_edit: InputEdit,
    incremental: String,
    fresh: String,
}

impl Checker {
    fn new() -> Self {
        Checker {
            incremental: parser(),
            fresh: parser(),
        }
    }

    fn fresh_parse(&mut self, text: &str) -> Tree {
        self.fresh
            .parse(text, None)
            .expect("parsing without a timeout always yields a tree")
    }

    /// Parses `base` fresh, then applies `edits` incrementally, comparing
    /// with a fresh parse after every edit. Returns the first mismatch.
    fn run(&mut self, base: &str, edits: &[Edit]) -> Option<Mismatch> {
        let mut text = base.to_string();
        let mut tree = self
            .incremental
            .parse(&text, None)
            .expect("parsing without a timeout always yields a tree");
        for (step, edit) in edits.iter().enumerate() {
            let edit = edit.normalized(&text);
            let (new_text, input_edit) = edit.apply(&text);
            tree.edit(&input_edit);
            let new_tree = self
                .incremental
                .parse(&new_text, Some(&tree))
                .expect("parsing without a timeout always yields a tree");
            let incremental = to_sexp(new_tree.root_node());
            let fresh = to_sexp(self.fresh_parse(&new_text).root_node());
            if incremental != fresh {
                return Some(Mismatch {
                    step,
                    text_before: text,
                    edit,
                    input_edit,
                    incremental,
                    fresh,
                });
            }
            text = new_text;
            tree = new_tree;
        }
        None
    }
}

// ---------------------------------------------------------------------------
// shrinking

struct Shrunk {
    /// the shortest failing edit list found, applied to the original file
    edits: Vec<Edit>,
    mismatch: Mismatch,
    /// the smallest reproduction found: a text, parsed fresh, and the edits
    /// (normalized, usually one) after the last of which the trees differ
    minimal: Option<(String, Vec<Edit>, Mismatch)>,
}

/// The texts before each edit (and after the last), and the edits
/// normalized to the texts they apply to.
fn replay(base: &str, edits: &[Edit]) -> (Vec<String>, Vec<Edit>) {
    let mut texts = vec![base.to_string()];
    let mut normalized = Vec::with_capacity(edits.len());
    for edit in edits {
        let text = texts.last().unwrap();
        let edit = edit.normalized(text);
        let next = edit.apply(text).0;
        normalized.push(edit);
        texts.push(next);
    }
    (texts, normalized)
}

fn shrink(checker: &mut Checker, base: &str, edits: &[Edit], first: Mismatch) -> Shrunk {
    // drop everything after the failing edit, then edits one by one
    let mut edits: Vec<Edit> = edits[..=first.step].to_vec();
    let mut mismatch = first;
    loop {
        let mut progress = false;
        let mut i = edits.len();
        while i > 0 {
            i -= 1;
            if edits.len() == 1 {
                break;
            }
            let mut candidate = edits.clone();
            candidate.remove(i);
            if let Some(m) = checker.run(base, &candidate) {
                candidate.truncate(m.step + 1);
                edits = candidate;
                mismatch = m;
                progress = true;
                i = i.min(edits.len());
            }
        }
        if !progress {
            break;
        }
    }

    // Start from a fresh parse as late as possible: the text before the
    // last edit if one edit on it fails, else before the last two, and so
    // on. Then reduce that text and the edits.
    let (texts, normalized) = replay(base, &edits);
    let mut minimal = None;
    for k in 1..=edits.len() {
        let from = edits.len() - k;
        if let Some(m) = checker.run(&texts[from], &normalized[from..]) {
            minimal = Some(shrink_text(
                checker,
                texts[from].clone(),
                normalized[from..].to_vec(),
                m,
            ));
            break;
        }
    }

    Shrunk {
        edits,
        mismatch,
        minimal,
    }
}

/// Removes bytes `a..b` of the text before edit `step`: of the base text
/// when `step` is 0, else of what edit `step - 1` inserted. Later edits move
/// to stay on the same bytes; `None` if the range overlaps a range one of
/// them deletes. `edits` must be normalized.
fn remove_bytes(
    base: &str,
    edits: &[Edit],
    step: usize,
    a: usize,
    b: usize,
) -> Option<(String, Vec<Edit>)> {
    if a >= b {
        return None;
    }
    let mut base = base.to_string();
    let mut edits = edits.to_vec();
    if step == 0 {
        if b > base.len() || !base.is_char_boundary(a) || !base.is_char_boundary(b) {
            return None;
        }
        base.replace_range(a..b, "");
    } else {
        let e = &mut edits[step - 1];
        if a < e.start || b > e.start + e.insert.len() {
            return None;
        }
        let (ia, ib) = (a - e.start, b - e.start);
        if !e.insert.is_char_boundary(ia) || !e.insert.is_char_boundary(ib) {
            return None;
        }
        e.insert.replace_range(ia..ib, "");
    }
    let (mut a, mut b) = (a, b);
    for e in &mut edits[step..] {
        if b <= e.start {
            e.start -= b - a;
        } else if a >= e.start + e.old_len {
            let (old, new) = (e.old_len, e.insert.len());
            a = a + new - old;
            b = b + new - old;
        } else {
            return None;
        }
    }
    Some((base, edits))
}

/// A failing case that starts from a fresh parse, being reduced.
struct Reducer<'a> {
    checker: &'a mut Checker,
    budget: usize,
    text: String,
    edits: Vec<Edit>,
    mismatch: Mismatch,
}

impl Reducer<'_> {
    /// Runs a candidate and keeps it when it still fails after its last
    /// edit.
    fn attempt(&mut self, candidate: Option<(String, Vec<Edit>)>) -> bool {
        let Some((text, edits)) = candidate else {
            return false;
        };
        if self.budget == 0 || edits.is_empty() {
            return false;
        }
        self.budget -= 1;
        match self.checker.run(&text, &edits) {
            Some(m) if m.step + 1 == edits.len() => {
                self.text = text;
                self.edits = edits;
                self.mismatch = m;
                true
            }
            _ => false,
        }
    }

    fn drop_edits(&mut self) {
        let mut i = 0;
        while self.edits.len() > 1 && i < self.edits.len() {
            let mut candidate = self.edits.clone();
            candidate.remove(i);
            let normalized = replay(&self.text, &candidate).1;
            if !self.attempt(Some((self.text.clone(), normalized))) {
                i += 1;
            }
        }
    }

    /// Line ranges of the text, from large chunks down to single lines.
    fn drop_lines(&mut self) {
        let mut chunk = self.text.lines().count().max(1);
        loop {
            let line_starts: Vec<usize> = std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .chain(std::iter::once(self.text.len()))
                .collect();
            let mut removed = false;
            let mut i = 0;
            while i + 1 < line_starts.len() {
                let j = (i + chunk).min(line_starts.len() - 1);
                let (a, b) = (line_starts[i], line_starts[j]);
                if self.attempt(remove_bytes(&self.text, &self.edits, 0, a, b)) {
                    removed = true;
                    break;
                }
                i += chunk;
            }
            if removed {
                continue;
            }
            if chunk == 1 || self.budget == 0 {
                return;
            }
            chunk /= 2;
        }
    }

    fn drop_bytes(&mut self) {
        for size in [16usize, 4, 1] {
            let mut a = 0;
            while a < self.text.len() && self.budget > 0 {
                let b = ceil_char_boundary(&self.text, a + size);
                if !self.attempt(remove_bytes(&self.text, &self.edits, 0, a, b)) {
                    a = ceil_char_boundary(&self.text, a + 1);
                }
            }
        }
    }

    /// Inserted texts, char by char.
    fn shorten_inserts(&mut self) {
        for step in 1..=self.edits.len() {
            let mut k = 0;
            while k < self.edits[step - 1].insert.len() && self.budget > 0 {
                let e = &self.edits[step - 1];
                let len = e.insert[k..].chars().next().unwrap().len_utf8();
                let (a, b) = (e.start + k, e.start + k + len);
                if !self.attempt(remove_bytes(&self.text, &self.edits, step, a, b)) {
                    k += len;
                }
            }
        }
    }

    /// The last edit's deleted range, shorter from either end.
    fn shorten_last_deletion(&mut self) {
        loop {
            let last = self.edits.len() - 1;
            let e = self.edits[last].clone();
            if e.old_len == 0 || self.budget == 0 {
                return;
            }
            let texts = replay(&self.text, &self.edits).0;
            let before_last = &texts[last];
            let end = e.start + e.old_len;
            let shorter_end = floor_char_boundary(before_last, end - 1);
            let shorter_start = ceil_char_boundary(before_last, e.start + 1);
            let shrunk = [(e.start, shorter_end), (shorter_start, end)]
                .into_iter()
                .any(|(start, end)| {
                    let mut candidate = self.edits.clone();
                    candidate[last] = Edit {
                        start,
                        old_len: end.saturating_sub(start),
                        insert: e.insert.clone(),
                    };
                    self.attempt(Some((self.text.clone(), candidate)))
                });
            if !shrunk {
                return;
            }
        }
    }
}

/// Reduces a failing case that starts from a fresh parse: whole edits, the
/// text by chunks of lines down to single bytes, the inserted texts char by
/// char, and the last edit's deleted range.
fn shrink_text(
    checker: &mut Checker,
    text: String,
    edits: Vec<Edit>,
    mismatch: Mismatch,
) -> (String, Vec<Edit>, Mismatch) {
    let mut r = Reducer {
        checker,
        budget: 20_000,
        text,
        edits,
        mismatch,
    };
    loop {
        let before = (r.text.clone(), r.edits.clone());
        r.drop_edits();
        r.drop_lines();
        r.drop_bytes();
        r.shorten_inserts();
        r.shorten_last_deletion();
        if (r.text.clone(), r.edits.clone()) == before || r.budget == 0 {
            return (r.text, r.edits, r.mismatch);
        }
    }
}

// ---------------------------------------------------------------------------
// reporting

/// The differing middle of two S-expressions, with a little context.
fn diff(incremental: &str, fresh: &str) -> String {
    const CONTEXT: usize = 3;
    const MAX_LINES: usize = 40;
    let a: Vec<&str> = incremental.lines().collect();
    let b: Vec<&str> = fresh.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::from("--- incremental\n+++ fresh\n");
    let from = prefix.saturating_sub(CONTEXT);
    writeln!(out, "@@ line {} @@", from + 1).unwrap();
    for line in &a[from..prefix] {
        writeln!(out, "  {line}").unwrap();
    }
    let a_mid = &a[prefix..a.len() - suffix];
    let b_mid = &b[prefix..b.len() - suffix];
    for line in a_mid.iter().take(MAX_LINES) {
        writeln!(out, "- {line}").unwrap();
    }
    if a_mid.len() > MAX_LINES {
        writeln!(out, "- … {} more lines", a_mid.len() - MAX_LINES).unwrap();
    }
    for line in b_mid.iter().take(MAX_LINES) {
        writeln!(out, "+ {line}").unwrap();
    }
    if b_mid.len() > MAX_LINES {
        writeln!(out, "+ … {} more lines", b_mid.len() - MAX_LINES).unwrap();
    }
    for line in a[a.len() - suffix..].iter().take(CONTEXT) {
        writeln!(out, "  {line}").unwrap();
    }
    out
}

/// The whole text, or when `shorten` and it is long, the lines around `at`.
fn excerpt(text: &str, at: usize, shorten: bool) -> String {
    const WINDOW: usize = 600;
    if !shorten || text.len() <= 2 * WINDOW {
        return text.to_string();
    }
    let from = text[..floor_char_boundary(text, at.saturating_sub(WINDOW))]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let to = text[ceil_char_boundary(text, at + WINDOW)..]
        .find('\n')
        .map_or(text.len(), |i| {
            ceil_char_boundary(text, at + WINDOW) + i + 1
        });
    format!(
        "[… {from} bytes]{}[… {} bytes]",
        &text[from..to],
        text.len() - to
    )
}

fn describe_input_edit(e: &InputEdit) -> String {
    format!(
        "InputEdit {{ start_byte: {}, old_end_byte: {}, new_end_byte: {}, \
         start_position: ({}, {}), old_end_position: ({}, {}), new_end_position: ({}, {}) }}",
        e.start_byte,
        e.old_end_byte,
        e.new_end_byte,
        e.start_position.row,
        e.start_position.column,
        e.old_end_position.row,
        e.old_end_position.column,
        e.new_end_position.row,
        e.new_end_position.column
    )
}

fn report(seed: u64, file: &Path, edits: &[Edit], shrunk: &Shrunk) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "incremental parse differs from a fresh parse\n\
         seed: {seed} (rerun: DOCKERFILE_LS_PROPTEST_SEED={seed} DOCKERFILE_LS_PROPTEST_CASES=1 \
         cargo test --test incremental)\nfile: {}",
        file.display()
    )
    .unwrap();
    writeln!(out, "edits ({}):", edits.len()).unwrap();
    for (i, e) in edits.iter().enumerate() {
        writeln!(out, "  {i}: {e}").unwrap();
    }
    writeln!(
        out,
        "minimal edit list on the same file ({} edits; mismatch after the last):",
        shrunk.edits.len()
    )
    .unwrap();
    for (i, e) in shrunk.edits.iter().enumerate() {
        writeln!(out, "  {i}: {e}").unwrap();
    }
    let m = &shrunk.mismatch;
    writeln!(
        out,
        "text before the last edit:\n{:?}",
        excerpt(&m.text_before, m.edit.start, shrunk.minimal.is_some())
    )
    .unwrap();
    writeln!(
        out,
        "last edit: {}\n{}",
        m.edit,
        describe_input_edit(&m.input_edit)
    )
    .unwrap();
    match &shrunk.minimal {
        Some((text, edits, sm)) => {
            let (texts, _) = replay(text, edits);
            writeln!(
                out,
                "minimal reproduction: parse the text fresh, then apply {} edit(s), \
                 reparsing with the old tree after each:\ntext: {text:?}",
                edits.len()
            )
            .unwrap();
            for (i, e) in edits.iter().enumerate() {
                writeln!(out, "edit {i}: {e}\n  text after: {:?}", texts[i + 1]).unwrap();
            }
            writeln!(
                out,
                "{}\n{}",
                describe_input_edit(&sm.input_edit),
                diff(&sm.incremental, &sm.fresh)
            )
            .unwrap();
        }
        None => {
            writeln!(out, "{}", diff(&m.incremental, &m.fresh)).unwrap();
        }
    }
    out
}

// ---------------------------------------------------------------------------
// corpus and driver

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let root = if root.is_dir() {
        root
    } else {
        PathBuf::from("/work/shared/corpus")
    };
    let mut files = Vec::new();
    let mut push_dir = |dir: PathBuf, name: Option<&str>| {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = match name {
                Some(name) => entry.path().join(name),
                None => entry.path(),
            };
            if path.is_file() {
                files.push(path);
            } else if name.is_none() && path.is_dir() {
                if let Ok(inner) = std::fs::read_dir(&path) {
                    files.extend(inner.flatten().map(|e| e.path()).filter(|p| p.is_file()));
                }
            }
        }
    };
    push_dir(root.join("real"), None);
    push_dir(root.join("buildkit-parser/testfiles"), Some("Dockerfile"));
    let mut files: Vec<PathBuf> = files
        .into_iter()
        .map(|p| p.canonicalize().unwrap_or(p))
        .collect();
    files.sort();
    files
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name} must be an integer, got {value:?}")))
}

#[test]
fn incremental_parse_equals_fresh_parse() {
    let cases = env_u64("DOCKERFILE_LS_PROPTEST_CASES").unwrap_or(DEFAULT_CASES);
    let max_failures =
        env_u64("DOCKERFILE_LS_PROPTEST_MAX_FAILURES").unwrap_or(DEFAULT_MAX_FAILURES) as usize;
    let first_seed = env_u64("DOCKERFILE_LS_PROPTEST_SEED").unwrap_or(DEFAULT_SEED);
    let files = corpus_files();
    assert!(
        !files.is_empty(),
        "no corpus files found under /work/shared/corpus"
    );
    let texts: Vec<String> = files
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();

    let mut checker = Checker::new();
    let mut failures = Vec::new();
    let started = std::time::Instant::now();
    let mut total_edits = 0usize;
    let mut cases_run = 0u64;
    for case in 0..cases {
        cases_run += 1;
        let seed = first_seed.wrapping_add(case);
        let mut rng = fastrand::Rng::with_seed(seed);
        let index = rng.usize(..files.len());
        let base = &texts[index];

        // generate the edits against the texts they will apply to
        let count = rng.usize(1..=MAX_EDITS);
        let mut edits = Vec::with_capacity(count);
        let mut text = base.clone();
        for _ in 0..count {
            let edit = random_edit(&mut rng, &text);
            text = edit.apply(&text).0;
            edits.push(edit);
        }
        total_edits += edits.len();

        if let Some(mismatch) = checker.run(base, &edits) {
            let shrunk = shrink(&mut checker, base, &edits, mismatch);
            let message = report(seed, &files[index], &edits, &shrunk);
            eprintln!("{message}");
            failures.push(message);
            if failures.len() >= max_failures.max(1) {
                break;
            }
        }
    }
    eprintln!(
        "incremental: {cases_run} cases from seed {first_seed}, {total_edits} edits, {} files, \
         {} failing, {:.1?}",
        files.len(),
        failures.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failing case(s); the first:\n{}",
        failures.len(),
        failures[0]
    );
}

/// `(start, old_len, insert)`
type ReducedEdit = (usize, usize, &'static str);

/// Failures the property test found, reduced to a freshly parsed text and
/// the edits after which the trees differ: `(text, [(start, old_len,
/// insert)])`. Random cases hit them rarely (one in 2,000 to one in 50,000),
/// so they are kept as a deterministic test.
///
/// All share one cause: what the scanner returns at a position depends on
/// the parse state it is called in. A fresh parse lexes after the last word
/// of an instruction before reducing it (`_ws` or a text token valid: more
/// may follow); an incremental parse that reuses the subtree of those words
/// (`_paths`, `env_pair`, `image_name`) lexes in the state after it, where
/// they are not. Tree-sitter reuses subtrees and tokens across such states,
/// so tokens must come out the same in both.
/// A text and the edits that made the incremental tree differ from a fresh parse.
type ReducedCase = (&'static str, &'static [ReducedEdit]);

const REDUCED_CASES: &[ReducedCase] = &[
    // Fixed in 821cc7e ("whitespace is always padding"). Whitespace between
    // a COPY/ADD heredoc marker and the end of its line: part of the
    // heredoc's newline token in a fresh parse, padding after the edit. The
    // heredoc node started at [0, 10] fresh, at [0, 11] after the edit.
    ("COPY <<EOF \nx\nEOF\n", &[(0, 4, "copy")]),
    ("ADD <<EOF\r\nx\nEOF\r\n", &[(0, 3, "add")]),
    // Fixed in 821cc7e. Whitespace and an escape at the end of the file
    // after COPY/ADD paths: one `_eof` token in a fresh parse, an extra
    // `line_continuation` node after the edit.
    ("COPY f \\", &[(0, 4, "copy")]),
    ("# escape=`\nADD f `", &[(11, 3, "add")]),
    // Fixed in 454790d ("zero-width end for trailing continuations"). A
    // continuation followed by nothing but continuations (or blank and
    // comment lines) up to the end of the file: where `_ws` was valid the
    // scanner returned one `line_continuation` token up to the end of the
    // file, elsewhere one per line.
    ("ENV a \\\n\\", &[(0, 3, "env")]),
    ("COPY a \\\n\\", &[(0, 4, "copy")]),
    ("COPY a \\\n#x\n \\", &[(0, 4, "copy")]),
    ("# escape=`\nCOPY a `\n`", &[(11, 4, "copy")]),
    // Fixed when continuations up to the end of the file became one token
    // in every parse state (they were a zero-width `_eof` before ` \` where a
    // `_ws` was valid, and a continuation token elsewhere): typing after the
    // last one made the fresh parse see `_ws` there, while the incremental
    // parse reused `env_instruction` and its first continuation.
    ("FROM \nENV H \\\n\\", &[(3, 2, ""), (13, 0, "F")]),
    ("ENV H \\\n\\", &[(0, 3, "env"), (9, 0, "F")]),
    // Fixed by the same change; found by fuzzing (fuzz/fuzz_targets/edits.rs):
    // a byte-order mark starting the last line after a continuation.
    ("N\no \\\n\u{feff}", &[(0, 1, "x")]),
];

/// Known differences, still open: two-edit sequences on invalid or
/// unusual text, found after ~2,000 to 50,000 random cases each. Run with
/// `cargo test --test incremental -- --ignored` when working on the scanner.
const KNOWN_OPEN_CASES: &[ReducedCase] = &[
    // Open at 454790d. `$x:E${` is an error (unterminated `${`); after the
    // first edit the reused `image_name` ($x) puts the parser past the name,
    // where `:` is lexed without the scanner's look for a later `/`. After
    // deleting the `$` of `${`, `:E{/` is name text in a fresh parse (a `/`
    // follows the colon) but a tag after the reused `:`.
    ("FROM $x:E${", &[(11, 0, "/"), (9, 1, "")]),
];

#[test]
fn reduced_cases_parse_incrementally_like_fresh() {
    replay_cases(REDUCED_CASES);
}

#[test]
#[ignore = "known open scanner cases, see KNOWN_OPEN_CASES"]
fn known_open_cases_parse_incrementally_like_fresh() {
    replay_cases(KNOWN_OPEN_CASES);
}

fn replay_cases(cases: &[ReducedCase]) {
    let mut checker = Checker::new();
    let mut failures = String::new();
    for &(text, edits) in cases {
        let edits: Vec<Edit> = edits
            .iter()
            .map(|&(start, old_len, insert)| Edit {
                start,
                old_len,
                insert: insert.to_string(),
            })
            .collect();
        if let Some(m) = checker.run(text, &edits) {
            let edits: Vec<String> = edits.iter().map(ToString::to_string).collect();
            writeln!(
                failures,
                "text: {text:?}\nedits: {}\nmismatch after edit {} ({})\n{}\n{}",
                edits.join("; "),
                m.step,
                m.edit,
                describe_input_edit(&m.input_edit),
                diff(&m.incremental, &m.fresh)
            )
            .unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "incremental parse differs from a fresh parse:\n{failures}"
    );
}

#[test]
fn points_count_rows_at_newlines_and_columns_in_bytes() {
    let text = "a\r\né🐳\nxyz";
    assert_eq!(point_at(text, 0), Point::new(0, 0));
    assert_eq!(point_at(text, 2), Point::new(0, 2));
    assert_eq!(point_at(text, 3), Point::new(1, 0));
    assert_eq!(point_at(text, 9), Point::new(1, 6));
    assert_eq!(point_at(text, 10), Point::new(2, 0));
    let edit = Edit {
        start: 4,
        old_len: 1,
        insert: "\nz".into(),
    }
    .normalized(text);
    // byte 4 is inside `é`: snapped down to its start, and the deleted range
    // up to the end of the char
    assert_eq!(edit.start, 3);
    assert_eq!(edit.old_len, 2);
    let (after, input) = edit.apply(text);
    assert_eq!(after, "a\r\n\nz🐳\nxyz");
    assert_eq!(input.start_position, Point::new(1, 0));
    assert_eq!(input.old_end_position, Point::new(1, 2));
    assert_eq!(input.new_end_position, Point::new(2, 1));
}
