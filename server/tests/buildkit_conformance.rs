//! BuildKit's parser conformance files: for each `testfiles/<case>/Dockerfile`
//! the instruction sequence read from our tree (keyword lowercased, flags,
//! arguments after BuildKit's continuation and quote handling) must equal
//! BuildKit's own dump in `testfiles/<case>/result`.

use std::path::{Path, PathBuf};

use dockerfile_ls::syntax::{
    self, decode_json_string, logical_text, logical_text_of_range, Instruction,
};
use tree_sitter::Node;

/// One instruction as BuildKit's `Node.Dump` prints it.
#[derive(Debug, PartialEq)]
struct Dumped {
    keyword: String,
    flags: Vec<String>,
    args: Vec<Arg>,
}

#[derive(Debug, PartialEq)]
enum Arg {
    Text(String),
    Nested(Dumped),
}

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

#[test]
fn every_buildkit_testfile_reads_as_buildkit_reads_it() {
    let dir = corpus().join("buildkit-parser/testfiles");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus missing at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 33,
        "expected BuildKit's 33 testfiles, found {}",
        cases.len()
    );

    let mut failures = Vec::new();
    for case in &cases {
        let source = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
        let expected_text = std::fs::read_to_string(case.join("result")).unwrap();
        let expected: Vec<Dumped> = expected_text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                parse_result_line(line)
                    .unwrap_or_else(|e| panic!("{}: {e}: {line}", case.display()))
            })
            .collect();
        let tree = syntax::parse(&source);
        assert!(
            !tree.root_node().has_error(),
            "{} has an error node:\n{}",
            case.display(),
            syntax::to_sexp(tree.root_node())
        );
        let actual = dump_tree(tree.root_node(), &source);
        if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected:?}\n  actual:   {actual:?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// our side: the tree read the way BuildKit's line parsers read a line

fn dump_tree(root: Node<'_>, source: &str) -> Vec<Dumped> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter_map(Instruction::cast)
        .map(|instruction| dump_instruction(instruction, source))
        .collect()
}

fn dump_instruction(instruction: Instruction<'_>, source: &str) -> Dumped {
    let keyword = instruction.keyword_lowercase(source);
    let flags = instruction
        .flags()
        .map(|flag| logical_text(flag, source))
        // a bare `--` ends the flags and is dropped
        .filter(|flag| flag != "--")
        .collect();
    let rest = arguments_text(instruction, source);
    let args = match keyword.as_str() {
        "onbuild" => instruction
            .onbuild_trigger()
            .map(|trigger| vec![Arg::Nested(dump_instruction(trigger, source))])
            .unwrap_or_default(),
        "from" | "expose" => whitespace_words(&rest),
        "run" | "cmd" | "entrypoint" | "shell" => json_or(instruction, source, || single(&rest)),
        "add" | "copy" | "volume" => json_or(instruction, source, || whitespace_words(&rest)),
        "env" | "label" => pairs(instruction, source),
        "arg" => instruction
            .arguments()
            .into_iter()
            .map(|n| Arg::Text(logical_text(n, source)))
            .collect(),
        "healthcheck" => healthcheck(instruction, source, &rest),
        _ => single(&rest),
    };
    Dumped {
        keyword,
        flags,
        args,
    }
}

fn arguments_text(instruction: Instruction<'_>, source: &str) -> String {
    let range = instruction.arguments_range();
    logical_text_of_range(instruction.node, range.start, range.end, source)
        .trim()
        .to_string()
}

fn whitespace_words(text: &str) -> Vec<Arg> {
    text.split_whitespace()
        .map(|w| Arg::Text(w.to_string()))
        .collect()
}

fn single(text: &str) -> Vec<Arg> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![Arg::Text(text.to_string())]
    }
}

fn json_array_strings(node: Node<'_>, source: &str) -> Vec<Arg> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind() == "json_string")
        .map(|n| Arg::Text(decode_json_string(&source[n.byte_range()]).expect("valid JSON string")))
        .collect()
}

fn json_or(
    instruction: Instruction<'_>,
    source: &str,
    otherwise: impl FnOnce() -> Vec<Arg>,
) -> Vec<Arg> {
    match instruction
        .arguments()
        .into_iter()
        .find(|n| n.kind() == "json_array")
    {
        Some(array) => json_array_strings(array, source),
        None => otherwise(),
    }
}

