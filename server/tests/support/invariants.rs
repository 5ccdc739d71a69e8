//! Invariants shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the
//! property tests (`tests/proptest_*.rs`), so both check exactly the same
//! thing. Not part of `support/mod.rs`: it depends on the library and
//! tree-sitter only, and is included with `#[path]` by both.
//!
//! 1. [`exercise`]: any text goes through parse → model → every diagnostic
//!    and every `ide` feature an LSP handler calls, at the given offsets
//!    (in range or not, on char boundaries or not). Nothing may panic, and
//!    every byte range handed back must lie inside the text on char
//!    boundaries (the LSP layer converts them to positions).
//! 2. [`EditRun`]: a document edited step by step keeps its rope equal to a
//!    reference string and its incremental tree equal to a fresh parse;
//!    invalid edits are refused and change nothing.
#![allow(dead_code)]

use std::ops::Range;

use dockerfile_ls::ide::{self, Analysis, DiagnosticSettings, FormatOptions, Indent};
use dockerfile_ls::size;
use dockerfile_ls::syntax::{self, to_sexp, Document};

/// A small deterministic generator (splitmix64), so the fuzz targets need
/// no dependency and a byte string always means the same run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeded from bytes (FNV-1a).
    pub fn from_bytes(bytes: &[u8]) -> Rng {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(hash)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn check_span(what: &str, text: &str, span: &Range<usize>) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: range {span:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: range {span:?} splits a character"
    );
}

/// Offsets worth asking about: the ends, past the end, and `count` more
/// from `rng`, a few of them inside multi-byte characters.
pub fn offsets(text: &str, rng: &mut Rng, count: usize) -> Vec<usize> {
    let len = text.len();
    let mut out = vec![0, len, len + 1, len + 1000, usize::MAX];
    for _ in 0..count {
        out.push(rng.below(len + 1));
    }
    out
}

/// Names a rename may be asked for: valid, invalid, empty, odd.
const NEW_NAMES: &[&str] = &["build-2", "Builder", "", "not a name", "a\nb", "${X}", "é"];

