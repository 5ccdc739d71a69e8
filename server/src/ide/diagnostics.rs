//! Diagnostics: stage references resolved as BuildKit resolves them, stage
//! names, BuildKit's parse-time errors and build checks, in BuildKit's words.

use std::sync::Mutex;

use tree_sitter::{Node, Tree};

use super::flags::{check_flags, go_bool, suggest};
use super::images::{is_clearly_an_image, pulled_reference};
use crate::model::{
    is_valid_stage_name, levenshtein, Model, RefKind, Span, Stage, StageRef, Target, INSTRUCTIONS,
};
use crate::syntax::{logical_text, Source};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub range: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Span,
    pub severity: Severity,
    /// BuildKit's rule name where one exists, else our kebab-case code.
    pub code: String,
    pub message: String,
    /// Documentation of a BuildKit build check.
    pub url: Option<String>,
    pub related: Vec<Related>,
    /// Code that does nothing (shown faded).
    pub unnecessary: bool,
}

/// What the user configured (`dockerfile-ls.*` settings, `check` flags).
#[derive(Debug, Clone, Default)]
pub struct DiagnosticSettings {
    /// Codes switched off.
    pub disabled: Vec<String>,
    /// Per-code severity overrides.
    pub severity: Vec<(String, Severity)>,
    /// Named build contexts (`--build-context NAME=…`): not flagged.
    pub build_contexts: Vec<String>,
    /// The stage built (`--target`); the last stage otherwise.
    pub target: Option<String>,
}

/// BuildKit build checks with a documentation page.
const BUILD_CHECKS: &[(&str, &str)] = &[
    ("StageNameCasing", "stage-name-casing"),
    ("FromAsCasing", "from-as-casing"),
    ("NoEmptyContinuation", "no-empty-continuation"),
    ("DuplicateStageName", "duplicate-stage-name"),
    ("ReservedStageName", "reserved-stage-name"),
    ("MaintainerDeprecated", "maintainer-deprecated"),
];

fn diagnostic(
    range: Span,
    severity: Severity,
    code: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let url = BUILD_CHECKS
        .iter()
        .find(|(rule, _)| *rule == code)
        .map(|(_, slug)| format!("https://docs.docker.com/go/dockerfile/rule/{slug}/"));
    Diagnostic {
        range,
        severity,
        code: code.to_string(),
        message: message.into(),
        url,
        related: Vec::new(),
        unnecessary: false,
    }
}

/// All diagnostics of a document, in document order.
pub fn diagnostics(
    tree: &Tree,
    model: &Model,
    source: &(impl Source + ?Sized),
    settings: &DiagnosticSettings,
) -> Vec<Diagnostic> {
    let per_node = node_diagnostics(tree, model, source, None, None);
    diagnostics_with(tree, model, source, settings, &per_node)
}

/// The diagnostics of each top-level instruction on its own (its syntax
/// and BuildKit's checks of it, before settings apply), in the order of
/// the model's instructions. They depend on the instruction's text and on
/// whether labs flags are on, nothing else, so a revision takes over those
/// of the instructions it took over from the previous one.
#[derive(Debug, Default)]
pub struct NodeDiagnostics {
    labs: bool,
    /// By instruction (its place among the top-level instructions), only
    /// those with any: most have none, and an empty list per instruction
    /// was a tenth of a megabyte at 10,000 lines.
    items: Vec<(usize, Vec<Diagnostic>)>,
    /// Did-you-mean lookups of unknown stage names, kept while the stage
    /// names stay the same (a keystroke rarely changes them).
    suggestions: StageSuggestions,
}

/// For each unknown name looked up, the named stages within edit distance
/// 2 of it, as (distance, stage index), for the stage names they were
/// computed against. Comparing every unknown reference with every stage
/// on every keystroke is quadratic: 2,500 stages and 250 typos cost
/// 200 ms.
#[derive(Debug, Default)]
struct StageSuggestions {
    names: Vec<Option<String>>,
    found: Mutex<crate::model::FastMap<String, Vec<(usize, usize)>>>,
}

impl StageSuggestions {
    fn of(model: &Model, previous: Option<StageSuggestions>) -> StageSuggestions {
        let same = previous.as_ref().is_some_and(|p| {
            p.names.len() == model.stages.len()
                && p.names.iter().zip(&model.stages).all(|(name, s)| {
                    name.as_deref() == s.name.as_ref().map(|n| n.lowercase.as_str())
                })
        });
        match previous {
            Some(previous) if same => previous,
            _ => StageSuggestions {
                names: model
                    .stages
                    .iter()
                    .map(|s| s.name.as_ref().map(|n| n.lowercase.clone()))
                    .collect(),
                found: Mutex::default(),
            },
        }
    }

