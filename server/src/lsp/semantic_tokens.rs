//! Semantic tokens in LSP's terms: the legend, the relative encoding
//! (`deltaLine, deltaStart, length, type, modifiers`) in the negotiated
//! position encoding, and the last result per document for deltas.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens,
    SemanticTokensDelta, SemanticTokensEdit, SemanticTokensFullDeltaResult,
    SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions,
    SemanticTokensServerCapabilities, Uri, WorkDoneProgressOptions,
};

use super::documents::Snapshot;
use super::encoding::{self, Encoding};
use crate::ide::{self, Modifiers, Token, TokenKind};

/// What we advertise: whole documents (with deltas) and ranges.
pub fn options() -> SemanticTokensServerCapabilities {
    SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
        work_done_progress_options: WorkDoneProgressOptions::default(),
        legend: legend(),
        range: Some(true),
        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
    })
}

/// The tokens of the whole document, encoded.
pub fn whole(snapshot: &Snapshot, encoding: Encoding) -> Vec<SemanticToken> {
    let mut encoder = Encoder::new(&snapshot.rope, encoding);
    let mut out = Vec::new();
    each_token(snapshot, |token| out.extend(encoder.encode(&token)));
    out
}

/// The tokens of the whole document, encoded and packed: all a full result
/// needs (the client's copy is written from it, and it is what a delta is
/// computed against), at a quarter of the encoded tokens' size.
pub fn whole_packed(snapshot: &Snapshot, encoding: Encoding) -> Packed {
    let mut encoder = Encoder::new(&snapshot.rope, encoding);
    let mut packed = Packed::default();
    each_token(snapshot, |token| {
        if let Some(encoded) = encoder.encode(&token) {
            packed.push(&encoded);
        }
    });
    packed.bytes.shrink_to_fit();
    packed
}

/// The document's tokens, a batch at a time: a 10,000-line file has some
/// 30,000, which as `ide` tokens and encoded ones side by side would be
/// over a megabyte for the length of the request.
fn each_token(snapshot: &Snapshot, each: impl FnMut(Token)) {
    let rope = &snapshot.rope;
    ide::semantic_tokens_each(&snapshot.analysis, rope, 0..rope.len_bytes(), BATCH, each);
}

const BATCH: usize = 1_024;

/// The tokens that touch `range` (clamped to the document), encoded.
pub fn within(snapshot: &Snapshot, encoding: Encoding, range: lsp::Range) -> Vec<SemanticToken> {
    let rope = &snapshot.rope;
    let start = encoding::offset(rope, range.start, encoding);
    let end = encoding::offset(rope, range.end, encoding).max(start);
    let tokens = ide::semantic_tokens(&snapshot.analysis, rope, start..end);
    encode(rope, &tokens, encoding)
}

/// Token types, by index in the legend: standard LSP types only, so every
/// theme colours them.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::MACRO,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::CLASS,
    SemanticTokenType::TYPE,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::STRING,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::NUMBER,
    SemanticTokenType::ENUM_MEMBER,
];

fn type_index(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Keyword => 0,
        TokenKind::Comment => 1,
        // parser directives and heredoc delimiters: meta syntax
        TokenKind::Directive | TokenKind::HeredocDelimiter => 2,
        TokenKind::Flag => 3,
        TokenKind::FlagValue | TokenKind::LabelKey => 4,
        // stages are classes in the outline too
        TokenKind::Stage => 5,
        TokenKind::Image => 6,
        TokenKind::Variable => 7,
        TokenKind::String | TokenKind::ImageTag => 8,
        TokenKind::Operator => 9,
        TokenKind::Number => 10,
        TokenKind::Protocol => 11,
    }
}

/// Modifiers, by bit in the legend.
const MODIFIERS: &[(Modifiers, SemanticTokenModifier)] = &[
    (Modifiers::DECLARATION, SemanticTokenModifier::DECLARATION),
    (Modifiers::DEPRECATED, SemanticTokenModifier::DEPRECATED),
    (
        Modifiers::DEFAULT_LIBRARY,
        SemanticTokenModifier::DEFAULT_LIBRARY,
    ),
];

