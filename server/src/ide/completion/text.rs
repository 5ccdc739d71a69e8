//! The text around the cursor, read in small pieces: physical lines, and
//! the logical line of an instruction with BuildKit's continuations joined.
//! Every read is bounded by the line or instruction, never the document.

use crate::syntax::Source;

const CHUNK: usize = 256;

/// Whether `at` starts a character (or is an end of the text).
fn is_boundary(source: &(impl Source + ?Sized), at: usize) -> bool {
    // `slice` floors both ends to character starts: the byte before a
    // boundary is part of a character that ends there, so the slice of it is
    // not empty; inside a character both ends floor to its start
    at == 0 || at >= source.len_bytes() || !source.slice(at - 1..at).is_empty()
}

/// `offset` clamped to the text and moved to the start of its character.
pub fn clamp(source: &(impl Source + ?Sized), offset: usize) -> usize {
    let mut at = offset.min(source.len_bytes());
    while !is_boundary(source, at) {
        at -= 1;
    }
    at
}

/// The start of the physical line that holds `at` (a character boundary).
pub fn line_start(source: &(impl Source + ?Sized), at: usize) -> usize {
    let mut end = at;
    while end > 0 {
        let text = source.slice(end.saturating_sub(CHUNK)..end);
        // `end` is a boundary, so the text ends exactly there
        let text_start = end - text.len();
        if let Some(i) = text.rfind('\n') {
            return text_start + i + 1;
        }
        if text.is_empty() {
            break;
        }
        end = text_start;
    }
    0
}

/// The end of the physical line that holds `at` (before `\r\n` or `\n`),
/// and the start of the next line (the text's end when there is none).
pub fn line_end(source: &(impl Source + ?Sized), at: usize) -> (usize, usize) {
    let mut start = at;
    loop {
        let text = source.slice(start..start + CHUNK);
        if let Some(i) = text.find('\n') {
            let newline = start + i;
            let content_end = if newline > at && source.slice(newline - 1..newline) == "\r" {
                newline - 1
            } else {
                newline
            };
            return (content_end, newline + 1);
        }
        if text.is_empty() {
            return (start, start);
        }
        start += text.len();
    }
}

/// The first non-blank byte of `start..end`, if any.
pub fn first_non_blank(source: &(impl Source + ?Sized), start: usize, end: usize) -> Option<usize> {
    let text = source.slice(start..end);
    text.find(|c: char| !matches!(c, ' ' | '\t'))
        .map(|i| start + i)
}

/// The content of a line without its trailing line continuation, when it
/// has one: the escape character last (spaces and tabs may follow), not
/// itself escaped.
pub fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let trimmed = line.trim_end_matches([' ', '\t', '\r']);
    let escapes = trimmed.chars().rev().take_while(|c| *c == escape).count();
    (escapes % 2 == 1).then(|| &trimmed[..trimmed.len() - escape.len_utf8()])
}

/// Whether a line is left out of a continued instruction: blank, or a
/// comment.
pub fn is_skipped_in_continuation(line: &str) -> bool {
    let trimmed = line.trim_start_matches([' ', '\t']);
    trimmed.trim_end_matches(['\r', ' ', '\t']).is_empty() || trimmed.starts_with('#')
}

/// The content of the physical line starting at `start`, and the start of
/// the next one.
pub fn line_at(source: &(impl Source + ?Sized), start: usize) -> (String, usize, usize) {
    let (end, next) = line_end(source, start);
    (source.slice(start..end).into_owned(), end, next)
}

/// The logical line of an instruction, as BuildKit joins it: a continued
/// line loses its escape character and line break, blank and comment lines
/// inside the continuation are dropped.
#[derive(Debug, Default)]
pub struct Logical {
    pub text: String,
    /// (index in `text`, byte offset in the document) where each piece of a
    /// physical line starts.
    segments: Vec<(usize, usize)>,
    /// The cursor's index in `text`.
    pub cursor: usize,
}

