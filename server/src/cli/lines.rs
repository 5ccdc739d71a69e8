//! Byte offsets to 1-based lines and character columns, as people and
//! compilers count them.

use crate::model::Span;

pub struct Lines<'a> {
    text: &'a str,
    /// Byte offset of each line's start; the first is 0.
    starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Diagnostics from a stale or buggy range must still print, so the
    /// offset is clamped to the text and to a char boundary.
    fn clamp(&self, mut offset: usize) -> usize {
        offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn line_index(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_index(offset);
        let column = self.text[self.starts[line]..offset].chars().count();
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        let text = &self.text[start..end];
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// Start and end (exclusive) of a range.
    pub fn range(&self, span: &Span) -> (Position, Position) {
        let start = self.position(span.start);
        let end = self.position(span.end.max(span.start));
        (start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "FROM a\r\nLABEL é=ü x\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            lines.position(x),
            Position {
                line: 2,
                column: 11
            }
        );
        assert_eq!(lines.line_text(1), "FROM a");
        assert_eq!(lines.line_text(2), "LABEL é=ü x");
        assert_eq!(lines.line_text(3), "");
        assert_eq!(lines.line_text(9), "");
        // inside a multi-byte character: its start
        assert_eq!(lines.position(text.find('é').unwrap() + 1).column, 7);
        assert_eq!(lines.position(1000), Position { line: 3, column: 1 });
    }
}