fn modifier_bits(modifiers: Modifiers) -> u32 {
    MODIFIERS
        .iter()
        .enumerate()
        .filter(|(_, (m, _))| modifiers.contains(*m))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.iter().map(|(_, m)| m.clone()).collect(),
    }
}

/// Encodes tokens (sorted, single-line byte ranges) relative to each other.
/// One forward pass over the text counts lines and columns up to each token
/// in turn, so the cost is the length of the text the tokens span, not a
/// position lookup from the document's start per token.
pub fn encode(rope: &Rope, tokens: &[Token], encoding: Encoding) -> Vec<SemanticToken> {
    let mut encoder = Encoder::new(rope, encoding);
    tokens.iter().filter_map(|t| encoder.encode(t)).collect()
}

/// Encodes tokens handed to it in document order, one at a time.
struct Encoder<'r> {
    rope: &'r Rope,
    encoding: Encoding,
    scanner: Option<Scanner<'r>>,
    /// Line and column of the last token encoded.
    previous: Option<(usize, usize)>,
}

impl<'r> Encoder<'r> {
    fn new(rope: &'r Rope, encoding: Encoding) -> Encoder<'r> {
        Encoder {
            rope,
            encoding,
            scanner: None,
            previous: None,
        }
    }

    /// The token relative to the one before; none for an empty one.
    fn encode(&mut self, token: &Token) -> Option<SemanticToken> {
        let rope = self.rope;
        let start = token.range.start.min(rope.len_bytes());
        let scanner = match &mut self.scanner {
            // out of order (never, from `ide`), or far ahead: jump by the
            // rope's line index rather than scan
            Some(scanner) if start >= scanner.pos && start - scanner.pos <= JUMP => scanner,
            other => other.insert(Scanner::at_line_of(rope, start, self.encoding)),
        };
        scanner.advance(start, false);
        let (line, column) = (scanner.line, scanner.column);
        // a token reaching past its line's end is cut there
        scanner.advance(token.range.end.max(start), true);
        let length = scanner.column - column;
        if length == 0 {
            return None;
        }
        let (previous_line, previous_column) = self.previous.unwrap_or((0, 0));
        let same_line = self.previous.is_some() && line == previous_line;
        self.previous = Some((line, column));
        Some(SemanticToken {
            // (saturating: `ide` sorts its tokens, but a bug there must
            // not become a panic here)
            delta_line: saturating_u32(line.saturating_sub(previous_line)),
            delta_start: saturating_u32(if same_line {
                column.saturating_sub(previous_column)
            } else {
                column
            }),
            length: saturating_u32(length),
            token_type: type_index(token.kind),
            token_modifiers_bitset: modifier_bits(token.modifiers),
        })
    }
}

/// How far ahead scanning stays cheaper than a lookup in the line index.
const JUMP: usize = 64 * 1024;

/// Walks the rope's text forward, keeping the line number and the column
/// (in the encoding's units) of `pos`. Lines break at LF, CRLF and CR.
struct Scanner<'r> {
    chunks: ropey::iter::Chunks<'r>,
    chunk: &'r [u8],
    chunk_start: usize,
    pos: usize,
    line: usize,
    column: usize,
    /// The byte before `pos` was a CR: an LF now completes a CRLF.
    after_cr: bool,
    encoding: Encoding,
}

