//! Reads the model out of a syntax tree, taking over what the previous
//! revision read from the top-level instructions the incremental parse
//! kept.
//!
//! A reused subtree keeps its id (tree-sitter shares it between the old
//! and the new tree) and covers the same text, only shifted; what the model
//! reads from one instruction depends on that subtree alone. So the parts
//! of an instruction, of a FROM line's stage, and its variable uses and
//! declarations are moved over from the previous model and shifted; only
//! what spans instructions (stage ranges and indexes, FROM bases, stage
//! references, directives) is worked out anew. The previous tree must stay
//! alive while its ids are compared (the caller holds it), so no new
//! subtree can sit at the address of an old one.

use std::ops::Range;

use compact_str::CompactString;
use tree_sitter::{InputEdit, Node, Tree};

use super::hash::FastMap;
use super::shift::Shift;
use super::vars::{collect_var_uses, declarations};
use super::*;
use crate::syntax::{self, kind, logical_text, logical_text_of_range, Kind, Source};

/// What the model took from each top-level instruction node of its tree,
/// in document order.
#[derive(Debug, Clone, Default)]
pub struct NodeIndex {
    pub(super) entries: Vec<Entry>,
    /// For each entry, the entry of the previous index it was taken over
    /// from, and how far it moved.
    pub(super) reused: Vec<Option<(usize, isize)>>,
}

impl NodeIndex {
    /// The number of top-level instructions (preamble, FROM lines and the
    /// instructions of each stage, in document order).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Which instruction of the previous revision's model the `i`-th one
    /// was taken over from, and the shift of its ranges.
    pub fn reused(&self, i: usize) -> Option<(usize, isize)> {
        self.reused.get(i).copied().flatten()
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    /// The node's id in the tree the model was read from.
    pub(super) id: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Its kind and number of descendants: equal bytes parsed from the
    /// same state give equal subtrees, and this checks the state too.
    pub(super) shape: (u16, usize),
    /// Its variable uses, a run of `Model::var_uses`.
    pub(super) var_uses: usize,
    /// Its declarations, a run of the stage's `vars` (or the global ARGs).
    pub(super) decls: usize,
    /// Whether the model kept its declarations (ENV before the first FROM
    /// declares nothing the model keeps).
    pub(super) decls_kept: bool,
}

/// Builds the model of a parsed document.
pub fn build(tree: &Tree, source: &(impl Source + ?Sized)) -> Model {
    assemble(tree, source, None).0
}

/// Builds the model and the index that lets [`rebuild`] take it over.
pub fn build_indexed(tree: &Tree, source: &(impl Source + ?Sized)) -> (Model, NodeIndex) {
    assemble(tree, source, None)
}

/// The model of `tree`, taking over the parts of `previous` (built with
/// `index` from `old_tree`, an earlier tree of the same document, which
/// stays alive meanwhile) that still hold. A top-level instruction is
/// taken over when the incremental parse reused its subtree (same id), or,
/// when `edits` (what turned the old text into the new, in order) are
/// known, when its bytes lie outside every edit and an old instruction of
/// the same kind and size over those same bytes had as many descendants:
/// the parser rebuilds some unchanged nodes (the ones it made while it
/// explored two parses at once), equal but not the same. Runs of
/// instructions before and after the edits are taken over without visiting
/// their nodes at all ([`Old::clean_run`]): walking the top level costs
/// about a thousand instructions a node, through the hidden grouping nodes.
/// Edits inside one stage's instructions take a shorter way: the model is
/// changed in place (`splice.rs`). Equal to [`build`] of the same tree.
pub fn rebuild(
    tree: &Tree,
    source: &(impl Source + ?Sized),
    previous: Model,
    index: NodeIndex,
    old_tree: &Tree,
    edits: Option<&[InputEdit]>,
) -> (Model, NodeIndex) {
    let (mut previous, mut index) = (previous, index);
    if let Some(edits) = edits {
        if super::splice::splice(tree, source, &mut previous, &mut index, old_tree, edits) {
            return (previous, index);
        }
    }
    let escape = previous.escape;
    let old = Old::new(previous, index).map(|mut old| {
        old.changes = edits.map(|edits| Changes::new(edits, escape, old_tree, tree));
        old
    });
    // the ids compared belong to `old_tree`: borrowed, it outlives this
    assemble(tree, source, old)
}

/// Where the text changed between the old tree and the new one.
pub(super) struct Changes {
    /// The edited bytes, as one window in new coordinates (`lo..=hi`), and
    /// how far the text after it moved.
    pub(super) window: Option<(usize, usize)>,
    pub(super) delta: isize,
    /// The escape character of the old text: under another one, the same
    /// bytes lex differently.
    escape: char,
    /// Whether runs of nodes may be taken over unvisited ([`Old::clean_run`]):
    /// not when either tree has an error, whose recovery weighs the whole
    /// parse, not only the text from a node on.
    pub(super) runs: bool,
}

impl Changes {
    pub(super) fn new(edits: &[InputEdit], escape: char, old_tree: &Tree, tree: &Tree) -> Changes {
        let mut window: Option<(usize, usize)> = None;
        let mut delta = 0isize;
        for e in edits {
            let d = e.new_end_byte as isize - e.old_end_byte as isize;
            delta += d;
            let map = |x: usize| {
                if x <= e.start_byte {
                    x
                } else if x >= e.old_end_byte {
                    x.wrapping_add_signed(d)
                } else {
                    e.new_end_byte
                }
            };
            window = Some(match window {
                None => (e.start_byte, e.new_end_byte),
                Some((lo, hi)) => (map(lo).min(e.start_byte), map(hi).max(e.new_end_byte)),
            });
        }
        Changes {
            window,
            delta,
            escape,
            runs: !old_tree.root_node().has_error() && !tree.root_node().has_error(),
        }
    }

