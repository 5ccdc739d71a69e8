//! What the cursor is in: the instruction's logical line, split into words
//! as BuildKit splits it (keyword, `--flags`, arguments), and the piece of
//! the current word being typed.

use tree_sitter::Node;

use super::text::{self, Logical};
use super::Analysis;
use crate::model::{Model, Span};
use crate::syntax::Source;

/// The text an item replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Span,
    /// The word goes on after the cursor (`--fr|om`): items then insert
    /// their name only, no `=` or placeholders, and replace the whole word.
    pub bare: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// FROM lines and lines before the first FROM: global ARGs.
    Global,
    /// Inside this stage.
    Stage(usize),
}

/// One kind of item wanted at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Keywords {
        edit: Edit,
        lowercase: bool,
        before_first_from: bool,
        onbuild: bool,
    },
    Directives {
        edit: Edit,
        /// On an empty line: `# syntax=…` as a whole.
        whole_line: bool,
        /// Right after `#`: a space goes first.
        space_before: bool,
        present: Vec<String>,
    },
    DirectiveValues {
        edit: Edit,
        key: String,
    },
    Flags {
        edit: Edit,
        keyword: String,
        given: Vec<String>,
    },
    FlagValues {
        edit: Edit,
        keyword: String,
        flag: String,
    },
    MountKeys {
        edit: Edit,
        /// The type given before the cursor, or (`type_is_late`) after it.
        kind: String,
        type_is_late: bool,
        type_given: bool,
        given: Vec<String>,
    },
    MountValues {
        edit: Edit,
        key: String,
        kind: String,
    },
    /// Stages `0..before` (lookups keep the last of duplicate names).
    Stages {
        edit: Edit,
        before: usize,
        /// COPY --from takes an index too.
        indices: bool,
        from_line: bool,
    },
    Images {
        edit: Edit,
    },
    Tags {
        edit: Edit,
        image: String,
    },
    As {
        edit: Edit,
        lowercase: bool,
    },
    HealthcheckTypes {
        edit: Edit,
        lowercase: bool,
    },
    Variables {
        edit: Edit,
        scope: Scope,
        /// Declarations that end before this offset are visible.
        before: usize,
        close_brace: bool,
    },
}

/// Lines above an instruction that are looked through for a continuation
/// (blank and comment lines), and instruction lines walked back when the
/// tree cannot say where a continued instruction starts.
const MAX_LINES_BACK: usize = 256;

/// How many lines a parser-directive block can have before we stop looking.
const MAX_DIRECTIVE_LINES: usize = 16;

pub fn at(analysis: &Analysis, source: &(impl Source + ?Sized), offset: usize) -> Vec<Want> {
    let model = &analysis.model;
    let cursor = text::clamp(source, offset);
    let root = analysis.tree.root_node();
    let cx = Cx {
        model,
        source,
        cursor,
    };
    if in_heredoc(root, cursor) {
        // RUN bodies see ARG and ENV through the shell, COPY and ADD bodies
        // through BuildKit's expansion
        let start = text::line_start(source, cursor);
        let line = source.slice(start..cursor);
        return cx
            .variable(&line, start, stage_scope(model, start))
            .into_iter()
            .collect();
    }
    let line_start = text::line_start(source, cursor);
    let start = match continued_instruction(root, source, line_start, model.escape) {
        Some(start) => start,
        None => match text::first_non_blank(source, line_start, cursor) {
            Some(first) if source.slice(first..first + 1) == "#" => {
                return cx.comment_line(line_start, first);
            }
            Some(first) => first,
            None => cursor,
        },
    };
    let Some(logical) = Logical::read(source, start, cursor, model.escape) else {
        return Vec::new();
    };
    let fresh_line = start >= line_start;
    let mut wants = Vec::new();
    if fresh_line && logical.text.trim().is_empty() && at_directive_position(source, line_start) {
        wants.push(Want::Directives {
            edit: cx.edit(&logical, logical.cursor),
            whole_line: true,
            space_before: false,
            present: cx.present_directives(line_start),
        });
    }
    wants.extend(cx.instruction(&logical, start, 0, false));
    wants
}

