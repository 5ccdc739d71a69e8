//! Semantic tokens: what each piece of a Dockerfile is, for editors that
//! colour by meaning (stage names and images, declarations and uses of
//! variables, flags and their values) rather than by a TextMate grammar.
//!
//! One walk of the tree with a `TreeCursor`. A node of interest either is a
//! token (a keyword, `=`), or *paints* its bytes with a kind: its children
//! that are tokens or paint themselves cut holes into it, and what is left
//! between them (the gaps) becomes tokens of the painted kind. That keeps
//! tokens non-overlapping by construction, in document order, and every
//! token on one line (a gap that crosses a line is split per line). Line
//! continuations are holes, so a value continued over lines yields one
//! token per line.

mod roles;

use std::ops::Range;

use tree_sitter::{Node, TreeCursor};

use super::Analysis;
use crate::model::{Base, Model, Span, StageRef, Target};
use crate::syntax::Source;
use roles::Role;

/// What a token is. The LSP layer maps these onto its legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Instruction keywords, `AS`, and `CMD`/`NONE` after HEALTHCHECK.
    Keyword,
    Comment,
    /// The key of a parser directive (`syntax`, `escape`, `check`).
    Directive,
    /// `--name` of a flag, and the keys of `--mount` options.
    Flag,
    /// A flag's or mount option's value.
    FlagValue,
    /// A LABEL key.
    LabelKey,
    /// A stage name: declared after `AS`, or referenced by `FROM`,
    /// `--from=` and `from=`.
    Stage,
    /// An image name (`golang` of `golang:1.22`, or `--from=nginx:1`).
    Image,
    /// An image's tag or digest.
    ImageTag,
    Variable,
    /// Quoted strings, ENV/ARG/LABEL values, JSON strings, heredoc bodies.
    String,
    /// `=`, `$`, `${`, `}`, expansion operators (`:-`), heredoc `<<`,
    /// and `-`/`/` in EXPOSE.
    Operator,
    /// Port numbers.
    Number,
    /// A port's protocol (`tcp` of `80/tcp`).
    Protocol,
    /// A heredoc's delimiter word, where it starts and where it ends.
    HeredocDelimiter,
}

/// A set of token modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Modifiers(u8);

impl Modifiers {
    pub const NONE: Modifiers = Modifiers(0);
    /// Where a stage name or a variable is declared (`AS name`, `ARG X`).
    pub const DECLARATION: Modifiers = Modifiers(1);
    /// MAINTAINER, which BuildKit deprecates.
    pub const DEPRECATED: Modifiers = Modifiers(2);
    /// Built in: `scratch`, and the platform ARGs BuildKit defines.
    pub const DEFAULT_LIBRARY: Modifiers = Modifiers(4);

    pub fn contains(self, other: Modifiers) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn bits(self) -> u8 {
        self.0
    }
}

impl std::ops::BitOr for Modifiers {
    type Output = Modifiers;
    fn bitor(self, other: Modifiers) -> Modifiers {
        Modifiers(self.0 | other.0)
    }
}

/// One token: a byte range on a single line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub range: Span,
    pub kind: TokenKind,
    pub modifiers: Modifiers,
}

/// The tokens that intersect `range` (pass `0..len` for the whole text), in
/// document order, none overlapping, none crossing a line break.
pub fn semantic_tokens(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    range: Range<usize>,
) -> Vec<Token> {
    let mut out = Vec::new();
    semantic_tokens_each(analysis, source, range, usize::MAX, |t| out.push(t));
    out
}