    /// The start of the bytes `start..end` (new coordinates) in the old
    /// text, when none of them (nor a byte either side) was edited.
    fn old_start(&self, start: usize, end: usize) -> Option<usize> {
        let lo = start.saturating_sub(1);
        let hi = end + 1;
        match self.window {
            None => Some(start),
            Some((w_lo, _)) if hi < w_lo => Some(start),
            Some((_, w_hi)) if lo > w_hi => Some(start.wrapping_add_signed(-self.delta)),
            Some(_) => None,
        }
    }
}

fn assemble(
    tree: &Tree,
    source: &(impl Source + ?Sized),
    mut old: Option<Old>,
) -> (Model, NodeIndex) {
    let root = tree.root_node();
    let mut model = Model {
        escape: '\\',
        ..Model::default()
    };
    let capacity = old.as_ref().map_or(0, |o| o.entries.len() + 8);
    if let Some(old) = &old {
        model.stages.reserve(old.stage_count + 1);
        model.var_uses.reserve(old.var_uses.len() + 8);
    }
    let mut index = NodeIndex {
        entries: Vec::with_capacity(capacity),
        reused: Vec::with_capacity(capacity),
    };
    // BuildKit reads `syntax` and `check` (not `escape`) after a `#!` first
    // line too: the comments right after it can still be directives
    let mut after_shebang = false;
    let mut last_row = 0;
    let mut names = StageNames::default();
    let mut cursor = root.walk();
    // the cursor stands on the next node to read (it moved there itself)
    let mut standing = cursor.goto_first_child();
    let mut i = 0;
    loop {
        if !standing && !cursor.goto_next_sibling() {
            break;
        }
        standing = false;
        let node = cursor.node();
        if !node.is_named() {
            continue;
        }
        i += 1;
        let i = i - 1;
        let node_kind = kind(node);
        if node_kind == Kind::Comment {
            let row = node.start_position().row;
            if i == 0 && node.start_byte() == 0 && source.slice(node.byte_range()).starts_with("#!")
            {
                after_shebang = true;
                last_row = row;
                continue;
            }
            // a blank line ends the directives
            after_shebang &= row == last_row + 1;
            last_row = row;
            if !after_shebang {
                continue;
            }
            match read_directive(node, source) {
                Some(d) if matches!(d.name.as_str(), "syntax" | "check") => {
                    model.directives.push(d)
                }
                // a known directive that does not apply here, not the end
                Some(d) if d.name == "escape" => {}
                _ => after_shebang = false,
            }
            continue;
        }
        after_shebang = false;
        match node_kind {
            Kind::ParserDirective => {
                if let Some(directive) = read_directive(node, source) {
                    if directive.name == "escape" && directive.value == "`" {
                        model.escape = '`';
                    }
                    model.directives.push(directive);
                }
            }
            Kind::Instruction | Kind::OnbuildInstruction => {
                // a run of nodes outside the changed window: taken over
                // from the old model without visiting them
                if let Some((run, delta, to_end)) =
                    old.as_mut().and_then(|o| o.clean_run(node, model.escape))
                {
                    let old = old.as_mut().expect("the run is from it");
                    let mut next = None;
                    for k in run.clone() {
                        let Some(taken) = old.take_at(k, delta) else {
                            next = Some(k);
                            break;
                        };
                        add_reused(
                            &mut model, &mut index, &mut names, None, root, taken, old, source,
                        );
                    }
                    // the last node taken: the walk goes on after it
                    let last = match next {
                        Some(k) if k > run.start => k - 1,
                        Some(_) => usize::MAX,
                        None if to_end => break,
                        None => run.end - 1,
                    };
                    if last != usize::MAX {
                        let start = old.entries[last].start.wrapping_add_signed(delta);
                        if !seek(&mut cursor, root, start) {
                            break;
                        }
                        continue;
                    }
                }
                let taken = old.as_mut().and_then(|o| o.take(node, model.escape));
                match taken {
                    Some(taken) => {
                        let old = old.as_mut().expect("taken from it");
                        let node = Some(node);
                        add_reused(
                            &mut model, &mut index, &mut names, node, root, taken, old, source,
                        )
                    }
                    None => add_instruction(&mut model, &mut index, &mut names, node, source),
                }
            }
            _ => {}
        }
    }
    if let Some(last) = model.stages.last_mut() {
        last.range.end = last.range.end.max(last.from.range.end);
    }
    resolve_stage_refs(&mut model);
    shrink(&mut model, &mut index);
    (model, index)
}

/// Hands back what the vectors grew past their length: a model lives as
/// long as its document's revision, and growth by doubling leaves up to
/// half of each one unused (a fifth of the model, at 10,000 lines).
fn shrink(model: &mut Model, index: &mut NodeIndex) {
    for stage in &mut model.stages {
        stage.instructions.shrink_to_fit();
        stage.vars.shrink_to_fit();
    }
    model.stages.shrink_to_fit();
    model.preamble.shrink_to_fit();
    model.global_args.shrink_to_fit();
    model.stage_refs.shrink_to_fit();
    model.var_uses.shrink_to_fit();
    index.entries.shrink_to_fit();
    index.reused.shrink_to_fit();
}

/// One top-level instruction of the previous model.
enum Piece {
    /// A FROM line's stage, without its instructions and declarations.
    Stage(Box<Stage>),
    Instruction(Box<Instruction>),
    Taken,
}

/// The previous model, taken apart into pieces in document order.
struct Old {
    stage_count: usize,
    entries: Vec<Entry>,
    pieces: Vec<Piece>,
    /// Entries by node id, made on first use when the edits are unknown
    /// (else the entries around the changed window are searched).
    by_id: Option<FastMap<usize, usize>>,
    var_uses: std::vec::IntoIter<VarUse>,
    var_starts: Vec<usize>,
    var_pos: usize,
    decls: std::vec::IntoIter<VarDecl>,
    decl_starts: Vec<usize>,
    decl_pos: usize,
    changes: Option<Changes>,
}

struct Taken {
    entry: usize,
    piece: Piece,
    delta: isize,
}

impl Old {
    fn new(previous: Model, index: NodeIndex) -> Option<Old> {
        let Model {
            preamble,
            global_args,
            stages,
            var_uses,
            ..
        } = previous;
        let mut pieces = Vec::with_capacity(index.entries.len());
        let mut decls = global_args;
        pieces.extend(
            preamble
                .into_iter()
                .map(|i| Piece::Instruction(Box::new(i))),
        );
        let stage_count = stages.len();
        for mut stage in stages {
            // (the new model pushes as many into it, most likely)
            let capacity = stage.instructions.len();
            let instructions =
                std::mem::replace(&mut stage.instructions, Vec::with_capacity(capacity));
            decls.append(&mut stage.vars);
            pieces.push(Piece::Stage(Box::new(stage)));
            pieces.extend(
                instructions
                    .into_iter()
                    .map(|i| Piece::Instruction(Box::new(i))),
            );
        }
        let entries = index.entries;
        let (mut var_total, mut decl_total) = (0, 0);
        let mut var_starts = Vec::with_capacity(entries.len());
        let mut decl_starts = Vec::with_capacity(entries.len());
        for entry in &entries {
            var_starts.push(var_total);
            decl_starts.push(decl_total);
            var_total += entry.var_uses;
            decl_total += entry.decls;
        }
        // an index that does not describe the model: read everything anew
        let consistent = pieces.len() == entries.len()
            && var_total == var_uses.len()
            && decl_total == decls.len();
        consistent.then(|| Old {
            stage_count,
            entries,
            pieces,
            by_id: None,
            var_uses: var_uses.into_iter(),
            var_starts,
            var_pos: 0,
            decls: decls.into_iter(),
            decl_starts,
            decl_pos: 0,
            changes: None,
        })
    }

