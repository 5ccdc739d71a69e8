//! Signature help: the forms of the instruction being typed, which form the
//! line is in and which part the cursor is on.
//!
//! It reads the raw text of the instruction line rather than the tree: the
//! line is usually half-typed, and what matters is which word the cursor
//! is in, as BuildKit would split the finished line.

mod forms;

use forms::{forms, FormDef, FLAGS};

use super::flags::{flags_of, FlagKind};
use super::Analysis;
use crate::model::{Instruction, Span, INSTRUCTIONS};
use crate::syntax::Source;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<Signature>,
    pub active_signature: usize,
    pub active_parameter: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// ASCII only.
    pub label: String,
    /// Markdown.
    pub documentation: String,
    pub parameters: Vec<Parameter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// Byte range of the parameter in the label.
    pub range: Span,
    /// Markdown.
    pub documentation: String,
}

/// Signature help at a byte offset (clamped to the text), when the cursor
/// is in the arguments of an instruction line (not in a heredoc body).
pub fn signature_help(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    offset: usize,
) -> Option<SignatureHelp> {
    let offset = offset.min(source.len_bytes());
    let model = &analysis.model;
    let instruction = model
        .instructions()
        .take_while(|i| i.range.start <= offset)
        .last()?;
    if offset <= instruction.keyword_range.end
        || !on_instruction_line(instruction, source, offset, model.escape)
    {
        return None;
    }
    let line_end = instruction
        .heredocs
        .first()
        .map_or(instruction.range.end, |h| {
            h.range.start.min(instruction.range.end)
        })
        .max(offset);
    let before = join_lines(
        &source.slice(instruction.keyword_range.end..offset),
        model.escape,
    );
    let after = join_lines(&source.slice(offset..line_end), model.escape);
    help_for(&instruction.keyword, &before, &after, model.escape, "")
}

/// Whether the cursor is on the logical line of the instruction: inside it,
/// or after it with only blanks and continuations between.
fn on_instruction_line(
    instruction: &Instruction,
    source: &(impl Source + ?Sized),
    offset: usize,
    escape: char,
) -> bool {
    let in_heredoc = instruction.heredocs.iter().any(|h| {
        // the heredoc node starts at the newline that ends the line
        h.range.start < offset && offset <= h.range.end
    });
    if in_heredoc {
        return false;
    }
    if offset <= instruction.range.end {
        return true;
    }
    let text = source.slice(instruction.range.start..offset);
    let tail_start = instruction.range.end - instruction.range.start;
    let Some(tail) = text.get(tail_start..) else {
        return false;
    };
    if !tail.chars().all(char::is_whitespace) {
        return false;
    }
    // every line break after the instruction must be a continuation
    tail.char_indices()
        .filter(|(_, c)| *c == '\n')
        .all(|(i, _)| {
            text[..tail_start + i]
                .trim_end_matches([' ', '\t', '\r'])
                .ends_with(escape)
        })
}

/// The logical text of physical lines: continuations joined, comment and
/// blank lines inside a continuation dropped.
fn join_lines(text: &str, escape: char) -> String {
    let mut out = String::new();
    let mut continued = false;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 {
            if !continued {
                break;
            }
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
        }
        let body = line.trim_end_matches([' ', '\t']);
        match body.strip_suffix(escape) {
            Some(kept) if !kept.ends_with(escape) => {
                out.push_str(kept);
                continued = true;
            }
            _ => {
                out.push_str(line);
                continued = false;
            }
        }
    }
    out
}

/// Words of an instruction line split as BuildKit splits them: at
/// whitespace outside quotes, the escape character escaping the next one.
#[derive(Debug, Default)]
struct Words {
    words: Vec<String>,
    /// The text ends inside the last word (the cursor touches it).
    open: bool,
}

fn split_words(text: &str, escape: char) -> Words {
    let mut out = Words::default();
    let mut current = String::new();
    let mut quote = None;
    let mut chars = text.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        if c == escape && quote != Some('\'') {
            current.push(c);
            if let Some(next) = chars.next() {
                current.push(next);
            }
            in_word = true;
            continue;
        }
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    out.words.push(std::mem::take(&mut current));
                    in_word = false;
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
        in_word = true;
    }
    if in_word {
        out.words.push(current);
        out.open = true;
    }
    out
}

