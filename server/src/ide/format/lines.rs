//! Physical lines as BuildKit reads them: split at `\n` only, a `\r` before
//! the `\n` (or at the very end) belonging to the line break.

use std::ops::Range;

/// One physical line: `start..content_end` is its text, `content_end..end`
/// its line break (empty on a last line without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
}

impl Line {
    pub fn content(self, text: &str) -> &str {
        &text[self.start..self.content_end]
    }

    /// Whether the line holds nothing but spaces and tabs.
    pub fn is_blank(self, text: &str) -> bool {
        self.content(text).bytes().all(is_space)
    }

    /// The spaces and tabs the line starts with.
    pub fn indent(self, text: &str) -> Range<usize> {
        let content = self.content(text);
        let len = content.len() - content.trim_start_matches(is_space_char).len();
        self.start..self.start + len
    }

    /// The spaces and tabs the line ends with, before its line break.
    /// Only these two: BuildKit's continuation test (`\[ \t]*$`) skips
    /// exactly them, so dropping them never turns a line into a
    /// continuation or back.
    pub fn trailing_space(self, text: &str) -> Range<usize> {
        let content = self.content(text);
        let len = content.len() - content.trim_end_matches(is_space_char).len();
        self.content_end - len..self.content_end
    }
}

pub fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

fn is_space_char(c: char) -> bool {
    matches!(c, ' ' | '\t')
}

/// The lines of `text`; a final line break does not start another line.
pub fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < bytes.len() {
        let (content_end, end) = match bytes[start..].iter().position(|b| *b == b'\n') {
            Some(i) => {
                let newline = start + i;
                let content_end = if newline > start && bytes[newline - 1] == b'\r' {
                    newline - 1
                } else {
                    newline
                };
                (content_end, newline + 1)
            }
            None => {
                let end = bytes.len();
                let content_end = if bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                (content_end, end)
            }
        };
        out.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    out
}

/// The line break the file uses: that of its first line, `\n` without one.
pub fn line_break(text: &str, lines: &[Line]) -> &'static str {
    match lines.first() {
        Some(line) if text[line.content_end..line.end].starts_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// The index of the line holding byte `offset` (the last line for offsets
/// past the end).
pub fn line_of(lines: &[Line], offset: usize) -> usize {
    lines
        .partition_point(|line| line.end <= offset)
        .min(lines.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_lf_only() {
        let text = "a\r\nb \t\n\nc\rd\r";
        let lines = lines(text);
        let contents: Vec<&str> = lines.iter().map(|l| l.content(text)).collect();
        assert_eq!(contents, ["a", "b \t", "", "c\rd"]);
        assert_eq!(line_break(text, &lines), "\r\n");
        assert_eq!(&text[lines[1].trailing_space(text)], " \t");
        assert_eq!(line_of(&lines, 0), 0);
        assert_eq!(line_of(&lines, 3), 1);
        assert_eq!(line_of(&lines, 100), 3);
    }
}
