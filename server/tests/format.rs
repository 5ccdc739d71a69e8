//! The formatter: golden files (`fixtures/format/NAME.in.Dockerfile` →
//! `NAME.out.Dockerfile`, rewritten with `UPDATE_FIXTURES=1`), CRLF twins of
//! them, options and ranges, and a property test over every file of the
//! shared corpus: the result parses cleanly, formatting it again changes
//! nothing, and BuildKit reads the same instructions from it.
//!
//! "The same instructions" is checked here independently of the
//! formatter's own safety net: the instruction list is read from the tree
//! the way BuildKit's parser dumps it (as in `buildkit_conformance.rs`), and
//! shell-form commands are compared as shell words (whitespace outside
//! quotes may differ in amount, never in presence; quoted text and escapes
//! byte for byte). Everything else must be equal as BuildKit reads it.

use std::path::{Path, PathBuf};

use dockerfile_ls::ide::format::{apply, format_text, format_unverified};
use dockerfile_ls::ide::{self, Analysis, FormatOptions, Indent};
use dockerfile_ls::syntax::{
    self, decode_json_string, logical_text, logical_text_of_range, Instruction,
};
use tree_sitter::Node;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/format")
}

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

/// Formats with the unverified entry point, so that the checks below test
/// the edits themselves and not the safety net that would hide them.
fn format_raw(text: &str, options: &FormatOptions) -> String {
    let tree = syntax::parse(text);
    apply(text, &format_unverified(&tree, text, options, None))
}