/// Where the cursor is among the flags and arguments.
struct Cursor {
    /// On a flag (`--…`) being typed or edited.
    on_flag: bool,
    /// Index of the argument the cursor is in or about to start.
    index: usize,
    /// The text of that argument before the cursor.
    word: String,
    /// The arguments of the whole line.
    all: Vec<String>,
}

/// Leading `--` words are flags; a bare `--` ends them.
fn strip_flags(words: &[String]) -> usize {
    let mut count = 0;
    for word in words {
        if word == "--" {
            return count + 1;
        }
        if !word.starts_with("--") {
            break;
        }
        count += 1;
    }
    count
}

fn locate(before: &str, after: &str, escape: char) -> Cursor {
    let split = split_words(before, escape);
    let flag_count = strip_flags(&split.words);
    let args = &split.words[flag_count.min(split.words.len())..];
    let on_flag = split.open && args.is_empty() && flag_count > 0 && {
        split.words.last().is_some_and(|w| w != "--")
    };
    let (index, word) = match (split.open, args.last()) {
        (true, Some(last)) => (args.len() - 1, last.clone()),
        _ => (args.len(), String::new()),
    };
    let whole = split_words(&format!("{before}{after}"), escape);
    let whole_flags = strip_flags(&whole.words);
    let all = whole.words[whole_flags.min(whole.words.len())..].to_vec();
    Cursor {
        on_flag,
        index,
        word,
        all,
    }
}

/// Commas outside JSON strings: which element of an array the cursor is in.
fn json_commas(text: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    let mut count = 0;
    for c in text.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ',' if !in_string => count += 1,
            _ => {}
        }
    }
    count
}

/// The text of the arguments, after the flags.
fn arguments_text(text: &str) -> &str {
    let mut rest = text.trim_start();
    loop {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if !word.starts_with("--") {
            return rest;
        }
        rest = rest[word_end..].trim_start();
        if word == "--" {
            return rest;
        }
    }
}

fn help_for(
    keyword: &str,
    before: &str,
    after: &str,
    escape: char,
    prefix: &str,
) -> Option<SignatureHelp> {
    if keyword == "onbuild" {
        if let Some(help) = trigger_help(before, after, escape) {
            return Some(help);
        }
    }
    let defs = forms(keyword);
    if defs.is_empty() {
        return None;
    }
    let cursor = locate(before, after, escape);
    let whole = format!("{before}{after}");
    let args_all = arguments_text(&whole);
    let args_before = arguments_text(before);
    let json = args_all.starts_with('[');
    let heredoc = cursor.all.iter().any(|w| w.contains("<<"));
    let (form, param) = choose(keyword, &cursor, json, heredoc, args_before, args_all);
    let signatures = defs
        .iter()
        .map(|def| signature(def, keyword, prefix))
        .collect();
    Some(SignatureHelp {
        signatures,
        active_signature: form.min(defs.len() - 1),
        active_parameter: param,
    })
}

/// Picks the form and the parameter for the cursor.
fn choose(
    keyword: &str,
    cursor: &Cursor,
    json: bool,
    heredoc: bool,
    args_before: &str,
    args_all: &str,
) -> (usize, Option<usize>) {
    let commas_before = json_commas(args_before);
    // the cursor's text is a prefix of the line's; `get` guards the odd case
    let commas_after = json_commas(args_all.get(args_before.len()..).unwrap_or_default());
    // the element of a JSON array: the first, or any later one
    let json_param = |first: usize| first + usize::from(commas_before > 0);
    let flag = |form: usize| (form, Some(0));
    match keyword {
        "from" => match (cursor.on_flag, cursor.index) {
            (true, _) => (0, Some(0)),
            (_, 0) => (0, Some(1)),
            _ => (0, Some(2)),
        },
        "run" => {
            let form = if json {
                1
            } else if heredoc {
                2
            } else {
                0
            };
            if cursor.on_flag {
                return flag(form);
            }
            match form {
                1 => (1, Some(json_param(1))),
                _ => (form, Some(1)),
            }
        }
        "cmd" | "entrypoint" => match (json, cursor.index) {
            (true, _) => (0, Some(json_param(0))),
            (false, 0) => (1, Some(0)),
            (false, _) => (1, Some(1)),
        },
        "copy" | "add" => {
            let form = if json {
                1
            } else if heredoc {
                2
            } else {
                0
            };
            if cursor.on_flag {
                return flag(form);
            }
            let param = match form {
                1 if commas_before > 0 && commas_after == 0 => 2,
                1 => 1,
                2 if cursor.word.contains("<<") => 1,
                2 => 2,
                // the last of two or more words, or a new word after some
                _ if cursor.index + 1 >= cursor.all.len() && cursor.index > 0 => 2,
                _ => 1,
            };
            (form, Some(param))
        }
        "healthcheck" => {
            let none = cursor
                .all
                .first()
                .is_some_and(|w| w.eq_ignore_ascii_case("none"));
            match (none, cursor.on_flag, cursor.index) {
                (true, _, _) => (1, Some(0)),
                (_, true, _) => flag(0),
                (_, _, 0) => (0, Some(1)),
                _ => (0, Some(2)),
            }
        }
        "env" | "label" => {
            let legacy = cursor.all.first().is_some_and(|first| {
                !first.contains('=') && (cursor.all.len() > 1 || cursor.index > 0)
            });
            match (legacy, cursor.index) {
                (true, 0) => (1, Some(0)),
                (true, _) => (1, Some(1)),
                (false, _) => (0, Some(usize::from(cursor.word.contains('=')))),
            }
        }
        "arg" => (0, Some(usize::from(cursor.word.contains('=')))),
        "expose" => (0, Some(usize::from(cursor.word.contains('/')))),
        "user" => (0, Some(usize::from(args_before.contains(':')))),
        "shell" => (0, Some(json_param(0))),
        "volume" => (usize::from(!json), Some(0)),
        "onbuild" => (0, Some(usize::from(cursor.index > 0))),
        _ => (0, Some(0)),
    }
}