/// Runs every feature over `text`, built both from the string and (as the
/// server does) from a rope, at each of `offsets`. Panics on a violated
/// invariant.
pub fn exercise(text: &str, offsets: &[usize]) {
    let analysis = Analysis::of_text(text);
    let len = text.len();

    // the server's way: tree and model from a rope, which must agree
    let document = Document::new(text, 1);
    let rope = document.rope();
    let from_rope = Analysis::from_tree(document.tree().clone(), rope);
    let settings = DiagnosticSettings::default();
    let diagnostics = analysis.diagnostics(text, &settings);
    let rope_diagnostics = from_rope.diagnostics(rope, &settings);
    assert_eq!(
        format!("{diagnostics:?}"),
        format!("{rope_diagnostics:?}"),
        "diagnostics differ between a string and a rope"
    );
    for d in &diagnostics {
        check_span("diagnostic", text, &d.range);
        for related in &d.related {
            check_span("related information", text, &related.range);
        }
    }

    // settings that name stages and codes, some of them absent
    let stage_names: Vec<String> = analysis
        .model
        .stages
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.lowercase.clone()))
        .collect();
    let mut targets: Vec<Option<String>> = vec![None, Some("no-such-stage".into())];
    targets.extend(stage_names.iter().take(2).cloned().map(Some));
    for target in &targets {
        let settings = DiagnosticSettings {
            disabled: vec!["unknown-stage".into()],
            severity: vec![("unused-stage".into(), ide::Severity::Error)],
            build_contexts: stage_names.iter().take(1).cloned().collect(),
            target: target.clone(),
        };
        for d in analysis.diagnostics(text, &settings) {
            check_span("diagnostic", text, &d.range);
        }
        for lens in ide::code_lenses(&analysis, target.as_deref()) {
            check_span("code lens", text, &lens.range);
            let _ = lens.title();
        }
    }

    // whole-document features
    let symbols = ide::document_symbols(&analysis);
    let mut stack: Vec<&ide::Symbol> = symbols.iter().collect();
    while let Some(symbol) = stack.pop() {
        check_span("symbol", text, &symbol.range);
        check_span("symbol selection", text, &symbol.selection);
        stack.extend(symbol.children.iter());
    }
    for fold in ide::folding_ranges(&analysis) {
        assert!(fold.start_line <= fold.end_line, "fold {fold:?}");
    }
    for link in ide::document_links(&analysis) {
        check_span("document link", text, &link.range);
    }
    check_tokens(text, &ide::semantic_tokens(&analysis, text, 0..len));
    check_tokens(text, &ide::semantic_tokens(&from_rope, rope, 0..len));
    for options in format_options() {
        check_format(text, &analysis, &options, None);
    }

    // the size estimate (hovers, inlay hints, lenses, code action titles)
    let inputs = size::estimate::Inputs {
        platform: "linux/amd64".into(),
        target: None,
        context: &size::estimate::NoContext("fuzzing".into()),
        exact: None,
    };
    let build = size::estimate::estimate(&analysis.model, text, &inputs);
    for stage in 0..analysis.model.stages.len() + 1 {
        let _ = size::present::from_line_markdown(&build, stage);
    }
    let _ = size::present::text_report(&build, "linux/amd64");

    // features at a position
    for (i, &offset) in offsets.iter().enumerate() {
        at_offset(text, &analysis, offset, i);
        // the server passes clamped offsets; the rope must answer the same
        let clamped = offset.min(len);
        if i % 4 == 0 {
            assert_eq!(
                format!("{:?}", ide::hover(&analysis, text, clamped)),
                format!("{:?}", ide::hover(&from_rope, rope, clamped)),
                "hover differs between a string and a rope at {clamped}"
            );
            assert_eq!(
                format!("{:?}", ide::completion(&analysis, text, clamped)),
                format!("{:?}", ide::completion(&from_rope, rope, clamped)),
                "completion differs between a string and a rope at {clamped}"
            );
        }
        // ranges for semantic tokens, code actions and range formatting
        if let Some(&other) = offsets.get(i + 1) {
            let (a, b) = (offset.min(other).min(len), offset.max(other).min(len));
            if i % 2 == 0 {
                // as the LSP layer passes them: on char boundaries
                let (a, b) = (floor(text, a), floor(text, b));
                let (a, b) = if i % 4 == 0 { (a, a) } else { (a, b) };
                let request = ide::actions::Request::at(a..b, &diagnostics);
                for action in ide::actions::code_actions_resolved(&analysis, text, &request) {
                    let mut edits = action.edits.unwrap_or_default();
                    for edit in &edits {
                        check_span("code action edit", text, &edit.range);
                    }
                    edits.sort_by_key(|e| (e.range.start, e.range.end));
                    for pair in edits.windows(2) {
                        assert!(
                            pair[0].range.end <= pair[1].range.start,
                            "code action {} edits overlap: {edits:?}",
                            action.id
                        );
                    }
                }
            }
            check_tokens(text, &ide::semantic_tokens(&analysis, rope, a..b));
            if i % 3 == 0 {
                check_format(text, &analysis, &FormatOptions::default(), Some(a..b));
            }
        }
    }
}

fn at_offset(text: &str, analysis: &Analysis, offset: usize, i: usize) {
    if let Some(hover) = ide::hover(analysis, text, offset) {
        check_span("hover", text, &hover.range);
        let _ = hover.markdown();
    }
    for item in ide::completion(analysis, text, offset) {
        check_span("completion", text, &item.range);
    }
    if let Some(target) = ide::definition(analysis, offset) {
        check_span("definition focus", text, &target.focus);
        check_span("definition", text, &target.full);
    }
    for span in ide::references(analysis, offset, i.is_multiple_of(2)) {
        check_span("reference", text, &span);
    }
    for (span, _) in ide::occurrences(analysis, offset) {
        check_span("highlight", text, &span);
    }
    if let Ok((span, _)) = ide::prepare_rename(analysis, text, offset) {
        check_span("prepare rename", text, &span);
    }
    let new_name = NEW_NAMES[i % NEW_NAMES.len()];
    if let Ok(edits) = ide::rename(analysis, text, offset, new_name) {
        let mut edits: Vec<(Range<usize>, String)> = edits;
        for (span, _) in &edits {
            check_span("rename edit", text, span);
        }
        edits.sort_by_key(|(span, _)| (span.start, span.end));
        for pair in edits.windows(2) {
            assert!(
                pair[0].0.end <= pair[1].0.start,
                "rename edits overlap: {edits:?}"
            );
        }
    }
    if let Some(help) = ide::signature_help(analysis, text, offset) {
        if !help.signatures.is_empty() {
            assert!(help.active_signature < help.signatures.len(), "{help:?}");
        }
    }
}

fn format_options() -> [FormatOptions; 2] {
    [
        FormatOptions::default(),
        FormatOptions {
            indent: Indent::Tab,
            tab_width: 8,
            uppercase_keywords: false,
            indent_continuations: false,
            max_blank_lines: 0,
        },
    ]
}