/// Everything a formatted text must satisfy; a description of what failed.
fn check_properties(before: &str, after: &str, options: &FormatOptions) -> Result<(), String> {
    let tree = syntax::parse(after);
    if let Some(node) = syntax::first_error(tree.root_node()) {
        return Err(format!(
            "the result has an ERROR/MISSING node at {:?}",
            node.start_position()
        ));
    }
    let again = format_raw(after, options);
    if again != after {
        return Err(format!(
            "formatting twice changes the text:\n--- once\n{after}\n--- twice\n{again}"
        ));
    }
    let (old, new) = (buildkit_view(before), buildkit_view(after));
    if old != new {
        let first = old
            .iter()
            .zip(&new)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("{a:?}\n  became {b:?}"))
            .unwrap_or_else(|| format!("{} instructions became {}", old.len(), new.len()));
        return Err(format!("BuildKit would read it differently: {first}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// golden files

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures/format exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".in.Dockerfile").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn golden_files() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    let names = fixture_names();
    assert!(names.len() >= 8, "fixtures missing: {names:?}");
    let options = FormatOptions::default();
    let mut failures = Vec::new();
    for name in &names {
        let input = read(&fixtures().join(format!("{name}.in.Dockerfile")));
        let output_path = fixtures().join(format!("{name}.out.Dockerfile"));
        let actual = format_text(&input, &options);
        if update {
            std::fs::write(&output_path, &actual).expect("writing a fixture");
        }
        let expected = read(&output_path);
        if actual != expected {
            failures.push(format!(
                "{name}: expected\n{expected}\n--- actual\n{actual}\n"
            ));
        }
        if actual != format_raw(&input, &options) {
            failures.push(format!("{name}: the safety net refused the edits"));
        }
        if let Err(problem) = check_properties(&input, &actual, &options) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn crlf_files_keep_crlf() {
    let options = FormatOptions::default();
    for name in fixture_names() {
        let input = read(&fixtures().join(format!("{name}.in.Dockerfile"))).replace('\n', "\r\n");
        let expected =
            read(&fixtures().join(format!("{name}.out.Dockerfile"))).replace('\n', "\r\n");
        let actual = format_text(&input, &options);
        assert_eq!(actual, expected, "{name} with CRLF line breaks");
        if let Err(problem) = check_properties(&input, &actual, &options) {
            panic!("{name} with CRLF: {problem}");
        }
    }
}

// ---------------------------------------------------------------------------
// options and ranges

const SMALL: &str = "from alpine\nrun apk add \\\ncurl \\\n  git\ncopy  a  b\n";

#[test]
fn continuation_indent_follows_the_options() {
    let tabs = FormatOptions {
        indent: Indent::Tab,
        ..FormatOptions::default()
    };
    let unindented = "FROM alpine\nRUN apk add \\\ncurl \\\ngit\n";
    assert_eq!(
        format_text(unindented, &tabs),
        "FROM alpine\nRUN apk add \\\n\tcurl \\\n\tgit\n"
    );
    let two = FormatOptions {
        indent: Indent::Spaces(2),
        ..FormatOptions::default()
    };
    assert_eq!(
        format_text(unindented, &two),
        "FROM alpine\nRUN apk add \\\n  curl \\\n  git\n"
    );
    // an instruction with its own indentation keeps it, whatever the options
    assert_eq!(
        format_text(SMALL, &tabs),
        "FROM alpine\nRUN apk add \\\n  curl \\\n  git\nCOPY a  b\n"
    );
}

#[test]
fn settings_turn_parts_off() {
    let neither = FormatOptions {
        uppercase_keywords: false,
        indent_continuations: false,
        ..FormatOptions::default()
    };
    assert_eq!(
        format_text(SMALL, &neither),
        "from alpine\nrun apk add \\\ncurl \\\n  git\ncopy a  b\n"
    );
}

#[test]
fn range_formatting_touches_only_the_lines_in_range() {
    let text = "from a\nrun  x\ncopy  y z\nrun \\\nw\n";
    let analysis = Analysis::of_text(text);
    let options = FormatOptions::default();
    // from inside line 2 to inside line 3
    let start = text.find("x").unwrap();
    let end = text.find("y").unwrap();
    let edits = ide::format(&analysis, text, &options, Some(start..end));
    assert_eq!(apply(text, &edits), "from a\nRUN x\nCOPY y z\nrun \\\nw\n");
    // an empty range at the end formats the last line only
    let end = text.len();
    let edits = ide::format(&analysis, text, &options, Some(end..end));
    assert_eq!(
        apply(text, &edits),
        "from a\nrun  x\ncopy  y z\nrun \\\n    w\n"
    );
    let line = text.rfind("run").unwrap();
    let edits = ide::format(&analysis, text, &options, Some(line..line));
    assert_eq!(
        apply(text, &edits),
        "from a\nrun  x\ncopy  y z\nRUN \\\nw\n"
    );
}

#[test]
fn the_edits_are_minimal() {
    let text = "FROM alpine\nrun  echo hi   \n";
    let analysis = Analysis::of_text(text);
    let edits = ide::format(&analysis, text, &FormatOptions::default(), None);
    let spans: Vec<(&str, &str)> = edits
        .iter()
        .map(|e| (&text[e.range.clone()], e.new_text.as_str()))
        .collect();
    assert_eq!(spans, [("run", "RUN"), ("  ", " "), ("   ", "")]);
}

#[test]
fn documents_with_syntax_errors_are_left_alone() {
    // an unclosed `${` is an ERROR node: the lines after it cannot be
    // trusted to be what they seem
    for text in [
        "from a\nENV a=${\nrun  b\n",
        "from a\nCOPY --=x a b\nrun  b   \n",
    ] {
        let tree = syntax::parse(text);
        assert!(tree.root_node().has_error(), "{text:?} parses cleanly now");
        assert!(format_unverified(&tree, text, &FormatOptions::default(), None).is_empty());
        assert_eq!(format_text(text, &FormatOptions::default()), text);
    }
    assert_eq!(format_text("", &FormatOptions::default()), "");
    assert_eq!(format_text("\n\n  \n", &FormatOptions::default()), "");
}

// ---------------------------------------------------------------------------
// the corpus

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "result") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_file_formats_safely_and_stably() {
    let root = corpus();
    let mut files = files_under(&root.join("real"));
    let real = files.len();
    assert!(real >= 300, "expected the 300 real files, found {real}");
    files.extend(files_under(&root.join("buildkit-parser")));
    let variants = [
        FormatOptions::default(),
        FormatOptions {
            indent: Indent::Tab,
            uppercase_keywords: false,
            max_blank_lines: 1,
            ..FormatOptions::default()
        },
    ];
    let mut failures = Vec::new();
    let mut changed = 0;
    let mut skipped = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        let tree = syntax::parse(&text);
        if tree.root_node().has_error() {
            // the formatter refuses these; nothing to check
            skipped.push(path.display().to_string());
            assert!(format_unverified(&tree, &text, &variants[0], None).is_empty());
            continue;
        }
        for (v, options) in variants.iter().enumerate() {
            let after = format_raw(&text, options);
            if v == 0 && after != text {
                changed += 1;
            }
            if let Err(problem) = check_properties(&text, &after, options) {
                failures.push(format!("{} (options #{v}): {problem}", path.display()));
                continue;
            }
            // the safety net agrees: it never refuses what is correct
            let analysis = Analysis::of_text(&text);
            let checked = apply(&text, &ide::format(&analysis, text.as_str(), options, None));
            if checked != after {
                failures.push(format!("{} (options #{v}): refused", path.display()));
            }
        }
    }
    eprintln!(
        "format corpus: {} files, {changed} changed by the default options, {} skipped for syntax errors {skipped:?}",
        files.len(),
        skipped.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The corpus made sloppy: continuation lines unindented, keywords
/// lowercased, gaps widened, trailing whitespace and blank lines added,
/// CRLF line breaks, at random (seed 7, or `FORMAT_SEED`). Whatever the
/// result means, formatting must keep it.
#[test]
fn sloppy_corpus_variants_format_safely_and_stably() {
    let mut files = files_under(&corpus().join("real"));
    files.extend(files_under(&corpus().join("buildkit-parser")));
    let options = FormatOptions::default();
    let mut rng = fastrand::Rng::with_seed(
        std::env::var("FORMAT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(7),
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        for _ in 0..3 {
            let variant = sloppy(&text, &mut rng);
            let tree = syntax::parse(&variant);
            if tree.root_node().has_error() {
                continue;
            }
            checked += 1;
            let after = format_raw(&variant, &options);
            if let Err(problem) = check_properties(&variant, &after, &options) {
                failures.push(format!(
                    "{} (variant):\n{variant}\n{problem}",
                    path.display()
                ));
                continue;
            }
            let analysis = Analysis::of_text(&variant);
            let verified = apply(
                &variant,
                &ide::format(&analysis, variant.as_str(), &options, None),
            );
            if verified != after {
                failures.push(format!("{} (variant): refused\n{variant}", path.display()));
            }
        }
    }
    assert!(checked > 500, "only {checked} variants parsed cleanly");
    assert!(
        failures.is_empty(),
        "{} failures, the first:\n{}",
        failures.len(),
        failures[0]
    );
}

fn sloppy(text: &str, rng: &mut fastrand::Rng) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let mut body = body.to_string();
        if rng.u8(..10) < 3 {
            body = body.trim_start().to_string();
        }
        if rng.u8(..10) < 2 {
            if let Some(space) = body.find(' ') {
                let word = body[..space].to_ascii_lowercase();
                if word.bytes().all(|b| b.is_ascii_alphabetic()) {
                    body = format!("{word}{}", &body[space..]);
                }
            }
        }
        if rng.u8(..10) < 2 {
            if let Some(space) = body.find(' ') {
                body.insert_str(space, "  ");
            }
        }
        if rng.u8(..10) < 2 {
            body.push_str(" \t ");
        }
        out.push_str(&body);
        out.push_str(end);
        if rng.u8(..20) == 0 {
            out.push_str("\n  \n");
        }
    }
    if rng.bool() {
        out = out.replace('\n', "\r\n");
    }
    out
}

// ---------------------------------------------------------------------------
// BuildKit's view of a text, read from our tree like BuildKit's dump

#[derive(Debug, PartialEq)]
struct Dumped {
    keyword: String,
    flags: Vec<String>,
    args: Vec<Arg>,
    heredocs: Vec<String>,
}

#[derive(Debug, PartialEq)]
enum Arg {
    Text(String),
    /// Shell text, as its words.
    Shell(Vec<String>),
    Nested(Dumped),
}

fn buildkit_view(text: &str) -> Vec<Dumped> {
    let tree = syntax::parse(text);
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter_map(Instruction::cast)
        .map(|i| dump(i, text))
        .collect()
}

fn dump(instruction: Instruction<'_>, source: &str) -> Dumped {
    let keyword = instruction.keyword_lowercase(source);
    let flags = instruction
        .flags()
        .map(|flag| logical_text(flag, source))
        .filter(|flag| flag != "--")
        .collect();
    let range = instruction.arguments_range();
    let rest = logical_text_of_range(instruction.node, range.start, range.end, source)
        .trim()
        .to_string();
    let args = match keyword.as_str() {
        "onbuild" => instruction
            .onbuild_trigger()
            .map(|t| vec![Arg::Nested(dump(t, source))])
            .unwrap_or_default(),
        "from" | "expose" => {
            let mut words = whitespace_words(&rest);
            // `AS` is matched without case
            if let Some(Arg::Text(word)) = words.get_mut(1) {
                if word.eq_ignore_ascii_case("as") {
                    *word = word.to_ascii_lowercase();
                }
            }
            words
        }
        "run" | "cmd" | "entrypoint" | "shell" => {
            json_or(instruction, source, || vec![Arg::Shell(shell_words(&rest))])
        }
        "add" | "copy" | "volume" => json_or(instruction, source, || whitespace_words(&rest)),
        "env" | "label" => pairs(instruction, source),
        // BuildKit trims the joined line: an unterminated quote at its end
        // does not take the trailing whitespace
        "arg" => instruction
            .arguments()
            .into_iter()
            .map(|n| Arg::Text(logical_text(n, source).trim_end().to_string()))
            .collect(),
        "healthcheck" => {
            let (kind, command) = rest
                .split_once(char::is_whitespace)
                .map(|(k, c)| (k.to_ascii_uppercase(), c.trim_start()))
                .unwrap_or((rest.to_ascii_uppercase(), ""));
            let mut args = vec![Arg::Text(kind)];
            args.extend(json_or(instruction, source, || {
                vec![Arg::Shell(shell_words(command))]
            }));
            args
        }
        _ => vec![Arg::Text(rest)],
    };
    let heredocs = instruction
        .heredocs()
        .into_iter()
        .map(|h| {
            let mut cursor = h.walk();
            h.named_children(&mut cursor)
                .map(|part| source[part.byte_range()].to_string())
                .collect()
        })
        .collect();
    Dumped {
        keyword,
        flags,
        args,
        heredocs,
    }
}

/// ENV and LABEL: name, value, and "=" for `k=v` or "" for the legacy form
/// (whose value BuildKit takes as written, after the whitespace that
/// follows the name).
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
            value
                .map(|v| logical_text(v, source).trim_end().to_string())
                .unwrap_or_default(),
        ));
        args.push(Arg::Text(if legacy { "" } else { "=" }.to_string()));
    }
    args
}

fn whitespace_words(text: &str) -> Vec<Arg> {
    text.split_whitespace()
        .map(|w| Arg::Text(w.to_string()))
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
        Some(array) => json_strings(array, source),
        None => otherwise(),
    }
}

fn json_strings(node: Node<'_>, source: &str) -> Vec<Arg> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind() == "json_string")
        .map(|n| Arg::Text(decode_json_string(&source[n.byte_range()]).unwrap_or_default()))
        .collect()
}

/// Words as `sh` splits them, quotes and escapes kept as written: single
/// quotes literal, double quotes and unquoted text with backslash escapes.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t') => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
            (None | Some('"'), '\\') => {
                word.push(c);
                if let Some(escaped) = chars.next() {
                    word.push(escaped);
                }
                continue;
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn shell_words_keep_quotes_and_escapes() {
    assert_eq!(
        shell_words("a  'b  c'   \"d \\\" e\"  f\\ g"),
        ["a", "'b  c'", "\"d \\\" e\"", "f\\ g"]
    );
}