    /// The piece of the old node this node equals: the same subtree, or
    /// one at the same old place over unchanged text and syntax. Pieces
    /// are taken in document order.
    fn take(&mut self, node: Node<'_>, escape: char) -> Option<Taken> {
        let (start, end) = (node.start_byte(), node.end_byte());
        let k = match self.find_id(node.id()) {
            Some(k) => k,
            None => {
                let changes = self.changes.as_ref().filter(|c| c.escape == escape)?;
                let old_start = changes.old_start(start, end)?;
                let k = self.entries.partition_point(|e| e.start < old_start);
                let entry = self.entries.get(k)?;
                let old_end = old_start + (end - start);
                if entry.start != old_start || entry.end != old_end || entry.shape != shape(node) {
                    return None;
                }
                k
            }
        };
        self.take_at(k, start as isize - self.entries[k].start as isize)
    }

    /// The entry of the old node with this id. A reused subtree stays
    /// where the edits moved it: inside the changed window when it is not
    /// outside (where [`Old::clean_run`] takes nodes over), so only the
    /// entries over the window in old coordinates are searched.
    fn find_id(&mut self, id: usize) -> Option<usize> {
        match &self.changes {
            Some(changes) => {
                let (lo, hi) = changes.window?;
                let (lo, hi) = (
                    lo.saturating_sub(1),
                    hi.wrapping_add_signed(-changes.delta) + 1,
                );
                let first = self.entries.partition_point(|e| e.end < lo);
                let last = self.entries.partition_point(|e| e.start <= hi);
                (first..last.max(first)).find(|&k| self.entries[k].id == id)
            }
            None => {
                let entries = &self.entries;
                let by_id = self.by_id.get_or_insert_with(|| {
                    let mut map =
                        FastMap::with_capacity_and_hasher(entries.len(), Default::default());
                    for (k, entry) in entries.iter().enumerate() {
                        // 0: taken over unvisited, its id unknown
                        if entry.id != 0 {
                            map.insert(entry.id, k);
                        }
                    }
                    map
                });
                by_id.get(&id).copied()
            }
        }
    }