/// ENV and LABEL: name, value, and "=" for `k=v` or "" for the legacy form.
fn pairs(instruction: Instruction<'_>, source: &str) -> Vec<Arg> {
    let mut args = Vec::new();
    for pair in instruction.arguments() {
        let name = pair
            .child_by_field_name("name")
            .or_else(|| pair.child_by_field_name("key"))
            .map(|n| logical_text(n, source))
            .unwrap_or_default();
        let value = pair.child_by_field_name("value");
        let legacy = value.is_some_and(|v| v.kind() == "text");
        args.push(Arg::Text(name));
        args.push(Arg::Text(
            value.map(|v| logical_text(v, source)).unwrap_or_default(),
        ));
        args.push(Arg::Text(if legacy { "" } else { "=" }.to_string()));
    }
    args
}

/// HEALTHCHECK: the type word as written, then the command as RUN reads it.
fn healthcheck(instruction: Instruction<'_>, source: &str, rest: &str) -> Vec<Arg> {
    let Some((kind, command)) = rest
        .split_once(char::is_whitespace)
        .map(|(k, c)| (k, c.trim_start()))
        .or(Some((rest, "")).filter(|_| !rest.is_empty()))
    else {
        return Vec::new();
    };
    let mut args = vec![Arg::Text(kind.to_string())];
    args.extend(json_or(instruction, source, || single(command)));
    args
}

// ---------------------------------------------------------------------------
// BuildKit's side: the `result` format, e.g. `(copy ["--from=a"] "x" "/y")`

fn parse_result_line(line: &str) -> Result<Dumped, String> {
    let mut chars = line.trim().chars().peekable();
    let dumped = parse_dumped(&mut chars)?;
    match chars.next() {
        None => Ok(dumped),
        Some(c) => Err(format!("unexpected '{c}' after the instruction")),
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_spaces(chars: &mut Chars<'_>) {
    while chars.next_if(|c| *c == ' ').is_some() {}
}

fn parse_dumped(chars: &mut Chars<'_>) -> Result<Dumped, String> {
    if chars.next() != Some('(') {
        return Err("expected '('".into());
    }
    let mut keyword = String::new();
    while let Some(c) = chars.next_if(|c| !matches!(c, ' ' | ')')) {
        keyword.push(c);
    }
    let mut flags = Vec::new();
    let mut args = Vec::new();
    loop {
        skip_spaces(chars);
        match chars.peek() {
            Some(')') => {
                chars.next();
                return Ok(Dumped {
                    keyword,
                    flags,
                    args,
                });
            }
            Some('[') => {
                chars.next();
                loop {
                    skip_spaces(chars);
                    if chars.next_if_eq(&']').is_some() {
                        break;
                    }
                    flags.push(parse_go_string(chars)?);
                }
            }
            Some('(') => args.push(Arg::Nested(parse_dumped(chars)?)),
            Some('"') => args.push(Arg::Text(parse_go_string(chars)?)),
            other => return Err(format!("unexpected {other:?}")),
        }
    }
}

/// A Go `strconv.Quote` literal.
fn parse_go_string(chars: &mut Chars<'_>) -> Result<String, String> {
    if chars.next() != Some('"') {
        return Err("expected '\"'".into());
    }
    let mut out = String::new();
    loop {
        match chars.next().ok_or("unterminated string")? {
            '"' => return Ok(out),
            '\\' => {
                let escaped = chars.next().ok_or("dangling escape")?;
                let hex = |chars: &mut Chars<'_>, n: usize| -> Result<u32, String> {
                    let digits: String = chars.by_ref().take(n).collect();
                    u32::from_str_radix(&digits, 16).map_err(|e| e.to_string())
                };
                match escaped {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    'x' => out.push(char::from_u32(hex(chars, 2)?).ok_or("bad \\x")?),
                    'u' => out.push(char::from_u32(hex(chars, 4)?).ok_or("bad \\u")?),
                    'U' => out.push(char::from_u32(hex(chars, 8)?).ok_or("bad \\U")?),
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
}

#[test]
fn the_result_reader_reads_nested_flags_and_escapes() {
    let dumped = parse_result_line(r#"(onbuild (copy ["--from=a"] "x\ty" "\"q\""))"#).unwrap();
    assert_eq!(
        dumped,
        Dumped {
            keyword: "onbuild".into(),
            flags: vec![],
            args: vec![Arg::Nested(Dumped {
                keyword: "copy".into(),
                flags: vec!["--from=a".into()],
                args: vec![Arg::Text("x\ty".into()), Arg::Text("\"q\"".into())],
            })],
        }
    );
}
