//! What a variable holds at a point of the file, with the defaults the file
//! gives (no `--build-arg`): which declaration wins and what its value
//! expands to.

use crate::ide::docs;
use crate::model::{Base, Model, VarDecl, VarKind};

/// Deep enough for real chains of `ENV A=$B`, shallow enough to stop a
/// cycle quickly.
const MAX_DEPTH: usize = 8;

/// What looking a name up gives, for expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    Known(String),
    /// Not set with the file's defaults: expands to nothing.
    Unset,
    /// Depends on the build (BuildKit's platform ARGs): cannot be shown.
    Unknown,
}

/// Declarations visible at `offset`, nearest first: the stage's own before
/// the offset, then all of those of the stages it is built FROM. `None` is
/// the global scope (FROM lines).
pub(super) fn scope(model: &Model, stage: Option<usize>, offset: usize) -> Vec<&VarDecl> {
    let Some(mut index) = stage else {
        return model
            .global_args
            .iter()
            .rev()
            .filter(|d| d.range.end <= offset)
            .collect();
    };
    let mut out = Vec::new();
    let mut limit = offset;
    // bounded: a base always has a smaller index, but stay safe on bad data
    for _ in 0..model.stages.len() {
        let Some(current) = model.stages.get(index) else {
            break;
        };
        out.extend(current.vars.iter().rev().filter(|d| d.range.end <= limit));
        match current.base {
            Base::Stage(parent) if parent < index => {
                index = parent;
                limit = usize::MAX;
            }
            _ => break,
        }
    }
    out
}

/// The declaration whose value a use sees. An ENV beats an ARG of the
/// same name wherever it is; `env_only` is for text that runs in the
/// container, where ARG values no longer exist.
pub(super) fn effective<'m>(
    model: &'m Model,
    name: &str,
    stage: Option<usize>,
    offset: usize,
    env_only: bool,
) -> Option<&'m VarDecl> {
    let named: Vec<&VarDecl> = scope(model, stage, offset)
        .into_iter()
        .filter(|d| d.name == name)
        .collect();
    let env = named.iter().find(|d| d.kind == VarKind::Env).copied();
    if env_only {
        env
    } else {
        env.or(named.first().copied())
    }
}

/// The global ARG a bare `ARG NAME` in a stage takes its value from.
pub(super) fn global_for<'m>(model: &'m Model, decl: &VarDecl) -> Option<&'m VarDecl> {
    if decl.kind != VarKind::Arg || decl.stage.is_none() || decl.value.is_some() {
        return None;
    }
    model.global_args.iter().rev().find(|g| g.name == decl.name)
}

/// Start of the instruction that holds a declaration: its value expands
/// against the variables set before that instruction.
fn instruction_start(model: &Model, decl: &VarDecl) -> usize {
    let instructions = match decl.stage {
        None => model.preamble.iter().collect::<Vec<_>>(),
        Some(i) => model
            .stages
            .get(i)
            .map(|s| s.instructions.iter().collect())
            .unwrap_or_default(),
    };
    instructions
        .into_iter()
        .find(|i| i.range.start <= decl.range.start && decl.range.start < i.range.end)
        .map_or(decl.range.start, |i| i.range.start)
}

/// The value of a declaration with the file's defaults, when it can be
/// known without running the build.
pub(super) fn value_of(model: &Model, escape: char, decl: &VarDecl) -> Option<String> {
    value_at_depth(model, escape, decl, 0)
}

fn value_at_depth(model: &Model, escape: char, decl: &VarDecl, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &decl.value {
        Some(written) => {
            let at = instruction_start(model, decl);
            let lookup = |name: &str| lookup(model, escape, name, decl.stage, at, depth + 1);
            expand(written, escape, &lookup)
        }
        None => {
            let global = global_for(model, decl)?;
            value_at_depth(model, escape, global, depth + 1)
        }
    }
}

/// Expands text written at `offset` in `stage` (`None`: a FROM line).
pub(crate) fn expand_at(
    model: &Model,
    text: &str,
    stage: Option<usize>,
    offset: usize,
) -> Option<String> {
    let lookup = |name: &str| lookup(model, model.escape, name, stage, offset, 0);
    expand(text, model.escape, &lookup)
}

fn lookup(
    model: &Model,
    escape: char,
    name: &str,
    stage: Option<usize>,
    offset: usize,
    depth: usize,
) -> Lookup {
    let Some(decl) = effective(model, name, stage, offset, false) else {
        // FROM lines get the platform ARGs without a declaration
        return if stage.is_none() && docs::automatic_arg(name).is_some() {
            Lookup::Unknown
        } else {
            Lookup::Unset
        };
    };
    match value_at_depth(model, escape, decl, depth) {
        Some(value) => Lookup::Known(value),
        None if decl.value.is_none()
            && global_for(model, decl).is_none()
            && docs::automatic_arg(name).is_none() =>
        {
            Lookup::Unset
        }
        None => Lookup::Unknown,
    }
}