    /// The old entries from the one `node` equals on, up to the edits
    /// (when `node` is before them) or to the end (when after), with their
    /// shift, and whether the run ends the document. Only `node` is
    /// checked, against the old entry at its old place.
    ///
    /// After the edits: at the start of a top-level instruction (past the
    /// first one) the scanner's state is the escape character alone, and
    /// every state between two lines lexes alike (see `source_file` in
    /// grammar.js), so the nodes from there on depend on the text from
    /// there on: old and new are the same text, shifted. Before the edits,
    /// the same holds for the text up to them, except what a node read
    /// past its end (the next line at most): the last two nodes before the
    /// edits are left to [`Old::take`], which checks each.
    fn clean_run(&self, node: Node<'_>, escape: char) -> Option<(Range<usize>, isize, bool)> {
        let changes = self
            .changes
            .as_ref()
            .filter(|c| c.runs && c.escape == escape)?;
        let (start, end) = (node.start_byte(), node.end_byte());
        let (old_start, delta, last, to_end) = match changes.window {
            None => (start, 0, self.entries.len(), true),
            Some((lo, _)) if end + 1 < lo => {
                let last = self.entries.partition_point(|e| e.end + 1 < lo);
                (start, 0, last.saturating_sub(2), false)
            }
            Some((_, hi)) if start > hi + 1 => {
                let old_start = start.wrapping_add_signed(-changes.delta);
                (old_start, changes.delta, self.entries.len(), true)
            }
            Some(_) => return None,
        };
        let k = self.entries.partition_point(|e| e.start < old_start);
        let entry = self.entries.get(k)?;
        if entry.start != old_start
            || entry.end - entry.start != end - start
            || entry.shape != shape(node)
            || last <= k
        {
            return None;
        }
        Some((k..last, delta, to_end))
    }

    /// Takes the `k`-th piece, moved by `delta`, if it is still there and
    /// comes after every piece taken so far.
    fn take_at(&mut self, k: usize, delta: isize) -> Option<Taken> {
        if self.var_starts[k] < self.var_pos || self.decl_starts[k] < self.decl_pos {
            return None;
        }
        let piece = std::mem::replace(&mut self.pieces[k], Piece::Taken);
        if matches!(piece, Piece::Taken) {
            return None;
        }
        Some(Taken {
            entry: k,
            piece,
            delta,
        })
    }

    fn move_var_uses(
        &mut self,
        k: usize,
        delta: isize,
        stage: Option<usize>,
        out: &mut Vec<VarUse>,
    ) -> usize {
        for _ in self.var_pos..self.var_starts[k] {
            self.var_uses.next();
        }
        let count = self.entries[k].var_uses;
        self.var_pos = self.var_starts[k] + count;
        out.extend(self.var_uses.by_ref().take(count).map(|mut u| {
            u.shift(delta);
            u.stage = stage;
            u
        }));
        count
    }

