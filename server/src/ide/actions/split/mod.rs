//! "Split into build and runtime stages": a single-stage Dockerfile whose
//! toolchain and artifact we recognise becomes a builder stage (the original
//! FROM with `AS build` and every build step) and a runtime stage on a small
//! base that takes only the artifact (`COPY --from=build`).
//!
//! Recognition (`toolchains.rs`) yields a [`Recipe`]; the rewrite here is the
//! same for every toolchain.

pub(super) mod facts;
mod toolchains;

use std::ops::Range;

use super::edit::{comments_above, diff, line_end, newline};
use super::{ActionKind, Candidate, Request};
use crate::ide::Analysis;
use crate::model::{Instruction, Model, Stage};
use crate::size::Bytes;

pub(crate) use facts::Facts;

/// How one toolchain's build becomes a runtime stage.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recipe {
    /// `go`, `node-spa`, `maven`… (for ids and tests).
    pub toolchain: &'static str,
    /// Runtime bases, the preferred one first.
    pub variants: Vec<Variant>,
    /// Lines added to the builder right after its FROM.
    pub builder_lines: Vec<String>,
    /// Lines at the top of the runtime stage, after its FROM.
    pub runtime_lines: Vec<String>,
    /// `(path in the builder, path in the runtime stage)`.
    pub copies: Vec<(String, String)>,
    /// The command the artifact runs with, exec form: for a CMD that ran
    /// the toolchain, or when there was none.
    pub default_cmd: Vec<String>,
    /// How a word of CMD/ENTRYPOINT naming the artifact is rewritten.
    pub artifact_words: Vec<(String, String)>,
    /// Words ending so are rewritten to the given path (`.jar`).
    pub artifact_suffix: Option<(String, String)>,
    /// CMD/ENTRYPOINT prefixes that run the toolchain (`go run`).
    pub toolchain_runs: Vec<&'static str>,
    /// The runtime's own CMD and EXPOSE replace the app's (nginx).
    pub replaces_command: Option<(Vec<String>, String)>,
    /// The CMD/ENTRYPOINT stay as they are (the runtime has the same
    /// interpreter and paths: Python, Node).
    pub keeps_command: bool,
    /// WORKDIR instructions are repeated in the runtime stage.
    pub copy_workdir: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Variant {
    /// `alpine`, `distroless`, `scratch`, `slim`, `jre`…
    pub id: &'static str,
    /// Said in the title of the alternatives.
    pub label: Option<String>,
    pub image: String,
    /// Whether the image has `/bin/sh` (shell-form commands need it).
    pub has_shell: bool,
    /// Extra copies for this base (CA certificates on scratch).
    pub extra_copies: Vec<(String, String)>,
}

pub(crate) fn split<'a>(
    analysis: &'a Analysis,
    text: &'a str,
    request: &Request<'a>,
    for_title: bool,
    out: &mut Vec<Candidate<'a>>,
) {
    let model = &analysis.model;
    let [stage] = model.stages.as_slice() else {
        return;
    };
    if !model.stage_refs.is_empty()
        || request.range.start > stage.range.end.max(text.len())
        || analysis.tree.root_node().has_error()
    {
        return;
    }
    let facts = Facts::read(model, stage, text);
    let Some(recipe) = toolchains::recognize(&facts, request) else {
        return;
    };
    let before = for_title
        .then_some(request.estimate)
        .flatten()
        .and_then(|estimate| estimate(text));
    for (i, variant) in recipe.variants.iter().enumerate() {
        let Some(new_text) = rewrite(model, stage, text, &recipe, variant) else {
            continue;
        };
        let after = for_title
            .then_some(request.estimate)
            .flatten()
            .and_then(|estimate| estimate(&new_text));
        let mut title = "Split into build and runtime stages".to_string();
        if let Some(label) = variant.label.as_ref().filter(|_| i > 0) {
            title.push_str(&format!(", runtime on {label}"));
        }
        if let (Some(before), Some(after)) = (before, after) {
            title.push_str(&format!(
                " (≈ {} → ≈ {})",
                format_size(before),
                format_size(after)
            ));
        }
        out.push(Candidate {
            id: format!("split.{}.{}", recipe.toolchain, variant.id),
            title,
            kind: ActionKind::RefactorRewrite,
            preferred: false,
            fixes: None,
            eager: false,
            edit: Box::new(move || Some(vec![diff(text, &new_text)])),
        });
    }
}

