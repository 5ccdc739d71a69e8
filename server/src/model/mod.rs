//! The semantic summary of one Dockerfile: directives, global ARGs, stages,
//! instructions and their flags, stage references resolved by BuildKit's
//! rules, and variables. Byte ranges only; nothing here knows about LSP.

mod build;
mod hash;
mod names;
mod shift;
mod splice;
mod vars;

use std::ops::Range;

use compact_str::CompactString;

pub use build::{build, build_indexed, rebuild, NodeIndex};
pub use hash::FastMap;
pub use names::{is_valid_stage_name, levenshtein, INSTRUCTIONS};

/// Byte range in the document.
pub type Span = Range<usize>;

#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The escape character in force (`\` or a backtick).
    pub escape: char,
    pub directives: Vec<Directive>,
    /// Instructions before the first FROM (only ARG is allowed there).
    pub preamble: Vec<Instruction>,
    /// ARGs before the first FROM: visible to FROM lines only.
    pub global_args: Vec<VarDecl>,
    pub stages: Vec<Stage>,
    pub stage_refs: Vec<StageRef>,
    pub var_uses: Vec<VarUse>,
}

#[derive(Debug, Clone)]
pub struct Directive {
    /// The key, lowercased (`syntax`, `escape`, `check`).
    pub name: String,
    pub value: String,
    pub range: Span,
    pub value_range: Span,
}

#[derive(Debug, Clone)]
pub struct Instruction {
    /// The keyword lowercased (`from`, `run`, or the unknown word).
    pub keyword: CompactString,
    /// The keyword as written.
    pub keyword_text: CompactString,
    pub keyword_range: Span,
    pub range: Span,
    pub known: bool,
    pub flags: Vec<Flag>,
    /// The logical text after the keyword and flags, trimmed.
    pub arguments: String,
    pub arguments_range: Span,
    /// Whether the arguments are in JSON (exec) form.
    pub json_form: bool,
    /// The trigger of an ONBUILD instruction.
    pub trigger: Option<Box<Instruction>>,
    /// Heredocs started on this line, with whether each found its end line.
    pub heredocs: Vec<Heredoc>,
    /// Blank lines swallowed by continuations (BuildKit's NoEmptyContinuation).
    pub empty_continuation_lines: Vec<Span>,
}

#[derive(Debug, Clone)]
pub struct Heredoc {
    pub marker_range: Span,
    pub body_range: Option<Span>,
    pub terminated: bool,
    pub range: Span,
}

#[derive(Debug, Clone)]
pub struct Flag {
    /// Without the leading `--`; empty for a bare `--`.
    pub name: CompactString,
    pub name_range: Span,
    pub value: Option<CompactString>,
    pub value_range: Option<Span>,
    pub range: Span,
    /// `--mount` items: key (lowercased), value, ranges.
    pub mount_params: Vec<MountParam>,
}