impl<'r> Scanner<'r> {
    /// At the start of the line holding `offset`.
    fn at_line_of(rope: &'r Rope, offset: usize, encoding: Encoding) -> Scanner<'r> {
        let line = rope.byte_to_line(offset.min(rope.len_bytes()));
        let line_start = rope.line_to_byte(line);
        let (mut chunks, chunk_start, _, _) = rope.chunks_at_byte(line_start);
        let chunk = chunks.next().map_or(&[][..], str::as_bytes);
        Scanner {
            chunks,
            chunk,
            chunk_start,
            pos: line_start,
            line,
            column: 0,
            after_cr: false,
            encoding,
        }
    }

    /// Moves to `target` (or the text's end); with `within_line`, stops
    /// before a line break instead.
    fn advance(&mut self, target: usize, within_line: bool) {
        while self.pos < target {
            let chunk_end = self.chunk_start + self.chunk.len();
            if self.pos >= chunk_end {
                match self.chunks.next() {
                    Some(next) => {
                        self.chunk_start = chunk_end;
                        self.chunk = next.as_bytes();
                        continue;
                    }
                    None => return,
                }
            }
            let from = self.pos - self.chunk_start;
            let to = target.min(chunk_end) - self.chunk_start;
            for &byte in &self.chunk[from..to] {
                match byte {
                    b'\n' | b'\r' if within_line => return,
                    b'\n' => {
                        if !self.after_cr {
                            self.line += 1;
                        }
                        self.column = 0;
                        self.after_cr = false;
                    }
                    b'\r' => {
                        self.line += 1;
                        self.column = 0;
                        self.after_cr = true;
                    }
                    _ => {
                        self.column += unit(byte, self.encoding);
                        self.after_cr = false;
                    }
                }
                self.pos += 1;
            }
        }
    }
}

/// The code units a UTF-8 byte adds: every byte that starts a character is
/// one unit (two in UTF-16 for the 4-byte ones), continuation bytes none.
fn unit(byte: u8, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => 1,
        Encoding::Utf16 => usize::from(byte & 0xC0 != 0x80) + usize::from(byte >= 0xF0),
        Encoding::Utf32 => usize::from(byte & 0xC0 != 0x80),
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The edit that turns `old` into `new`: everything between their common
/// start and common end. A keystroke changes the tokens of one line and the
/// line delta of the token after it, so that is all that travels.
pub fn diff(old: &Packed, new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == *b).count();
    let suffix = old
        .iter()
        .rev()
        .take(old.len() - prefix)
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == *b)
        .count();
    if prefix == old.len() && prefix == new.len() {
        return Vec::new();
    }
    // the protocol counts integers, five per token
    vec![SemanticTokensEdit {
        start: saturating_u32(prefix * 5),
        delete_count: saturating_u32((old.len() - prefix - suffix) * 5),
        data: Some(new[prefix..new.len() - suffix].to_vec()),
    }]
}

/// Tokens kept for the next delta, five LEB128 numbers each: the relative
/// encoding makes nearly every number a single byte, so a result takes
/// about 5 bytes a token instead of 20.
#[derive(Default)]
pub struct Packed {
    bytes: Vec<u8>,
    len: usize,
}

impl Packed {
    pub fn new(tokens: &[SemanticToken]) -> Packed {
        let mut packed = Packed {
            bytes: Vec::with_capacity(tokens.len() * 6),
            len: 0,
        };
        for t in tokens {
            packed.push(t);
        }
        packed.bytes.shrink_to_fit();
        packed
    }

    fn push(&mut self, t: &SemanticToken) {
        for n in [
            t.delta_line,
            t.delta_start,
            t.length,
            t.token_type,
            t.token_modifiers_bitset,
        ] {
            let mut n = n;
            while n >= 0x80 {
                self.bytes.push((n as u8) | 0x80);
                n >>= 7;
            }
            self.bytes.push(n as u8);
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn iter(&self) -> PackedIter<'_> {
        PackedIter {
            bytes: &self.bytes,
            left: self.len,
        }
    }
}

/// A full semantic-tokens result written straight from packed tokens, as
/// `SemanticTokens` serializes (the numbers unpacked one token at a time).
pub struct PackedTokens {
    result_id: Option<String>,
    packed: Arc<Packed>,
}

impl serde::Serialize for PackedTokens {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Numbers<'a>(&'a Packed);
        impl serde::Serialize for Numbers<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().flat_map(|t| {
                    [
                        t.delta_line,
                        t.delta_start,
                        t.length,
                        t.token_type,
                        t.token_modifiers_bitset,
                    ]
                }))
            }
        }
        let mut out = serializer.serialize_struct("SemanticTokens", 2)?;
        if let Some(id) = &self.result_id {
            out.serialize_field("resultId", id)?;
        }
        out.serialize_field("data", &Numbers(&self.packed))?;
        out.end()
    }
}

