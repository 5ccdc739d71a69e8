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
}

impl Source for String {
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        self.as_str().slice(range)
    }

    fn len_bytes(&self) -> usize {
        self.len()
    }
}

impl Source for Rope {
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let len = self.len_bytes();
        let start = self.char_to_byte(self.byte_to_char(range.start.min(len)));
        let end = self
            .char_to_byte(self.byte_to_char(range.end.min(len)))
            .max(start);
        let slice = self.byte_slice(start..end);
        match slice.as_str() {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(slice.to_string()),
        }
    }

    fn len_bytes(&self) -> usize {
        Rope::len_bytes(self)
    }
}