struct Cx<'a, S: Source + ?Sized> {
    model: &'a Model,
    source: &'a S,
    cursor: usize,
}

/// A word of the logical line: its bounds in the logical text.
type Word = (usize, usize);

fn words_of(text: &str, from: usize) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text[from..].char_indices() {
        let i = from + i;
        match (c == ' ' || c == '\t', start) {
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, text.len()));
    }
    words
}

impl<S: Source + ?Sized> Cx<'_, S> {
    /// The edit replacing `logical.text[from..cursor]`, and the rest of the
    /// word after the cursor when there is one.
    fn edit(&self, logical: &Logical, from: usize) -> Edit {
        let start = logical.raw(from.min(logical.cursor)).min(self.cursor);
        let after = self.source.slice(self.cursor..self.cursor + 64);
        let tail = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
            .unwrap_or(after.len());
        Edit {
            range: start..self.cursor + tail,
            bare: tail > 0,
        }
    }

    /// The instruction whose keyword starts at `from` in the logical text.
    fn instruction(
        &self,
        logical: &Logical,
        instruction_start: usize,
        from: usize,
        onbuild: bool,
    ) -> Vec<Want> {
        let text = logical.text.as_str();
        let cursor = logical.cursor;
        let words = words_of(text, from);
        let stages_before = self
            .model
            .stages
            .partition_point(|s| s.from.range.start < instruction_start);
        let Some(&(kw_start, kw_end)) = words.first() else {
            return vec![self.keywords(logical, cursor, cursor, stages_before, onbuild, None)];
        };
        if cursor < kw_start {
            return Vec::new();
        }
        if cursor <= kw_end {
            let prefix = &text[kw_start..cursor];
            if !prefix.chars().all(|c| c.is_ascii_alphabetic()) {
                return Vec::new();
            }
            return vec![self.keywords(logical, kw_start, cursor, stages_before, onbuild, None)];
        }
        let keyword_text = &text[kw_start..kw_end];
        let keyword = keyword_text.to_ascii_lowercase();
        let lowercase = keyword_text.chars().all(|c| !c.is_ascii_uppercase());
        if keyword == "onbuild" && !onbuild {
            return match words.get(1) {
                None => vec![self.keywords(
                    logical,
                    cursor,
                    cursor,
                    stages_before,
                    true,
                    Some(lowercase),
                )],
                Some(&(trigger, _)) if trigger <= cursor => {
                    self.instruction(logical, instruction_start, trigger, true)
                }
                Some(_) => Vec::new(),
            };
        }

        let rest = &words[1..];
        let (current, word_start, word_end) =
            match rest.iter().position(|w| w.0 <= cursor && cursor <= w.1) {
                Some(i) => (i, rest[i].0, rest[i].1),
                None => (rest.partition_point(|w| w.1 < cursor), cursor, cursor),
            };
        let prefix = &text[word_start..cursor];
        let is_flag = |w: &Word| {
            let word = &text[w.0..w.1];
            word.starts_with("--") && word != "--"
        };
        let first_argument = rest.iter().position(|w| !is_flag(w)).unwrap_or(rest.len());
        let in_flags = current <= first_argument;
        let global = keyword == "from" || stages_before == 0;
        let scope = if global {
            Scope::Global
        } else {
            Scope::Stage(stages_before - 1)
        };

        if in_flags && prefix.starts_with('-') {
            let given: Vec<String> = rest
                .iter()
                .enumerate()
                .filter(|(i, w)| *i != current && is_flag(w))
                .map(|(_, w)| flag_name(&text[w.0..w.1]).to_string())
                .collect();
            let Some(eq) = prefix.find('=') else {
                return vec![Want::Flags {
                    edit: self.edit(logical, word_start),
                    keyword,
                    given,
                }];
            };
            let flag = prefix[..eq].trim_start_matches('-');
            let value_start = word_start + eq + 1;
            return self.flag_value(
                logical,
                &keyword,
                flag,
                value_start,
                word_end,
                onbuild,
                scope,
                instruction_start,
                stages_before,
            );
        }
        if let Some(want) = self.variable_in(logical, word_start, scope, instruction_start) {
            return vec![want];
        }

        let mut wants = Vec::new();
        let argument = current.checked_sub(first_argument);
        // with a word right after the cursor, a flag would replace it
        let empty_in_flags = in_flags && prefix.is_empty() && word_end == cursor;
        let flags = || Want::Flags {
            edit: self.edit(logical, cursor),
            keyword: keyword.clone(),
            given: rest
                .iter()
                .filter(|w| is_flag(w))
                .map(|w| flag_name(&text[w.0..w.1]).to_string())
                .collect(),
        };
        match keyword.as_str() {
            "from" if !onbuild => match argument {
                Some(0) => {
                    if prefix.contains('@') {
                        return wants;
                    }
                    let colon = prefix.rfind(':').filter(|c| !prefix[*c..].contains('/'));
                    if let Some(colon) = colon {
                        wants.push(Want::Tags {
                            edit: self.edit(logical, word_start + colon + 1),
                            image: prefix[..colon].to_string(),
                        });
                        return wants;
                    }
                    let edit = self.edit(logical, word_start);
                    wants.push(Want::Stages {
                        edit: edit.clone(),
                        before: stages_before,
                        indices: false,
                        from_line: true,
                    });
                    wants.push(Want::Images { edit });
                    if empty_in_flags {
                        wants.push(flags());
                    }
                }
                Some(1) if "as".starts_with(&prefix.to_ascii_lowercase()) => {
                    wants.push(Want::As {
                        edit: self.edit(logical, word_start),
                        lowercase,
                    });
                }
                _ => {}
            },
            "healthcheck" if argument == Some(0) => {
                let upper = prefix.to_ascii_uppercase();
                if "CMD".starts_with(&upper) || "NONE".starts_with(&upper) {
                    wants.push(Want::HealthcheckTypes {
                        edit: self.edit(logical, word_start),
                        lowercase: lowercase && prefix.chars().all(|c| !c.is_ascii_uppercase()),
                    });
                }
                if empty_in_flags {
                    wants.push(flags());
                }
            }
            "run" | "copy" | "add" if empty_in_flags => wants.push(flags()),
            _ => {}
        }
        wants
    }

    fn keywords(
        &self,
        logical: &Logical,
        from: usize,
        cursor: usize,
        stages_before: usize,
        onbuild: bool,
        onbuild_lowercase: Option<bool>,
    ) -> Want {
        let prefix = &logical.text[from..cursor];
        let lowercase = if !prefix.is_empty() {
            prefix.chars().all(|c| c.is_ascii_lowercase())
        } else if let Some(lowercase) = onbuild_lowercase {
            lowercase
        } else {
            // follow the casing of the stage (BuildKit's
            // ConsistentInstructionCasing wants one casing throughout)
            let neighbour = match stages_before.checked_sub(1) {
                Some(i) => self.model.stages.get(i).map(|s| &s.from.keyword_text),
                None => self.model.preamble.first().map(|i| &i.keyword_text),
            };
            neighbour.is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase()))
        };
        Want::Keywords {
            edit: self.edit(logical, from),
            lowercase,
            before_first_from: stages_before == 0,
            onbuild,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn flag_value(
        &self,
        logical: &Logical,
        keyword: &str,
        flag: &str,
        value_start: usize,
        word_end: usize,
        onbuild: bool,
        scope: Scope,
        instruction_start: usize,
        stages_before: usize,
    ) -> Vec<Want> {
        let expands = matches!(
            (keyword, flag),
            ("from", "platform") | (_, "chown" | "chmod" | "checksum")
        );
        if expands {
            if let Some(want) = self.variable_in(logical, value_start, scope, instruction_start) {
                return vec![want];
            }
        }
        // `--from` and the like take no variables ("variable expansion is
        // not supported for --from"): nothing fits a value with one
        if flag != "mount" && logical.text[value_start..logical.cursor].contains('$') {
            return Vec::new();
        }
        let edit = || self.edit(logical, value_start);
        let values = || {
            vec![Want::FlagValues {
                edit: edit(),
                keyword: keyword.to_string(),
                flag: flag.to_string(),
            }]
        };
        match (keyword, flag) {
            ("run", "mount") => self.mount(
                logical,
                value_start,
                word_end,
                onbuild,
                stages_before,
                scope,
                instruction_start,
            ),
            ("run", "network" | "security") | ("from", "platform") => values(),
            (_, "link" | "parents" | "keep-git-dir" | "unpack") => values(),
            // in ONBUILD the name is looked up in the downstream Dockerfile
            ("copy", "from") if !onbuild => vec![Want::Stages {
                edit: edit(),
                before: stages_before.saturating_sub(1),
                indices: true,
                from_line: false,
            }],
            _ => Vec::new(),
        }
    }

    /// `--mount=` fields: `key=value` or bare words, split at commas.
    #[allow(clippy::too_many_arguments)]
    fn mount(
        &self,
        logical: &Logical,
        value_start: usize,
        word_end: usize,
        onbuild: bool,
        stages_before: usize,
        scope: Scope,
        instruction_start: usize,
    ) -> Vec<Want> {
        let text = &logical.text[value_start..word_end.max(value_start)];
        let cursor = logical.cursor - value_start;
        let mut fields = Vec::new();
        let mut start = 0;
        let mut quoted = false;
        for (i, c) in text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    fields.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        fields.push((start, text.len()));
        let Some(current) = fields.iter().position(|f| f.0 <= cursor && cursor <= f.1) else {
            return Vec::new();
        };
        let key_of = |f: &(usize, usize)| {
            let field = &text[f.0..f.1];
            let key = field
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            (
                key,
                field.split_once('=').map(|(_, v)| v.to_ascii_lowercase()),
            )
        };
        let type_before = fields[..current]
            .iter()
            .rev()
            .map(key_of)
            .filter(|(k, _)| k == "type")
            .find_map(|(_, v)| v);
        let type_after = fields[current + 1..]
            .iter()
            .map(key_of)
            .filter(|(k, _)| k == "type")
            .filter_map(|(_, v)| v)
            .next();
        let type_given = type_before.is_some() || type_after.is_some();
        let type_is_late = type_before.is_none() && type_after.is_some();
        let kind = type_before
            .or(type_after)
            .unwrap_or_else(|| "bind".to_string());
        let typed = &text[fields[current].0..cursor];
        match typed.split_once('=') {
            None => {
                let given = fields
                    .iter()
                    .enumerate()
                    .filter(|(i, f)| *i != current && f.1 > f.0)
                    .map(|(_, f)| super::docs::mount_key_canonical(&key_of(f).0).to_string())
                    .collect();
                vec![Want::MountKeys {
                    edit: self.edit(logical, value_start + fields[current].0),
                    kind,
                    type_is_late,
                    type_given,
                    given,
                }]
            }
            Some((key, _)) => {
                let key = super::docs::mount_key_canonical(&key.to_ascii_lowercase()).to_string();
                let value_at = value_start + fields[current].0 + typed.find('=').unwrap_or(0) + 1;
                let edit = self.edit(logical, value_at);
                if key != "from" {
                    // every other value is expanded when the RUN runs
                    if let Some(want) =
                        self.variable_in(logical, value_at, scope, instruction_start)
                    {
                        return vec![want];
                    }
                }
                // "'from' doesn't support variable expansion"
                if logical.text[value_at.min(logical.cursor)..logical.cursor].contains('$') {
                    return Vec::new();
                }
                if key == "from" {
                    // named stages only: a number here is an image name
                    return if onbuild {
                        Vec::new()
                    } else {
                        vec![Want::Stages {
                            edit,
                            before: stages_before.saturating_sub(1),
                            indices: false,
                            from_line: false,
                        }]
                    };
                }
                vec![Want::MountValues { edit, key, kind }]
            }
        }
    }

    /// A `$NAME` or `${NAME` being typed at the cursor, after `from`.
    fn variable_in(
        &self,
        logical: &Logical,
        from: usize,
        scope: Scope,
        instruction_start: usize,
    ) -> Option<Want> {
        let typed = &logical.text[from..logical.cursor];
        let at = logical.raw(from);
        let mut want = self.variable(typed, at, scope)?;
        if let Want::Variables { before, .. } = &mut want {
            *before = instruction_start;
        }
        Some(want)
    }

    /// A variable name being typed at the end of `typed`, which starts at
    /// document offset `at`.
    fn variable(&self, typed: &str, at: usize, scope: Scope) -> Option<Want> {
        let name_len = typed
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let before_name = &typed[..typed.len() - name_len];
        let name = &typed[typed.len() - name_len..];
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let (dollar, braced) = if let Some(rest) = before_name.strip_suffix("${") {
            (rest, true)
        } else {
            (before_name.strip_suffix('$')?, false)
        };
        // `\$` is a literal dollar
        let escapes = dollar
            .chars()
            .rev()
            .take_while(|c| *c == self.model.escape)
            .count();
        if escapes % 2 == 1 {
            return None;
        }
        let start = at + before_name.len();
        let after = self.source.slice(self.cursor..self.cursor + 64);
        let tail = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let close_brace = braced && !after[tail..].starts_with('}');
        Some(Want::Variables {
            edit: Edit {
                range: start..self.cursor + tail,
                bare: tail > 0,
            },
            scope,
            before: start,
            close_brace,
        })
    }

    /// A comment line: parser directives when it is still in the directive
    /// block at the top of the file.
    fn comment_line(&self, line_start: usize, hash: usize) -> Vec<Want> {
        if !at_directive_position(self.source, line_start) {
            return Vec::new();
        }
        let typed = self.source.slice(hash + 1..self.cursor);
        let key_start = hash + 1 + (typed.len() - typed.trim_start().len());
        let key_typed = &typed[key_start - hash - 1..];
        match key_typed.split_once('=') {
            None if key_typed.chars().all(|c| c.is_ascii_alphanumeric()) => {
                let edit = self.plain_edit(key_start);
                vec![Want::Directives {
                    edit,
                    whole_line: false,
                    space_before: key_start == hash + 1,
                    present: self.present_directives(line_start),
                }]
            }
            Some((key, value)) => {
                let key = key.trim().to_ascii_lowercase();
                let value_start =
                    self.cursor - value.len() + (value.len() - value.trim_start().len());
                // `# check=` values are `;`-separated parts
                let part_start = match (key.as_str(), value.rfind(';')) {
                    ("check", Some(i)) => {
                        let part = &value[i + 1..];
                        self.cursor - part.len() + (part.len() - part.trim_start().len())
                    }
                    _ => value_start,
                };
                vec![Want::DirectiveValues {
                    edit: self.plain_edit(part_start),
                    key,
                }]
            }
            None => Vec::new(),
        }
    }

    /// An edit from a document offset on the cursor's line.
    fn plain_edit(&self, start: usize) -> Edit {
        let after = self.source.slice(self.cursor..self.cursor + 64);
        let tail = after
            .find(|c: char| c.is_whitespace() || c == '=' || c == ';')
            .unwrap_or(after.len());
        Edit {
            range: start.min(self.cursor)..self.cursor + tail,
            bare: tail > 0,
        }
    }

    /// Directive keys already given, other than on the cursor's line (and
    /// `escape` after a `#!` line, where BuildKit does not read it).
    fn present_directives(&self, line_start: usize) -> Vec<String> {
        let mut present: Vec<String> = self
            .model
            .directives
            .iter()
            .filter(|d| !(line_start <= d.range.start && d.range.start <= self.cursor))
            .map(|d| d.name.clone())
            .collect();
        if directive_block(self.source, line_start) == Some(true) {
            present.push("escape".to_string());
        }
        present
    }
}