impl Logical {
    /// The document offset of an index in `text`.
    pub fn raw(&self, index: usize) -> usize {
        let i = self.segments.partition_point(|(start, _)| *start <= index);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some((start, raw)) => raw + (index - start),
            None => index,
        }
    }

    /// Reads the instruction that starts at `start` (the cursor's line
    /// must belong to it) up to the end of its logical line, or a few lines
    /// past the cursor for a runaway continuation. `None` when the cursor
    /// is in a comment line.
    ///
    /// Once the keyword, the flags and the first argument are read, the
    /// lines between them and the cursor's line cannot change what is
    /// offered: they are skipped (with one space for them), so a cursor
    /// deep in a long `RUN` costs two lines, not the whole instruction.
    pub fn read(
        source: &(impl Source + ?Sized),
        start: usize,
        cursor: usize,
        escape: char,
    ) -> Option<Logical> {
        // only flags after the cursor are read beyond it, and flags come first
        const LINES_AFTER_CURSOR: usize = 32;
        let mut logical = Logical::default();
        let mut found_cursor = false;
        let mut lines_after = 0;
        let mut at = start;
        loop {
            let (line, end, next) = line_at(source, at);
            let continued = strip_continuation(&line, escape);
            let kept = continued.unwrap_or(&line);
            let has_cursor = !found_cursor && cursor >= at && cursor <= end;
            if has_cursor {
                logical.cursor = logical.text.len() + (cursor - at).min(kept.len());
                found_cursor = true;
            } else if found_cursor {
                lines_after += 1;
            }
            logical.segments.push((logical.text.len(), at));
            logical.text.push_str(kept);
            if continued.is_none() || next == at || next > source.len_bytes() {
                break;
            }
            let head_read = head_complete(&logical.text);
            if found_cursor && (head_read || lines_after >= LINES_AFTER_CURSOR) {
                break;
            }
            if !found_cursor && head_read && cursor >= next {
                at = line_start(source, cursor);
                logical.text.push(' ');
                let (line, _, _) = line_at(source, at);
                if line.trim_start().starts_with('#') {
                    return None;
                }
                continue;
            }
            at = next;
            // blank and comment lines inside a continuation are dropped,
            // unless the cursor is on one: a blank one is being typed on
            loop {
                let (line, end, next) = line_at(source, at);
                let has_cursor = !found_cursor && cursor >= at && cursor <= end;
                if !is_skipped_in_continuation(&line) || next == at {
                    break;
                }
                if has_cursor {
                    if line.trim_start().starts_with('#') {
                        return None;
                    }
                    break;
                }
                at = next;
            }
        }
        found_cursor.then_some(logical)
    }
}

/// Whether a logical line has its keyword, flags and first argument: what
/// follows is arguments, whatever it is. FROM counts its arguments (`AS`),
/// so it is never cut short.
fn head_complete(text: &str) -> bool {
    let mut words = text.split([' ', '\t']).filter(|w| !w.is_empty());
    let mut keyword = words.next();
    if keyword.is_some_and(|k| k.eq_ignore_ascii_case("onbuild")) {
        keyword = words.next();
    }
    match keyword {
        None => false,
        Some(k) if k.eq_ignore_ascii_case("from") => false,
        Some(_) => words.any(|w| !w.starts_with("--") || w == "--"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_around_an_offset() {
        let text = "FROM a\r\nRUN b\n\nCOPY c d";
        assert_eq!(line_start(text, 0), 0);
        assert_eq!(line_start(text, 10), 8);
        assert_eq!(line_start(text, 15), 15);
        assert_eq!(line_end(text, 0), (6, 8));
        assert_eq!(line_end(text, 8), (13, 14));
        assert_eq!(line_end(text, 16), (text.len(), text.len()));
        let long = format!("{}\nx", "a".repeat(1000));
        assert_eq!(line_start(long.as_str(), 1001), 1001);
        assert_eq!(line_start(long.as_str(), 700), 0);
    }

    #[test]
    fn offsets_inside_a_character_move_to_its_start() {
        let text = "a🐳b";
        assert_eq!(clamp(text, 3), 1);
        assert_eq!(clamp(text, 5), 5);
        assert_eq!(clamp(text, 99), 6);
    }

    #[test]
    fn continuations_follow_buildkit() {
        assert_eq!(strip_continuation("RUN a \\", '\\'), Some("RUN a "));
        assert_eq!(strip_continuation("RUN a \\  ", '\\'), Some("RUN a "));
        assert_eq!(strip_continuation("RUN a \\\\", '\\'), None);
        assert_eq!(strip_continuation("RUN a `", '`'), Some("RUN a "));
        assert_eq!(strip_continuation("RUN a", '\\'), None);
    }

    #[test]
    fn the_logical_line_joins_continuations_and_maps_back() {
        let text = "RUN --mount=a \\\n# note\n\n  --net";
        let cursor = text.len();
        let logical = Logical::read(text, 0, cursor, '\\').unwrap();
        assert_eq!(logical.text, "RUN --mount=a   --net");
        assert_eq!(logical.cursor, logical.text.len());
        let dashes = logical.text.rfind("--").unwrap();
        assert_eq!(logical.raw(dashes), text.rfind("--").unwrap());
        // the cursor in the comment line: nothing to complete
        assert!(Logical::read(text, 0, 18, '\\').is_none());

        // past the first argument, the lines up to the cursor's are skipped
        let text = "RUN --mount=a set -eux; \\\n  b; \\\n  c; \\\n  echo $H";
        let logical = Logical::read(text, 0, text.len(), '\\').unwrap();
        assert_eq!(logical.text, "RUN --mount=a set -eux;    echo $H");
        assert_eq!(logical.raw(logical.text.len() - 2), text.len() - 2);
    }
}