/// ONBUILD with a trigger keyword typed: the trigger's signatures.
fn trigger_help(before: &str, after: &str, escape: char) -> Option<SignatureHelp> {
    let trimmed = before.trim_start();
    let keyword_end = trimmed.find(char::is_whitespace)?;
    let keyword = trimmed[..keyword_end].to_ascii_lowercase();
    if !INSTRUCTIONS.contains(&keyword.as_str())
        || matches!(keyword.as_str(), "onbuild" | "from" | "maintainer")
    {
        return None;
    }
    help_for(&keyword, &trimmed[keyword_end..], after, escape, "ONBUILD ")
}

fn signature(def: &FormDef, keyword: &str, prefix: &str) -> Signature {
    let label = format!("{prefix}{}", def.label);
    let mut search_from = prefix.len();
    let parameters = def
        .params
        .iter()
        .map(|(text, doc)| {
            let start = label[search_from..]
                .find(text)
                .map_or(search_from, |i| i + search_from);
            let end = (start + text.len()).min(label.len());
            search_from = end;
            Parameter {
                range: start..end,
                documentation: if *text == FLAGS {
                    flags_documentation(keyword)
                } else {
                    doc.to_string()
                },
            }
        })
        .collect();
    Signature {
        label,
        documentation: def.doc.to_string(),
        parameters,
    }
}

/// The flags of an instruction, from BuildKit's table.
fn flags_documentation(keyword: &str) -> String {
    let specs = flags_of(keyword);
    if specs.is_empty() {
        return "This instruction takes no flags.".to_string();
    }
    let mut out = String::from("Flags, before the arguments:");
    for spec in specs {
        let value = match spec.kind {
            FlagKind::Bool => "[=<bool>]",
            FlagKind::String | FlagKind::Strings => "=<value>",
        };
        let since = if spec.labs {
            format!("labs only, {}", spec.since)
        } else if spec.since == "pre" {
            "always".to_string()
        } else {
            format!("since {}", spec.since)
        };
        let repeat = if spec.kind == FlagKind::Strings {
            ", repeatable"
        } else {
            ""
        };
        out.push_str(&format!("\n- `--{}{value}` ({since}{repeat})", spec.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_join_and_skip_comments() {
        assert_eq!(join_lines("a \\\n  b", '\\'), "a   b");
        assert_eq!(join_lines("a \\\n# note\n  b", '\\'), "a   b");
        assert_eq!(join_lines("a `\n b", '`'), "a  b");
        assert_eq!(join_lines("a\nb", '\\'), "a");
    }

    #[test]
    fn words_split_outside_quotes() {
        let w = split_words("a \"b c\" d", '\\');
        assert_eq!(w.words, vec!["a", "\"b c\"", "d"]);
        assert!(w.open);
        let w = split_words("a ", '\\');
        assert!(!w.open);
        assert_eq!(json_commas("[\"a,b\", \"c\""), 1);
    }
}
