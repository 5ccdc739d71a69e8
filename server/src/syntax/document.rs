//! A document being edited: its text as a rope and its syntax tree, kept in
//! step by incremental edits and reparses.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use ropey::{Rope, RopeSlice};
use tree_sitter::{InputEdit, Parser, Point, Tree};

thread_local! {
    // A parser keeps no document state between parses, so one per thread
    // serves every document and keeps `Document` cheap to hold in maps.
    static PARSER: RefCell<Parser> = RefCell::new(super::parser());
}

/// Why an edit was refused; the document is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The range ends past the text or starts after its end.
    OutOfBounds { range: Range<usize>, len: usize },
    /// An end of the range falls inside a UTF-8 sequence.
    NotCharBoundary { offset: usize },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::OutOfBounds { range, len } => write!(
                f,
                "edit range {}..{} is outside the document ({len} bytes)",
                range.start, range.end
            ),
            EditError::NotCharBoundary { offset } => {
                write!(f, "edit offset {offset} is inside a character")
            }
        }
    }
}

impl std::error::Error for EditError {}

/// A text and its syntax tree; every change goes through [`Document::apply_edit`]
/// or [`Document::replace_all`], so the two never disagree.
#[derive(Clone)]
pub struct Document {
    rope: Rope,
    tree: Tree,
    /// The client's version of this text.
    pub version: i32,
    /// Carriage returns in the text. While there are none, the rope's line
    /// index (which also breaks lines at a lone CR, as LSP does) counts rows
    /// exactly as tree-sitter does, so points come in O(log n).
    carriage_returns: usize,
    /// The edits applied since [`Document::take_edits`] last ran, for
    /// whoever maps what it read from the tree then onto the tree now;
    /// `None` once that is no longer possible (the text was replaced, or
    /// too many edits piled up).
    edits: Option<Vec<InputEdit>>,
}