    /// The named stages within distance 2 of `lower`, closest first.
    fn near(&self, lower: &str) -> Vec<(usize, usize)> {
        let lookup = || {
            let length = lower.chars().count();
            let mut near: Vec<(usize, usize)> = self
                .names
                .iter()
                .enumerate()
                .filter_map(|(index, name)| {
                    let name = name.as_deref()?;
                    // lengths further apart than 2 are further apart than 2
                    if name.len().abs_diff(lower.len()) > 8
                        || name.chars().count().abs_diff(length) > 2
                    {
                        return None;
                    }
                    let distance = levenshtein(name, lower);
                    (distance <= 2).then_some((distance, index))
                })
                .collect();
            near.sort_unstable();
            near
        };
        let Ok(mut found) = self.found.lock() else {
            return lookup();
        };
        found
            .entry(lower.to_string())
            .or_insert_with(lookup)
            .clone()
    }
}

/// Works out [`NodeDiagnostics`], taking over from `previous` (of the
/// revision `index` was rebuilt from) what still holds.
pub fn node_diagnostics(
    tree: &Tree,
    model: &Model,
    source: &(impl Source + ?Sized),
    index: Option<&crate::model::NodeIndex>,
    previous: Option<NodeDiagnostics>,
) -> NodeDiagnostics {
    let labs = labs_enabled(model);
    let mut previous = previous;
    let suggestions = StageSuggestions::of(
        model,
        previous
            .as_mut()
            .map(|p| std::mem::take(&mut p.suggestions)),
    );
    let instructions: Vec<&crate::model::Instruction> = model.instructions().collect();
    let index = index.filter(|index| index.len() == instructions.len());
    let mut previous = previous.filter(|p| p.labs == labs);
    let root = tree.root_node();
    // nothing to take over: one walk finds every node
    let nodes: Vec<Node<'_>> = if previous.is_none() {
        let mut cursor = root.walk();
        let nodes: Vec<Node<'_>> = root
            .named_children(&mut cursor)
            .filter(|n| crate::syntax::kind(*n).is_instruction())
            .collect();
        nodes
    } else {
        Vec::new()
    };
    let nodes = (nodes.len() == instructions.len()).then_some(nodes);
    let mut items = Vec::new();
    for (i, instruction) in instructions.into_iter().enumerate() {
        let reused = index
            .and_then(|index| index.reused(i))
            .and_then(|(k, delta)| {
                let before = &mut previous.as_mut()?.items;
                let mut taken = match before.binary_search_by_key(&k, |(at, _)| *at) {
                    Ok(found) => std::mem::take(&mut before[found].1),
                    Err(_) => Vec::new(),
                };
                for d in &mut taken {
                    shift(&mut d.range, delta);
                    for related in &mut d.related {
                        shift(&mut related.range, delta);
                    }
                }
                Some(taken)
            });
        if let Some(reused) = reused {
            if !reused.is_empty() {
                items.push((i, reused));
            }
            continue;
        }
        let mut out = Vec::new();
        let node = match &nodes {
            Some(nodes) => Some(nodes[i]),
            None => top_level_node(root, &instruction.range),
        };
        if let Some(node) = node {
            key_value_form(node, source, &mut out);
        }
        check_instruction(instruction, labs, false, source, &mut out);
        if !out.is_empty() {
            items.push((i, out));
        }
    }
    items.shrink_to_fit();
    NodeDiagnostics {
        labs,
        items,
        suggestions,
    }
}

fn shift(range: &mut Span, delta: isize) {
    range.start = range.start.wrapping_add_signed(delta);
    range.end = range.end.wrapping_add_signed(delta);
}

/// The top-level instruction node over `range`.
fn top_level_node<'t>(root: Node<'t>, range: &Span) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.start + 1)?;
    loop {
        let parent = node.parent()?;
        if parent.id() == root.id() {
            break;
        }
        node = parent;
    }
    if node.byte_range() == *range {
        return Some(node);
    }
    // a zero-width node in the way: look the hard way
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .find(|n| n.byte_range() == *range);
    found
}

/// All diagnostics, with the per-instruction ones given.
pub fn diagnostics_with(
    tree: &Tree,
    model: &Model,
    source: &(impl Source + ?Sized),
    settings: &DiagnosticSettings,
    per_node: &NodeDiagnostics,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let root = tree.root_node();
    syntax_errors(root, source, &mut out);
    no_build_stage(model, &mut out);
    for (_, items) in &per_node.items {
        out.extend(items.iter().cloned());
    }
    directives(model, &mut out);
    stage_names(model, &mut out);
    for r in &model.stage_refs {
        stage_reference(model, r, settings, &per_node.suggestions, &mut out);
    }
    unused_stages(model, settings, &mut out);
    apply_settings(model, root, source, settings, &mut out);
    out.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(a.severity.cmp(&b.severity))
    });
    out
}

/// BuildKit's check configuration (`linter.ParseLintOptions`).
#[derive(Debug, Default)]
struct CheckConfig {
    skip: Vec<String>,
    skip_all: bool,
    error: bool,
}

