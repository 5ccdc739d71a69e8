//! "Extract into a new stage": selected instructions move to a new named
//! stage placed before their stage.
//!
//! - The first instructions of a stage (a prefix): they move to `FROM <base>
//!   AS <name>` and the stage continues `FROM <name>`, so it sees exactly
//!   the filesystem and environment it saw before.
//! - COPY/ADD lines from the build context anywhere in a stage: the paths
//!   they write are known, so the new stage holds them and the stage gets
//!   `COPY --from=<name>` of those paths.
//!
//! Anything else (a RUN after other steps) depends on the state before it
//! and is not offered.

use std::ops::Range;

use super::edit::{comments_above, edit, line_end, line_start, newline};
use super::fixes::free_name;
use super::split::facts::{join, unquote};
use super::{ActionKind, Candidate, Request};
use crate::ide::{Analysis, TextEdit};
use crate::model::{Instruction, Model, RefKind, Stage};

pub(super) fn extract<'a>(
    analysis: &'a Analysis,
    text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    let model = &analysis.model;
    let range = &request.range;
    if range.is_empty() {
        return;
    }
    let Some(stage) = model
        .stages
        .iter()
        .find(|s| s.range.start <= range.start && range.start <= s.range.end)
    else {
        return;
    };
    // the instructions the selection touches, FROM excluded
    let selected: Vec<usize> = stage
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.range.start < range.end && range.start < i.range.end)
        .map(|(k, _)| k)
        .collect();
    let (Some(&first), Some(&last)) = (selected.first(), selected.last()) else {
        return;
    };
    if stage.from.range.end > range.start && stage.from.range.start < range.end {
        return;
    }
    if last + 1 == stage.instructions.len() && first == 0 {
        // the whole stage: nothing would be left
        return;
    }
    let chosen = &stage.instructions[first..=last];
    if chosen
        .iter()
        .any(|i| !i.known || matches!(i.keyword.as_str(), "onbuild" | "from"))
        || model.stage_refs.iter().any(|r| {
            r.from_stage == stage.index
                && chosen
                    .iter()
                    .any(|i| i.range.start <= r.range.start && r.range.end <= i.range.end)
                && r.kind == RefKind::CopyFrom
                && r.numeric
        })
    {
        return;
    }
    let name = free_name(model, &derive_name(chosen), false);
    let edits = if first == 0 {
        rebase(model, stage, text, last, &name)
    } else {
        copy_paths(model, stage, text, first, last, &name)
    };
    let Some(edits) = edits else { return };
    let count = last - first + 1;
    out.push(Candidate {
        id: format!("extract-stage@{}", chosen[0].range.start),
        title: format!(
            "Extract {} into a new stage '{name}'",
            if count == 1 {
                "instruction".to_string()
            } else {
                format!("{count} instructions")
            }
        ),
        kind: ActionKind::RefactorExtract,
        preferred: false,
        fixes: None,
        eager: false,
        edit: Box::new(move || Some(edits)),
    });
}

fn derive_name(chosen: &[Instruction]) -> String {
    let runs = |words: &[&str]| {
        chosen
            .iter()
            .any(|i| i.keyword == "run" && words.iter().any(|w| i.arguments.contains(w)))
    };
    if runs(&[
        "npm ci",
        "npm install",
        "yarn install",
        "pip install",
        "go mod download",
        "apt-get install",
        "apk add",
        "cargo fetch",
        "dependency:go-offline",
        "dotnet restore",
        "bundle install",
        "composer install",
        "pnpm install",
    ]) {
        "deps"
    } else if runs(&["build", "make", "compile", "publish", "package"]) {
        "build"
    } else if chosen
        .iter()
        .all(|i| matches!(i.keyword.as_str(), "copy" | "add"))
    {
        "sources"
    } else {
        "base"
    }
    .to_string()
}

/// Numeric `--from=N` references to stages at or after `from` count one more.
fn shift_numeric(model: &Model, from: usize) -> Vec<TextEdit> {
    model
        .stage_refs
        .iter()
        .filter(|r| r.numeric && r.kind == RefKind::CopyFrom)
        .filter_map(|r| {
            let n: usize = r.value.parse().ok()?;
            (n >= from).then(|| edit(r.range.clone(), (n + 1).to_string()))
        })
        .collect()
}

fn block(text: &str, instruction: &Instruction, floor: usize) -> Range<usize> {
    let start = comments_above(text, instruction.range.start, floor, &[]);
    start..line_end(text, instruction.range.end.saturating_sub(1))
}

