//! The model of a revision whose edits stayed inside one stage's
//! instructions, made by changing the previous model in place: the
//! instructions over the edits are read anew and spliced in, everything
//! after them is shifted, nothing before them is touched.
//!
//! [`super::build::rebuild`] takes every instruction apart and puts the
//! model together again, which costs a few hundred nanoseconds an
//! instruction: 20 ms a keystroke at 100,000 lines. Most keystrokes change
//! one instruction in the middle of a stage, and none of what spans
//! instructions (stages, their names and bases) moves but by a shift. The
//! rules that say which nodes are the same as before are
//! [`super::build::Old::clean_run`]'s: without syntax errors in either tree
//! and under the same escape character, the nodes after the edits are the
//! old ones from the first one that equals its old self on, and the nodes
//! before them are the old ones but for what the last of them read past
//! its end (those are compared one by one).

use tree_sitter::{InputEdit, Node, Tree};

use super::build::{
    collect_refs, read_instruction, resolve_stage_refs, shape, Changes, Entry, NodeIndex,
};
use super::shift::Shift;
use super::vars::{collect_var_uses, declarations};
use super::{Model, RefKind};
use crate::syntax::{kind, Kind, Source};

/// One instruction read anew, with what the model keeps beside it.
struct Fresh {
    instruction: super::Instruction,
    entry: Entry,
    uses: Vec<super::VarUse>,
    decls: Vec<super::VarDecl>,
}

/// Splices the edited instructions into `model` (and `index`); `false`,
/// and both untouched, when the edits reach beyond one stage's
/// instructions, or where the rules above do not hold.
pub(super) fn splice(
    tree: &Tree,
    source: &(impl Source + ?Sized),
    model: &mut Model,
    index: &mut NodeIndex,
    old_tree: &Tree,
    edits: &[InputEdit],
) -> bool {
    let changes = Changes::new(edits, model.escape, old_tree, tree);
    let Some((lo, hi)) = changes.window.filter(|_| changes.runs) else {
        return false;
    };
    if model.stages.is_empty() || index.entries.len() != entry_count(model) {
        return false;
    }
    let Some(plan) = Plan::find(tree, source, model, index, lo, hi, changes.delta) else {
        return false;
    };
    let taken = (std::mem::take(model), std::mem::take(index));
    (*model, *index) = plan.apply(taken.0, taken.1, changes.delta);
    true
}

fn entry_count(model: &Model) -> usize {
    model.preamble.len()
        + model
            .stages
            .iter()
            .map(|s| 1 + s.instructions.len())
            .sum::<usize>()
}

/// Which old entries give way to which fresh instructions.
struct Plan {
    /// Old entries `replaced` (index positions) are all instructions of
    /// stage `stage`, the first of them its `first`-th instruction.
    stage: usize,
    first: usize,
    replaced: std::ops::Range<usize>,
    fresh: Vec<Fresh>,
}

impl Plan {
    fn find(
        tree: &Tree,
        source: &(impl Source + ?Sized),
        model: &Model,
        index: &NodeIndex,
        lo: usize,
        hi: usize,
        delta: isize,
    ) -> Option<Plan> {
        let entries = &index.entries;
        let root = tree.root_node();
        // the first entry the edits touch (a byte either side counts)
        let touched = entries.partition_point(|e| e.end + 1 < lo);
        // the two before it may have read into the edits: kept when their
        // nodes are still there, equal
        let mut start = touched.saturating_sub(2);
        let mut cursor = root.walk();
        let from = entries.get(start).map_or(0, |e| e.start);
        let mut node = first_named_at_or_after(&mut cursor, root, from)?;
        while start < touched {
            let e = &entries[start];
            if node.start_byte() != e.start || node.end_byte() != e.end || shape(node) != e.shape {
                break;
            }
            start += 1;
            // (the kept ones ending the document: an edit in trailing
            // comments or blank lines, left to the full rebuild)
            node = next_instruction(&mut cursor)?;
        }
        let (stage, first) = stage_of(model, start)?;
        // read anew up to the first node past the edits that equals its
        // old self (or the end of the document)
        let mut fresh = Vec::new();
        let mut end = entries.len();
        let mut current = Some(node);
        while let Some(node) = current {
            current = next_named(&mut cursor);
            match kind(node) {
                Kind::Instruction | Kind::OnbuildInstruction => {}
                Kind::Comment => continue,
                _ => return None,
            }
            if node.start_byte() > hi + 1 {
                let old_start = node.start_byte().wrapping_add_signed(-delta);
                let k = entries.partition_point(|e| e.start < old_start);
                if let Some(e) = entries.get(k).filter(|_| k >= start) {
                    if e.start == old_start
                        && e.end - e.start == node.end_byte() - node.start_byte()
                        && e.shape == shape(node)
                    {
                        end = k;
                        break;
                    }
                }
            }
            let instruction = read_instruction(node, source);
            if instruction.keyword == "from" {
                return None;
            }
            let mut uses = Vec::new();
            collect_var_uses(node, source, Some(stage), &mut uses);
            let decls = declarations(node, &instruction, Some(stage), source);
            let entry = Entry {
                id: node.id(),
                start: node.start_byte(),
                end: node.end_byte(),
                shape: shape(node),
                var_uses: uses.len(),
                decls: decls.len(),
                decls_kept: true,
            };
            fresh.push(Fresh {
                instruction,
                entry,
                uses,
                decls,
            });
        }
        // the replaced entries must all be this stage's instructions
        if end < start || first + (end - start) > model.stages[stage].instructions.len() {
            return None;
        }
        Some(Plan {
            stage,
            first,
            replaced: start..end,
            fresh,
        })
    }

