//! One instruction: its first line (indentation, keyword case, the gaps
//! between keyword, flags and arguments), the indentation of its
//! continuation lines, trailing whitespace. Heredoc lines are left alone.

use std::ops::Range;

use tree_sitter::Node;

use super::align::{Candidate, HeadItems, Item};
use super::lines::{is_space, line_of, Line};
use super::quotes::free_whitespace;
use super::{FormatOptions, TextEdit};
use crate::model::INSTRUCTIONS;
use crate::syntax::{joined_away, Instruction};

pub(super) struct Context<'a> {
    pub text: &'a str,
    pub lines: &'a [Line],
    pub options: &'a FormatOptions,
}

impl Context<'_> {
    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or_default()
    }
}

/// What instructions leave for the whole document to decide.
#[derive(Default)]
pub(super) struct Found {
    /// A heredoc runs to the end of the file without its terminator: the
    /// blank lines and the missing line break at the end are its text.
    pub open_heredoc: bool,
    pub heads: Vec<HeadItems>,
    pub candidates: Vec<Candidate>,
}

/// Pushes the edits for one top-level instruction node.
pub(super) fn format(
    cx: &Context<'_>,
    node: Node<'_>,
    edits: &mut Vec<TextEdit>,
    found: &mut Found,
) {
    let heredocs = heredocs(node);
    found.open_heredoc |= heredocs
        .iter()
        .any(|h| !h.children(&mut h.walk()).any(|c| c.kind() == "heredoc_end"));
    if cx.lines.is_empty() {
        return;
    }
    // the logical line ends where the first heredoc body begins
    let logical_end = heredocs.first().map_or(node.end_byte(), |h| h.start_byte());
    let first = line_of(cx.lines, node.start_byte());
    let last = last_line(cx.lines, node.start_byte(), logical_end).max(first);
    let known = node.kind() != "unknown_instruction";

    if known {
        first_line(cx, node, first, edits, found);
    }
    let comments = comment_lines(cx, node, logical_end);
    let content: Vec<usize> = (first + 1..=last)
        .filter(|&i| !cx.lines[i].is_blank(cx.text) && !comments.contains(&i))
        .collect();
    if known && cx.options.indent_continuations && !content.is_empty() {
        indent_continuations(cx, node, logical_end, &content, edits);
    }
    // blank continuation lines lose their whitespace here too
    for &line in &cx.lines[first..=last] {
        let trailing = line.trailing_space(cx.text);
        if !trailing.is_empty() {
            edits.push(TextEdit {
                range: trailing,
                new_text: String::new(),
            });
        }
    }
}