/// The tokens of [`semantic_tokens`], handed to `each` as the walk goes:
/// whenever `batch` or more are waiting at the end of a top-level
/// instruction. A whole large document's tokens need never be held at once
/// (30,000 at 10,000 lines).
pub fn semantic_tokens_each(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    range: Range<usize>,
    batch: usize,
    mut each: impl FnMut(Token),
) {
    // error recovery can hand the walk overlapping, multi-line nodes (the
    // fuzzer found some): keep the promise, dropping what would break it
    let mut end = 0;
    let mut lines = LineBreaks::new(source);
    let mut hand_on = |out: &mut Vec<Token>| {
        // the walk emits in order; should a future grammar change break
        // that, clients still get a valid (sorted) stream
        if !out.is_sorted_by_key(|t| t.range.start) {
            out.sort_by_key(|t| t.range.start);
        }
        for t in out.drain(..) {
            if t.range.start >= end && !lines.within(t.range.clone()) {
                end = t.range.end;
                each(t);
            }
        }
    };
    let mut walker = Walker {
        model: &analysis.model,
        source,
        lo: range.start,
        hi: range.end.min(source.len_bytes()),
        roles: roles::table(),
        out: Vec::new(),
        frames: Vec::new(),
        paints: Vec::new(),
    };
    if walker.lo < walker.hi {
        walker.walk(&mut analysis.tree.walk(), batch, &mut hand_on);
    }
    hand_on(&mut walker.out);
}

/// Answers "does this range hold a line break?" for ranges in increasing
/// order, reading the text a window at a time: one `slice` of a rope costs
/// a few descents of its tree (and a copy when the window spans chunks),
/// which per token was most of the cost of a whole document's tokens.
struct LineBreaks<'s, S: ?Sized> {
    source: &'s S,
    window: std::borrow::Cow<'s, str>,
    start: usize,
}

/// How much text one window reads: a few rope chunks.
const WINDOW: usize = 16 * 1024;

impl<'s, S: Source + ?Sized> LineBreaks<'s, S> {
    fn new(source: &'s S) -> Self {
        LineBreaks {
            source,
            window: std::borrow::Cow::Borrowed(""),
            start: 0,
        }
    }

    fn within(&mut self, range: Range<usize>) -> bool {
        let (start, end) = (range.start, range.end.max(range.start));
        if start < self.start || end > self.start + self.window.len() {
            let len = self.source.len_bytes();
            let window_end = end.max(start.saturating_add(WINDOW)).min(len);
            self.window = self.source.slice(start..window_end);
            self.start = start;
            // `slice` clamps to the text and to char boundaries: when that
            // moved the window's ends (a range past the end or inside a
            // character, never from the walk), read this range alone
            if self.window.len() != window_end.saturating_sub(start) || end > window_end {
                self.window = std::borrow::Cow::Borrowed("");
                return self.source.slice(range).contains(['\n', '\r']);
            }
        }
        let bytes = &self.window.as_bytes()[start - self.start..end - self.start];
        bytes.iter().any(|&b| b == b'\n' || b == b'\r')
    }
}

/// BuildKit's automatic platform ARGs (predefined in the global scope).
const AUTOMATIC_ARGS: &[&str] = &[
    "BUILDARCH",
    "BUILDOS",
    "BUILDPLATFORM",
    "BUILDVARIANT",
    "TARGETARCH",
    "TARGETOS",
    "TARGETPLATFORM",
    "TARGETVARIANT",
];

/// A node on the path from the root to the cursor.
struct Frame {
    role: Role,
    start: usize,
    /// Its bytes are its own (a token or a hole): the painter around it
    /// resumes after it.
    claimed: bool,
    /// It pushed a [`Paint`].
    painted: bool,
}

impl Frame {
    fn new(role: Role, start: usize, claimed: bool, painted: bool) -> Frame {
        Frame {
            role,
            start,
            claimed,
            painted,
        }
    }
}

#[derive(Clone, Copy)]
enum Style {
    Plain(TokenKind, Modifiers),
    /// EXPOSE items: numbers, `-` and `/`, protocols.
    Port,
}

/// A node painting its bytes: `pos` (at `row`) is where its next gap starts.
struct Paint {
    style: Style,
    pos: usize,
    row: usize,
    /// Descendants do not classify themselves (a stage reference is one
    /// name, whatever the grammar sees in it), except comments and holes.
    opaque: bool,
}

enum Visit {
    Descend,
    Skip,
    /// The node starts past the range, and so do its later siblings.
    PastEnd,
}

struct Walker<'a, S: ?Sized> {
    model: &'a Model,
    source: &'a S,
    lo: usize,
    hi: usize,
    roles: &'static [Role],
    out: Vec<Token>,
    frames: Vec<Frame>,
    paints: Vec<Paint>,
}