/// Reads a `check` value as BuildKit does: only the text up to the first
/// space counts, split on `;` into at most three `key=value` parts.
fn parse_check(value: &str) -> Result<CheckConfig, String> {
    let value = value.split_whitespace().next().unwrap_or_default();
    let mut config = CheckConfig::default();
    if value.is_empty() {
        return Ok(config);
    }
    for part in value.splitn(3, ';') {
        let Some((key, v)) = part.split_once('=') else {
            return Err(format!("invalid check option {}", go_quote(part)));
        };
        match key.trim() {
            "skip" => {
                let v = v.trim();
                if v == "all" {
                    config.skip_all = true;
                } else {
                    config.skip = v.split(',').map(|r| r.trim().to_string()).collect();
                }
            }
            // experimental rules: none of ours is experimental
            "experimental" => {}
            "error" => match go_bool(v.trim()) {
                Some(flag) => config.error = flag,
                None => {
                    return Err(format!(
                        "failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax",
                        go_quote(part),
                        go_quote(v.trim())
                    ))
                }
            },
            other => return Err(format!("invalid check option {}", go_quote(other))),
        }
    }
    Ok(config)
}

fn is_build_check(code: &str) -> bool {
    BUILD_CHECKS.iter().any(|(rule, _)| *rule == code)
}