    fn apply(self, mut model: Model, index: NodeIndex, delta: isize) -> (Model, NodeIndex) {
        let Plan {
            stage,
            first,
            replaced,
            fresh,
        } = self;
        let old_entries = index.entries;
        let removed = replaced.len();
        let added = fresh.len();
        // the old bytes of the replaced instructions; what starts after
        // `boundary` moves by `delta`
        let replaced_span = (removed > 0)
            .then(|| old_entries[replaced.start].start..old_entries[replaced.end - 1].end);
        let boundary = old_entries.get(replaced.start).map(|e| e.start);

        let mut fresh_entries = Vec::with_capacity(added);
        let mut fresh_uses = Vec::new();
        let mut fresh_decls = Vec::new();
        let mut fresh_instructions = Vec::with_capacity(added);
        for f in fresh {
            fresh_entries.push(f.entry);
            fresh_uses.extend(f.uses);
            fresh_decls.extend(f.decls);
            fresh_instructions.push(f.instruction);
        }

        // variable uses are in entry order: the replaced entries' run gives
        // way to the fresh ones
        let runs = |range: std::ops::Range<usize>, count: fn(&Entry) -> usize| -> usize {
            old_entries[range].iter().map(count).sum()
        };
        let uses_before = runs(0..replaced.start, |e| e.var_uses);
        let uses_tail = uses_before + runs(replaced.clone(), |e| e.var_uses);
        for u in &mut model.var_uses[uses_tail..] {
            u.shift(delta);
        }
        model.var_uses.splice(uses_before..uses_tail, fresh_uses);

        // the stage's instructions and declarations; later stages move
        let from_entry = replaced.start - (first + 1);
        let decls_before = runs(from_entry..replaced.start, |e| e.decls);
        let decls_tail = decls_before + runs(replaced.clone(), |e| e.decls);
        {
            let s = &mut model.stages[stage];
            for d in &mut s.vars[decls_tail..] {
                d.shift(delta);
            }
            s.vars.splice(decls_before..decls_tail, fresh_decls);
            for i in &mut s.instructions[first + removed..] {
                i.shift(delta);
            }
            s.instructions
                .splice(first..first + removed, fresh_instructions);
            s.range.end = s
                .instructions
                .last()
                .map_or(s.from.range.end, |i| i.range.end);
        }
        for s in &mut model.stages[stage + 1..] {
            s.shift(delta);
        }

        // stage references: the replaced instructions' go, later ones
        // move, the fresh ones' are collected, and all are resolved again
        let mut refs = std::mem::take(&mut model.stage_refs);
        refs.retain(|r| {
            r.kind != RefKind::FromBase
                && !replaced_span
                    .as_ref()
                    .is_some_and(|span| span.contains(&r.range.start))
        });
        for r in &mut refs {
            if boundary.is_some_and(|at| r.range.start >= at) {
                r.range.shift(delta);
            }
        }
        for i in &model.stages[stage].instructions[first..first + added] {
            collect_refs(&mut refs, i, Some(stage), false);
        }
        model.stage_refs = refs;
        resolve_stage_refs(&mut model);

        // the index: kept entries say where they were, fresh ones are new;
        // ids only for the nodes read now (a kept id may name a subtree of
        // a tree that is about to go)
        let total = old_entries.len() - removed + added;
        let mut entries = Vec::with_capacity(total);
        let mut reused = Vec::with_capacity(total);
        for (k, e) in old_entries[..replaced.start].iter().enumerate() {
            entries.push(Entry { id: 0, ..*e });
            reused.push(Some((k, 0)));
        }
        reused.extend(fresh_entries.iter().map(|_| None));
        entries.extend(fresh_entries);
        for (k, e) in old_entries.iter().enumerate().skip(replaced.end) {
            entries.push(Entry {
                id: 0,
                start: e.start.wrapping_add_signed(delta),
                end: e.end.wrapping_add_signed(delta),
                ..*e
            });
            reused.push(Some((k, delta)));
        }
        (model, NodeIndex { entries, reused })
    }
}

/// The stage whose instructions the `k`-th entry starts at (as its
/// `first`-th instruction, or one past its last), when that entry is not
/// in the preamble nor a FROM line.
fn stage_of(model: &Model, k: usize) -> Option<(usize, usize)> {
    let mut from_entry = model.preamble.len();
    for (i, s) in model.stages.iter().enumerate() {
        let after_last = from_entry + 1 + s.instructions.len();
        if k > from_entry && k <= after_last {
            // one past the last: the next stage's FROM, unless this is the
            // last stage; an insertion there still belongs to this stage
            return Some((i, k - from_entry - 1));
        }
        from_entry = after_last;
    }
    None
}

/// The first top-level named node starting at or after `byte`.
fn first_named_at_or_after<'t>(
    cursor: &mut tree_sitter::TreeCursor<'t>,
    root: Node<'t>,
    byte: usize,
) -> Option<Node<'t>> {
    cursor.reset(root);
    let found = cursor.goto_first_child_for_byte(byte).is_some();
    if !found {
        return None;
    }
    loop {
        let node = cursor.node();
        if node.is_named() && node.start_byte() >= byte {
            return Some(node);
        }
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
}

fn next_named<'t>(cursor: &mut tree_sitter::TreeCursor<'t>) -> Option<Node<'t>> {
    while cursor.goto_next_sibling() {
        if cursor.node().is_named() {
            return Some(cursor.node());
        }
    }
    None
}

/// The next top-level named node that is not a comment.
fn next_instruction<'t>(cursor: &mut tree_sitter::TreeCursor<'t>) -> Option<Node<'t>> {
    loop {
        let node = next_named(cursor)?;
        if kind(node) != Kind::Comment {
            return Some(node);
        }
    }
}