/// Sizes in decimal megabytes: one decimal below 10 MB, whole megabytes up
/// to 1000 MB, then gigabytes with one decimal. The best guess is shown.
pub fn format_size(bytes: Bytes) -> String {
    let mb = bytes.best as f64 / 1e6;
    if mb >= 999.5 {
        format!("{:.1} GB", mb / 1000.0)
    } else if mb >= 9.95 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// Where an instruction goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Stays in the builder only.
    Keep,
    /// Stays in the builder and is repeated in the runtime stage.
    Both,
    /// Moves to the runtime stage.
    Move,
    /// Leaves the builder, replaced in the runtime stage (its comments move).
    Drop,
}

/// An instruction with the comment lines right above it.
struct Item<'m> {
    instruction: &'m Instruction,
    /// From the first comment line to after the instruction's last line.
    block: Range<usize>,
    /// Where the instruction itself starts (its line).
    line: usize,
}

fn items<'m>(model: &Model, stage: &'m Stage, text: &str) -> Vec<Item<'m>> {
    let keep_out: Vec<Range<usize>> = model.directives.iter().map(|d| d.range.clone()).collect();
    let mut floor = line_end(text, stage.from.range.end.saturating_sub(1));
    let mut out = Vec::new();
    for instruction in &stage.instructions {
        let start = comments_above(text, instruction.range.start, floor, &keep_out);
        let end = line_end(text, instruction.range.end.saturating_sub(1));
        out.push(Item {
            instruction,
            block: start..end,
            line: super::edit::line_start(text, instruction.range.start),
        });
        floor = end;
    }
    out
}