/// The heredocs of an instruction and of its ONBUILD trigger.
fn heredocs(node: Node<'_>) -> Vec<Node<'_>> {
    let Some(instruction) = Instruction::cast(node) else {
        return Vec::new();
    };
    let mut out = instruction.heredocs();
    if let Some(trigger) = instruction.onbuild_trigger() {
        out.extend(trigger.heredocs());
    }
    out.sort_by_key(|h| h.start_byte());
    out
}

/// The last line of the logical line that ends at `end`.
fn last_line(lines: &[Line], start: usize, end: usize) -> usize {
    let line = line_of(lines, end);
    if end > start && lines[line].start == end && line > 0 {
        line - 1
    } else {
        line
    }
}

/// The first line: no indentation (BuildKit trims it), keywords uppercased,
/// one space after the keyword and between flags (or a column kept).
fn first_line(
    cx: &Context<'_>,
    node: Node<'_>,
    line: usize,
    edits: &mut Vec<TextEdit>,
    found: &mut Found,
) {
    let lead = cx.lines[line].start..node.start_byte();
    if !lead.is_empty() && cx.slice(lead.clone()).bytes().all(is_space) {
        edits.push(TextEdit {
            range: lead,
            new_text: String::new(),
        });
    }
    let mut items = Vec::new();
    head(cx, node, line, edits, found, &mut items);
    found.heads.push(HeadItems { line, items });
}

/// Keyword case and gaps along the instruction's head; into an ONBUILD
/// trigger too. `starts` collects where the items after the keyword start
/// on the first line.
fn head(
    cx: &Context<'_>,
    node: Node<'_>,
    line: usize,
    edits: &mut Vec<TextEdit>,
    found: &mut Found,
    starts: &mut Vec<Item>,
) {
    let items = head_items(node);
    let on_line = cx.lines[line].start..cx.lines[line].content_end;
    let mut gap_before = None;
    for (i, item) in items.iter().enumerate() {
        if item.kind() == "keyword" && cx.options.uppercase_keywords {
            uppercase(cx, *item, i == 0, edits);
        }
        if i > 0 && on_line.contains(&item.start_byte()) {
            starts.push(Item {
                start: item.start_byte(),
                gap: gap_before.take(),
            });
        }
        let Some(next) = items.get(i + 1) else {
            continue;
        };
        let gap = item.end_byte()..next.start_byte();
        let spaces = cx.slice(gap.clone());
        // only a gap on one line: one with a continuation in it keeps its
        // layout
        if spaces.is_empty() || spaces == " " || !spaces.bytes().all(is_space) {
            continue;
        }
        // one space, unless it lines up a column with the next line or the
        // one before (decided once all lines are known)
        gap_before = Some(found.candidates.len());
        found.candidates.push(Candidate {
            line: line_of(cx.lines, gap.start),
            gap,
            after_keyword: i == 0,
        });
    }
    let trigger = Instruction::cast(node).and_then(|i| i.onbuild_trigger());
    if let Some(trigger) = trigger.filter(|t| t.node.kind() != "unknown_instruction") {
        head(cx, trigger.node, line, edits, found, starts);
    }
}

/// The keyword, the flags, and the first argument (every argument of FROM,
/// which BuildKit splits at whitespace): what BuildKit separates at any run
/// of whitespace.
fn head_items(node: Node<'_>) -> Vec<Node<'_>> {
    let every_argument = node.kind() == "from_instruction";
    let mut items = Vec::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "line_continuation" | "comment" => {}
            "heredoc" => break,
            // the keyword, `AS`, and HEALTHCHECK's `CMD`/`NONE`
            "keyword" | "flag" | "mount_flag" => items.push(child),
            _ => {
                items.push(child);
                if !every_argument {
                    break;
                }
            }
        }
    }
    items
}

fn uppercase(cx: &Context<'_>, keyword: Node<'_>, is_instruction: bool, edits: &mut Vec<TextEdit>) {
    let text = cx.slice(keyword.byte_range());
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return;
    }
    let lower = text.to_ascii_lowercase();
    if is_instruction && !INSTRUCTIONS.contains(&lower.as_str()) {
        return;
    }
    let upper = text.to_ascii_uppercase();
    if upper != text {
        edits.push(TextEdit {
            range: keyword.byte_range(),
            new_text: upper,
        });
    }
}

/// Lines inside the logical line that hold a comment (BuildKit drops them).
fn comment_lines(cx: &Context<'_>, node: Node<'_>, end: usize) -> Vec<usize> {
    let mut out = Vec::new();
    walk(node, end, &mut |n| {
        if n.kind() == "comment" {
            out.push(line_of(cx.lines, n.start_byte()));
        }
    });
    out
}

/// Nodes whose text BuildKit keeps as written, whitespace included: a line
/// that starts inside one keeps its indentation.
fn verbatim_ranges(node: Node<'_>, end: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    walk(node, end, &mut |n| {
        if matches!(
            n.kind(),
            "text" | "double_quoted_string" | "single_quoted_string" | "json_string"
        ) {
            out.push(n.byte_range());
        }
    });
    out
}

/// Visits the descendants of `node` that start before `end`, heredocs
/// excluded.
fn walk<'t>(node: Node<'t>, end: usize, visit: &mut impl FnMut(Node<'t>)) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.start_byte() >= end || child.kind() == "heredoc" {
            continue;
        }
        visit(child);
        walk(child, end, visit);
    }
}