    /// Moves the node's declarations to `out`, or drops them when `out` is
    /// `None`; `false` when the model did not keep them.
    fn move_decls(
        &mut self,
        k: usize,
        delta: isize,
        stage: Option<usize>,
        out: Option<&mut Vec<VarDecl>>,
    ) -> bool {
        for _ in self.decl_pos..self.decl_starts[k] {
            self.decls.next();
        }
        let count = self.entries[k].decls;
        self.decl_pos = self.decl_starts[k] + count;
        let decls = self.decls.by_ref().take(count);
        match out {
            Some(out) => out.extend(decls.map(|mut d| {
                d.shift(delta);
                d.stage = stage;
                d
            })),
            None => decls.for_each(drop),
        }
        self.entries[k].decls_kept
    }
}

/// The stages read so far by lowercased name: the last one of a name.
type StageNames = FastMap<String, usize>;

/// Adds a stage, and its name to `names` (after its base was resolved
/// against the earlier ones).
fn push_stage(model: &mut Model, names: &mut StageNames, stage: Stage) {
    if let Some(name) = &stage.name {
        names.insert(name.lowercase.clone(), stage.index);
    }
    model.stages.push(stage);
}

fn add_instruction(
    model: &mut Model,
    index: &mut NodeIndex,
    names: &mut StageNames,
    node: Node<'_>,
    source: &(impl Source + ?Sized),
) {
    let uses_before = model.var_uses.len();
    let instruction = read_instruction(node, source);
    if instruction.keyword == "from" {
        let stage_index = model.stages.len();
        let mut stage = read_stage(node, instruction, stage_index, source);
        stage.base = resolve_base(names, &stage, None, || Some(node), source);
        if let Some(previous) = model.stages.last_mut() {
            previous.range.end = previous.range.end.max(previous_end(previous));
        }
        collect_var_uses(node, source, None, &mut model.var_uses);
        push_stage(model, names, stage);
        index.reused.push(None);
        index.entries.push(Entry {
            id: node.id(),
            start: node.start_byte(),
            end: node.end_byte(),
            shape: shape(node),
            var_uses: model.var_uses.len() - uses_before,
            decls: 0,
            decls_kept: true,
        });
        return;
    }
    let stage_index = model.stages.len().checked_sub(1);
    collect_var_uses(node, source, stage_index, &mut model.var_uses);
    collect_refs(&mut model.stage_refs, &instruction, stage_index, false);
    let mut decls = declarations(node, &instruction, stage_index, source);
    let kept = stage_index.is_some() || instruction.keyword == "arg";
    if !kept {
        decls.clear();
    }
    index.reused.push(None);
    index.entries.push(Entry {
        id: node.id(),
        start: node.start_byte(),
        end: node.end_byte(),
        shape: shape(node),
        var_uses: model.var_uses.len() - uses_before,
        decls: decls.len(),
        decls_kept: kept,
    });
    place(model, instruction, decls);
}

/// Adds a non-FROM instruction and its declarations where they belong.
fn place(model: &mut Model, instruction: Instruction, mut decls: Vec<VarDecl>) {
    match model.stages.last_mut() {
        Some(stage) => {
            stage.range.end = instruction.range.end;
            stage.vars.append(&mut decls);
            stage.instructions.push(instruction);
        }
        None => {
            model.global_args.append(&mut decls);
            model.preamble.push(instruction);
        }
    }
}

/// Adds a piece taken over from the old model; `node` is its node in the
/// new tree, or `None` when it was not visited (then its id is unknown and
/// it is looked up under `root` only if something must be read anew).
#[allow(clippy::too_many_arguments)]
fn add_reused<'t>(
    model: &mut Model,
    index: &mut NodeIndex,
    names: &mut StageNames,
    node: Option<Node<'t>>,
    root: Node<'t>,
    taken: Taken,
    old: &mut Old,
    source: &(impl Source + ?Sized),
) {
    let Taken {
        entry,
        piece,
        delta,
    } = taken;
    let was = old.entries[entry];
    let (start, end) = (
        was.start.wrapping_add_signed(delta),
        was.end.wrapping_add_signed(delta),
    );
    let mut new_entry = Entry {
        id: node.map_or(0, |n| n.id()),
        start,
        end,
        ..was
    };
    let node = || node.or_else(|| top_level_at(root, start, end));
    match piece {
        Piece::Stage(mut stage) => {
            stage.shift(delta);
            stage.index = model.stages.len();
            stage.range = stage.from.range.clone();
            let previous_base = std::mem::replace(&mut stage.base, Base::Missing);
            stage.base = resolve_base(names, &stage, Some(previous_base), node, source);
            if let Some(previous) = model.stages.last_mut() {
                previous.range.end = previous.range.end.max(previous_end(previous));
            }
            old.move_var_uses(entry, delta, None, &mut model.var_uses);
            push_stage(model, names, *stage);
        }
        Piece::Instruction(mut instruction) => {
            instruction.shift(delta);
            let stage_index = model.stages.len().checked_sub(1);
            old.move_var_uses(entry, delta, stage_index, &mut model.var_uses);
            collect_refs(&mut model.stage_refs, &instruction, stage_index, false);
            let keep = stage_index.is_some() || instruction.keyword == "arg";
            let mut decls = Vec::new();
            let was_kept = old.move_decls(entry, delta, stage_index, keep.then_some(&mut decls));
            if keep && !was_kept {
                if let Some(node) = node() {
                    decls = declarations(node, &instruction, stage_index, source);
                }
            }
            new_entry.decls = decls.len();
            new_entry.decls_kept = keep;
            match model.stages.last_mut() {
                Some(stage) => {
                    stage.range.end = instruction.range.end;
                    stage.vars.append(&mut decls);
                    stage.instructions.push(*instruction);
                }
                None => {
                    model.global_args.append(&mut decls);
                    model.preamble.push(*instruction);
                }
            }
        }
        Piece::Taken => unreachable!("Old::take never hands out a taken piece"),
    }
    index.entries.push(new_entry);
    index.reused.push(Some((entry, delta)));
}

/// Moves `cursor` (of any node under `root`) to the top-level named node
/// that starts at `start`; `false` when there is none.
fn seek<'t>(cursor: &mut tree_sitter::TreeCursor<'t>, root: Node<'t>, start: usize) -> bool {
    cursor.reset(root);
    // (it returns the first node that ends past `start`, a hidden one's
    // visible child, or nothing when that hidden one has none)
    if cursor.goto_first_child_for_byte(start).is_some() && cursor.node().start_byte() == start {
        return true;
    }
    cursor.reset(root);
    if !cursor.goto_first_child() {
        return false;
    }
    loop {
        let node = cursor.node();
        if node.start_byte() >= start && node.is_named() {
            return node.start_byte() == start;
        }
        if !cursor.goto_next_sibling() {
            return false;
        }
    }
}

/// The top-level named node over exactly `start..end`.
fn top_level_at<'t>(root: Node<'t>, start: usize, end: usize) -> Option<Node<'t>> {
    let mut cursor = root.walk();
    let node = seek(&mut cursor, root, start).then(|| cursor.node())?;
    (node.end_byte() == end).then_some(node)
}

pub(super) fn shape(node: Node<'_>) -> (u16, usize) {
    (node.kind_id(), node.descendant_count())
}