/// A flag word's name: `--from=x` gives `from`.
fn flag_name(word: &str) -> &str {
    let name = word.trim_start_matches('-');
    name.split('=').next().unwrap_or_default()
}

/// The scope of a line outside any instruction context (heredoc bodies).
fn stage_scope(model: &Model, offset: usize) -> Scope {
    match model
        .stages
        .partition_point(|s| s.from.range.start < offset)
        .checked_sub(1)
    {
        Some(i) => Scope::Stage(i),
        None => Scope::Global,
    }
}

/// Whether the cursor is in a heredoc's body or end line.
fn in_heredoc(root: Node<'_>, cursor: usize) -> bool {
    // the character before the cursor: a heredoc starts at the line break
    // after its marker, so the start of the first body line is inside
    let Some(mut node) = root.descendant_for_byte_range(cursor.saturating_sub(1), cursor) else {
        return false;
    };
    loop {
        if node.kind() == "heredoc" {
            return node.start_byte() < cursor;
        }
        match node.parent() {
            Some(parent) => node = parent,
            None => return false,
        }
    }
}

/// Where the instruction starts when the line at `line_start` continues an
/// earlier one (the nearest line above that is neither blank nor a comment
/// ends with the escape character); `None` on a fresh line.
fn continued_instruction(
    root: Node<'_>,
    source: &(impl Source + ?Sized),
    line_start: usize,
    escape: char,
) -> Option<usize> {
    let mut probe = continued_from(source, line_start, escape)?;
    // the tree knows where that instruction starts: no need to walk a long
    // continuation back line by line
    if let Some(start) = root
        .descendant_for_byte_range(probe, probe + 1)
        .and_then(|node| root.child_with_descendant(node))
        .filter(|top| top.kind().ends_with("_instruction") && top.start_byte() <= probe)
        .map(|top| top.start_byte())
    {
        return Some(start);
    }
    for _ in 0..MAX_LINES_BACK {
        match continued_from(source, text::line_start(source, probe), escape) {
            Some(earlier) => probe = earlier,
            None => break,
        }
    }
    Some(probe)
}