impl<S: Source + ?Sized> Walker<'_, S> {
    /// Walks the tree, handing the tokens made so far to `hand_on` between
    /// two top-level nodes once `batch` are waiting (every token after
    /// that point starts after every token before it).
    fn walk(
        &mut self,
        cursor: &mut TreeCursor<'_>,
        batch: usize,
        hand_on: &mut dyn FnMut(&mut Vec<Token>),
    ) {
        'nodes: loop {
            if self.out.len() >= batch && self.frames.len() == 1 && self.paints.is_empty() {
                hand_on(&mut self.out);
            }
            let node = cursor.node();
            match self.enter(node) {
                Visit::Descend => {
                    // (`goto_first_child_for_byte` would jump over the
                    // nodes before the range, but on our trees, whose root
                    // holds hidden stage nodes, it finds no child; they
                    // are skipped one by one, cheaply, in `enter`)
                    if cursor.goto_first_child() {
                        continue;
                    }
                    self.leave(node);
                }
                Visit::Skip => self.leave(node),
                Visit::PastEnd => {
                    if !cursor.goto_parent() {
                        return;
                    }
                    self.leave(cursor.node());
                }
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'nodes;
                }
                if !cursor.goto_parent() {
                    return;
                }
                self.leave(cursor.node());
            }
        }
    }

    fn enter(&mut self, node: Node<'_>) -> Visit {
        let start = node.start_byte();
        let end = node.end_byte();
        let is_root = self.frames.is_empty();
        let role = self
            .roles
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(Role::Transparent);
        // a flag's token starts at its `--`, before the name node
        let token_start = match (role, self.frames.last()) {
            (Role::FlagName, Some(flag)) => flag.start,
            _ => start,
        };
        // past the range (inside a painted node the walk goes on to its
        // end, since the gap that reaches into the range ends where the
        // next claimed node starts; the tokens after are dropped)
        if !is_root && token_start >= self.hi && self.paints.is_empty() {
            return Visit::PastEnd;
        }
        if !is_root && end <= self.lo && self.paints.is_empty() {
            // before the range. Inside a painted node, where a gap may reach
            // into the range, the node is classified as usual instead: what
            // it claims decides where that gap starts
            self.frames.push(Frame::new(role, start, false, false));
            return Visit::Skip;
        }
        let parent = self.frames.last().map_or(Role::Transparent, |f| f.role);
        let opaque = self.paints.last().is_some_and(|p| p.opaque);
        let action = if opaque && !matches!(role, Role::Comment | Role::Hole) {
            Action::Pass
        } else {
            self.action(node, role, parent)
        };
        match action {
            Action::Pass => {
                self.frames.push(Frame::new(role, start, false, false));
                Visit::Descend
            }
            Action::Claim(emit) => {
                self.flush_to(start, node.start_position().row);
                self.emit(node, emit);
                self.frames.push(Frame::new(role, start, true, false));
                Visit::Skip
            }
            Action::Paint(style, opaque) => {
                let row = node.start_position().row;
                self.flush_to(start, row);
                self.paints.push(Paint {
                    style,
                    pos: start,
                    row,
                    opaque,
                });
                self.frames.push(Frame::new(role, start, false, true));
                Visit::Descend
            }
        }
    }

    fn leave(&mut self, node: Node<'_>) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let end = node.end_byte();
        let row = node.end_position().row;
        if frame.painted {
            if let Some(paint) = self.paints.pop() {
                self.gap(&paint, end, row);
            }
        }
        if frame.claimed || frame.painted {
            if let Some(outer) = self.paints.last_mut() {
                outer.pos = end;
                outer.row = row;
            }
        }
    }

    /// Tokens for the innermost painter's bytes up to `to`.
    fn flush_to(&mut self, to: usize, row: usize) {
        let Some(paint) = self.paints.pop() else {
            return;
        };
        self.gap(&paint, to, row);
        if to > paint.pos {
            self.paints.push(Paint {
                pos: to,
                row,
                ..paint
            });
        } else {
            self.paints.push(paint);
        }
    }

    fn gap(&mut self, paint: &Paint, to: usize, to_row: usize) {
        if to <= paint.pos || to <= self.lo || paint.pos >= self.hi {
            return;
        }
        // a copy of the reference: the text borrows the source, not `self`
        let source = self.source;
        match paint.style {
            Style::Plain(kind, modifiers) if paint.row == to_row => {
                self.push(paint.pos..to, kind, modifiers)
            }
            Style::Plain(kind, modifiers) => {
                let text = source.slice(paint.pos..to);
                per_line(&text, paint.pos, |range| self.push(range, kind, modifiers));
            }
            Style::Port => {
                let text = source.slice(paint.pos..to);
                port_parts(&text, paint.pos, |range, kind| {
                    self.push(range, kind, Modifiers::NONE)
                });
            }
        }
    }

    fn push(&mut self, range: Span, kind: TokenKind, modifiers: Modifiers) {
        push_within(&mut self.out, self.lo, self.hi, range, kind, modifiers);
    }

    /// What a node is, given its parent.
    fn action(&self, node: Node<'_>, role: Role, parent: Role) -> Action {
        use TokenKind as K;
        let plain = |kind| Action::Paint(Style::Plain(kind, Modifiers::NONE), false);
        match role {
            Role::Transparent => Action::Pass,
            Role::Hole => Action::Claim(Emit::Nothing),
            Role::Comment => Action::Claim(Emit::Whole(K::Comment, Modifiers::NONE)),
            Role::Directive => Action::Claim(Emit::Directive),
            Role::Keyword => match parent {
                Role::UnknownInstruction => Action::Claim(Emit::Nothing),
                Role::MaintainerInstruction => {
                    Action::Claim(Emit::Whole(K::Keyword, Modifiers::DEPRECATED))
                }
                _ => Action::Claim(Emit::Whole(K::Keyword, Modifiers::NONE)),
            },
            Role::FlagName => {
                // `--` is not a node of its own: the token starts with the flag
                let flag_start = self.frames.last().map_or(node.start_byte(), |f| f.start);
                Action::Claim(Emit::Range(flag_start, K::Flag, Modifiers::NONE))
            }
            Role::MountKey => Action::Claim(Emit::Whole(K::Flag, Modifiers::NONE)),
            Role::FlagValue | Role::MountValue => match self.stage_ref_at(node.start_byte()) {
                Some(reference) => self.reference(reference),
                None => plain(K::FlagValue),
            },
            Role::ImageSpec => match self.stage_ref_at(node.start_byte()) {
                Some(reference) if reference.stage().is_some() => self.reference(reference),
                _ => Action::Pass,
            },
            Role::ImageName => {
                let scratch = self
                    .stage_with_base_at(node.start_byte())
                    .is_some_and(|s| matches!(s.base, Base::Scratch));
                let modifiers = if scratch {
                    Modifiers::DEFAULT_LIBRARY
                } else {
                    Modifiers::NONE
                };
                Action::Paint(Style::Plain(K::Image, modifiers), false)
            }
            Role::ImageTag => plain(K::ImageTag),
            Role::StageAlias => {
                Action::Paint(Style::Plain(K::Stage, Modifiers::DECLARATION), false)
            }
            Role::Variable => match parent {
                Role::Expansion => {
                    // only names as long as an automatic ARG are read
                    let range = node.byte_range();
                    let automatic = (7..=14).contains(&range.len())
                        && AUTOMATIC_ARGS.contains(&self.source.slice(range).as_ref());
                    let modifiers = if automatic {
                        Modifiers::DEFAULT_LIBRARY
                    } else {
                        Modifiers::NONE
                    };
                    Action::Claim(Emit::Whole(K::Variable, modifiers))
                }
                // the name of an ARG or ENV (`_key`: may hold quotes)
                _ => Action::Paint(Style::Plain(K::Variable, Modifiers::DECLARATION), false),
            },
            Role::ExpansionPunctuation | Role::ExpansionOperator | Role::Equals => {
                Action::Claim(Emit::Whole(K::Operator, Modifiers::NONE))
            }
            Role::ExpansionArgument | Role::QuotedString => plain(K::String),
            Role::Value => match parent {
                Role::Declaration => plain(K::String),
                _ => Action::Pass,
            },
            Role::LabelKey => plain(K::LabelKey),
            Role::JsonString => Action::Claim(Emit::Whole(K::String, Modifiers::NONE)),
            Role::ExposePort => Action::Paint(Style::Port, false),
            Role::HeredocMarker => Action::Claim(Emit::HeredocMarker),
            Role::HeredocBody => Action::Claim(Emit::ShellText(Some(K::String))),
            Role::HeredocEnd => Action::Claim(Emit::Whole(K::HeredocDelimiter, Modifiers::NONE)),
            Role::ShellFragment => Action::Claim(Emit::ShellText(None)),
            // containers whose children need to know them
            Role::Expansion
            | Role::Declaration
            | Role::UnknownInstruction
            | Role::MaintainerInstruction => Action::Pass,
        }
    }

    /// A reference to a stage, painted as one name.
    fn reference(&self, reference: &StageRef) -> Action {
        let kind = if reference.stage().is_some() {
            TokenKind::Stage
        } else if matches!(reference.target, Target::NotAStage)
            && super::images::is_clearly_an_image(&reference.value)
        {
            TokenKind::Image
        } else {
            // a variable, an unknown name, a bad index: just a value
            return Action::Paint(Style::Plain(TokenKind::FlagValue, Modifiers::NONE), false);
        };
        Action::Paint(Style::Plain(kind, Modifiers::NONE), true)
    }

    fn stage_ref_at(&self, start: usize) -> Option<&StageRef> {
        let refs = &self.model.stage_refs;
        let i = refs.partition_point(|r| r.range.start < start);
        refs.get(i).filter(|r| r.range.start == start)
    }

    fn stage_with_base_at(&self, start: usize) -> Option<&crate::model::Stage> {
        let stages = &self.model.stages;
        let i = stages.partition_point(|s| s.base_range.start < start);
        stages.get(i).filter(|s| s.base_range.start == start)
    }

    fn emit(&mut self, node: Node<'_>, emit: Emit) {
        let range = node.byte_range();
        let outside = range.end <= self.lo || range.start >= self.hi;
        match emit {
            // (a flag's token starts before its name node)
            Emit::Nothing | Emit::Directive | Emit::HeredocMarker | Emit::ShellText(_)
                if outside => {}
            Emit::Nothing => {}
            Emit::Whole(kind, modifiers) => self.push(range, kind, modifiers),
            Emit::Range(start, kind, modifiers) => self.push(start..range.end, kind, modifiers),
            Emit::Directive => {
                let source = self.source;
                let text = source.slice(range.clone());
                directive_parts(&text, range.start, |range, kind| {
                    self.push(range, kind, Modifiers::NONE)
                });
            }
            Emit::HeredocMarker => {
                let text = self.source.slice(range.clone());
                let operator = if text.starts_with("<<-") { 3 } else { 2 };
                let split = (range.start + operator).min(range.end);
                self.push(range.start..split, TokenKind::Operator, Modifiers::NONE);
                self.push(
                    split..range.end,
                    TokenKind::HeredocDelimiter,
                    Modifiers::NONE,
                );
            }
            Emit::ShellText(kind) => self.shell_text(range, kind),
        }
    }

    /// Shell text (RUN commands, heredoc bodies): the variables the model
    /// found in it, and the rest as `kind` when given, per line.
    fn shell_text(&mut self, range: Span, kind: Option<TokenKind>) {
        let model = self.model;
        let source = self.source;
        let uses = &model.var_uses;
        let first = uses.partition_point(|u| u.range.start < range.start);
        let text = match kind {
            Some(_) => source.slice(range.clone()),
            None => std::borrow::Cow::Borrowed(""),
        };
        let rest = |walker: &mut Self, from: usize, to: usize| {
            if let (Some(kind), Some(part)) = (kind, text.get(from - range.start..to - range.start))
            {
                per_line(part, from, |r| walker.push(r, kind, Modifiers::NONE));
            }
        };
        let mut at = range.start;
        for var in uses[first..]
            .iter()
            .take_while(|u| u.range.end <= range.end)
        {
            if var.range.start < at {
                continue;
            }
            rest(self, at, var.range.start);
            let modifiers = if AUTOMATIC_ARGS.contains(&var.name.as_str()) {
                Modifiers::DEFAULT_LIBRARY
            } else {
                Modifiers::NONE
            };
            self.push(var.range.clone(), TokenKind::Variable, modifiers);
            at = var.range.end;
        }
        rest(self, at, range.end);
    }
}

