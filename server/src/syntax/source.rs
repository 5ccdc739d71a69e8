use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

/// Read access to a document's text by byte range, so analysis runs on the
/// editor's rope and on a plain string (CLI, tests) alike, without copying
/// the whole document.
pub trait Source {
    /// The text of a byte range; ranges are clamped to the text and to char
    /// boundaries, so a stale range never panics.
    fn slice(&self, range: Range<usize>) -> Cow<'_, str>;
    fn len_bytes(&self) -> usize;
    /// The 0-based line of a byte offset (clamped to the text): lines
    /// break at LF, CRLF and CR, as LSP counts them.
    fn line_at(&self, offset: usize) -> usize;
}

/// Line breaks in `bytes`, a CRLF counted once (a CR at its end counts).
fn line_breaks(bytes: &[u8]) -> usize {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    lf + lone_cr
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl Source for str {
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let start = floor_boundary(self, range.start);
        let end = floor_boundary(self, range.end).max(start);
        Cow::Borrowed(&self[start..end])
    }

    fn len_bytes(&self) -> usize {
        self.len()
    }

    fn line_at(&self, offset: usize) -> usize {
        let before = &self.as_bytes()[..offset.min(self.len())];
        // a CR right before the offset, of a CRLF around it, is not a
        // break yet: the CRLF is one, after its LF
        let split_crlf =
            before.last() == Some(&b'\r') && self.as_bytes().get(before.len()) == Some(&b'\n');
        line_breaks(before) - usize::from(split_crlf)
    }
}

impl Source for String {
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        self.as_str().slice(range)
    }

    fn len_bytes(&self) -> usize {
        self.len()
    }

    fn line_at(&self, offset: usize) -> usize {
        self.as_str().line_at(offset)
    }
}

impl Source for Rope {
    /// A byte inside a character stands for that character's start. Read
    /// from the chunks directly: a `RopeSlice` counts the characters and
    /// lines of what it covers, thousands of instructions for a word.
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let len = self.len_bytes();
        let (start, end) = (range.start.min(len), range.end.min(len));
        let (chunks, chunk_start, _, _) = self.chunks_at_byte(start);
        let mut out: Option<String> = None;
        let mut base = chunk_start;
        for chunk in chunks {
            let from = floor_boundary(chunk, start.saturating_sub(base));
            let to = floor_boundary(chunk, end.saturating_sub(base).min(chunk.len()));
            let piece = &chunk[from..to.max(from)];
            let last = end <= base + chunk.len();
            match &mut out {
                None if last => return Cow::Borrowed(piece),
                None => out = Some(piece.to_string()),
                Some(text) => text.push_str(piece),
            }
            if last {
                break;
            }
            base += chunk.len();
        }
        match out {
            Some(text) => Cow::Owned(text),
            None => Cow::Borrowed(""),
        }
    }

    fn len_bytes(&self) -> usize {
        Rope::len_bytes(self)
    }

    /// From the rope's own line index: a whole-prefix scan of a large
    /// document cost a hover milliseconds per line number it showed.
    fn line_at(&self, offset: usize) -> usize {
        self.byte_to_line(offset.min(Rope::len_bytes(self)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rope reads the same text and lines as the string for any range
    /// or offset: inside characters, inverted, past the end, across the
    /// rope's chunks, inside a CRLF.
    #[test]
    fn rope_slices_equal_string_slices() {
        let pieces = ["a", "🐳", "é", "\r\n", "\n", "word ", "\u{2028}"];
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..40 {
            let count = if rng.bool() { 3000 } else { rng.usize(0..40) };
            let text: String = (0..count)
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            let rope = Rope::from_str(&text);
            for _ in 0..2000 {
                let a = rng.usize(..=text.len() + 3);
                let b = if rng.bool() {
                    a + rng.usize(..20)
                } else {
                    rng.usize(..=text.len() + 3)
                };
                assert_eq!(
                    Source::slice(&rope, a..b),
                    Source::slice(text.as_str(), a..b),
                    "{a}..{b}"
                );
                assert_eq!(
                    rope.line_at(a),
                    text.as_str().line_at(a),
                    "line at {a} of {text:?}"
                );
            }
        }
    }
}
