//! Formatting that can stay on: small edits that tidy a Dockerfile without
//! touching what the user laid out by hand, or what BuildKit executes.
//!
//! What changes:
//! - known instruction keywords, and `AS`, `CMD`/`NONE` after HEALTHCHECK,
//!   are uppercased (unknown instructions are left exactly as written);
//! - an instruction's first line loses its indentation, and the gaps between
//!   its keyword, flags and first argument (every argument of FROM) shrink
//!   to one space, unless a gap lines a column up with the line above or
//!   below (`COPY --from=a    /x` over `COPY --from=bbbbb /x`; see
//!   `format/align.rs`). Gaps between later arguments are never touched;
//! - a continuation line with no indentation at all gets the indentation of
//!   the least indented continuation line of the same instruction, or the
//!   configured unit when none is indented. Indented continuation lines are
//!   never moved: two-level lists, aligned trailing `\` and tabs all stay.
//!   A line is left alone too when its start is inside quotes or a verbatim
//!   value (USER, legacy `ENV k v`), or glued to the line before (`foo\`
//!   then `bar` is BuildKit's `foobar`);
//! - trailing spaces and tabs go (spaces *before* a trailing `\` stay: they
//!   align it), blank lines lose their whitespace, runs of more than two
//!   blank lines between instructions become two (a double blank line before
//!   a stage or section is a common, deliberate layout), blank lines at the
//!   start go (one stays before a comment, which must not turn into a parser
//!   directive), blank lines at the end go, and the file ends in one line
//!   break in its own style (CRLF when its first line ends so).
//!
//! What never changes: heredoc bodies and terminators, comment text, parser
//! directives (trailing whitespace aside), the number of non-blank lines
//! (nothing is joined or split), and empty continuation lines (BuildKit
//! skips them; the NoEmptyContinuation fix removes them on request).
//!
//! The guarantee: BuildKit reads the same instructions before and after.
//! Each instruction's keyword (case aside), flags, heredocs and arguments
//! after continuation handling are equal, where arguments may differ only in
//! the amount (never the presence) of whitespace outside quotes: whitespace
//! that is not escaped and that both POSIX `sh` quoting and plain double
//! quoting (`cmd.exe`) place outside quotes (`format/quotes.rs`). Arguments
//! that BuildKit takes verbatim (USER, WORKDIR, STOPSIGNAL, MAINTAINER,
//! legacy `ENV key value`) are equal byte for byte. [`format()`] checks this
//! on every run by re-parsing the result (`format/verify.rs`), and answers
//! with no edits if the check ever fails, or if the document has a syntax
//! error to begin with (an ERROR node may hide a heredoc or a continuation).

mod align;
mod instruction;
mod lines;
mod quotes;
mod verify;

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::Analysis;
use crate::syntax::Source;
use lines::{line_break, line_of, Line};

/// One replacement, in byte offsets of the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// The indentation given to continuation lines that have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indent {
    Spaces(usize),
    Tab,
}

impl Indent {
    fn text(self) -> String {
        match self {
            // at least one character: a continuation line that gets
            // indentation must keep its words apart from the line before
            Indent::Spaces(n) => " ".repeat(n.clamp(1, 16)),
            Indent::Tab => "\t".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatOptions {
    pub indent: Indent,
    /// How wide a tab counts when indentation is compared.
    pub tab_width: usize,
    pub uppercase_keywords: bool,
    pub indent_continuations: bool,
    /// At most this many blank lines in a row between instructions (at
    /// least one is always kept where there was one: a blank line ends the
    /// parser directives, and removing it could make a comment one).
    pub max_blank_lines: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            indent: Indent::Spaces(4),
            tab_width: 4,
            uppercase_keywords: true,
            indent_continuations: true,
            // two, not one: a double blank line before a stage or a section
            // comment is a common, deliberate layout
            max_blank_lines: 2,
        }
    }
}

/// The user's `dockerfile-ls.format.*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSettings {
    pub enable: bool,
    pub uppercase_keywords: bool,
    pub indent_continuations: bool,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings {
            enable: true,
            uppercase_keywords: true,
            indent_continuations: true,
        }
    }
}

/// The edits that format the document, or those of them that touch the
/// lines of `range`; none when the result could not be proven equivalent.
pub fn format(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    options: &FormatOptions,
    range: Option<Range<usize>>,
) -> Vec<TextEdit> {
    let text = source.slice(0..source.len_bytes());
    let edits = format_unverified(&analysis.tree, &text, options, range);
    if edits.is_empty() {
        return edits;
    }
    let after = apply(&text, &edits);
    if verify::equivalent(analysis.tree.root_node(), &text, &after) {
        edits
    } else {
        Vec::new()
    }
}

