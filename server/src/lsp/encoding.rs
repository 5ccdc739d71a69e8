//! LSP positions (line, character in the negotiated encoding) and byte
//! offsets into the rope. Lines break at LF, CRLF and CR, as LSP counts
//! them; the rope is built with exactly that line index.

use std::fmt;
use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, ClientCapabilities, PositionEncodingKind};

/// What a `character` in a position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// The first encoding of the client's list that we support; UTF-16 when
    /// the client offers none (the LSP default every client understands).
    pub fn negotiate(capabilities: &ClientCapabilities) -> Encoding {
        capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_ref())
            .and_then(|offered| offered.iter().find_map(Encoding::from_kind))
            .unwrap_or_default()
    }

    fn from_kind(kind: &PositionEncodingKind) -> Option<Encoding> {
        match kind.as_str() {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

/// A position on a line the document does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionError {
    pub position: lsp::Position,
    pub lines: usize,
}

impl fmt::Display for PositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "position {}:{} is past the last line (the document has {} lines)",
            self.position.line, self.position.character, self.lines
        )
    }
}

impl std::error::Error for PositionError {}

/// The byte offset of a position. A line past the end is an error; a
/// character past the end of its line means the end of the line (as LSP
/// says), and one inside a character means that character's start.
pub fn checked_offset(
    rope: &Rope,
    position: lsp::Position,
    encoding: Encoding,
) -> Result<usize, PositionError> {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return Err(PositionError {
            position,
            lines: rope.len_lines(),
        });
    }
    let start = rope.line_to_byte(line);
    let end = line_content_end(rope, line);
    let character = position.character as usize;
    let offset = match encoding {
        Encoding::Utf8 => {
            let offset = start.saturating_add(character).min(end);
            rope.char_to_byte(rope.byte_to_char(offset))
        }
        Encoding::Utf16 => {
            let first = rope.char_to_utf16_cu(rope.byte_to_char(start));
            let last = rope.char_to_utf16_cu(rope.byte_to_char(end));
            let unit = first.saturating_add(character).min(last);
            rope.char_to_byte(rope.utf16_cu_to_char(unit))
        }
        Encoding::Utf32 => {
            let first = rope.byte_to_char(start);
            let last = rope.byte_to_char(end);
            rope.char_to_byte(first.saturating_add(character).min(last))
        }
    };
    Ok(offset)
}

/// Like [`checked_offset`], with a line past the end meaning the end of the
/// document: for requests, where any answer near the cursor beats an error.
pub fn offset(rope: &Rope, position: lsp::Position, encoding: Encoding) -> usize {
    checked_offset(rope, position, encoding).unwrap_or_else(|_| rope.len_bytes())
}

/// The byte range of an LSP range; a start after the end is an error.
pub fn checked_span(
    rope: &Rope,
    range: lsp::Range,
    encoding: Encoding,
) -> Result<Range<usize>, PositionError> {
    let start = checked_offset(rope, range.start, encoding)?;
    let end = checked_offset(rope, range.end, encoding)?;
    if start > end {
        return Err(PositionError {
            position: range.start,
            lines: rope.len_lines(),
        });
    }
    Ok(start..end)
}

/// The position of a byte offset, clamped to the text and to the start of
/// the character it falls in.
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> lsp::Position {
    let char_index = rope.byte_to_char(offset.min(rope.len_bytes()));
    let line = rope.char_to_line(char_index);
    let line_start = rope.line_to_char(line);
    let character = match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start),
        Encoding::Utf32 => char_index - line_start,
    };
    lsp::Position::new(saturating_u32(line), saturating_u32(character))
}

pub fn range(rope: &Rope, span: Range<usize>, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(rope, span.start, encoding),
        position(rope, span.end.max(span.start), encoding),
    )
}

/// The byte offset where a line's text ends, before its line break.
fn line_content_end(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_byte(line);
    let mut end = rope.line_to_byte(line + 1);
    if end > start && rope.byte(end - 1) == b'\n' {
        end -= 1;
    }
    if end > start && rope.byte(end - 1) == b'\r' {
        end -= 1;
    }
    end
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::Position;

    const TEXT: &str = "a🐳b\r\né\rx\n";

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let rope = Rope::from_str(TEXT);
        // (byte, utf-8, utf-16, utf-32) columns on line 0
        for (byte, columns) in [
            (0, [0, 0, 0]),
            (1, [1, 1, 1]),
            (5, [5, 3, 2]),
            (6, [6, 4, 3]),
        ] {
            for (encoding, column) in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32]
                .into_iter()
                .zip(columns)
            {
                let pos = Position::new(0, column);
                assert_eq!(position(&rope, byte, encoding), pos, "{encoding:?} {byte}");
                assert_eq!(checked_offset(&rope, pos, encoding), Ok(byte));
            }
        }
        // a lone CR ends a line too
        assert_eq!(position(&rope, 11, Encoding::Utf16), Position::new(2, 0));
        assert_eq!(offset(&rope, Position::new(1, 1), Encoding::Utf16), 10);
        assert_eq!(offset(&rope, Position::new(1, 1), Encoding::Utf8), 8);
    }

    #[test]
    fn out_of_range_positions_are_clamped_or_refused() {
        let rope = Rope::from_str(TEXT);
        // past the end of a line: the end of the line, before CRLF
        assert_eq!(offset(&rope, Position::new(0, 99), Encoding::Utf16), 6);
        assert_eq!(offset(&rope, Position::new(0, u32::MAX), Encoding::Utf8), 6);
        // inside the emoji: its start
        assert_eq!(offset(&rope, Position::new(0, 2), Encoding::Utf16), 1);
        assert_eq!(offset(&rope, Position::new(0, 3), Encoding::Utf8), 1);
        // the empty last line exists; the one after it does not
        assert_eq!(
            checked_offset(&rope, Position::new(3, 0), Encoding::Utf16),
            Ok(13)
        );
        assert!(checked_offset(&rope, Position::new(4, 0), Encoding::Utf16).is_err());
        assert_eq!(offset(&rope, Position::new(40, 2), Encoding::Utf16), 13);
        let reversed = lsp::Range::new(Position::new(1, 0), Position::new(0, 0));
        assert!(checked_span(&rope, reversed, Encoding::Utf16).is_err());
        assert_eq!(position(&rope, 999, Encoding::Utf16), Position::new(3, 0));
        assert_eq!(position(&rope, 3, Encoding::Utf16), Position::new(0, 1));
    }
}
