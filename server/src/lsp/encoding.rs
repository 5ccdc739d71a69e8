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
    Positions::new(rope, encoding).at(offset)
}

/// Positions of many offsets in one text. Offsets in order (a document's
/// diagnostics) are found by scanning forward for line breaks from the
/// last one, inside the rope chunk last read: a rope lookup costs
/// thousands of instructions (it counts lines inside a chunk and builds
/// iterators), a scan of the bytes between two diagnostics a few hundred.
pub struct Positions<'r> {
    rope: &'r Rope,
    encoding: Encoding,
    /// The line of the last offset, and where it starts.
    line: usize,
    line_start: usize,
    /// Every line break ending in `line_start + 1..=scanned` is counted.
    scanned: usize,
    /// The chunk last read, and where it starts.
    chunk: &'r str,
    chunk_start: usize,
}

/// How far ahead a scan may go before a lookup is cheaper.
const SCAN_AHEAD: usize = 1024;

/// How long a line's start may be walked to count its columns.
const WALK: usize = 256;

impl<'r> Positions<'r> {
    pub fn new(rope: &'r Rope, encoding: Encoding) -> Positions<'r> {
        Positions {
            rope,
            encoding,
            line: 0,
            line_start: 0,
            scanned: 0,
            chunk: "",
            chunk_start: 0,
        }
    }

    pub fn range(&mut self, span: Range<usize>) -> lsp::Range {
        lsp::Range::new(self.at(span.start), self.at(span.end.max(span.start)))
    }

    pub fn at(&mut self, offset: usize) -> lsp::Position {
        let rope = self.rope;
        let offset = offset.min(rope.len_bytes());
        if offset < self.line_start || offset > self.scanned + SCAN_AHEAD {
            self.line = rope.byte_to_line(offset);
            self.line_start = rope.line_to_byte(self.line);
            self.scanned = offset;
        } else if offset > self.scanned {
            self.scan_to(offset);
        }
        let character = self
            .walk_column(offset)
            .unwrap_or_else(|| far_column(rope, self.line, offset, self.encoding));
        lsp::Position::new(saturating_u32(self.line), saturating_u32(character))
    }

    /// The chunk holding `byte` (the one starting there, at a boundary).
    fn chunk_at(&mut self, byte: usize) -> (&'r str, usize) {
        let end = self.chunk_start + self.chunk.len();
        if !(self.chunk_start <= byte && byte < end) {
            let (chunk, start, _, _) = self.rope.chunk_at_byte(byte);
            self.chunk = chunk;
            self.chunk_start = start;
        }
        (self.chunk, self.chunk_start)
    }

    /// Counts the line breaks ending in `scanned + 1..=offset`: `\n`,
    /// `\r\n` and a lone `\r`, as the rope counts them (its `cr_lines`
    /// feature); a CRLF is never split across chunks.
    fn scan_to(&mut self, offset: usize) {
        let mut from = self.scanned;
        while from < offset {
            let (chunk, base) = self.chunk_at(from);
            if chunk.is_empty() {
                break;
            }
            let bytes = chunk.as_bytes();
            let stop = (offset - base).min(bytes.len());
            let mut at = from - base;
            while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[at..stop]) {
                let brk = at + found;
                let crlf = bytes[brk] == b'\r' && bytes.get(brk + 1) == Some(&b'\n');
                let next = base + brk + if crlf { 2 } else { 1 };
                if next > offset {
                    // a CRLF around `offset`: looked at again next time
                    self.scanned = base + brk;
                    return;
                }
                self.line += 1;
                self.line_start = next;
                at = next - base;
                if at >= stop {
                    break;
                }
            }
            from = base + stop;
        }
        self.scanned = offset;
    }

    /// The column of `offset` counted from its line's start, when that is
    /// a short walk inside one chunk: the characters that end at or before
    /// `offset` (a byte inside a character stands for that character).
    fn walk_column(&mut self, offset: usize) -> Option<usize> {
        if offset - self.line_start > WALK {
            return None;
        }
        let (chunk, base) = self.chunk_at(self.line_start);
        let text = chunk.get(self.line_start.checked_sub(base)?..)?;
        let within = offset - self.line_start;
        if within > text.len() {
            return None;
        }
        let mut at = 0;
        let mut column = 0;
        for c in text.chars() {
            at += c.len_utf8();
            if at > within {
                break;
            }
            column += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
                Encoding::Utf32 => 1,
            };
        }
        Some(column)
    }
}

/// The column of `offset` on `line` by the rope's own index arithmetic.
fn far_column(rope: &Rope, line: usize, offset: usize, encoding: Encoding) -> usize {
    let char_index = rope.byte_to_char(offset);
    let line_start = rope.line_to_char(line);
    match encoding {
        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start),
        Encoding::Utf32 => char_index - line_start,
    }
}

pub fn range(rope: &Rope, span: Range<usize>, encoding: Encoding) -> lsp::Range {
    Positions::new(rope, encoding).range(span)
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

    /// Every byte (character boundaries or not) of texts with long lines,
    /// multi-byte characters and every kind of line break: the short walk
    /// along the line gives what the rope's own index arithmetic gives.
    #[test]
    fn walked_columns_equal_the_ropes_arithmetic() {
        let long = "q".repeat(130);
        let pieces = [
            "a",
            "🐳",
            "é",
            "\r\n",
            "\n",
            "\r",
            " ",
            "\u{2028}",
            "xyzxyzxyz",
            &long,
            &long,
        ];
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..60 {
            let mut text = String::new();
            // (long ones span many of the rope's chunks)
            let count = if rng.u8(..6) == 0 {
                4000
            } else {
                rng.usize(0..200)
            };
            for _ in 0..count {
                text.push_str(pieces[rng.usize(..pieces.len())]);
            }
            let rope = Rope::from_str(&text);
            // one cursor over offsets in order and out of order
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let mut positions = Positions::new(&rope, encoding);
                for _ in 0..text.len().min(3000) {
                    let offset = if rng.bool() {
                        rng.usize(..=text.len())
                    } else {
                        text.len() / 2
                    };
                    assert_eq!(
                        positions.at(offset),
                        position(&rope, offset, encoding),
                        "{text:?} at {offset}"
                    );
                }
            }
            let mut in_order: Vec<Positions<'_>> =
                [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32]
                    .into_iter()
                    .map(|e| Positions::new(&rope, e))
                    .collect();
            for offset in (0..=text.len() + 2).step_by(1 + text.len() / 2000) {
                for (k, encoding) in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32]
                    .into_iter()
                    .enumerate()
                {
                    let walked = in_order[k].at(offset);
                    let clamped = offset.min(rope.len_bytes());
                    let char_index = rope.byte_to_char(clamped);
                    let line = rope.char_to_line(char_index);
                    let line_start = rope.line_to_char(line);
                    let character = match encoding {
                        Encoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
                        Encoding::Utf16 => {
                            rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start)
                        }
                        Encoding::Utf32 => char_index - line_start,
                    };
                    let want = Position::new(line as u32, character as u32);
                    assert_eq!(
                        position(&rope, offset, encoding),
                        want,
                        "{text:?} at {offset} in {encoding:?}"
                    );
                    assert_eq!(
                        walked, want,
                        "in order: {text:?} at {offset} in {encoding:?}"
                    );
                }
            }
        }
    }

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