fn previous_end(stage: &Stage) -> usize {
    stage
        .instructions
        .last()
        .map_or(stage.from.range.end, |i| i.range.end)
}

fn read_directive(node: Node<'_>, source: &(impl Source + ?Sized)) -> Option<Directive> {
    let text = source.slice(node.byte_range());
    let body = text.trim_start().strip_prefix('#')?;
    let (key, value) = body.split_once('=')?;
    let value_trimmed = value.trim();
    let value_offset = text.len() - value.len() + (value.len() - value.trim_start().len());
    let start = node.start_byte() + value_offset;
    Some(Directive {
        name: key.trim().to_ascii_lowercase(),
        value: value_trimmed.to_string(),
        range: node.byte_range(),
        value_range: start..start + value_trimmed.len(),
    })
}

/// Summarises one instruction node.
pub(super) fn read_instruction(node: Node<'_>, source: &(impl Source + ?Sized)) -> Instruction {
    let view = syntax::Instruction { node };
    let keyword_node = view.keyword();
    // (made in place: a temporary freed between the model's long-lived
    // pieces is a hole that keeps its page resident)
    let keyword_text = keyword_node
        .map(|k| CompactString::from(source.slice(k.byte_range())))
        .unwrap_or_default();
    let keyword = keyword_text.to_ascii_lowercase();
    let flags = view.flags().map(|f| read_flag(f, source)).collect();
    let argument_nodes = view.arguments();
    let arguments_range = view.range_of(&argument_nodes);
    let mut arguments =
        logical_text_of_range(node, arguments_range.start, arguments_range.end, source);
    trim_in_place(&mut arguments);
    let json_form = argument_nodes.iter().any(|n| kind(*n) == Kind::JsonArray);
    let trigger = view
        .onbuild_trigger()
        .map(|t| Box::new(read_instruction(t.node, source)));
    let mut heredocs = Vec::new();
    let mut markers = Vec::new();
    let mut empty_continuation_lines = Vec::new();
    walk_instruction(node, source, &mut markers, &mut empty_continuation_lines);
    for (i, heredoc) in view.heredocs().into_iter().enumerate() {
        let mut cursor = heredoc.walk();
        let body = heredoc
            .named_children(&mut cursor)
            .find(|n| kind(*n) == Kind::HeredocBody)
            .map(|n| n.byte_range());
        let terminated = {
            let mut cursor = heredoc.walk();
            let found = heredoc
                .named_children(&mut cursor)
                .any(|n| kind(n) == Kind::HeredocEnd);
            found
        };
        heredocs.push(Heredoc {
            marker_range: markers.get(i).cloned().unwrap_or(heredoc.byte_range()),
            body_range: body,
            terminated,
            range: heredoc.byte_range(),
        });
    }
    // markers whose body never started: the file ended on the instruction line
    for marker in markers.iter().skip(heredocs.len()) {
        heredocs.push(Heredoc {
            marker_range: marker.clone(),
            body_range: None,
            terminated: false,
            range: marker.clone(),
        });
    }
    Instruction {
        known: INSTRUCTIONS.contains(&keyword.as_str()),
        keyword,
        keyword_text,
        keyword_range: keyword_node
            .map_or(node.start_byte()..node.start_byte(), |k| k.byte_range()),
        range: node.byte_range(),
        flags,
        arguments,
        arguments_range,
        json_form,
        trigger,
        heredocs,
        empty_continuation_lines,
    }
}

fn trim_in_place(text: &mut String) {
    text.truncate(text.trim_end().len());
    let leading = text.len() - text.trim_start().len();
    text.drain(..leading);
}

/// Collects heredoc markers and the blank lines continuations swallowed,
/// without descending into a nested ONBUILD trigger twice.
fn walk_instruction(
    node: Node<'_>,
    source: &(impl Source + ?Sized),
    markers: &mut Vec<Span>,
    empty_lines: &mut Vec<Span>,
) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match kind(child) {
            Kind::HeredocMarker => markers.push(child.byte_range()),
            Kind::LineContinuation => {
                let text = source.slice(child.byte_range());
                if let Some(first_newline) = text.find('\n') {
                    let rest = &text[first_newline + 1..];
                    if !rest.is_empty() {
                        let start = child.start_byte() + first_newline + 1;
                        empty_lines.push(start..child.end_byte());
                    }
                }
            }
            Kind::Heredoc | Kind::OnbuildInstruction | Kind::Instruction => {}
            _ => {
                if child.child_count() > 0 {
                    walk_instruction(child, source, markers, empty_lines);
                }
            }
        }
    }
}