enum Action {
    /// Not classified: its children may be.
    Pass,
    /// A token (or a hole): its bytes are its own, its children not visited.
    Claim(Emit),
    /// Paints its bytes; `true` when its children do not classify themselves.
    Paint(Style, bool),
}

enum Emit {
    Nothing,
    Whole(TokenKind, Modifiers),
    /// From the given byte to the node's end.
    Range(usize, TokenKind, Modifiers),
    Directive,
    HeredocMarker,
    ShellText(Option<TokenKind>),
}

fn push_within(
    out: &mut Vec<Token>,
    lo: usize,
    hi: usize,
    range: Span,
    kind: TokenKind,
    modifiers: Modifiers,
) {
    if range.start < range.end && range.end > lo && range.start < hi {
        out.push(Token {
            range,
            kind,
            modifiers,
        });
    }
}

/// The non-empty pieces of `text` (which starts at byte `base`) between
/// line breaks (LF, CR, CRLF: as LSP counts lines).
fn per_line(text: &str, base: usize, mut each: impl FnMut(Span)) {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' || byte == b'\r' {
            if i > start {
                each(base + start..base + i);
            }
            start = i + 1;
        }
    }
    if text.len() > start {
        each(base + start..base + text.len());
    }
}

/// `# key=value`: `#` a comment, the key a directive, `=` an operator, the
/// value a string. Anything else (it should not happen) is one comment.
fn directive_parts(text: &str, base: usize, mut each: impl FnMut(Span, TokenKind)) {
    let bytes = text.as_bytes();
    let skip_blank = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'\t') {
            i += 1;
        }
        i
    };
    let hash = skip_blank(0);
    let key_start = skip_blank(hash + 1);
    let equals = text.find('=');
    let (Some(b'#'), Some(equals)) = (bytes.get(hash), equals) else {
        each(base..base + text.len(), TokenKind::Comment);
        return;
    };
    let key_end = text[..equals].trim_end().len().max(key_start);
    let value_start = skip_blank(equals + 1);
    let value_end = text.trim_end().len().max(value_start);
    each(base + hash..base + hash + 1, TokenKind::Comment);
    each(base + key_start..base + key_end, TokenKind::Directive);
    each(base + equals..base + equals + 1, TokenKind::Operator);
    each(base + value_start..base + value_end, TokenKind::String);
}