/// The first non-blank byte of the line that the line at `line_start`
/// continues, if it continues one.
fn continued_from(
    source: &(impl Source + ?Sized),
    line_start: usize,
    escape: char,
) -> Option<usize> {
    let mut at = line_start;
    for _ in 0..MAX_LINES_BACK {
        if at == 0 {
            return None;
        }
        let previous = text::line_start(source, at - 1);
        let (line, end, _) = text::line_at(source, previous);
        if text::is_skipped_in_continuation(&line) {
            at = previous;
            continue;
        }
        text::strip_continuation(&line, escape)?;
        return text::first_non_blank(source, previous, end);
    }
    None
}

/// Whether every line above `line_start` is a parser directive (BuildKit
/// stops reading directives at the first line that is not one).
fn at_directive_position(source: &(impl Source + ?Sized), line_start: usize) -> bool {
    directive_block(source, line_start).is_some()
}

/// `Some(after_shebang)` when every line above `line_start` is a parser
/// directive, or a `#!` first line.
fn directive_block(source: &(impl Source + ?Sized), line_start: usize) -> Option<bool> {
    let mut at = line_start;
    for _ in 0..MAX_DIRECTIVE_LINES {
        if at == 0 {
            return Some(false);
        }
        let previous = text::line_start(source, at - 1);
        let (line, _, _) = text::line_at(source, previous);
        if previous == 0 && line.starts_with("#!") {
            return Some(true);
        }
        if !is_directive_line(&line) {
            return None;
        }
        at = previous;
    }
    None
}

/// `# key=value` with a known key.
fn is_directive_line(line: &str) -> bool {
    let Some(body) = line.trim_start().strip_prefix('#') else {
        return false;
    };
    let Some((key, _)) = body.split_once('=') else {
        return false;
    };
    matches!(
        key.trim().to_ascii_lowercase().as_str(),
        "syntax" | "escape" | "check"
    )
}
