//! Text helpers shared by the actions: lines, comment blocks, edits.

use std::ops::Range;

use crate::ide::TextEdit;

/// Applies disjoint edits to a text.
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        let start = e.range.start.clamp(at, text.len());
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = e.range.end.clamp(start, text.len());
    }
    out.push_str(&text[at..]);
    out
}

pub fn edit(range: Range<usize>, new_text: impl Into<String>) -> TextEdit {
    TextEdit {
        range,
        new_text: new_text.into(),
    }
}

/// One edit turning `old` into `new`: the part between their common prefix
/// and suffix, on character boundaries.
pub fn diff(old: &str, new: &str) -> TextEdit {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    edit(prefix..old.len() - suffix, &new[prefix..new.len() - suffix])
}

/// The start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..char_start(text, offset)]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, after its line break.
pub fn line_end(text: &str, offset: usize) -> usize {
    // callers pass `end - 1` for the last byte of a range, which may be
    // inside a multi-byte character (found by fuzzing)
    let offset = char_start(text, offset);
    match text[offset..].find(['\n', '\r']) {
        Some(i) => {
            let at = offset + i;
            if text[at..].starts_with("\r\n") {
                at + 2
            } else {
                at + 1
            }
        }
        None => text.len(),
    }
}

/// `offset` clamped to the text and moved to the start of its character.
fn char_start(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line break the document uses.
pub fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Where the comment lines directly above the line at `start` begin (no
/// blank line in between); `floor` bounds the search (the previous
/// instruction's end), `keep_out` are ranges (directives) never taken.
pub fn comments_above(text: &str, start: usize, floor: usize, keep_out: &[Range<usize>]) -> usize {
    let mut at = line_start(text, start);
    while at > floor {
        let previous = line_start(text, at - 1);
        if previous < floor {
            break;
        }
        let line = text[previous..at].trim();
        let is_directive = keep_out.iter().any(|r| r.start >= previous && r.start < at);
        if !line.starts_with('#') || is_directive {
            break;
        }
        at = previous;
    }
    at
}