/// The `# check=…` comment in the comment block right above each top-level
/// instruction (BuildKit 1.21): it applies to that instruction alone. The
/// block is the run of comment lines before the instruction; an empty `#`
/// line clears it, blank lines do not (BuildKit's parser skips them).
fn instruction_checks(root: Node<'_>, source: &(impl Source + ?Sized)) -> Vec<(Span, CheckConfig)> {
    let mut found = Vec::new();
    let mut block_check: Option<String> = None;
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        match node.kind() {
            "comment" => {
                let text = source.slice(node.byte_range());
                let body = text.trim_start().trim_start_matches('#').trim();
                if body.is_empty() {
                    block_check = None;
                } else if block_check.is_none() {
                    // only the first `check=` comment of a block counts
                    if let Some(value) = body.strip_prefix("check=") {
                        block_check = Some(value.to_string());
                    }
                }
            }
            kind if kind.ends_with("_instruction") => {
                if let Some(value) = block_check.take() {
                    if let Ok(config) = parse_check(&value) {
                        found.push((node.byte_range(), config));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn apply_settings(
    model: &Model,
    root: Node<'_>,
    source: &(impl Source + ?Sized),
    settings: &DiagnosticSettings,
    out: &mut Vec<Diagnostic>,
) {
    out.retain(|d| !settings.disabled.iter().any(|code| code == &d.code));
    // `# check=skip=Rule1,Rule2;error=true`, for the whole file
    let directive = model.directives.iter().find(|d| d.name == "check");
    let file_check = match directive.map(|d| (d, parse_check(&d.value))) {
        Some((_, Ok(config))) => Some(config),
        Some((d, Err(message))) => {
            out.push(diagnostic(
                d.value_range.clone(),
                Severity::Error,
                "invalid-check-directive",
                format!("failed to parse check options: {message}"),
            ));
            None
        }
        None => None,
    };
    // the comments above each instruction matter to build checks only
    let per_instruction = if out.iter().any(|d| is_build_check(&d.code)) {
        instruction_checks(root, source)
    } else {
        Vec::new()
    };
    let skips = |config: &CheckConfig, code: &str| {
        config.skip_all || config.skip.iter().any(|rule| rule == code)
    };
    out.retain(|d| {
        if !is_build_check(&d.code) {
            return true;
        }
        let file_skip = file_check.as_ref().is_some_and(|c| skips(c, &d.code));
        let local_skip = per_instruction
            .iter()
            .any(|(range, c)| range.contains(&d.range.start) && skips(c, &d.code));
        !file_skip && !local_skip
    });
    for d in out.iter_mut().filter(|d| is_build_check(&d.code)) {
        // `error=true` fails the build on any check: show them as errors
        let local_error = per_instruction
            .iter()
            .any(|(range, c)| range.contains(&d.range.start) && c.error);
        if local_error || file_check.as_ref().is_some_and(|c| c.error) {
            d.severity = Severity::Error;
        }
    }
    for d in out.iter_mut() {
        if let Some((_, severity)) = settings.severity.iter().find(|(code, _)| *code == d.code) {
            d.severity = *severity;
        }
    }
}

/// Go's `%q` of a string: BuildKit quotes names and words this way.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// syntax

/// ERROR and MISSING nodes, told in BuildKit's words. The grammar is lenient,
/// so these are rare: a word it cannot place inside an instruction.
fn syntax_errors(root: Node<'_>, source: &(impl Source + ?Sized), out: &mut Vec<Diagnostic>) {
    if !root.has_error() {
        return;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_missing() || node.is_error() {
            if let Some((range, message)) = syntax_message(node, source) {
                out.push(diagnostic(range, Severity::Error, "syntax-error", message));
            }
        } else if node.has_error() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
    }
}

fn syntax_message(node: Node<'_>, source: &(impl Source + ?Sized)) -> Option<(Span, String)> {
    let range = node.byte_range();
    // blank names and empty mount fields are reported with BuildKit's own
    // messages by the key=value and --mount checks
    let mut ancestor = node.parent();
    while let Some(a) = ancestor {
        let blank_name = matches!(a.kind(), "variable" | "label_key") && a.byte_range().is_empty();
        if a.kind() == "mount_flag" || blank_name {
            return None;
        }
        ancestor = a.parent();
    }
    if node.is_missing() {
        let message = match node.kind() {
            "}" => "syntax error: missing '}'".to_string(),
            kind => format!("syntax error: missing '{kind}'"),
        };
        return Some((range, message));
    }
    let text = source.slice(range.clone()).into_owned();
    if text.contains("${") && !text.contains('}') {
        return Some((range, "syntax error: missing '}'".to_string()));
    }
    // a word glued to a flag (`--=x`, `---`, `--mount=a,=b`): the flag word
    // as BuildKit's bflag reads it
    let flag = node.prev_sibling().and_then(|previous| {
        // the ERROR may sit after the whole instruction: its last flag
        let candidate = if previous.kind().ends_with("_instruction") {
            previous.child(previous.child_count().checked_sub(1)?)?
        } else {
            previous
        };
        (matches!(candidate.kind(), "flag" | "mount_flag") && candidate.end_byte() == range.start)
            .then_some(candidate)
    });
    if let Some(flag) = flag {
        let flag_text = source.slice(flag.byte_range()).into_owned();
        let glued = text.split_whitespace().next().unwrap_or_default();
        let word = format!("{flag_text}{glued}");
        let word_range = flag.start_byte()..range.start + glued.len();
        if flag.kind() == "mount_flag" {
            let field = word.rsplit(',').next().unwrap_or_default();
            if field.starts_with('=') {
                return Some((
                    range.start..range.start + glued.len(),
                    format!("unexpected key '' in '{field}'"),
                ));
            }
        }
        let name = word
            .split('=')
            .next()
            .unwrap_or_default()
            .trim_start_matches("--");
        return Some((word_range, format!("unknown flag: --{name}")));
    }
    let shown: String = text.trim().chars().take(40).collect();
    Some((range, format!("syntax error: unexpected '{shown}'")))
}

/// ENV and LABEL as BuildKit's parser reads them (`parseNameVal`): the
/// legacy `KEY value` form needs a value, the `k=v` form needs `=` in every
/// word; ENV, LABEL and ARG names can not be blank, and their quotes must
/// close (the builder expands these words).
fn key_value_form(node: Node<'_>, source: &(impl Source + ?Sized), out: &mut Vec<Diagnostic>) {
    {
        let node = match node.child_by_field_name("trigger") {
            Some(trigger) if node.kind() == "onbuild_instruction" => trigger,
            _ => node,
        };
        let (command, item_kind, name_field) = match node.kind() {
            "env_instruction" => ("ENV", "env_pair", "name"),
            "label_instruction" => ("LABEL", "label_pair", "key"),
            "arg_instruction" => ("ARG", "arg_declaration", "name"),
            _ => return,
        };
        let mut items_cursor = node.walk();
        let items: Vec<Node<'_>> = node
            .named_children(&mut items_cursor)
            .filter(|n| n.kind() == item_kind)
            .collect();
        let has_equals = |item: &Node<'_>| {
            let mut c = item.walk();
            let found = item.children(&mut c).any(|n| n.kind() == "=");
            found
        };
        for item in &items {
            let blank = item
                .child_by_field_name(name_field)
                .is_none_or(|n| n.byte_range().is_empty());
            if blank {
                out.push(diagnostic(
                    item.byte_range(),
                    Severity::Error,
                    "blank-name",
                    format!("{command} names can not be blank"),
                ));
            }
            unterminated_quotes(*item, out);
        }
        if command == "ARG" {
            return;
        }
        let Some(first) = items.first() else { return };
        if !has_equals(first) {
            if first.child_by_field_name("value").is_none() {
                out.push(diagnostic(
                    first.byte_range(),
                    Severity::Error,
                    "missing-arguments",
                    format!("{command} must have two arguments"),
                ));
            }
            return;
        }
        for item in items.iter().skip(1).filter(|i| !has_equals(i)) {
            let word = logical_text(*item, source);
            out.push(diagnostic(
                item.byte_range(),
                Severity::Error,
                "missing-equals",
                format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    go_quote(&word)
                ),
            ));
        }
    }
}

/// A quote left open in a builder-expanded word: BuildKit's shell lexer
/// fails on it when it expands the word.
fn unterminated_quotes(node: Node<'_>, out: &mut Vec<Diagnostic>) {
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        let (quote, which) = match current.kind() {
            "double_quoted_string" => ("\"", "double"),
            "single_quoted_string" => ("'", "single"),
            _ => {
                let mut cursor = current.walk();
                stack.extend(current.named_children(&mut cursor));
                continue;
            }
        };
        let mut cursor = current.walk();
        let quotes = current
            .children(&mut cursor)
            .filter(|c| c.kind() == quote && !c.is_missing() && !c.byte_range().is_empty())
            .count();
        if quotes < 2 && !current.byte_range().is_empty() {
            out.push(diagnostic(
                current.byte_range(),
                Severity::Error,
                "unterminated-quote",
                format!("unexpected end of statement while looking for matching {which}-quote"),
            ));
        } else {
            let mut cursor = current.walk();
            stack.extend(current.named_children(&mut cursor));
        }
    }
}

fn directives(model: &Model, out: &mut Vec<Diagnostic>) {
    for (i, directive) in model.directives.iter().enumerate() {
        if let Some(first) = model.directives[..i]
            .iter()
            .find(|d| d.name == directive.name)
        {
            let mut d = diagnostic(
                directive.range.clone(),
                Severity::Error,
                "duplicate-directive",
                format!("only one {} parser directive can be used", directive.name),
            );
            d.related.push(Related {
                range: first.range.clone(),
                message: "first defined here".into(),
            });
            out.push(d);
            // BuildKit stops at the duplicate: its value is never read
            continue;
        }
        if directive.name == "escape" && directive.value != "`" && directive.value != "\\" {
            out.push(diagnostic(
                directive.value_range.clone(),
                Severity::Error,
                "invalid-escape",
                format!(
                    "invalid escape token '{}' does not match ` or \\\\",
                    directive.value
                ),
            ));
        }
    }
}

fn labs_enabled(model: &Model) -> bool {
    model.directives.iter().any(|d| {
        let frontend = d.value.split_whitespace().next().unwrap_or_default();
        // `docker/dockerfile:1-labs`, also pinned: `…:1.7-labs@sha256:…`
        let frontend = frontend.split('@').next().unwrap_or_default();
        d.name == "syntax" && frontend.ends_with("-labs")
    })
}

fn no_build_stage(model: &Model, out: &mut Vec<Diagnostic>) {
    for instruction in &model.preamble {
        if instruction.known && instruction.keyword != "arg" {
            out.push(diagnostic(
                instruction.keyword_range.clone(),
                Severity::Error,
                "no-build-stage",
                "no build stage in current context",
            ));
        }
    }
}

/// BuildKit's `parseBuildStageName`: `FROM image` or `FROM image AS name`,
/// split on whitespace; `FROM image AS` (a name left out) has two.
fn from_arity_ok(args: &str) -> bool {
    let words: Vec<&str> = args.split_whitespace().collect();
    match words.as_slice() {
        [_] => true,
        [_, as_word, _] => as_word.eq_ignore_ascii_case("as"),
        _ => false,
    }
}

/// The elements of a JSON-form argument list, as BuildKit's `parseJSON`
/// reads it: `None` when the text is no valid JSON array (BuildKit then
/// falls back to the shell or whitespace form).
fn json_elements(args: &str) -> Option<Vec<serde_json::Value>> {
    if !args.trim_start().starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<serde_json::Value>>(args).ok()
}

/// The argument words of ADD/COPY, heredoc markers included.
fn path_arguments(instruction: &crate::model::Instruction) -> Vec<String> {
    match json_elements(&instruction.arguments) {
        Some(elements) => elements
            .iter()
            .map(|e| e.as_str().unwrap_or_default().to_string())
            .collect(),
        None => instruction
            .arguments
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    }
}

fn check_instruction(
    instruction: &crate::model::Instruction,
    labs: bool,
    in_onbuild: bool,
    source: &(impl Source + ?Sized),
    out: &mut Vec<Diagnostic>,
) {
    let keyword = instruction.keyword.as_str();
    let upper = keyword.to_ascii_uppercase();
    if !instruction.known {
        let suggestion = suggest(
            &instruction.keyword_text,
            INSTRUCTIONS.iter().copied(),
            false,
        )
        .map(|k| format!(" (did you mean {k}?)"))
        .unwrap_or_default();
        out.push(diagnostic(
            instruction.keyword_range.clone(),
            Severity::Error,
            "unknown-instruction",
            format!(
                "unknown instruction: {}{suggestion}",
                instruction.keyword_text
            ),
        ));
        return;
    }
    // a trigger is parsed by the downstream build, whose frontend decides
    // about labs flags
    check_flags(instruction, labs || in_onbuild, source, out);
    let args = instruction.arguments.as_str();
    let json = json_elements(args);
    let empty = args.is_empty() || json.as_ref().is_some_and(|e| e.is_empty());
    let at = instruction.keyword_range.clone();
    let takes_json = matches!(
        keyword,
        "run" | "cmd" | "entrypoint" | "shell" | "add" | "copy" | "volume"
    );
    if takes_json
        && json
            .as_ref()
            .is_some_and(|elements| elements.iter().any(|e| !e.is_string()))
    {
        out.push(diagnostic(
            instruction.arguments_range.clone(),
            Severity::Error,
            "json-not-strings",
            "when using JSON array syntax, arrays must be comprised of strings only",
        ));
    }
    match keyword {
        "env" | "label" | "onbuild" | "healthcheck" | "expose" | "volume" | "arg" | "shell"
            if empty =>
        {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                format!("{upper} requires at least one argument"),
            ));
        }
        "maintainer" | "workdir" | "user" | "stopsignal" if empty => {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                format!("{upper} requires exactly one argument"),
            ));
        }
        "add" | "copy" => {
            let words = path_arguments(instruction);
            if words.len() < 2 {
                out.push(diagnostic(
                    at,
                    Severity::Error,
                    "missing-arguments",
                    format!(
                        "{upper} requires at least two arguments, but only one was provided. Destination could not be determined"
                    ),
                ));
            } else if json.is_none() && words.last().is_some_and(|w| is_heredoc_word(w)) {
                out.push(diagnostic(
                    instruction.arguments_range.clone(),
                    Severity::Error,
                    "heredoc-destination",
                    format!("{upper} cannot accept a heredoc as a destination"),
                ));
            }
        }
        "from" if !from_arity_ok(args) => {
            let range = if empty {
                at
            } else {
                instruction.arguments_range.clone()
            };
            out.push(diagnostic(
                range,
                Severity::Error,
                "missing-arguments",
                "FROM requires either one or three arguments",
            ));
        }
        "shell" if json.is_none() => {
            out.push(diagnostic(
                instruction.arguments_range.clone(),
                Severity::Error,
                "shell-not-json",
                "SHELL requires the arguments to be in JSON form",
            ));
        }
        "healthcheck" => healthcheck(instruction, out),
        "maintainer" => {
            out.push(diagnostic(
                at,
                Severity::Warning,
                "MaintainerDeprecated",
                "Maintainer instruction is deprecated in favor of using label",
            ));
        }
        "onbuild" => {
            if let Some(trigger) = &instruction.trigger {
                match trigger.keyword.as_str() {
                    "onbuild" => out.push(diagnostic(
                        trigger.keyword_range.clone(),
                        Severity::Error,
                        "onbuild-trigger",
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    )),
                    "from" | "maintainer" => out.push(diagnostic(
                        trigger.keyword_range.clone(),
                        Severity::Error,
                        "onbuild-trigger",
                        format!(
                            "{} isn't allowed as an ONBUILD trigger",
                            trigger.keyword.to_ascii_uppercase()
                        ),
                    )),
                    _ => check_instruction(trigger, labs, true, source, out),
                }
            }
        }
        _ => {}
    }
    for heredoc in instruction.heredocs.iter().filter(|h| !h.terminated) {
        out.push(diagnostic(
            heredoc.marker_range.clone(),
            Severity::Error,
            "unterminated-heredoc",
            "unterminated heredoc",
        ));
    }
    if !in_onbuild {
        for blank in &instruction.empty_continuation_lines {
            out.push(diagnostic(
                blank.clone(),
                Severity::Warning,
                "NoEmptyContinuation",
                "Empty continuation line",
            ));
        }
    }
}