/// The tokens of a [`Packed`], from either end.
pub struct PackedIter<'a> {
    /// What is left to read: whole tokens.
    bytes: &'a [u8],
    left: usize,
}

impl PackedIter<'_> {
    fn front_number(&mut self) -> u32 {
        let mut n = 0u32;
        let mut shift = 0;
        while let Some((&byte, rest)) = self.bytes.split_first() {
            self.bytes = rest;
            n |= u32::from(byte & 0x7F).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        n
    }

    /// A number's last byte has its high bit clear; its first one follows
    /// the previous number's last byte.
    fn back_number(&mut self) -> u32 {
        let end = self.bytes.len();
        let mut start = end.saturating_sub(1);
        while start > 0 && self.bytes[start - 1] & 0x80 != 0 {
            start -= 1;
        }
        let (rest, number) = self.bytes.split_at(start);
        self.bytes = rest;
        number.iter().enumerate().fold(0u32, |n, (i, &byte)| {
            n | u32::from(byte & 0x7F)
                .checked_shl(7 * i as u32)
                .unwrap_or(0)
        })
    }
}

impl Iterator for PackedIter<'_> {
    type Item = SemanticToken;

    fn next(&mut self) -> Option<SemanticToken> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(SemanticToken {
            delta_line: self.front_number(),
            delta_start: self.front_number(),
            length: self.front_number(),
            token_type: self.front_number(),
            token_modifiers_bitset: self.front_number(),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for PackedIter<'_> {
    fn next_back(&mut self) -> Option<SemanticToken> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let token_modifiers_bitset = self.back_number();
        let token_type = self.back_number();
        let length = self.back_number();
        let delta_start = self.back_number();
        let delta_line = self.back_number();
        Some(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset,
        })
    }
}

impl ExactSizeIterator for PackedIter<'_> {}

/// Whether the client may ask for deltas: it did not say, or said so. A
/// client that names its semantic-token requests without deltas never
/// needs the last result kept.
pub fn client_takes_deltas(capabilities: &lsp::ClientCapabilities) -> bool {
    let Some(tokens) = capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.semantic_tokens.as_ref())
    else {
        return true;
    };
    matches!(
        tokens.requests.full,
        Some(SemanticTokensFullOptions::Delta { delta: Some(true) })
    )
}

/// A result id and the tokens sent with it.
type LastResult = (String, Arc<Packed>);

/// The last result sent for each document, kept for the next delta when
/// the client takes deltas.
pub struct Results {
    next_id: AtomicU64,
    keep: AtomicBool,
    last: Mutex<HashMap<Uri, LastResult>>,
}

impl Default for Results {
    fn default() -> Results {
        Results {
            next_id: AtomicU64::new(0),
            keep: AtomicBool::new(true),
            last: Mutex::default(),
        }
    }
}

impl Results {
    /// Whether results are kept for deltas (the client's capabilities; a
    /// delta request turns it on again).
    pub fn keep_for_deltas(&self, keep: bool) {
        self.keep.store(keep, Ordering::Relaxed);
        if !keep {
            self.lock().clear();
        }
    }

    /// A full result, remembered for the next delta.
    pub fn full(&self, uri: &Uri, data: Vec<SemanticToken>) -> SemanticTokens {
        let result_id = self.remember(uri, &data);
        SemanticTokens { result_id, data }
    }

    /// A full result from packed tokens, remembered for the next delta
    /// (shared with the answer, which is written from them).
    pub fn full_packed(&self, uri: &Uri, packed: Packed) -> PackedTokens {
        let packed = Arc::new(packed);
        let result_id = self.remember_packed(uri, || packed.clone());
        PackedTokens { result_id, packed }
    }