/// The first instructions move to a new stage the rest is built FROM.
fn rebase(
    model: &Model,
    stage: &Stage,
    text: &str,
    last: usize,
    name: &str,
) -> Option<Vec<TextEdit>> {
    let nl = newline(text);
    let from_start = line_start(text, stage.from.range.start);
    let from_end = line_end(text, stage.from.range.end.saturating_sub(1));
    let end = block(text, &stage.instructions[last], from_end).end;
    let keyword = &stage.from.keyword_text;
    let lower = keyword.chars().any(|c| c.is_ascii_lowercase());
    let as_word = if lower { "as" } else { "AS" };
    let flags: String = stage
        .from
        .flags
        .iter()
        .map(|f| format!("{} ", &text[f.range.clone()]))
        .collect();
    let mut new = format!("{keyword} {flags}{} {as_word} {name}{nl}", stage.base_text);
    let moved = &text[from_end..end];
    new.push_str(moved);
    if !new.ends_with(['\n', '\r']) {
        new.push_str(nl);
    }
    new.push_str(nl);
    new.push_str(&format!("{keyword} {name}"));
    if let Some(own) = &stage.name {
        new.push_str(&format!(" {as_word} {}", own.text));
    }
    new.push_str(nl);
    // ARGs do not carry over to the next stage: declared again
    for arg in stage.instructions[..=last]
        .iter()
        .filter(|i| i.keyword == "arg")
    {
        new.push_str(&text[arg.range.clone()]);
        new.push_str(nl);
    }
    let mut edits = vec![edit(from_start..end, new)];
    edits.extend(shift_numeric(model, stage.index));
    Some(edits)
}

/// COPY/ADD lines from the context move to a new stage; the stage copies
/// the paths they wrote from it.
fn copy_paths(
    model: &Model,
    stage: &Stage,
    text: &str,
    first: usize,
    last: usize,
    name: &str,
) -> Option<Vec<TextEdit>> {
    let nl = newline(text);
    let chosen = &stage.instructions[first..=last];
    // the working directory each line runs in
    let mut workdir = "/".to_string();
    for i in &stage.instructions[..first] {
        if i.keyword == "workdir" {
            workdir = join(&workdir, &unquote(i.arguments.trim()));
        }
    }
    if workdir.contains('$') {
        return None;
    }
    let mut copies = Vec::new();
    for i in chosen {
        let from_context = matches!(i.keyword.as_str(), "copy" | "add")
            && !i.json_form
            && i.heredocs.is_empty()
            && i.flags
                .iter()
                .all(|f| matches!(f.name.as_str(), "chown" | "chmod" | "link"));
        if !from_context {
            return None;
        }
        let words: Vec<&str> = i.arguments.split_whitespace().collect();
        let dest = *words.last()?;
        if words.len() < 2 || dest.contains('$') {
            return None;
        }
        let absolute = join(&workdir, dest);
        let sources = &words[..words.len() - 1];
        let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
        let absolute = match sources {
            // one file into a directory: that file
            [file]
                if into_dir
                    && !file.ends_with('/')
                    && *file != "."
                    && !file.contains(['*', '?', '[', '$'])
                    && !file.contains("://") =>
            {
                join(&absolute, file.rsplit('/').next().unwrap_or(file))
            }
            _ if into_dir && !absolute.ends_with('/') => format!("{absolute}/"),
            _ => absolute,
        };
        let flags: String = i
            .flags
            .iter()
            .map(|f| format!("{} ", &text[f.range.clone()]))
            .collect();
        copies.push(format!(
            "{} --from={name} {flags}{absolute} {absolute}",
            i.keyword_text
                .chars()
                .next()
                .map_or("COPY", |c| if c.is_ascii_lowercase() {
                    "copy"
                } else {
                    "COPY"
                })
        ));
    }
    copies.dedup();
    let keyword = &stage.from.keyword_text;
    let lower = keyword.chars().any(|c| c.is_ascii_lowercase());
    let as_word = if lower { "as" } else { "AS" };
    // the new stage: the same base, the working directory, the lines
    let floor = line_end(
        text,
        stage.instructions[first - 1].range.end.saturating_sub(1),
    );
    let first_block = block(text, &chosen[0], floor);
    let mut end = first_block.end;
    for i in &chosen[1..] {
        end = block(text, i, end).end;
    }
    let mut new_stage = format!("{keyword} {} {as_word} {name}{nl}", stage.base_text);
    if workdir != "/" {
        let workdir_word = if lower { "workdir" } else { "WORKDIR" };
        new_stage.push_str(&format!("{workdir_word} {workdir}{nl}"));
    }
    new_stage.push_str(&text[first_block.start..end]);
    if !new_stage.ends_with(['\n', '\r']) {
        new_stage.push_str(nl);
    }
    new_stage.push_str(nl);
    let stage_start = super::fixes::stage_block(model, text, stage.index)?.start;
    let mut replacement = copies.join(nl);
    replacement.push_str(nl);
    let mut edits = vec![
        edit(stage_start..stage_start, new_stage),
        edit(first_block.start..end, replacement),
    ];
    edits.extend(shift_numeric(model, stage.index));
    Some(edits)
}