fn read_flag(node: Node<'_>, source: &(impl Source + ?Sized)) -> Flag {
    let name_node = node.child_by_field_name("name");
    let name = name_node
        .map(|n| source.slice(n.byte_range()).into_owned())
        .unwrap_or_default();
    let value_node = node.child_by_field_name("value");
    let mut mount_params = Vec::new();
    let mut value = value_node.map(|v| logical_text(v, source));
    let mut value_range = value_node.map(|v| v.byte_range());
    if kind(node) == Kind::MountFlag {
        // the options are the flag's children, field by field between the
        // commas: a key, or `=` without one (a blank key), then its value
        let mut cursor = node.walk();
        let mut first_start = None;
        let mut last_end = 0;
        let mut in_field = false;
        let blank = |at: usize| MountParam {
            key: CompactString::default(),
            key_range: at..at,
            value: None,
            value_range: None,
        };
        for part in node
            .children(&mut cursor)
            .skip_while(|n| n.kind() != "=")
            .skip(1)
        {
            match part.kind() {
                "," => {
                    in_field = false;
                    continue;
                }
                "=" if !in_field => mount_params.push(blank(part.start_byte())),
                "mount_key" => mount_params.push(MountParam {
                    key: CompactString::from(source.slice(part.byte_range())).to_ascii_lowercase(),
                    key_range: part.byte_range(),
                    value: None,
                    value_range: None,
                }),
                "mount_value" => {
                    if !in_field {
                        mount_params.push(blank(part.start_byte()));
                    }
                    if let Some(param) = mount_params.last_mut() {
                        param.value = Some(logical_text(part, source).into());
                        param.value_range = Some(part.byte_range());
                    }
                }
                _ => continue,
            }
            in_field = true;
            first_start.get_or_insert(part.start_byte());
            last_end = part.end_byte();
        }
        // the model lives as long as the document: no spare capacity
        mount_params.shrink_to_fit();
        if let Some(first_start) = first_start {
            value = Some(logical_text_of_range(node, first_start, last_end, source));
            value_range = Some(first_start..last_end);
        }
    }
    if value.is_none() {
        // `--name=` (and `--mount=`) with nothing after it still has a
        // value: the empty one
        let text = source.slice(node.byte_range());
        if text.ends_with('=') {
            value = Some(String::new());
            value_range = Some(node.end_byte()..node.end_byte());
        }
    }
    Flag {
        name: name.into(),
        name_range: name_node.map_or(node.byte_range(), |n| n.byte_range()),
        value: value.map(CompactString::from),
        value_range,
        range: node.byte_range(),
        mount_params,
    }
}

/// What a FROM line's base is, given the stages before it: a stage by
/// name, `scratch`, or an image (the parts of `previous` are kept when it
/// was an image already, else read from the FROM node).
fn resolve_base<'t>(
    earlier: &StageNames,
    stage: &Stage,
    previous: Option<Base>,
    node: impl FnOnce() -> Option<Node<'t>>,
    source: &(impl Source + ?Sized),
) -> Base {
    if matches!(stage.base, Base::Missing) && previous.is_none()
        || matches!(previous, Some(Base::Missing))
    {
        return Base::Missing;
    }
    let text = &stage.base_text;
    if let Some(&named) = earlier.get(text) {
        return Base::Stage(named);
    }
    if text == "scratch" {
        return Base::Scratch;
    }
    if let Some(Base::Image(image)) = previous {
        return Base::Image(image);
    }
    let Some(image) = node().and_then(|node| node.child_by_field_name("image")) else {
        return Base::Missing;
    };
    let part = |field: &str| {
        image
            .child_by_field_name(field)
            .map(|n| logical_text(n, source))
    };
    Base::Image(ImageRef {
        text: text.clone(),
        range: stage.base_range.clone(),
        name: part("name").unwrap_or_default(),
        tag: part("tag"),
        digest: part("digest"),
    })
}

fn read_stage(
    node: Node<'_>,
    from: Instruction,
    index: usize,
    source: &(impl Source + ?Sized),
) -> Stage {
    let image = node.child_by_field_name("image");
    let alias = node.child_by_field_name("name");
    let mut cursor = node.walk();
    let as_keyword = node
        .named_children(&mut cursor)
        .filter(|n| kind(*n) == Kind::Keyword)
        .nth(1)
        .map(|k| (source.slice(k.byte_range()).into_owned(), k.byte_range()));
    let mut cursor = node.walk();
    let extra_from_words = node
        .named_children(&mut cursor)
        .filter(|n| kind(*n) == Kind::Word)
        .map(|n| n.byte_range())
        .collect();
    let name = alias.map(|a| {
        let text = logical_text(a, source);
        StageName {
            lowercase: text.to_ascii_lowercase(),
            text,
            range: a.byte_range(),
        }
    });
    let platform = from
        .flags
        .iter()
        .find(|f| f.name == "platform")
        .and_then(|f| Some((f.value.as_deref()?.to_string(), f.value_range.clone()?)));
    let (base_text, base_range) = match image {
        None => (
            String::new(),
            from.keyword_range.end..from.keyword_range.end,
        ),
        Some(image) => (logical_text(image, source), image.byte_range()),
    };
    // worked out by `resolve_base` once the earlier stages are known
    let base = if image.is_some() {
        Base::Scratch
    } else {
        Base::Missing
    };
    Stage {
        index,
        range: node.byte_range(),
        from,
        name,
        as_keyword,
        base,
        base_text,
        base_range,
        platform,
        instructions: Vec::new(),
        vars: Vec::new(),
        extra_from_words,
    }
}