/// A word BuildKit reads as a heredoc: `[digits]<<[-]WORD`.
fn is_heredoc_word(word: &str) -> bool {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.strip_prefix("<<")
        .map(|r| r.trim_start_matches('-'))
        .is_some_and(|r| !r.is_empty())
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD command`
/// (`instructions/parse.go`, `parseHealthcheck`).
fn healthcheck(instruction: &crate::model::Instruction, out: &mut Vec<Diagnostic>) {
    let args = instruction.arguments.as_str();
    let Some(kind) = args.split_whitespace().next() else {
        return;
    };
    let rest = args[kind.len()..].trim();
    let kind_range =
        instruction.arguments_range.start..instruction.arguments_range.start + kind.len();
    match kind.to_uppercase().as_str() {
        "NONE" if !rest.is_empty() => out.push(diagnostic(
            // the words after NONE
            instruction.arguments_range.end - rest.len()..instruction.arguments_range.end,
            Severity::Error,
            "healthcheck",
            "HEALTHCHECK NONE takes no arguments",
        )),
        "CMD" if rest.is_empty() || json_elements(rest).is_some_and(|e| e.is_empty()) => {
            out.push(diagnostic(
                kind_range,
                Severity::Error,
                "healthcheck",
                "Missing command after HEALTHCHECK CMD",
            ))
        }
        "NONE" | "CMD" => {}
        other => out.push(diagnostic(
            kind_range,
            Severity::Error,
            "healthcheck",
            format!("Unknown type {} in HEALTHCHECK (try CMD)", go_quote(other)),
        )),
    }
}

// ---------------------------------------------------------------------------
// stages

fn stage_names(model: &Model, out: &mut Vec<Diagnostic>) {
    // the first definition of each name by a FROM BuildKit can parse
    let mut first_defined: crate::model::FastMap<&str, &crate::model::StageName> =
        Default::default();
    for stage in &model.stages {
        let earlier = stage
            .name
            .as_ref()
            .and_then(|name| first_defined.get(name.lowercase.as_str()).copied());
        if let Some(name) = &stage.name {
            if from_arity_ok(&stage.from.arguments) {
                first_defined.entry(name.lowercase.as_str()).or_insert(name);
            }
        }
        from_as_casing(stage, out);
        let Some(name) = &stage.name else { continue };
        if !is_valid_stage_name(&name.text) {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Error,
                "invalid-stage-name",
                format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    go_quote(&name.text)
                ),
            ));
            continue;
        }
        if name.text != name.lowercase {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Warning,
                "StageNameCasing",
                format!("Stage name '{}' should be lowercase", name.text),
            ));
        }
        if matches!(name.lowercase.as_str(), "scratch" | "context") {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Warning,
                "ReservedStageName",
                format!(
                    "Stage name should not use the same name as reserved stage \"{}\"",
                    name.lowercase
                ),
            ));
        }
        // a FROM BuildKit cannot parse defines no stage
        if let Some(earlier) = earlier {
            let mut d = diagnostic(
                name.range.clone(),
                Severity::Warning,
                "DuplicateStageName",
                format!(
                    "Duplicate stage name \"{}\", stage names should be unique",
                    name.lowercase
                ),
            );
            d.related.push(Related {
                range: earlier.range.clone(),
                message: format!("stage '{}' is first defined here", earlier.lowercase),
            });
            out.push(d);
        }
    }
}

fn from_as_casing(stage: &Stage, out: &mut Vec<Diagnostic>) {
    let Some((as_word, as_range)) = &stage.as_keyword else {
        return;
    };
    let from = stage.from.keyword_text.as_str();
    let from_upper = from.chars().all(|c| !c.is_ascii_lowercase());
    let from_lower = from.chars().all(|c| !c.is_ascii_uppercase());
    let mismatch = (from_upper && as_word.chars().any(|c| c.is_ascii_lowercase()))
        || (from_lower && as_word.chars().any(|c| c.is_ascii_uppercase()));
    if mismatch {
        out.push(diagnostic(
            as_range.clone(),
            Severity::Warning,
            "FromAsCasing",
            format!("'{as_word}' and '{from}' keywords' casing do not match"),
        ));
    }
}

fn stage_definition(stage: &Stage) -> Span {
    stage
        .name
        .as_ref()
        .map_or(stage.from.keyword_range.clone(), |n| n.range.clone())
}

fn stage_reference(
    model: &Model,
    r: &StageRef,
    settings: &DiagnosticSettings,
    suggestions: &StageSuggestions,
    out: &mut Vec<Diagnostic>,
) {
    let Some(current) = model.stages.get(r.from_stage) else {
        return;
    };
    let related_to = |index: usize, message: &str| -> Vec<Related> {
        model
            .stages
            .get(index)
            .map(|s| {
                vec![Related {
                    range: stage_definition(s),
                    message: message.to_string(),
                }]
            })
            .unwrap_or_default()
    };
    let push = |out: &mut Vec<Diagnostic>,
                severity,
                code: &str,
                message: String,
                related: Vec<Related>| {
        let mut d = diagnostic(r.range.clone(), severity, code, message);
        d.related = related;
        out.push(d);
    };
    match (&r.target, r.kind) {
        (Target::Stage(_) | Target::Downstream, _) => {}
        (Target::Later(i), RefKind::CopyFrom) => push(
            out,
            Severity::Error,
            "stage-defined-later",
            format!(
                "cannot copy from stage \"{}\", it needs to be defined before current stage \"{}\"",
                r.value,
                current.display_name()
            ),
            related_to(*i, "the stage is defined here, after the COPY"),
        ),
        (Target::Later(i), RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "stage-defined-later",
            format!(
                "cannot mount from stage \"{}\" to \"{}\", stage needs to be defined before current command",
                r.value,
                r.mount_target.as_deref().unwrap_or_default()
            ),
            related_to(*i, "the stage is defined here, after the RUN"),
        ),
        (Target::Itself(i), RefKind::CopyFrom | RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "circular-stage-dependency",
            format!("circular dependency detected on stage: {}", current.display_name()),
            related_to(*i, "the stage starts here"),
        ),
        (Target::Later(i) | Target::Itself(i), RefKind::FromBase) => push(
            out,
            Severity::Warning,
            "from-later-stage",
            format!(
                "FROM only sees stages defined before it: '{}' will be pulled as the image {}",
                r.value,
                pulled_reference(&r.value)
            ),
            related_to(*i, "the stage of that name is defined here"),
        ),
        (Target::CaseMismatch(i), _) => push(
            out,
            Severity::Warning,
            "from-stage-casing",
            format!(
                "FROM matches stage names case-sensitively: '{}' is not stage '{}', so BuildKit takes it as an image reference (and fails: repository names must be lowercase)",
                r.value,
                r.value.to_ascii_lowercase()
            ),
            related_to(*i, "the stage is defined here"),
        ),
        (Target::IndexOutOfRange(n), _) => push(
            out,
            Severity::Error,
            "invalid-stage-index",
            format!("invalid stage index {}", if *n == usize::MAX { r.value.clone() } else { n.to_string() }),
            Vec::new(),
        ),
        (Target::Variable, RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "variable-in-from",
            "'from' doesn't support variable expansion, define alias stage instead".to_string(),
            Vec::new(),
        ),
        (Target::Variable, _) => push(
            out,
            Severity::Error,
            "variable-in-from",
            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround".to_string(),
            Vec::new(),
        ),
        (Target::NotAStage, RefKind::CopyFrom | RefKind::MountFrom) => {
            unknown_stage(model, r, settings, suggestions, out);
        }
        (Target::NotAStage, RefKind::FromBase) => {}
    }
}

fn unknown_stage(
    model: &Model,
    r: &StageRef,
    settings: &DiagnosticSettings,
    suggestions: &StageSuggestions,
    out: &mut Vec<Diagnostic>,
) {
    let value = r.value.as_str();
    if value.is_empty()
        || settings
            .build_contexts
            .iter()
            .any(|c| c.eq_ignore_ascii_case(value))
    {
        return;
    }
    if r.kind == RefKind::MountFrom && value.bytes().all(|b| b.is_ascii_digit()) {
        out.push(diagnostic(
            r.range.clone(),
            Severity::Warning,
            "mount-from-index",
            format!(
                "RUN --mount from= takes stage names, not indexes: BuildKit will pull the image {}",
                pulled_reference(value)
            ),
        ));
        return;
    }
    let lower = value.to_ascii_lowercase();
    // the name is a typo of a stage whatever its position (a later one then
    // fails differently); an earlier stage, the one that could work, first
    let closest = suggestions
        .near(&lower)
        .into_iter()
        .filter_map(|(distance, index)| Some((model.stages.get(index)?, distance)))
        .min_by_key(|(s, distance)| (*distance, s.index >= r.from_stage, s.index));
    let clearly_image = is_clearly_an_image(&lower);
    if let (Some((stage, _)), false) = (closest, clearly_image) {
        let name = &stage
            .name
            .as_ref()
            .expect("filtered on named stages")
            .lowercase;
        let mut d = diagnostic(
            r.range.clone(),
            Severity::Warning,
            "unknown-stage",
            format!(
                "unknown stage '{value}': BuildKit will pull the image {} — did you mean '{name}'?",
                pulled_reference(value)
            ),
        );
        d.related.push(Related {
            range: stage_definition(stage),
            message: format!("stage '{name}' is defined here"),
        });
        out.push(d);
    } else if let Some(context) = settings
        .build_contexts
        .iter()
        .filter(|_| !clearly_image)
        .map(|c| (levenshtein(&c.to_ascii_lowercase(), &lower), c))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, c)| c)
    {
        out.push(diagnostic(
            r.range.clone(),
            Severity::Warning,
            "unknown-build-context",
            format!(
                "unknown build context '{value}': BuildKit will pull the image {} — did you mean '{context}'?",
                pulled_reference(value)
            ),
        ));
    } else if !clearly_image {
        out.push(diagnostic(
            r.range.clone(),
            Severity::Information,
            "not-a-stage",
            format!(
                "'{value}' is not a stage of this Dockerfile: BuildKit will use a build context of that name if one is given (--build-context {value}=…), else pull the image {}",
                pulled_reference(value)
            ),
        ));
    }
}

fn unused_stages(model: &Model, settings: &DiagnosticSettings, out: &mut Vec<Diagnostic>) {
    let Some(target) = model.target_stage(settings.target.as_deref()) else {
        return;
    };
    let reached = model.reachable_from(target);
    let what = match &settings.target {
        Some(name) => format!("the target stage '{}'", name.to_ascii_lowercase()),
        None => "the final image".to_string(),
    };
    for stage in model.stages.iter().filter(|s| !reached[s.index]) {
        let mut d = diagnostic(
            stage.from.range.clone(),
            Severity::Hint,
            "unused-stage",
            format!("stage '{}' is not used by {what}", stage.display_name()),
        );
        d.unnecessary = true;
        out.push(d);
    }
}