/// A variable's value as BuildKit's shell lexer would produce it: quotes
/// removed, escapes applied, `$NAME` and `${NAME}` replaced, with the
/// `-`, `+` and `?` modifiers. `None` when part of it cannot be known.
pub(super) fn expand(text: &str, escape: char, lookup: &dyn Fn(&str) -> Lookup) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && !single {
            match chars.get(i + 1) {
                // in double quotes only a few characters are escapable
                Some(&next) if double && !matches!(next, '"' | '$') && next != escape => {
                    out.push(c);
                    out.push(next);
                }
                Some(&next) => out.push(next),
                None => out.push(c),
            }
            i += 2;
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' if !single => {
                let (value, next) = expansion(&chars, i, escape, lookup)?;
                out.push_str(&value);
                i = next;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

/// The expansion starting at `chars[at] == '$'`: its value and where the
/// text after it starts.
fn expansion(
    chars: &[char],
    at: usize,
    escape: char,
    lookup: &dyn Fn(&str) -> Lookup,
) -> Option<(String, usize)> {
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if chars.get(at + 1) != Some(&'{') {
        let name: String = chars[at + 1..].iter().take_while(|c| is_name(c)).collect();
        if name.is_empty() {
            return Some(("$".to_string(), at + 1));
        }
        let end = at + 1 + name.chars().count();
        return match lookup(&name) {
            Lookup::Known(value) => Some((value, end)),
            Lookup::Unset => Some((String::new(), end)),
            Lookup::Unknown => None,
        };
    }
    // ${NAME[op[word]]}, braces nesting in the word
    let start = at + 2;
    let name: String = chars[start..].iter().take_while(|c| is_name(c)).collect();
    let mut i = start + name.chars().count();
    let operator: String = chars[i..]
        .iter()
        .take_while(|c| matches!(c, ':' | '-' | '+' | '?'))
        .take(2)
        .collect();
    i += operator.chars().count();
    // pattern modifiers (`#`, `%`, `/`) are not evaluated here
    if operator.is_empty() && chars.get(i) != Some(&'}') {
        return None;
    }
    let word_start = i;
    let mut depth = 1;
    while i < chars.len() {
        match chars[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if i >= chars.len() || name.is_empty() {
        return None;
    }
    let word: String = chars[word_start..i].iter().collect();
    let end = i + 1;
    let value = lookup(&name);
    let (set, empty) = match &value {
        Lookup::Known(v) => (true, v.is_empty()),
        Lookup::Unset => (false, true),
        Lookup::Unknown => return None,
    };
    let current = match value {
        Lookup::Known(v) => v,
        _ => String::new(),
    };
    let alternative = || expand(&word, escape, lookup);
    let result = match operator.as_str() {
        "" => current,
        ":-" if !set || empty => alternative()?,
        "-" if !set => alternative()?,
        ":-" | "-" => current,
        ":+" if set && !empty => alternative()?,
        "+" if set => alternative()?,
        ":+" | "+" => String::new(),
        // the build would fail: nothing to show
        ":?" if !set || empty => return None,
        "?" if !set => return None,
        ":?" | "?" => current,
        _ => return None,
    };
    Some((result, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Lookup {
        match name {
            "A" => Lookup::Known("alpine".into()),
            "EMPTY" => Lookup::Known(String::new()),
            "ARCH" => Lookup::Unknown,
            _ => Lookup::Unset,
        }
    }

    fn run(text: &str) -> Option<String> {
        expand(text, '\\', &env)
    }

    #[test]
    fn expands_as_buildkits_lexer() {
        assert_eq!(run("$A:3").as_deref(), Some("alpine:3"));
        assert_eq!(run("${A}-x").as_deref(), Some("alpine-x"));
        assert_eq!(run("\"a b\"").as_deref(), Some("a b"));
        assert_eq!(run("'$A'").as_deref(), Some("$A"));
        assert_eq!(run("\\$A").as_deref(), Some("$A"));
        assert_eq!(run("${NOPE:-dflt}").as_deref(), Some("dflt"));
        assert_eq!(run("${EMPTY:-dflt}").as_deref(), Some("dflt"));
        assert_eq!(run("${EMPTY-dflt}").as_deref(), Some(""));
        assert_eq!(run("${A:+set}").as_deref(), Some("set"));
        assert_eq!(run("${NOPE:+set}").as_deref(), Some(""));
        assert_eq!(run("${NOPE:-${A}}").as_deref(), Some("alpine"));
        assert_eq!(run("$NOPE").as_deref(), Some(""));
        assert_eq!(run("cost $").as_deref(), Some("cost $"));
    }

    #[test]
    fn gives_up_on_what_depends_on_the_build() {
        assert_eq!(run("$ARCH"), None);
        assert_eq!(run("${A%%:*}"), None);
        assert_eq!(run("${NOPE?}"), None);
        assert_eq!(run("${A"), None);
    }
}