/// [`format()`] without the equivalence check: for tests that check it
/// independently.
pub fn format_unverified(
    tree: &Tree,
    text: &str,
    options: &FormatOptions,
    range: Option<Range<usize>>,
) -> Vec<TextEdit> {
    let root = tree.root_node();
    if root.has_error() {
        // an ERROR node may hide a heredoc or a continuation: the lines
        // after it cannot be trusted to be what they seem
        return Vec::new();
    }
    let lines = lines::lines(text);
    let mut edits = Vec::new();
    let mut roles = vec![Role::Free; lines.len()];
    let cx = instruction::Context {
        text,
        lines: &lines,
        options,
    };
    let mut found = instruction::Found::default();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        let covered = node_lines(&lines, node);
        let role = match node.kind() {
            "parser_directive" | "comment" => {
                for line in covered.clone() {
                    trim_trailing(text, lines[line], &mut edits);
                }
                Role::Kept
            }
            kind if kind.ends_with("_instruction") => {
                instruction::format(&cx, node, &mut edits, &mut found);
                Role::Kept
            }
            // a continuation at the end of the file: the blank lines it
            // swallows are left to the end-of-file rule
            "line_continuation" => continue,
            _ => Role::Kept,
        };
        for line in covered {
            roles[line] = role;
        }
    }
    align::resolve(text, &lines, &found.heads, &found.candidates, &mut edits);
    if !found.open_heredoc {
        blank_lines(text, &lines, &roles, options, &mut edits);
        final_line_break(text, &lines, &roles, &mut edits);
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    match range {
        Some(range) => within(&lines, range, edits),
        None => edits,
    }
}

/// Parses and formats a whole text (tests, command line).
pub fn format_text(text: &str, options: &FormatOptions) -> String {
    let analysis = Analysis::of_text(text);
    apply(text, &format(&analysis, text, options, None))
}

/// Applies non-overlapping edits (in any order) to `text`.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        let start = edit.range.start.clamp(at, text.len());
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(&edit.new_text);
        at = edit.range.end.clamp(start, text.len());
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Not covered by any node: blank, or text we leave alone.
    Free,
    /// Handled by its node.
    Kept,
}

/// The lines a node touches.
fn node_lines(lines: &[Line], node: Node<'_>) -> Range<usize> {
    if lines.is_empty() {
        return 0..0;
    }
    let first = line_of(lines, node.start_byte());
    let last = line_of(
        lines,
        node.end_byte().saturating_sub(1).max(node.start_byte()),
    );
    first..last + 1
}

fn trim_trailing(text: &str, line: Line, edits: &mut Vec<TextEdit>) {
    let trailing = line.trailing_space(text);
    if !trailing.is_empty() {
        edits.push(TextEdit {
            range: trailing,
            new_text: String::new(),
        });
    }
}

/// Caps runs of blank lines between nodes, drops those at the start (but
/// one before a comment, which must not become a directive) and at the end.
fn blank_lines(
    text: &str,
    lines: &[Line],
    roles: &[Role],
    options: &FormatOptions,
    edits: &mut Vec<TextEdit>,
) {
    let is_blank = |i: usize| roles[i] == Role::Free && lines[i].is_blank(text);
    let mut i = 0;
    while i < lines.len() {
        if !is_blank(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && is_blank(i) {
            i += 1;
        }
        let len = i - start;
        let keep = if i == lines.len() {
            0
        } else if start == 0 {
            let before_comment = text
                .get(lines[i].start..lines[i].content_end)
                .is_some_and(|l| l.trim_start().starts_with('#'));
            usize::from(before_comment)
        } else {
            len.min(options.max_blank_lines.max(1))
        };
        for &line in &lines[start..start + keep] {
            trim_trailing(text, line, edits);
        }
        if keep < len {
            edits.push(TextEdit {
                range: lines[start + keep].start..lines[i - 1].end,
                new_text: String::new(),
            });
        }
    }
}

/// One line break at the end, unless the file is empty once blank lines go.
fn final_line_break(text: &str, lines: &[Line], roles: &[Role], edits: &mut Vec<TextEdit>) {
    let last = lines
        .iter()
        .enumerate()
        .rev()
        .find(|(i, line)| roles[*i] != Role::Free || !line.is_blank(text));
    if let Some((_, line)) = last {
        if line.end == line.content_end {
            edits.push(TextEdit {
                range: line.end..line.end,
                new_text: line_break(text, lines).to_string(),
            });
        }
    }
}

/// The edits that touch the lines of `range`.
fn within(lines: &[Line], range: Range<usize>, edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return edits;
    };
    let from = lines[line_of(lines, range.start)].start.max(first.start);
    let end_line = if range.end > range.start {
        line_of(lines, range.end - 1)
    } else {
        line_of(lines, range.end)
    };
    let to = lines[end_line].end.min(last.end);
    edits
        .into_iter()
        .filter(|e| {
            if e.range.is_empty() {
                // an insertion at a line's start belongs to that line
                from <= e.range.start && (e.range.start < to || to == last.end)
            } else {
                e.range.start < to && e.range.end > from
            }
        })
        .collect()
}
