//! `.dockerignore` read and matched as BuildKit does (moby/patternmatcher),
//! one test per edge-case group of `shared/reference/image-sizes.md` §5.
//! Expectations follow patternmatcher's documented behaviour: `ReadAll`,
//! `New`, `Pattern.compile` (Go RE2 syntax) and the file walker's
//! incremental parent matching.

use dockerfile_ls::size::dockerignore::IgnoreRules;

fn rules(text: &str) -> IgnoreRules {
    IgnoreRules::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

/// `(path, excluded)` pairs against one ignore file.
fn expect(text: &str, cases: &[(&str, bool)]) {
    let r = rules(text);
    for (path, want) in cases {
        assert_eq!(r.excludes(path), *want, "{text:?} on {path:?}");
    }
}

fn error(text: &str) -> String {
    match IgnoreRules::parse(text) {
        Ok(r) => panic!("{text:?} should be refused, got {:?}", r.patterns()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn comments_only_in_column_one() {
    expect(
        "# comment\n #spaced\nfoo # not a comment\n#bar\n",
        &[
            ("# comment", false),
            ("#spaced", true),
            ("foo # not a comment", true),
            ("foo", false),
            ("bar", false),
            ("#bar", false),
        ],
    );
    assert_eq!(rules("# a\n\n   \n#b").patterns(), Vec::<String>::new());
}

#[test]
fn bom_stripped_from_the_first_line_only() {
    expect("\u{FEFF}foo\nbar", &[("foo", true), ("bar", true)]);
    expect("\u{FEFF}# comment\nx", &[("# comment", false), ("x", true)]);
    // on a later line the BOM is part of the pattern
    expect("a\n\u{FEFF}b", &[("b", false), ("\u{FEFF}b", true)]);
}

#[test]
fn crlf_and_surrounding_whitespace() {
    expect(
        "foo\r\n# c\r\n  bar  \r\n\tbaz\t\r\n",
        &[("foo", true), ("bar", true), ("baz", true), ("# c", false)],
    );
    assert_eq!(rules("foo\r\nbar\r\n").patterns(), ["foo", "bar"]);
}

#[test]
fn lines_longer_than_64k_are_refused() {
    let long = "a".repeat(70_000);
    assert!(error(&format!("x\n{long}\n")).contains("token too long"));
    assert!(IgnoreRules::parse(&"b".repeat(60_000)).is_ok());
}

#[test]
fn exception_forms_and_bare_bang() {
    for text in ["*\n!foo", "*\n! foo", "*\n!/foo", "*\n!./foo", "*\n!  foo/"] {
        expect(text, &[("foo", false), ("bar", true)]);
    }
    assert_eq!(rules("*\n! /foo//").patterns(), ["*", "!foo"]);
    for bare in ["!", "foo\n!\n", "!   ", "!/"] {
        assert!(
            error(bare).contains("illegal exclusion pattern: \"!\""),
            "{bare:?}"
        );
    }
    assert!(!rules("a").has_exceptions());
    assert!(rules("a\n!b").has_exceptions());
}

#[test]
fn patterns_are_cleaned() {
    for text in [
        "foo",
        "/foo",
        "./foo",
        "foo/",
        "foo//",
        "foo/.",
        "bar/../foo",
        "//foo",
    ] {
        assert_eq!(rules(text).patterns(), ["foo"], "{text:?}");
        expect(text, &[("foo", true), ("foo/x", true), ("foobar", false)]);
    }
    assert_eq!(rules("a//b/./c/").patterns(), ["a/b/c"]);
    // `..` can't leave the context: the pattern never matches
    assert_eq!(rules("../x").patterns(), ["../x"]);
    expect("../x", &[("x", false)]);
    assert_eq!(rules("/").patterns(), ["/"]);
    expect("/", &[("a", false)]);
}

#[test]
fn star_and_question_mark_stay_in_one_segment() {
    expect(
        "*.txt",
        &[
            ("a.txt", true),
            (".txt", true),
            ("d/a.txt", false),
            ("a.txt/x", true),
        ],
    );
    expect(
        "?.txt",
        &[("a.txt", true), ("ab.txt", false), ("/.txt", false)],
    );
    expect("a?b", &[("axb", true), ("a/b", false)]);
    expect("a*b", &[("ab", true), ("axxb", true), ("a/b", false)]);
    expect("*", &[("a", true), ("a/b/c", true)]);
    expect(
        "*/*.go",
        &[("x/a.go", true), ("a.go", false), ("x/y/a.go", false)],
    );
}

#[test]
fn double_star_at_start_middle_end() {
    let any_depth = [
        ("foo", true),
        ("a/foo", true),
        ("a/b/foo", true),
        ("a/foo/x", true),
        ("afoo", false),
    ];
    expect("**/foo", &any_depth);
    expect("**/foo/", &any_depth);
    expect(
        "a/**/b",
        &[
            ("a/b", true),
            ("a/x/b", true),
            ("a/x/y/b", true),
            ("ab", false),
            ("a/xb", false),
        ],
    );
    // trailing `**` is a prefix match on `a/`: everything below, not `a`
    expect(
        "a/**",
        &[("a", false), ("a/x", true), ("a/x/y", true), ("ab", false)],
    );
    expect("**", &[("x", true), ("x/y", true)]);
    expect(
        "**/*.go",
        &[("x.go", true), ("a/b/x.go", true), ("a/b/x.gox", false)],
    );
    expect("a**/b", &[("a/b", true), ("ab/b", true), ("axx/y/b", true)]);
}

#[test]
fn prefix_and_suffix_fast_paths() {
    // `foo**` is HasPrefix("foo"), across `/`
    expect(
        "foo**",
        &[
            ("foo", true),
            ("foobar", true),
            ("foo/x", true),
            ("xfoo", false),
        ],
    );
    // `**foo` is HasSuffix("foo")
    expect(
        "**foo",
        &[
            ("barfoo", true),
            ("a/barfoo", true),
            ("foo", true),
            ("foox", false),
        ],
    );
    // anything wild after the leading `**` makes it a regexp again, where
    // `**` is `(.*/)?`: whole segments only
    expect(
        "**foo*",
        &[("a/foox", true), ("foo", true), ("barfoox", false)],
    );
}

#[test]
fn character_classes_use_regexp_syntax() {
    expect("[^a].txt", &[("b.txt", true), ("a.txt", false)]);
    // `!` is a member, not a negation
    expect(
        "[!a].txt",
        &[("!.txt", true), ("a.txt", true), ("b.txt", false)],
    );
    expect("[a-c]x", &[("bx", true), ("dx", false)]);
    expect("x[0-9][0-9]", &[("x42", true), ("x4", false)]);
    // POSIX classes come from the regexp side
    expect("[[:digit:]]x", &[("5x", true), ("ax", false)]);
    // `[*]` becomes `[[^/]*]` in the regexp: a class, a star, a literal `]`
    expect("[*]", &[("]", true), ("[^]", true), ("*", false)]);
    for bad in ["[a", "x[", "[]a]", "[a-]", "[-a]", "[a--b]", "[^]", "foo\\"] {
        assert!(error(bad).contains("syntax error in pattern"), "{bad:?}");
    }
}

#[test]
fn reversed_range_fails_when_evaluated() {
    // glob syntax is fine, Go's regexp refuses it: BuildKit reports it the
    // first time the pattern is tried on a path
    let r = rules("[z-a]");
    assert_eq!(r.problems().len(), 1);
    assert!(r.problems()[0].message.contains("syntax error in pattern"));
    assert!(r.check("x").is_err());
    assert!(!r.excludes("x"));
    // an exception is not tried while nothing is excluded
    let r = rules("![z-a]");
    assert_eq!(r.check("x"), Ok(false));
    let r = rules("x\n![z-a]");
    assert!(r.check("x").is_err());
    assert_eq!(r.check("y"), Ok(false));
}

#[test]
fn caret_is_an_anchor_in_regexp_patterns() {
    // no wildcard: exact string comparison, the file matches
    expect("a^b", &[("a^b", true)]);
    // with a wildcard the `^` anchors mid-pattern and nothing can match
    expect("a^b*", &[("a^b", false), ("a^bc", false), ("b", false)]);
}

#[test]
fn classes_rust_would_read_differently() {
    // Rust's regex reads `&&` and `~~` as set operations and `[` as a
    // nested class; Go reads members
    expect(
        "[a&&b]",
        &[("a", true), ("&", true), ("b", true), ("c", false)],
    );
    expect("[a~~b]", &[("~", true), ("a", true), ("c", false)]);
    expect("[[a]", &[("[", true), ("a", true), ("b", false)]);
    expect("x[a\\-z]", &[("x-", true), ("xb", false), ("xz", true)]);
    expect("[a|b]", &[("|", true)]);
}

#[test]
fn escapes_keep_go_meaning() {
    expect("\\*", &[("*", true), ("a", false)]);
    expect("a\\[b", &[("a[b", true)]);
    // `\d` passes through to Go's regexp: an ASCII digit
    expect("\\d", &[("5", true), ("d", false), ("\u{0665}", false)]);
    expect("a.b", &[("a.b", true), ("axb", false)]);
    expect("a.b*", &[("a.bc", true), ("axbc", false)]);
    expect("(x)+", &[("(x)+", true), ("x", false)]);
    // `\Q` quotes the rest of the regexp text
    expect("\\Qa*", &[("a[^/]*$", true), ("ab", false)]);
    let r = rules("\\é*");
    assert_eq!(r.problems().len(), 1);
}

#[test]
fn parent_directories_match() {
    expect(
        "dir",
        &[
            ("dir", true),
            ("dir/a", true),
            ("dir/a/b", true),
            ("a/dir", false),
        ],
    );
    expect(
        "*/temp*",
        &[
            ("x/temp1", true),
            ("x/temp1/y", true),
            ("temp1", false),
            ("x/y/temp1", false),
        ],
    );
    expect(
        "**/temp*",
        &[("temp1", true), ("x/y/temp1", true), ("x/y/temp1/z", true)],
    );
    // no gitignore-style "any depth" for bare names
    expect("foo", &[("a/foo", false)]);
}

#[test]
fn last_match_wins() {
    expect("*.md\n!README.md", &[("README.md", false), ("a.md", true)]);
    expect("!README.md\n*.md", &[("README.md", true)]);
    expect(
        "*.md\n!README*.md\nREADME-secret.md",
        &[
            ("README.md", false),
            ("README-x.md", false),
            ("README-secret.md", true),
            ("other.md", true),
        ],
    );
}

#[test]
fn exceptions_reach_inside_excluded_directories() {
    expect(
        "dir\n!dir/keep.txt",
        &[("dir", true), ("dir/keep.txt", false), ("dir/other", true)],
    );
    expect(
        "dir\n!**/keep.txt",
        &[("dir/a/keep.txt", false), ("dir/a/x", true)],
    );
    // the walker's incremental form: a pattern skipped for `a` is tried on
    // `a/b` alone, so the second `a` does not exclude `a/b` again
    expect("a\n!a/b\na", &[("a", true), ("a/b", false), ("a/c", true)]);
}

#[test]
fn pruning_only_when_nothing_can_come_back() {
    assert!(rules("node_modules").can_prune("node_modules"));
    assert!(rules("node_modules\n!*.md").can_prune("node_modules"));
    assert!(!rules("dir\n!dir/keep").can_prune("dir"));
    assert!(rules("dir\n!dir").can_prune("dir"));
    assert!(!rules("dir\n!**/keep").can_prune("dir"));
    assert!(!rules("dir\n!*/keep").can_prune("dir"));
    assert!(!rules("dir\n!di**").can_prune("dir"));
    assert!(!rules("dir\n![dx]ir/a").can_prune("dir"));
}

#[test]
fn matching_is_case_sensitive() {
    expect("*.MD", &[("a.md", false), ("a.MD", true)]);
    expect("Foo", &[("foo", false), ("Foo", true)]);
}

#[test]
fn copy_exclude_patterns_are_not_read_as_a_file() {
    let r = IgnoreRules::from_patterns(&["*.md", "  ", "!keep.md"]).unwrap();
    assert!(r.excludes("a.md"));
    assert!(!r.excludes("keep.md"));
    // `#` is no comment there
    let r = IgnoreRules::from_patterns(&["#x"]).unwrap();
    assert!(r.excludes("#x"));
    assert!(IgnoreRules::from_patterns(&["!"]).is_err());
}

#[test]
fn odd_input_never_panics() {
    let samples = [
        "[",
        "]",
        "\\",
        "*\\",
        "[\\",
        "[a-\\",
        "**/**/**",
        "!!",
        "!**",
        "[]]",
        "[^\\]]",
        "\\x{110000}",
        "\\p{Greek}*",
        "\\pZ",
        "\\p{",
        "[\\p{L}]",
        "[[:^alpha:]]",
        "[[:nope:]]",
        "[\\d-z]",
        "\\Q",
        "\\8",
        "\\0101",
        "é*ü?",
        "\u{0}",
        "a\u{FEFF}*",
        "[é-a]",
        "***",
        "?*?*",
        "[\\b]",
        "\\b*",
    ];
    for text in samples {
        if let Ok(r) = IgnoreRules::parse(text) {
            for path in ["", ".", "a", "é/ü", "a/b/c", "[", "]/x", "\u{FFFD}"] {
                let _ = r.check(path);
                let _ = r.excludes(path);
                let _ = r.can_prune(path);
            }
        }
    }
    let _ = IgnoreRules::parse_bytes(b"\xff\xfe*\n!\xc3(\n");
    let r = rules("x\n\u{FEFF}**foo\n\u{FEFF}foo**");
    assert!(!r.excludes("foo"));
}