/// `8080-8090/tcp`: numbers, `-` and `/` as operators, the protocol.
fn port_parts(text: &str, base: usize, mut each: impl FnMut(Span, TokenKind)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b'0'..=b'9' => {
                while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                TokenKind::Number
            }
            b if b.is_ascii_alphabetic() => {
                while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                TokenKind::Protocol
            }
            b'-' | b'/' => {
                i += 1;
                TokenKind::Operator
            }
            _ => {
                i += 1;
                continue;
            }
        };
        each(base + start..base + i, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_parts_split_key_operator_and_value() {
        let mut parts = Vec::new();
        directive_parts("# syntax = docker/dockerfile:1 ", 10, |r, k| {
            parts.push((r, k))
        });
        assert_eq!(
            parts,
            vec![
                (10..11, TokenKind::Comment),
                (12..18, TokenKind::Directive),
                (19..20, TokenKind::Operator),
                (21..40, TokenKind::String),
            ]
        );
    }

    #[test]
    fn ports_split_into_numbers_operators_and_protocols() {
        let mut parts = Vec::new();
        port_parts("80-90/udp", 0, |r, k| parts.push((r, k)));
        assert_eq!(
            parts,
            vec![
                (0..2, TokenKind::Number),
                (2..3, TokenKind::Operator),
                (3..5, TokenKind::Number),
                (5..6, TokenKind::Operator),
                (6..9, TokenKind::Protocol),
            ]
        );
    }

    #[test]
    fn lines_break_at_lf_cr_and_crlf() {
        let mut pieces = Vec::new();
        per_line("a\r\nbc\rd\n", 5, |r| pieces.push(r));
        assert_eq!(pieces, vec![5..6, 8..10, 11..12]);
    }
}
