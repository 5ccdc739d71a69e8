//! BuildKit's logical view of the text under a node: continuations removed,
//! comment lines inside a continuation dropped, leading whitespace of
//! continuation lines kept (BuildKit keeps it too).

use tree_sitter::Node;

use super::kinds::{kind, Kind};
use super::Source;

/// The text of `node` as BuildKit sees it after joining continued lines.
pub fn logical_text(node: Node<'_>, source: &(impl Source + ?Sized)) -> String {
    logical_text_of_range(node, node.start_byte(), node.end_byte(), source)
}

/// Like [`logical_text`], for the byte range `start..end` inside `node`.
pub fn logical_text_of_range(
    node: Node<'_>,
    start: usize,
    end: usize,
    source: &(impl Source + ?Sized),
) -> String {
    let end = end.min(source.len_bytes());
    if start >= end {
        return String::new();
    }
    let removed = joined_away(node, start, end);
    let mut out = String::with_capacity(end - start);
    let mut at = start;
    for (from, to) in removed {
        let from = from.max(at);
        if from > at {
            out.push_str(&source.slice(at..from));
        }
        at = at.max(to);
    }
    if at < end {
        out.push_str(&source.slice(at..end));
    }
    out
}

/// The byte ranges inside `start..end` that BuildKit drops when it joins
/// the lines under `node` (line continuations, and comment lines with their
/// indentation), sorted; what remains, concatenated, is the logical text.
pub fn joined_away(node: Node<'_>, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut removed = Vec::new();
    collect_joins(node, start, end, &mut removed);
    removed.sort_unstable();
    removed
}

fn collect_joins(node: Node<'_>, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.end_byte() <= start || child.start_byte() >= end {
            continue;
        }
        match kind(child) {
            Kind::LineContinuation => out.push((child.start_byte(), child.end_byte().min(end))),
            Kind::Comment => {
                // the whole comment line goes, with the indentation before '#'
                // and whatever is left before its line break (a CRLF's '\r')
                let line_start = child.start_byte() - child.start_position().column;
                let line_end = child
                    .next_sibling()
                    .filter(|next| {
                        kind(*next) == Kind::LineContinuation
                            && next.start_position().row == child.end_position().row
                    })
                    .map_or(child.end_byte(), |next| next.start_byte());
                out.push((line_start.max(start), line_end.min(end)));
            }
            _ => {
                if child.child_count() > 0 {
                    collect_joins(child, start, end, out);
                }
            }
        }
    }
}