/// Gives continuation lines without indentation the instruction's own
/// indentation; lines that have some keep it.
fn indent_continuations(
    cx: &Context<'_>,
    node: Node<'_>,
    end: usize,
    content: &[usize],
    edits: &mut Vec<TextEdit>,
) {
    let starts: Vec<usize> = content.iter().map(|&i| cx.lines[i].start).collect();
    let (joined, positions) = joined(cx, node, end, &starts);
    let free = free_whitespace(&joined);
    let verbatim = verbatim_ranges(node, end);
    // lines whose leading whitespace is indentation, not text inside quotes
    // or glued onto the line before
    let movable: Vec<bool> = starts
        .iter()
        .zip(&positions)
        .map(|(&start, &at)| {
            !verbatim.iter().any(|r| r.start < start && start < r.end)
                && separable(&joined, &free, at)
        })
        .collect();
    let indents: Vec<Range<usize>> = content
        .iter()
        .map(|&i| cx.lines[i].indent(cx.text))
        .collect();
    let tab = cx.options.tab_width.max(1);
    // the instruction's own style: its least indented continuation line
    let target = indents
        .iter()
        .zip(&movable)
        .filter(|(r, movable)| **movable && !r.is_empty())
        .min_by_key(|(r, _)| width(cx.slice((*r).clone()), tab))
        .map(|(r, _)| cx.slice(r.clone()).to_string())
        .unwrap_or_else(|| cx.options.indent.text());
    for (k, &start) in starts.iter().enumerate() {
        if indents[k].is_empty() && movable[k] {
            edits.push(TextEdit {
                range: start..start,
                new_text: target.clone(),
            });
        }
    }
}

fn width(indent: &str, tab: usize) -> usize {
    indent
        .bytes()
        .fold(0, |w, b| if b == b'\t' { w + tab - w % tab } else { w + 1 })
}

/// Whether whitespace may be added at `at` of the joined text: only into a
/// run of free whitespace already there. With none, the line would be glued
/// to the one before (`foo\` then `bar` is BuildKit's `foobar`), and the
/// indentation would split a word.
fn separable(joined: &str, free: &[bool], at: usize) -> bool {
    let bytes = joined.as_bytes();
    if at > bytes.len() {
        return false;
    }
    let mut start = at;
    while start > 0 && is_space(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at;
    while end < bytes.len() && is_space(bytes[end]) {
        end += 1;
    }
    end > start && (start..end).all(|i| free.get(i).copied().unwrap_or(false))
}

/// BuildKit's joined text of `node` up to `end`, and where each of the
/// (sorted) source offsets `at` lands in it.
fn joined(cx: &Context<'_>, node: Node<'_>, end: usize, at: &[usize]) -> (String, Vec<usize>) {
    let start = node.start_byte();
    let mut out = String::new();
    // kept pieces: source start, source end, start in `out`
    let mut pieces: Vec<(usize, usize, usize)> = Vec::new();
    let mut keep = |from: usize, to: usize, out: &mut String| {
        if to > from {
            pieces.push((from, to, out.len()));
            out.push_str(cx.slice(from..to));
        }
    };
    let mut cursor = start;
    for (from, to) in joined_away(node, start, end) {
        let from = from.clamp(cursor, end);
        keep(cursor, from, &mut out);
        cursor = cursor.max(to.min(end));
    }
    keep(cursor, end, &mut out);
    let positions = at
        .iter()
        .map(|&offset| {
            pieces
                .iter()
                .find(|(from, to, _)| *from <= offset && offset < *to)
                .map(|(from, _, logical)| logical + (offset - from))
                // at the end of a piece, or inside a removed range: where
                // the next piece begins
                .or_else(|| {
                    pieces
                        .iter()
                        .find(|(from, _, _)| *from >= offset)
                        .map(|(_, _, logical)| *logical)
                })
                .unwrap_or(out.len())
        })
        .collect();
    (out, positions)
}