/// Edits kept for [`Document::take_edits`] at most; past that, analyses
/// start afresh.
const MAX_LOGGED_EDITS: usize = 1024;

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("len_bytes", &self.rope.len_bytes())
            .finish_non_exhaustive()
    }
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        let rope = Rope::from_str(text);
        let tree = parse_rope(&rope, None);
        Document {
            carriage_returns: count_carriage_returns(rope.slice(..)),
            rope,
            tree,
            version,
            edits: None,
        }
    }

    /// The edits (as given to `Tree::edit`) applied since the last call, in
    /// order; `None` when the text was created or replaced since, or the
    /// log overflowed.
    pub fn take_edits(&mut self) -> Option<Vec<InputEdit>> {
        self.edits.replace(Vec::new())
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Replaces `byte_range` with `new_text` and reparses incrementally.
    pub fn apply_edit(
        &mut self,
        byte_range: Range<usize>,
        new_text: &str,
    ) -> Result<(), EditError> {
        let len = self.rope.len_bytes();
        if byte_range.start > byte_range.end || byte_range.end > len {
            return Err(EditError::OutOfBounds {
                range: byte_range,
                len,
            });
        }
        for offset in [byte_range.start, byte_range.end] {
            if !self.is_char_boundary(offset) {
                return Err(EditError::NotCharBoundary { offset });
            }
        }

        let start_position = self.point_at(byte_range.start);
        let old_end_position = self.point_at(byte_range.end);
        let removed_crs = count_carriage_returns(self.rope.byte_slice(byte_range.clone()));

        let start_char = self.rope.byte_to_char(byte_range.start);
        let end_char = self.rope.byte_to_char(byte_range.end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.carriage_returns =
            self.carriage_returns - removed_crs + new_text.bytes().filter(|&b| b == b'\r').count();

        let new_end_byte = byte_range.start + new_text.len();
        let new_end_position = self.point_at(new_end_byte);
        let edit = InputEdit {
            start_byte: byte_range.start,
            old_end_byte: byte_range.end,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position,
        };
        self.tree.edit(&edit);
        if let Some(edits) = &mut self.edits {
            if edits.len() < MAX_LOGGED_EDITS {
                edits.push(edit);
            } else {
                self.edits = None;
            }
        }
        self.tree = parse_rope(&self.rope, Some(&self.tree));
        Ok(())
    }

    /// Replaces the whole text (a full-document sync) and parses it afresh.
    pub fn replace_all(&mut self, text: &str) {
        let version = self.version;
        *self = Document::new(text, version);
    }

    fn is_char_boundary(&self, offset: usize) -> bool {
        offset == self.rope.len_bytes()
            || self.rope.char_to_byte(self.rope.byte_to_char(offset)) == offset
    }

    /// Tree-sitter's point of a byte offset: rows end at `\n` only, columns
    /// count bytes.
    fn point_at(&self, offset: usize) -> Point {
        if self.carriage_returns == 0 {
            let row = self.rope.byte_to_line(offset);
            return Point::new(row, offset - self.rope.line_to_byte(row));
        }
        let mut row = 0;
        let mut line_start = 0;
        let mut chunk_start = 0;
        for chunk in self.rope.byte_slice(..offset).chunks() {
            for (i, byte) in chunk.bytes().enumerate() {
                if byte == b'\n' {
                    row += 1;
                    line_start = chunk_start + i + 1;
                }
            }
            chunk_start += chunk.len();
        }
        Point::new(row, offset - line_start)
    }
}

fn count_carriage_returns(text: RopeSlice<'_>) -> usize {
    text.chunks()
        .map(|chunk| chunk.bytes().filter(|&b| b == b'\r').count())
        .sum()
}

/// Parses the rope chunk by chunk, never copying the whole text.
fn parse_rope(rope: &Rope, old_tree: Option<&Tree>) -> Tree {
    let len = rope.len_bytes();
    let mut read = |offset: usize, _: Point| -> &[u8] {
        if offset >= len {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
        &chunk.as_bytes()[offset - chunk_start..]
    };
    PARSER
        .with_borrow_mut(|parser| parser.parse_with_options(&mut read, old_tree, None))
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, to_sexp};

    fn assert_in_step(doc: &Document) {
        let text = doc.text();
        assert_eq!(
            to_sexp(doc.tree().root_node()),
            to_sexp(parse(&text).root_node()),
            "incremental tree differs from a fresh parse of {text:?}"
        );
    }

    #[test]
    fn edits_keep_text_and_tree_in_step() {
        let mut doc = Document::new("FROM alpine AS base\nRUN echo hi\n", 1);
        doc.apply_edit(5..11, "debian").unwrap();
        assert_eq!(doc.text(), "FROM debian AS base\nRUN echo hi\n");
        assert_in_step(&doc);
        doc.apply_edit(20..20, "LABEL a=\"日本語 🐳\"\n").unwrap();
        assert_in_step(&doc);
        let len = doc.rope().len_bytes();
        doc.apply_edit(len..len, "COPY --from=base / /\n").unwrap();
        assert_in_step(&doc);
    }

    /// Identities of the top-level nodes of `tree`, by start byte. A node's
    /// id is the address of its slot in its parent, which is new whenever
    /// the parent is, so a node is identified by its first child's slot:
    /// the same exactly when the node itself was reused.
    fn top_level_ids(tree: &Tree) -> Vec<(usize, usize, String)> {
        let root = tree.root_node();
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .map(|n| {
                (
                    n.start_byte(),
                    n.child(0).map_or(0, |c| c.id()),
                    n.kind().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_reparse_reuses_every_instruction_outside_the_edit() {
        // the grammar keeps stage boundaries reusable (see `source_file` in
        // grammar.js): only the edited instruction is rebuilt
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!(
                "FROM alpine AS s{i}\nRUN echo {i} \\\n  && true\nCOPY a b\n\n"
            ));
        }
        let mut doc = Document::new(&text, 0);
        let old = doc.tree().clone();
        let before = top_level_ids(&old);
        let at = text.find("echo 20").unwrap() + 5;
        doc.apply_edit(at..at, "x").unwrap();
        assert_in_step(&doc);
        let after = top_level_ids(doc.tree());
        assert_eq!(before.len(), after.len());
        let edited = before.iter().position(|(start, ..)| *start > at).unwrap() - 1;
        for (i, (old, new)) in before.iter().zip(&after).enumerate() {
            if i != edited {
                assert_eq!(old.1, new.1, "{} at {} rebuilt", new.2, new.0);
            }
        }
        drop(old);
    }

    #[test]
    fn a_reparse_shifts_each_stage_once_whatever_comments_precede_it() {
        // a comment above each FROM: kept inside the stage before it, it is
        // not shifted again on its own at the top level after every edit
        let stages = 40;
        let mut text = String::new();
        for i in 0..stages {
            text.push_str(&format!(
                "# stage {i}\nFROM alpine AS s{i}\nRUN echo {i}\n\n"
            ));
        }
        let mut parser = parse_with_shift_count();
        let old = parser.0.parse(&text, None).unwrap();
        let at = text.find("echo 20").unwrap() + 5;
        let mut edited = old.clone();
        let mut new_text = text.clone();
        new_text.insert(at, 'x');
        let point = |b: usize| {
            let row = text[..b].matches('\n').count();
            tree_sitter::Point::new(row, b - text[..b].rfind('\n').map_or(0, |n| n + 1))
        };
        edited.edit(&tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: point(at),
            old_end_position: point(at),
            new_end_position: tree_sitter::Point::new(point(at).row, point(at).column + 1),
        });
        parser.1.store(0, std::sync::atomic::Ordering::Relaxed);
        parser.0.parse(&new_text, Some(&edited)).unwrap();
        let shifts = parser.1.load(std::sync::atomic::Ordering::Relaxed);
        // one per stage, and a few in the edited instruction
        assert!(shifts < stages + 10, "{shifts} shifts for {stages} stages");
    }

    /// A parser that counts the tokens and subtrees it shifts.
    fn parse_with_shift_count() -> (
        tree_sitter::Parser,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) {
        let mut parser = crate::syntax::parser();
        let shifts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = shifts.clone();
        parser.set_logger(Some(Box::new(move |_, message| {
            if message.starts_with("shift") {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        })));
        (parser, shifts)
    }

    #[test]
    fn carriage_returns_do_not_shift_rows() {
        let mut doc = Document::new("FROM a\r\nRUN x\rRUN y\nCMD z\n", 1);
        doc.apply_edit(14..14, "\n").unwrap();
        assert_in_step(&doc);
        doc.apply_edit(6..7, "").unwrap();
        assert_in_step(&doc);
        doc.apply_edit(0..0, "\r\r").unwrap();
        assert_in_step(&doc);
        let len = doc.rope().len_bytes();
        doc.apply_edit(0..len, "FROM b\nRUN c\n").unwrap();
        assert_eq!(doc.carriage_returns, 0);
        assert_in_step(&doc);
    }

    #[test]
    fn bad_ranges_are_refused_and_change_nothing() {
        let mut doc = Document::new("FROM 🐳\n", 3);
        let before = doc.text();
        assert!(matches!(
            doc.apply_edit(2..100, "x"),
            Err(EditError::OutOfBounds { .. })
        ));
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 4..2;
        assert!(doc.apply_edit(reversed, "x").is_err());
        assert_eq!(
            doc.apply_edit(6..7, "x"),
            Err(EditError::NotCharBoundary { offset: 6 })
        );
        assert_eq!(doc.text(), before);
        assert_eq!(doc.version, 3);
    }

    #[test]
    fn random_edits_match_a_fresh_parse() {
        const PIECES: &[&str] = &[
            "\n",
            "\r\n",
            "\r",
            "\\\n",
            "FROM ",
            "alpine AS b\n",
            "RUN <<EOF\n",
            "EOF\n",
            "é",
            "🐳",
            "COPY --from=b / /\n",
            "${",
            "}",
            "\"",
            "# escape=`\n",
            " ",
            "`\n",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..50 {
            let mut doc = Document::new("FROM golang AS builder\nRUN go build\n", 0);
            for _ in 0..20 {
                let text = doc.text();
                let boundaries: Vec<usize> = (0..=text.len())
                    .filter(|&i| text.is_char_boundary(i))
                    .collect();
                let a = boundaries[rng.usize(..boundaries.len())];
                let b = boundaries[rng.usize(..boundaries.len())];
                let range = a.min(b)..a.max(b).min(a.min(b) + 8);
                let range = if text.is_char_boundary(range.end) {
                    range
                } else {
                    range.start..range.start
                };
                let piece = if rng.bool() {
                    PIECES[rng.usize(..PIECES.len())]
                } else {
                    ""
                };
                let mut expected = text.clone();
                expected.replace_range(range.clone(), piece);
                doc.apply_edit(range, piece).unwrap();
                assert_eq!(doc.text(), expected);
                assert_in_step(&doc);
            }
        }
    }
}