fn check_format(
    text: &str,
    analysis: &Analysis,
    options: &FormatOptions,
    range: Option<Range<usize>>,
) {
    let mut edits = ide::format(analysis, text, options, range);
    for edit in &edits {
        check_span("format edit", text, &edit.range);
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    for pair in edits.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "format edits overlap: {edits:?}"
        );
    }
}

fn check_tokens(text: &str, tokens: &[ide::Token]) {
    let mut end = 0;
    for token in tokens {
        check_span("semantic token", text, &token.range);
        assert!(
            token.range.start >= end,
            "semantic tokens overlap or are out of order: {tokens:?}"
        );
        assert!(
            !text[token.range.clone()].contains(['\n', '\r']),
            "semantic token {:?} crosses a line break",
            token.range
        );
        end = token.range.end;
    }
}

// ---------------------------------------------------------------------------
// edits

/// Scanner cases still open (`KNOWN_OPEN_CASES` in `tests/incremental.rs`):
/// a text with one of these shapes may legitimately parse differently
/// incrementally, so the tree comparison is skipped for it (the rope and
/// everything else are still checked).
///
/// One is left: an unterminated `${` (`FROM $x:E${`). (Continuations that
/// run to the end of the text were one until they became one token in every
/// parse state; their cases are regression tests now.)
pub fn known_open_shape(text: &str) -> bool {
    text.split(['\n', '\r']).any(|line| {
        line.match_indices("${")
            .any(|(at, _)| !line[at..].contains('}'))
    })
}

/// One edit as a fuzzer or property test proposes it: offsets are taken as
/// they come, so they may be inverted, out of range or inside a character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A document under edit, with the reference text it must equal.
pub struct EditRun {
    pub document: Document,
    pub reference: String,
    parser: tree_sitter::Parser,
    /// Tree comparisons skipped for a known open scanner case.
    pub skipped: usize,
    pub compared: usize,
}

impl EditRun {
    pub fn new(text: &str) -> EditRun {
        EditRun {
            document: Document::new(text, 0),
            reference: text.to_string(),
            parser: syntax::parser(),
            skipped: 0,
            compared: 0,
        }
    }

    /// Applies `edit` to both; an invalid one must be refused by the
    /// document and leave it unchanged. Panics on a violated invariant.
    pub fn apply(&mut self, edit: &RawEdit) {
        let before = self.reference.clone();
        let valid = edit.start <= edit.end
            && edit.end <= before.len()
            && before.is_char_boundary(edit.start)
            && before.is_char_boundary(edit.end);
        let result = self.document.apply_edit(edit.start..edit.end, &edit.text);
        assert_eq!(
            result.is_ok(),
            valid,
            "edit {edit:?} of a {}-byte text: {result:?}",
            before.len()
        );
        if valid {
            self.reference
                .replace_range(edit.start..edit.end, &edit.text);
        }
        assert!(
            self.document.rope().len_bytes() == self.reference.len()
                && self.document.text() == self.reference,
            "the rope differs from the reference after {edit:?}"
        );
        if !valid {
            return;
        }
        if known_open_shape(&before) || known_open_shape(&self.reference) {
            self.skipped += 1;
            return;
        }
        self.compared += 1;
        let fresh = self
            .parser
            .parse(&self.reference, None)
            .expect("parsing without a timeout yields a tree");
        let incremental = to_sexp(self.document.tree().root_node());
        let fresh = to_sexp(fresh.root_node());
        assert!(
            incremental == fresh,
            "incremental tree differs from a fresh parse after {edit:?} of {before:?}\n\
             incremental: {incremental}\nfresh:       {fresh}"
        );
    }

    /// The end state seen by the features: the server's analysis (from the
    /// incremental tree and the rope) gives the same diagnostics and
    /// outline as a fresh analysis of the reference.
    pub fn check_analysis(&self) {
        if known_open_shape(&self.reference) {
            return;
        }
        let rope = self.document.rope();
        let edited = Analysis::from_tree(self.document.tree().clone(), rope);
        let fresh = Analysis::of_text(&self.reference);
        let settings = DiagnosticSettings::default();
        assert_eq!(
            format!("{:?}", edited.diagnostics(rope, &settings)),
            format!("{:?}", fresh.diagnostics(&self.reference, &settings)),
            "diagnostics after edits differ from a fresh analysis"
        );
        assert_eq!(
            format!("{:?}", ide::document_symbols(&edited)),
            format!("{:?}", ide::document_symbols(&fresh)),
            "outline after edits differs from a fresh analysis"
        );
    }
}