fn fate(recipe: &Recipe, items: &[Item<'_>], i: usize) -> Fate {
    let instruction = items[i].instruction;
    let spa = recipe.replaces_command.is_some();
    let builds_after = || {
        items[i + 1..]
            .iter()
            .any(|it| matches!(it.instruction.keyword.as_str(), "run" | "copy" | "add"))
    };
    match instruction.keyword.as_str() {
        "env" => Fate::Both,
        "workdir" if recipe.copy_workdir => Fate::Both,
        "user" if spa => Fate::Keep,
        "user" if builds_after() => Fate::Both,
        "user" => Fate::Move,
        "cmd" | "entrypoint" | "expose" if spa => Fate::Drop,
        "healthcheck" if spa => Fate::Keep,
        "label" | "expose" | "volume" | "healthcheck" | "stopsignal" | "cmd" | "entrypoint" => {
            Fate::Move
        }
        _ => Fate::Keep,
    }
}

/// The whole new text for one runtime base; `None` when the command cannot
/// be carried over to it.
fn rewrite(
    model: &Model,
    stage: &Stage,
    text: &str,
    recipe: &Recipe,
    variant: &Variant,
) -> Option<String> {
    let nl = newline(text);
    let items = items(model, stage, text);
    let fates: Vec<Fate> = (0..items.len()).map(|i| fate(recipe, &items, i)).collect();
    let builder_name = stage
        .name
        .as_ref()
        .map_or_else(|| "build".to_string(), |n| n.lowercase.clone());

    // the builder: the original text, named, minus what moves
    let mut builder = String::with_capacity(text.len() + 64);
    let from_end = line_end(text, stage.from.range.end.saturating_sub(1));
    if stage.name.is_none() {
        let lower = stage
            .from
            .keyword_text
            .chars()
            .any(|c| c.is_ascii_lowercase());
        builder.push_str(&text[..stage.base_range.end]);
        builder.push_str(if lower { " as " } else { " AS " });
        builder.push_str(&builder_name);
        builder.push_str(&text[stage.base_range.end..from_end]);
    } else {
        builder.push_str(&text[..from_end]);
    }
    if !builder.ends_with(['\n', '\r']) {
        builder.push_str(nl);
    }
    for line in &recipe.builder_lines {
        builder.push_str(line);
        builder.push_str(nl);
    }
    let mut at = from_end;
    for (item, fate) in items.iter().zip(&fates) {
        if matches!(fate, Fate::Move | Fate::Drop) {
            builder.push_str(&text[at..item.block.start]);
            at = item.block.end;
            // no double blank line where the block was
            if builder.ends_with(&format!("{nl}{nl}")) && text[at..].starts_with(nl) {
                at += nl.len();
            }
        }
    }
    builder.push_str(&text[at..]);
    let trimmed = builder.trim_end_matches(['\n', '\r', ' ', '\t']).len();
    builder.truncate(trimmed);
    builder.push_str(nl);

    // the runtime stage
    let mut runtime: Vec<String> = Vec::new();
    let platform = stage
        .from
        .flags
        .iter()
        .find(|f| {
            f.name == "platform"
                && f.value
                    .as_deref()
                    .is_some_and(|v| !v.contains("BUILDPLATFORM"))
        })
        .map(|f| format!("--platform={} ", f.value.as_deref().unwrap_or_default()))
        .unwrap_or_default();
    let from_word = &stage.from.keyword_text;
    runtime.push(format!("{from_word} {platform}{}", variant.image));
    runtime.extend(recipe.runtime_lines.iter().cloned());
    let mut copies: Vec<String> = recipe
        .copies
        .iter()
        .chain(&variant.extra_copies)
        .map(|(from, to)| format!("COPY --from={builder_name} {from} {to}"))
        .collect();
    // a user the builder created (`useradd app`, then `USER app`) does not
    // exist in the runtime base: its account files come along
    let named_user = items.iter().zip(&fates).any(|(item, fate)| {
        let user = item
            .instruction
            .arguments
            .split(':')
            .next()
            .unwrap_or_default()
            .trim();
        item.instruction.keyword == "user"
            && matches!(fate, Fate::Both | Fate::Move)
            && !user.is_empty()
            && !user.bytes().all(|b| b.is_ascii_digit())
            && !matches!(user, "root" | "nonroot")
    });
    if named_user && !recipe.keeps_command {
        copies.push(format!(
            "COPY --from={builder_name} /etc/passwd /etc/group /etc/"
        ));
    }
    let mut has_command = false;
    let mut dropped_comments = String::new();
    let mut dropped_expose_comments = String::new();
    let stage_args: Vec<&Instruction> = items
        .iter()
        .map(|it| it.instruction)
        .filter(|i| i.keyword == "arg")
        .collect();
    let mut args_copied: Vec<usize> = Vec::new();
    for (item, fate) in items.iter().zip(&fates) {
        let block = &text[item.block.clone()];
        let block = block.trim_end_matches(['\n', '\r']);
        match fate {
            Fate::Keep => continue,
            Fate::Drop => {
                let comments = &text[item.block.start..item.line];
                if item.instruction.keyword == "expose" {
                    dropped_expose_comments.push_str(comments);
                } else {
                    dropped_comments.push_str(comments);
                }
                continue;
            }
            Fate::Move if !copies.is_empty() => runtime.append(&mut copies),
            _ => {}
        }
        // an ARG of the stage that this instruction uses comes along
        for (k, arg) in stage_args.iter().enumerate() {
            if arg.range.start < item.instruction.range.start
                && !args_copied.contains(&k)
                && uses_any(block, &arg.arguments)
            {
                args_copied.push(k);
                runtime.push(text[arg.range.clone()].to_string());
            }
        }
        let keyword = item.instruction.keyword.as_str();
        if matches!(keyword, "cmd" | "entrypoint") {
            has_command = true;
            let comments = &text[item.block.start..item.line];
            let command = command(text, item.instruction, recipe, variant)?;
            runtime.push(format!("{comments}{command}").trim_end().to_string());
        } else {
            runtime.push(block.to_string());
        }
    }
    runtime.append(&mut copies);
    if let Some((cmd, expose)) = &recipe.replaces_command {
        // the comments of what they replace stay above them
        if !dropped_expose_comments.is_empty() {
            runtime.push(dropped_expose_comments.trim_end().to_string());
        }
        runtime.push(format!("EXPOSE {expose}"));
        if !dropped_comments.is_empty() {
            runtime.push(dropped_comments.trim_end().to_string());
        }
        runtime.push(format!("CMD {}", exec_form(cmd)));
    } else if !has_command && !recipe.keeps_command {
        if recipe.default_cmd.is_empty() {
            return None;
        }
        runtime.push(format!("CMD {}", exec_form(&recipe.default_cmd)));
    }
    let mut out = builder;
    out.push_str(nl);
    for piece in runtime {
        out.push_str(&piece.replace('\n', nl).replace("\r\r", "\r"));
        out.push_str(nl);
    }
    Some(out)
}

/// Whether `text` uses one of the variables an ARG declares.
fn uses_any(text: &str, declaration: &str) -> bool {
    declaration.split_whitespace().any(|word| {
        let name = word.split('=').next().unwrap_or_default();
        !name.is_empty()
            && (text.contains(&format!("${name}")) || text.contains(&format!("${{{name}")))
    })
}

/// `["a", "b"]`.
fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// A CMD or ENTRYPOINT carried to the runtime stage: the artifact's new
/// path, or the default command where it ran the toolchain. `None` when it
/// runs something we cannot place in the runtime stage.
fn command(
    text: &str,
    instruction: &Instruction,
    recipe: &Recipe,
    variant: &Variant,
) -> Option<String> {
    let original = &text[instruction.range.clone()];
    if recipe.keeps_command {
        if !instruction.json_form && !variant.has_shell {
            return None;
        }
        return Some(original.to_string());
    }
    let keyword = &instruction.keyword_text;
    let flags: String = instruction
        .flags
        .iter()
        .map(|f| format!("{} ", &text[f.range.clone()]))
        .collect();
    let words: Vec<String> = if instruction.json_form {
        serde_json::from_str::<Vec<String>>(&instruction.arguments).ok()?
    } else {
        instruction
            .arguments
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let joined = words.join(" ");
    if recipe
        .toolchain_runs
        .iter()
        .any(|run| joined == *run || joined.starts_with(&format!("{run} ")))
    {
        if recipe.default_cmd.is_empty() {
            return None;
        }
        return Some(format!(
            "{keyword} {flags}{}",
            exec_form(&recipe.default_cmd)
        ));
    }
    let mut changed = false;
    // tokens inside a word too (`sh -c "java -jar target/app.jar"`)
    let mut token = |t: &str| -> String {
        let bare = t.trim_matches(['"', '\'']);
        if let Some((_, to)) = recipe.artifact_words.iter().find(|(from, _)| from == bare) {
            changed = true;
            return to.clone();
        }
        if let Some((suffix, to)) = &recipe.artifact_suffix {
            if bare.ends_with(suffix.as_str()) {
                changed = true;
                return to.clone();
            }
        }
        t.to_string()
    };
    let rewritten: Vec<String> = words
        .iter()
        .map(|w| w.split(' ').map(&mut token).collect::<Vec<_>>().join(" "))
        .collect();
    // an ENTRYPOINT's CMD may hold only arguments: those stay
    if !changed {
        return (instruction.keyword == "cmd" && arguments_only(&words))
            .then(|| original.to_string());
    }
    if instruction.json_form {
        return Some(format!("{keyword} {flags}{}", exec_form(&rewritten)));
    }
    let plain = rewritten.iter().all(|w| {
        !w.is_empty()
            && !w.contains([
                '$', '"', '\'', '&', '|', ';', '<', '>', '*', '`', '(', ')', '\\',
            ])
    });
    if !variant.has_shell || plain {
        // without a shell the command must be exec form
        if !plain {
            return None;
        }
        return Some(format!("{keyword} {flags}{}", exec_form(&rewritten)));
    }
    Some(format!("{keyword} {flags}{}", rewritten.join(" ")))
}

/// Arguments for an ENTRYPOINT: flags and values, no program.
fn arguments_only(words: &[String]) -> bool {
    words.first().is_some_and(|w| w.starts_with('-'))
}