#[derive(Debug, Clone)]
pub struct MountParam {
    pub key: CompactString,
    pub key_range: Span,
    pub value: Option<CompactString>,
    pub value_range: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct StageName {
    pub text: String,
    pub lowercase: String,
    pub range: Span,
}

#[derive(Debug, Clone)]
pub enum Base {
    /// An image reference (or a name BuildKit will pull as one).
    Image(ImageRef),
    /// An earlier stage, by index.
    Stage(usize),
    /// `scratch`: the empty image.
    Scratch,
    /// FROM without an image.
    Missing,
}

#[derive(Debug, Clone)]
pub struct ImageRef {
    /// The reference as written (logical text).
    pub text: String,
    pub range: Span,
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// From the FROM line to the end of the stage's last instruction.
    pub range: Span,
    pub from: Instruction,
    pub name: Option<StageName>,
    /// The `AS` keyword as written, with its range.
    pub as_keyword: Option<(String, Span)>,
    pub base: Base,
    /// The base as written in FROM, and its range.
    pub base_text: String,
    pub base_range: Span,
    pub platform: Option<(String, Span)>,
    /// Instructions after FROM, in order.
    pub instructions: Vec<Instruction>,
    pub vars: Vec<VarDecl>,
    /// FROM arguments beyond `image [AS name]`.
    pub extra_from_words: Vec<Span>,
}

impl Stage {
    /// The name BuildKit uses in messages: the stage name, or `stage-N`.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => name.lowercase.clone(),
            None => format!("stage-{}", self.index),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `COPY --from=…`
    CopyFrom,
    /// `RUN --mount=…,from=…`
    MountFrom,
    /// `FROM name`
    FromBase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An earlier stage: the reference resolves.
    Stage(usize),
    /// A stage defined at or after the current one.
    Later(usize),
    /// The current stage itself.
    Itself(usize),
    /// `FROM Builder` where `builder` is an earlier stage: FROM compares
    /// case-sensitively, so BuildKit takes it as an image.
    CaseMismatch(usize),
    /// `--from=N` beyond the last stage.
    IndexOutOfRange(usize),
    /// `--from=$VAR`: BuildKit rejects variables here.
    Variable,
    /// No stage by that name: an image or a named build context.
    NotAStage,
    /// Inside ONBUILD: resolved in the downstream Dockerfile.
    Downstream,
}

#[derive(Debug, Clone)]
pub struct StageRef {
    pub kind: RefKind,
    /// The value as written.
    pub value: String,
    pub range: Span,
    /// The stage the reference sits in.
    pub from_stage: usize,
    pub target: Target,
    /// The mount target of a `from=` mount, for BuildKit's message.
    pub mount_target: Option<String>,
    /// A numeric `--from=N`.
    pub numeric: bool,
}

impl StageRef {
    /// The stage this reference points at, for navigation: also when
    /// BuildKit would reject it (a later stage).
    pub fn stage(&self) -> Option<usize> {
        match self.target {
            Target::Stage(i) | Target::Later(i) | Target::Itself(i) | Target::CaseMismatch(i) => {
                Some(i)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Arg,
    Env,
}

#[derive(Debug, Clone)]
pub struct VarDecl {
    pub kind: VarKind,
    pub name: CompactString,
    pub name_range: Span,
    pub value: Option<CompactString>,
    /// The whole declaration (`NAME=value`).
    pub range: Span,
    /// `None` for global ARGs.
    pub stage: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct VarUse {
    pub name: CompactString,
    /// The variable name inside the expansion.
    pub range: Span,
    /// `None` in FROM lines and before the first FROM (global scope).
    pub stage: Option<usize>,
    /// Byte offset of the instruction, to find the declarations before it.
    pub instruction_start: usize,
    /// In shell text (RUN, CMD, ENTRYPOINT, heredocs): the shell expands it
    /// from the environment the ARG or ENV sets up.
    pub in_shell: bool,
}

impl Model {
    /// Every top-level instruction in document order: the preamble, then
    /// each stage's FROM and instructions (ONBUILD triggers stay inside
    /// theirs).
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.preamble.iter().chain(
            self.stages
                .iter()
                .flat_map(|s| std::iter::once(&s.from).chain(&s.instructions)),
        )
    }

    /// The stage that holds a byte offset, if any.
    pub fn stage_at(&self, offset: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.range.start <= offset && offset <= s.range.end)
    }

    /// Looks a name up among all stages, case-insensitively, the later
    /// definition winning (as BuildKit's name map does).
    pub fn stage_named(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_ref().is_some_and(|n| n.lowercase == lower))
            .map(|s| s.index)
    }

    /// The stage a target name selects (the last stage without one).
    pub fn target_stage(&self, target: Option<&str>) -> Option<usize> {
        match target {
            Some(name) => self.stage_named(name),
            None => self.stages.len().checked_sub(1),
        }
    }

    /// Stages the target stage needs, itself included. A base that holds a
    /// variable counts every earlier stage it could expand to.
    pub fn reachable_from(&self, target: usize) -> Vec<bool> {
        let mut reached = vec![false; self.stages.len()];
        // the stages each stage copies or mounts from: (from, dep) pairs
        // in order of `from`, one allocation rather than one per stage
        let mut deps: Vec<(usize, usize)> = self
            .stage_refs
            .iter()
            .filter_map(|r| match r.target {
                Target::Stage(dep) if r.from_stage < self.stages.len() => Some((r.from_stage, dep)),
                _ => None,
            })
            .collect();
        deps.sort_unstable();
        let mut stack = vec![target];
        // each pattern's literal pieces, and how many stages it has scanned
        type Scan = (Vec<Option<String>>, usize);
        let mut patterns: FastMap<&str, Scan> = FastMap::default();
        while let Some(i) = stack.pop() {
            if i >= reached.len() || reached[i] {
                continue;
            }
            reached[i] = true;
            let stage = &self.stages[i];
            if let Base::Stage(base) = stage.base {
                stack.push(base);
            } else if stage.base_text.contains('$') {
                // `FROM build-${VARIANT}`: a --build-arg may pick any earlier
                // stage whose name fits, so all of them may be needed. Each
                // pattern scans each stage once: many stages share one
                // (`FROM ${BASE}`), and rescanning made this quadratic
                let (pieces, scanned) = patterns
                    .entry(stage.base_text.as_str())
                    .or_insert_with(|| (pattern_pieces(&stage.base_text), 0));
                if *scanned < i {
                    stack.extend(
                        self.stages[*scanned..i]
                            .iter()
                            .filter(|s| s.name.as_ref().is_some_and(|n| fits(pieces, &n.lowercase)))
                            .map(|s| s.index),
                    );
                    *scanned = i;
                }
            }
            let first = deps.partition_point(|(from, _)| *from < i);
            stack.extend(
                deps[first..]
                    .iter()
                    .take_while(|(from, _)| *from == i)
                    .map(|(_, dep)| *dep),
            );
        }
        reached
    }

    /// The declaration a variable use at `offset` sees: the nearest ARG/ENV
    /// before it in its stage or in the stages it is built FROM, or, in
    /// FROM lines (`stage` is `None`), the global ARGs.
    pub fn visible_declaration(
        &self,
        name: &str,
        stage: Option<usize>,
        offset: usize,
    ) -> Option<&VarDecl> {
        let Some(mut index) = stage else {
            return self
                .global_args
                .iter()
                .rev()
                .find(|d| d.name == name && d.range.end <= offset);
        };
        let mut limit = offset;
        for _ in 0..self.stages.len() {
            let current = self.stages.get(index)?;
            if let Some(decl) = current
                .vars
                .iter()
                .rev()
                .find(|d| d.name == name && d.range.end <= limit)
            {
                return Some(decl);
            }
            match current.base {
                Base::Stage(parent) if parent < index => {
                    index = parent;
                    limit = usize::MAX;
                }
                _ => return None,
            }
        }
        None
    }
}

/// Whether `name` is one of the values `pattern` (a FROM base with `$VAR` or
/// `${…}` in it) can expand to, each variable standing for any text.
/// A FROM base's literal pieces, with `None` for each variable.
fn pattern_pieces(pattern: &str) -> Vec<Option<String>> {
    let mut pieces: Vec<Option<String>> = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_variable = c == '$'
            && chars
                .peek()
                .is_some_and(|n| *n == '{' || n.is_ascii_alphanumeric() || *n == '_');
        if !starts_variable {
            literal.push(c);
            continue;
        }
        if !literal.is_empty() {
            pieces.push(Some(std::mem::take(&mut literal)));
        }
        pieces.push(None);
        if chars.peek() == Some(&'{') {
            let mut depth = 0;
            for n in chars.by_ref() {
                match n {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        } else {
            while chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
            {
                chars.next();
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Some(literal));
    }
    pieces
}

fn fits(pieces: &[Option<String>], text: &str) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Some(literal), rest)) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|after| fits(rest, after)),
        Some((None, rest)) => text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .any(|i| fits(rest, &text[i..])),
    }
}