/// Fragments edits insert: the constructs the scanner cares about.
pub const FRAGMENTS: &[&str] = &[
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
    "--mount=type=cache,target=/x",
    "--from=base ",
    "--",
    "=",
    " ",
    "\t",
    "\r\n",
    "\r",
    " \\\n",
    ":",
    "@sha256:",
    "/",
    "é🐳",
    "é",
    "🐳",
    "\u{feff}",
    "\0",
];

/// A random edit of `text`: mostly valid (snapped to char boundaries),
/// sometimes inverted, out of range or inside a character.
pub fn random_edit(rng: &mut Rng, text: &str) -> RawEdit {
    let len = text.len();
    let mut start = rng.below(len + 1);
    let mut end = (start + rng.below(12)).min(len);
    if rng.below(4) != 0 {
        end = (start + rng.below(4)).min(len);
    }
    let insert = match rng.below(10) {
        0..=5 => FRAGMENTS[rng.below(FRAGMENTS.len())].to_string(),
        6 | 7 => {
            // a piece of the text itself
            let a = floor(text, rng.below(len + 1));
            let b = floor(text, (a + 1 + rng.below(40)).min(len));
            text[a..b.max(a)].to_string()
        }
        8 => String::new(),
        _ => ["a", "Z", "0", "-", "_", "."][rng.below(6)].repeat(1 + rng.below(4)),
    };
    match rng.below(24) {
        // invalid on purpose
        0 => {
            return RawEdit {
                start: end + 1,
                end: start,
                text: insert,
            }
        }
        1 => {
            return RawEdit {
                start,
                end: len + 1 + rng.below(5),
                text: insert,
            }
        }
        2 => {
            return RawEdit {
                start,
                end,
                text: insert,
            }
        }
        _ => {}
    }
    start = floor(text, start);
    end = floor(text, end).max(start);
    RawEdit {
        start,
        end,
        text: insert,
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

// ---------------------------------------------------------------------------
// the fuzz targets, callable from tests (crash fixtures replay through them)

/// The `analysis` fuzz target.
pub fn fuzz_analysis(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut rng = Rng::from_bytes(data);
    let offsets = offsets(&text, &mut rng, 16);
    exercise(&text, &offsets);
}

const MAX_EDITS: usize = 64;

/// The `edits` fuzz target: see `fuzz/fuzz_targets/edits.rs` for the input
/// format.
pub fn fuzz_edits(data: &[u8]) {
    let (base, ops) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
        None => (data, None),
    };
    let base = String::from_utf8_lossy(base);
    let mut run = EditRun::new(&base);
    let mut rng = Rng::from_bytes(data);
    match ops {
        None => {
            for _ in 0..rng.below(MAX_EDITS) + 1 {
                let edit = random_edit(&mut rng, &run.reference);
                run.apply(&edit);
            }
        }
        Some(ops) => {
            for op in ops.chunks_exact(4).take(MAX_EDITS) {
                let edit = decode(op, &run.reference, &mut rng);
                run.apply(&edit);
            }
        }
    }
    run.check_analysis();
}

fn decode(op: &[u8], text: &str, rng: &mut Rng) -> RawEdit {
    let len = text.len();
    let at = |b: u8| len * usize::from(b) / 255;
    let (mut start, mut end) = (at(op[0]), at(op[1]));
    let kind = op[2];
    let insert = match kind & 0x0f {
        0..=9 => FRAGMENTS[usize::from(op[3]) % FRAGMENTS.len()].to_string(),
        10 => String::new(),
        11 => char::from_u32(u32::from(op[3]) * 0x101).map_or(String::new(), String::from),
        12 => (op[3] as char).to_string(),
        _ => {
            let a = snap(text, rng.below(len + 1));
            let b = snap(text, (a + usize::from(op[3] % 48)).min(len));
            text[a..b].to_string()
        }
    };
    match kind >> 4 {
        // invalid on purpose: inverted, past the end, raw (maybe inside a char)
        0 => {
            return RawEdit {
                start: start.max(end) + 1,
                end: start.min(end),
                text: insert,
            };
        }
        1 => {
            return RawEdit {
                start,
                end: len + 1 + usize::from(op[3]),
                text: insert,
            }
        }
        2 => {
            return RawEdit {
                start: start.min(end),
                end: start.max(end),
                text: insert,
            }
        }
        _ => {}
    }
    if start > end {
        std::mem::swap(&mut start, &mut end);
    }
    // mostly short deletions, as typing makes them
    if kind & 0x80 != 0 {
        end = start + (end - start).min(3);
    }
    let start = snap(text, start);
    RawEdit {
        start,
        end: snap(text, end).max(start),
        text: insert,
    }
}

fn snap(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