/// Records `COPY --from=` and `RUN --mount=…,from=` references; they are
/// resolved once every stage is known.
pub(super) fn collect_refs(
    refs: &mut Vec<StageRef>,
    instruction: &Instruction,
    stage: Option<usize>,
    in_onbuild: bool,
) {
    let Some(stage) = stage else { return };
    if let Some(trigger) = &instruction.trigger {
        collect_refs(refs, trigger, Some(stage), true);
        return;
    }
    let downstream = |target: Target| {
        if in_onbuild {
            Target::Downstream
        } else {
            target
        }
    };
    for flag in &instruction.flags {
        if instruction.keyword == "copy" && flag.name == "from" {
            if let (Some(value), Some(range)) = (&flag.value, &flag.value_range) {
                refs.push(StageRef {
                    kind: RefKind::CopyFrom,
                    value: value.to_string(),
                    range: range.clone(),
                    from_stage: stage,
                    target: downstream(Target::NotAStage),
                    mount_target: None,
                    numeric: !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
                });
            }
        }
        if instruction.keyword == "run" && flag.name == "mount" {
            let mount_target = flag
                .mount_params
                .iter()
                .find(|p| matches!(p.key.as_str(), "target" | "dst" | "destination"))
                .and_then(|p| p.value.as_deref().map(str::to_string));
            for param in flag.mount_params.iter().filter(|p| p.key == "from") {
                if let (Some(value), Some(range)) = (&param.value, &param.value_range) {
                    refs.push(StageRef {
                        kind: RefKind::MountFrom,
                        value: value.to_string(),
                        range: range.clone(),
                        from_stage: stage,
                        target: downstream(Target::NotAStage),
                        mount_target: mount_target.clone(),
                        numeric: false,
                    });
                }
            }
        }
    }
}

/// Resolves every reference by BuildKit's rules (ARCHITECTURE.md, "Stage
/// semantics"), and adds `FROM name` references to stages.
pub(super) fn resolve_stage_refs(model: &mut Model) {
    let stage_count = model.stages.len();
    // lowercased name -> the stages of that name, in order
    let mut named: FastMap<&str, Vec<usize>> = FastMap::default();
    for stage in &model.stages {
        if let Some(name) = &stage.name {
            named
                .entry(name.lowercase.as_str())
                .or_default()
                .push(stage.index);
        }
    }
    let by_name = |name: &str, current: usize| -> Option<Target> {
        let lower = lowercase(name);
        // BuildKit registers every stage before it resolves any --from, so
        // a duplicated name means its last definition, wherever that is
        let last = *named.get(lower.as_ref())?.last()?;
        Some(match last.cmp(&current) {
            std::cmp::Ordering::Less => Target::Stage(last),
            std::cmp::Ordering::Equal => Target::Itself(last),
            std::cmp::Ordering::Greater => Target::Later(last),
        })
    };
    let mut resolved = Vec::with_capacity(model.stage_refs.len());
    for r in &model.stage_refs {
        // a variable is rejected wherever the trigger finally runs
        let target = if has_variable(&r.value, r.kind) {
            Target::Variable
        } else if r.target == Target::Downstream {
            Target::Downstream
        } else if r.numeric {
            match r.value.parse::<usize>() {
                Ok(n) if n < r.from_stage => Target::Stage(n),
                Ok(n) if n == r.from_stage => Target::Itself(n),
                Ok(n) if n < stage_count => Target::Later(n),
                Ok(n) => Target::IndexOutOfRange(n),
                Err(_) => Target::IndexOutOfRange(usize::MAX),
            }
        } else {
            by_name(&r.value, r.from_stage).unwrap_or(Target::NotAStage)
        };
        resolved.push(target);
    }

    // FROM <name>: compared as written with earlier stages' lowercased names
    let mut from_refs = Vec::new();
    for stage in &model.stages {
        if stage.base_text.is_empty() {
            continue;
        }
        let target = match stage.base {
            Base::Stage(i) => Some(Target::Stage(i)),
            _ => {
                let lower = lowercase(&stage.base_text);
                named.get(lower.as_ref()).and_then(|indexes| {
                    let at = indexes.partition_point(|&i| i < stage.index);
                    match at.checked_sub(1) {
                        Some(before) => Some(Target::CaseMismatch(indexes[before])),
                        None => indexes.get(at).map(|&i| {
                            if i == stage.index {
                                Target::Itself(i)
                            } else {
                                Target::Later(i)
                            }
                        }),
                    }
                })
            }
        };
        if let Some(target) = target {
            from_refs.push(StageRef {
                kind: RefKind::FromBase,
                value: stage.base_text.clone(),
                range: stage.base_range.clone(),
                from_stage: stage.index,
                target,
                mount_target: None,
                numeric: false,
            });
        }
    }
    drop(named);
    for (r, target) in model.stage_refs.iter_mut().zip(resolved) {
        r.target = target;
    }
    model.stage_refs.extend(from_refs);
    model.stage_refs.sort_by_key(|r| r.range.start);
}

/// Whether BuildKit rejects a `--from`/`from=` value for holding a variable.
fn has_variable(value: &str, kind: RefKind) -> bool {
    match kind {
        // "'from' doesn't support variable expansion": a `$` anywhere but last
        RefKind::MountFrom => value.find('$').is_some_and(|i| i + 1 < value.len()),
        _ => value.contains('$'),
    }
}

/// ASCII-lowercased, without a copy when it is already.
fn lowercase(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}