    /// Edits against the result the client holds, or a full result when we
    /// no longer have that one.
    pub fn delta(
        &self,
        uri: &Uri,
        previous_id: &str,
        data: Vec<SemanticToken>,
    ) -> SemanticTokensFullDeltaResult {
        self.keep.store(true, Ordering::Relaxed);
        let previous = self
            .lock()
            .get(uri)
            .filter(|(id, _)| id == previous_id)
            .map(|(_, tokens)| tokens.clone());
        match previous {
            Some(old) => {
                let edits = diff(&old, &data);
                // the old tokens go before the new ones are packed
                drop(old);
                let result_id = self.remember(uri, &data);
                SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta { result_id, edits })
            }
            None => SemanticTokensFullDeltaResult::Tokens(self.full(uri, data)),
        }
    }

    pub fn forget(&self, uri: &Uri) {
        self.lock().remove(uri);
    }

    /// The new result's id; none when results are not kept (a client
    /// without deltas has no use for one).
    fn remember(&self, uri: &Uri, data: &[SemanticToken]) -> Option<String> {
        self.remember_packed(uri, || Arc::new(Packed::new(data)))
    }

    fn remember_packed(&self, uri: &Uri, packed: impl FnOnce() -> Arc<Packed>) -> Option<String> {
        if !self.keep.load(Ordering::Relaxed) {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        // the previous result goes first, so that two never coexist
        self.lock().remove(uri);
        let packed = packed();
        self.lock().insert(uri.clone(), (id.clone(), packed));
        Some(id)
    }

    // a poisoned lock only means a panic elsewhere; the map is still whole
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uri, LastResult>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::{self, Analysis};

    fn token(range: std::ops::Range<usize>, kind: TokenKind) -> Token {
        Token {
            range,
            kind,
            modifiers: Modifiers::NONE,
        }
    }

    /// (line, column, length, type) of each token, made absolute again.
    fn absolute(data: &[SemanticToken]) -> Vec<(u32, u32, u32, u32)> {
        let (mut line, mut column) = (0, 0);
        data.iter()
            .map(|t| {
                if t.delta_line > 0 {
                    column = 0;
                }
                line += t.delta_line;
                column += t.delta_start;
                (line, column, t.length, t.token_type)
            })
            .collect()
    }

    #[test]
    fn the_legend_covers_every_kind_and_modifier() {
        let legend = legend();
        for kind in [TokenKind::Protocol, TokenKind::Keyword, TokenKind::Stage] {
            assert!((type_index(kind) as usize) < legend.token_types.len());
        }
        let all = Modifiers::DECLARATION | Modifiers::DEPRECATED | Modifiers::DEFAULT_LIBRARY;
        assert_eq!(modifier_bits(all), 0b111);
        assert_eq!(modifier_bits(Modifiers::DEFAULT_LIBRARY), 0b100);
    }

    #[test]
    fn columns_count_in_the_negotiated_encoding() {
        // the stage name starts after a 4-byte, 2-unit, 1-char emoji
        let text = "LABEL a=\"🐳\" b=c\r\nFROM x\rRUN y\n";
        let rope = Rope::from_str(text);
        let b = text.find("b=").unwrap();
        let run = text.find("RUN").unwrap();
        let tokens = [
            token(6..7, TokenKind::LabelKey),
            token(8..14, TokenKind::String),
            token(b..b + 1, TokenKind::LabelKey),
            token(run..run + 3, TokenKind::Keyword),
        ];
        let expect = |encoding, string_length, b_column| {
            assert_eq!(
                absolute(&encode(&rope, &tokens, encoding)),
                vec![
                    (0, 6, 1, 4),
                    (0, 8, string_length, 8),
                    (0, b_column, 1, 4),
                    (2, 0, 3, 0)
                ],
                "{encoding:?}"
            );
        };
        expect(Encoding::Utf8, 6, 15);
        expect(Encoding::Utf16, 4, 13);
        expect(Encoding::Utf32, 3, 12);
    }

    #[test]
    fn tokens_past_a_line_end_are_cut_there() {
        let rope = Rope::from_str("ab\ncd\n");
        let encoded = encode(&rope, &[token(1..5, TokenKind::String)], Encoding::Utf16);
        assert_eq!(absolute(&encoded), vec![(0, 1, 1, 8)]);
        // a token on the line break itself is dropped
        let encoded = encode(&rope, &[token(2..3, TokenKind::String)], Encoding::Utf16);
        assert!(encoded.is_empty());
    }

    #[test]
    fn encoding_matches_the_position_conversion_on_every_token() {
        let text = "# syntax=docker/dockerfile:1\nARG É=\"ü\"\nFROM alpine AS bäse\r\nENV X=${É:-🐳} \\\n  Y=2\nRUN <<EOF\n  echo $X 🐳 $Y\nEOF\n";
        let rope = Rope::from_str(text);
        let analysis = Analysis::of_text(text);
        let tokens = ide::semantic_tokens(&analysis, text, 0..text.len());
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let encoded = absolute(&encode(&rope, &tokens, encoding));
            let expected: Vec<_> = tokens
                .iter()
                .map(|t| {
                    let range = encoding::range(&rope, t.range.clone(), encoding);
                    assert_eq!(range.start.line, range.end.line);
                    (
                        range.start.line,
                        range.start.character,
                        range.end.character - range.start.character,
                        type_index(t.kind),
                    )
                })
                .collect();
            assert_eq!(encoded, expected, "{encoding:?}");
        }
    }

    /// Handed on a batch at a time, the tokens are those of one walk over
    /// the whole text (real Dockerfiles; heredocs and continuations), and
    /// so are their encoded and packed forms.
    #[test]
    fn tokens_in_batches_equal_one_walk_over_the_text() {
        let real: String = ten_thousand_lines()
            .split_inclusive('\n')
            .take(2_000)
            .collect();
        let crossing =
            "FROM a AS b\nRUN <<EOF\n x\n y\nEOF\nENV A=1 \\\n  B=\"2 \\\n  3\"\nLABEL x=y\n"
                .repeat(40);
        for text in [real, crossing] {
            assert!(text.lines().count() > 300);
            let rope = Rope::from_str(&text);
            let analysis = Arc::new(Analysis::from_tree(crate::syntax::parse(&text), &rope));
            let snapshot = Snapshot {
                rope: rope.clone(),
                version: 1,
                analysis: analysis.clone(),
            };
            let all = ide::semantic_tokens(&analysis, &rope, 0..rope.len_bytes());
            for batch in [0, 1, 7, 1_000] {
                let mut batched = Vec::new();
                ide::semantic_tokens_each(&analysis, &rope, 0..rope.len_bytes(), batch, |t| {
                    batched.push(t)
                });
                assert_eq!(batched, all, "batches of {batch}");
            }
            let encoded = encode(&rope, &all, Encoding::Utf16);
            assert_eq!(whole(&snapshot, Encoding::Utf16), encoded);
            let packed = whole_packed(&snapshot, Encoding::Utf16);
            assert_eq!(packed.iter().collect::<Vec<_>>(), encoded);

            // the answer written from packed tokens is the typed one
            let results = Results::default();
            let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
            let written = serde_json::to_value(results.full_packed(&uri, packed)).unwrap();
            let typed = serde_json::to_value(SemanticTokens {
                result_id: written["resultId"].as_str().map(str::to_string),
                data: encoded,
            })
            .unwrap();
            assert!(written["resultId"].is_string(), "kept for deltas");
            assert_eq!(written, typed);
        }
    }

    /// Real Dockerfiles of the shared corpus, concatenated to 10,000 lines.
    fn ten_thousand_lines() -> String {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
        let mut files = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut text = String::new();
        for path in files {
            if text.lines().count() >= 10_000 {
                break;
            }
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(path).unwrap_or_default(),
            ));
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        text
    }

    /// Not a check (no timing assertions in tests): prints the figures.
    /// `cargo test --release -p dockerfile-ls --lib -- --ignored --nocapture timing`
    #[test]
    #[ignore = "a measurement, run in release mode"]
    fn timing_on_ten_thousand_lines() {
        use std::time::{Duration, Instant};
        let text = ten_thousand_lines();
        let rope = Rope::from_str(&text);
        let analysis = Analysis::from_tree(crate::syntax::parse(&text), &rope);
        let median = |f: &mut dyn FnMut()| -> Duration {
            let mut times: Vec<Duration> = (0..21)
                .map(|_| {
                    let start = Instant::now();
                    f();
                    start.elapsed()
                })
                .collect();
            times.sort();
            times[times.len() / 2]
        };
        let mut tokens = Vec::new();
        let ide_time = median(&mut || {
            tokens = ide::semantic_tokens(&analysis, &rope, 0..rope.len_bytes());
        });
        let str_time = median(&mut || {
            std::hint::black_box(ide::semantic_tokens(
                &analysis,
                text.as_str(),
                0..text.len(),
            ));
        });
        let mut encoded = Vec::new();
        let encode_times: Vec<(Encoding, Duration)> =
            [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32]
                .into_iter()
                .map(|encoding| {
                    (
                        encoding,
                        median(&mut || encoded = encode(&rope, &tokens, encoding)),
                    )
                })
                .collect();
        let json_time = median(&mut || {
            let data = SemanticTokens {
                result_id: None,
                data: encoded.clone(),
            };
            std::hint::black_box(serde_json::to_string(&data).unwrap_or_default());
        });
        let middle = rope.len_bytes() / 2;
        let range_time = median(&mut || {
            let some = ide::semantic_tokens(&analysis, &rope, middle..middle + 4000);
            std::hint::black_box(encode(&rope, &some, Encoding::Utf16));
        });
        let range_ide_time = median(&mut || {
            std::hint::black_box(ide::semantic_tokens(
                &analysis,
                &rope,
                middle..middle + 4000,
            ));
        });
        println!(
            "{} lines, {} bytes, {} tokens",
            rope.len_lines(),
            rope.len_bytes(),
            tokens.len()
        );
        println!("ide::semantic_tokens (rope): {ide_time:?}, (str): {str_time:?}");
        for (encoding, time) in encode_times {
            println!("encode {encoding:?}: {time:?}");
        }
        println!("JSON of the full result: {json_time:?}");
        println!("range of ~100 lines in the middle (ide + encode): {range_time:?}, ide alone {range_ide_time:?}");
    }

    #[test]
    fn far_jumps_and_chunk_boundaries_keep_positions_right() {
        // long lines of multi-byte text: rope chunks end inside lines, and
        // the tokens are more than a jump apart
        let filler = format!("# {}\r\n", "é🐳".repeat(40));
        let text = format!("FROM a\n{}ENV X=1\n{}RUN x\r", filler.repeat(2000), filler);
        let rope = Rope::from_str(&text);
        let analysis = Analysis::of_text(&text);
        let tokens: Vec<Token> = ide::semantic_tokens(&analysis, text.as_str(), 0..text.len())
            .into_iter()
            .filter(|t| t.kind != TokenKind::Comment || t.range.start < 30_000)
            .collect();
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let encoded = absolute(&encode(&rope, &tokens, encoding));
            let expected: Vec<_> = tokens
                .iter()
                .map(|t| {
                    let range = encoding::range(&rope, t.range.clone(), encoding);
                    (
                        range.start.line,
                        range.start.character,
                        range.end.character - range.start.character,
                        type_index(t.kind),
                    )
                })
                .collect();
            assert_eq!(encoded, expected, "{encoding:?}");
        }
    }

    #[test]
    fn packed_tokens_read_back_from_both_ends() {
        let mut rng = fastrand::Rng::with_seed(7);
        for len in [0usize, 1, 2, 5, 300] {
            let tokens: Vec<SemanticToken> = (0..len)
                .map(|_| {
                    let mut n = || match rng.u8(0..4) {
                        0 => 0,
                        1 => rng.u32(0..128),
                        2 => rng.u32(128..70_000),
                        _ => rng.u32(..),
                    };
                    SemanticToken {
                        delta_line: n(),
                        delta_start: n(),
                        length: n(),
                        token_type: n(),
                        token_modifiers_bitset: n(),
                    }
                })
                .collect();
            let packed = Packed::new(&tokens);
            assert_eq!(packed.len(), len);
            assert_eq!(packed.iter().collect::<Vec<_>>(), tokens);
            let mut backwards: Vec<_> = packed.iter().rev().collect();
            backwards.reverse();
            assert_eq!(backwards, tokens);
            // from both ends at once
            let mut iter = packed.iter();
            let mut front = Vec::new();
            let mut back = Vec::new();
            while let Some(t) = iter.next() {
                front.push(t);
                back.extend(iter.next_back());
            }
            back.reverse();
            front.extend(back);
            assert_eq!(front, tokens);
        }
        let max = SemanticToken {
            delta_line: u32::MAX,
            delta_start: u32::MAX,
            length: u32::MAX,
            token_type: u32::MAX,
            token_modifiers_bitset: u32::MAX,
        };
        assert_eq!(Packed::new(&[max]).iter().next_back(), Some(max));
        // small numbers take a byte each
        assert_eq!(Packed::new(&[SemanticToken::default(); 10]).bytes.len(), 50);
    }

    #[test]
    fn only_clients_that_take_deltas_get_results_kept() {
        let caps = |full: Value| -> lsp::ClientCapabilities {
            serde_json::from_value(serde_json::json!({
                "textDocument": { "semanticTokens": {
                    "requests": { "full": full },
                    "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
                }}
            }))
            .unwrap()
        };
        use serde_json::Value;
        assert!(client_takes_deltas(&lsp::ClientCapabilities::default()));
        assert!(client_takes_deltas(&caps(
            serde_json::json!({ "delta": true })
        )));
        assert!(!client_takes_deltas(&caps(
            serde_json::json!({ "delta": false })
        )));
        assert!(!client_takes_deltas(&caps(serde_json::json!(true))));

        let results = Results::default();
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let data = vec![SemanticToken::default(); 3];
        results.keep_for_deltas(false);
        let full = results.full(&uri, data.clone());
        assert!(full.result_id.is_none());
        assert!(results.lock().is_empty());
        // a delta request anyway: a full result, kept from now on
        let answer = results.delta(&uri, "0", data.clone());
        let SemanticTokensFullDeltaResult::Tokens(full) = answer else {
            panic!("a full result")
        };
        let id = full.result_id.unwrap();
        let answer = results.delta(&uri, &id, data);
        assert!(
            matches!(answer, SemanticTokensFullDeltaResult::TokensDelta(d) if d.edits.is_empty())
        );
    }

    #[test]
    fn a_diff_replaces_only_what_changed() {
        let t = |n| SemanticToken {
            delta_line: n,
            ..SemanticToken::default()
        };
        let old = [t(0), t(1), t(2), t(3)];
        let new = [t(0), t(9), t(8), t(3)];
        let diff = |old: &[SemanticToken], new: &[SemanticToken]| diff(&Packed::new(old), new);
        let edits = diff(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 10));
        assert_eq!(edits[0].data.as_deref(), Some(&[t(9), t(8)][..]));
        assert!(diff(&old, &old).is_empty());
        let appended = diff(&old[..2], &old);
        assert_eq!((appended[0].start, appended[0].delete_count), (10, 0));
        let removed = diff(&old, &old[..1]);
        assert_eq!((removed[0].start, removed[0].delete_count), (5, 15));
    }
}
