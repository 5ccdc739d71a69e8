//! The embedded base-image size catalog (`server/data/image-sizes.csv`) is
//! well-formed: every row has the required fields, a supported platform,
//! plausible byte counts and a provenance we can follow back (a pinned
//! docker-library/repo-info file, another repo pinned to a commit, or an
//! https URL). Unpacked sizes either come from a named file or carry the rule
//! they were derived with. See `server/data/README.md`.
//!
//! The CSV is parsed by hand (RFC 4180 subset: quoted fields may contain
//! commas, doubled quotes and newlines) so the catalog needs no extra crate.

use std::collections::{BTreeSet, HashSet};

const CSV: &str = include_str!("../data/image-sizes.csv");

const COLUMNS: [&str; 11] = [
    "image",
    "tag",
    "platform",
    "compressed_bytes",
    "uncompressed_bytes",
    "as_of",
    "source",
    "uncompressed_source",
    "version_seen",
    "unit_note",
    "derived_rule",
];

/// Splits CSV text into records of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(
                    field.is_empty(),
                    "quote inside an unquoted field: {field:?}"
                );
                in_quotes = true;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            _ => field.push(c),
        }
    }
    assert!(!in_quotes, "unterminated quoted field at end of file");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
fn parser_handles_quotes() {
    let recs = parse_csv("a,\"b, c\",\"say \"\"hi\"\"\",\nx,y,z,\"multi\nline\"\n");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0], vec!["a", "b, c", "say \"hi\"", ""]);
    assert_eq!(recs[1], vec!["x", "y", "z", "multi\nline"]);
}

struct Row {
    line: usize,
    fields: Vec<String>,
}

impl Row {
    fn get(&self, column: &str) -> &str {
        let i = COLUMNS
            .iter()
            .position(|c| *c == column)
            .expect("known column");
        &self.fields[i]
    }
}

fn rows() -> Vec<Row> {
    let mut records = parse_csv(CSV).into_iter();
    let header = records.next().expect("header line");
    assert_eq!(header, COLUMNS, "column names and order");
    records
        .enumerate()
        .map(|(i, fields)| {
            assert_eq!(
                fields.len(),
                COLUMNS.len(),
                "record {} has {} fields: {fields:?}",
                i + 2,
                fields.len()
            );
            Row {
                line: i + 2,
                fields,
            }
        })
        .collect()
}

fn is_hex40(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `docker-library/repo-info@<40 hex>:repos/...`
fn is_repo_info_source(s: &str) -> bool {
    s.strip_prefix("docker-library/repo-info@")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(commit, path)| {
            is_hex40(commit) && path.starts_with("repos/") && path.len() > "repos/".len()
        })
}

/// `owner/name@<40 hex>:path`
fn is_pinned_repo_source(s: &str) -> bool {
    let Some((repo, rest)) = s.split_once('@') else {
        return false;
    };
    let Some((commit, path)) = rest.split_once(':') else {
        return false;
    };
    let mut parts = repo.split('/');
    let (Some(owner), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !owner.is_empty() && !name.is_empty() && is_hex40(commit) && !path.is_empty()
}

fn is_https_url(s: &str) -> bool {
    s.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(' '))
}

fn is_valid_source(s: &str) -> bool {
    is_repo_info_source(s) || is_pinned_repo_source(s) || is_https_url(s)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[test]
fn source_patterns() {
    assert!(is_valid_source(
        "docker-library/repo-info@1746b58749182f00f5d2c26a53fff697cfce2c81:repos/alpine/remote/3.21.md"
    ));
    assert!(is_valid_source(
        "dotnet/dotnet-docker@046c2a893dacf37a6cd145aa38cc719ba02a5eae:documentation/x.md"
    ));
    assert!(is_valid_source("https://example.org/sizes"));
    assert!(!is_valid_source(
        "docker-library/repo-info@main:repos/alpine/remote/3.21.md"
    ));
    assert!(!is_valid_source(
        "docker-library/repo-info@1746b58749182f00f5d2c26a53fff697cfce2c81:"
    ));
    assert!(!is_valid_source("http://example.org/sizes"));
    assert!(!is_valid_source("memory"));
}

#[test]
fn every_row_is_well_formed() {
    let rows = rows();
    assert!(!rows.is_empty());
    let mut problems = Vec::new();
    for row in &rows {
        let at = format!(
            "line {} ({}:{} {})",
            row.line,
            row.get("image"),
            row.get("tag"),
            row.get("platform")
        );
        for required in [
            "image",
            "tag",
            "platform",
            "compressed_bytes",
            "as_of",
            "source",
        ] {
            if row.get(required).trim().is_empty() {
                problems.push(format!("{at}: empty {required}"));
            }
        }
        if !matches!(row.get("platform"), "linux/amd64" | "linux/arm64") {
            problems.push(format!(
                "{at}: unsupported platform {:?}",
                row.get("platform")
            ));
        }
        if !is_date(row.get("as_of")) {
            problems.push(format!(
                "{at}: as_of is not YYYY-MM-DD: {:?}",
                row.get("as_of")
            ));
        }
        let compressed = match row.get("compressed_bytes").parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                problems.push(format!(
                    "{at}: compressed_bytes must be a positive integer: {:?}",
                    row.get("compressed_bytes")
                ));
                continue;
            }
        };
        if !is_valid_source(row.get("source")) {
            problems.push(format!("{at}: source not pinned: {:?}", row.get("source")));
        }
        let unpacked = row.get("uncompressed_bytes");
        let has_unc_source = !row.get("uncompressed_source").is_empty();
        let has_rule = !row.get("derived_rule").trim().is_empty();
        if has_unc_source && !is_valid_source(row.get("uncompressed_source")) {
            problems.push(format!(
                "{at}: uncompressed_source not pinned: {:?}",
                row.get("uncompressed_source")
            ));
        }
        if unpacked.is_empty() {
            if has_unc_source || has_rule {
                problems.push(format!(
                    "{at}: uncompressed_source/derived_rule without uncompressed_bytes"
                ));
            }
            continue;
        }
        match unpacked.parse::<u64>() {
            Ok(n) if n >= compressed => {}
            Ok(n) => problems.push(format!("{at}: unpacked {n} < compressed {compressed}")),
            Err(_) => problems.push(format!(
                "{at}: uncompressed_bytes not an integer: {unpacked:?}"
            )),
        }
        if has_unc_source == has_rule {
            problems.push(format!(
                "{at}: uncompressed_bytes needs exactly one of uncompressed_source / derived_rule"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "catalog problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_duplicate_image_tag_platform() {
    let mut seen = HashSet::new();
    for row in rows() {
        let key = (
            row.get("image").to_owned(),
            row.get("tag").to_owned(),
            row.get("platform").to_owned(),
        );
        assert!(
            seen.insert(key.clone()),
            "duplicate row {key:?} at line {}",
            row.line
        );
    }
}

#[test]
fn covers_at_least_45_images() {
    let images: BTreeSet<String> = rows().iter().map(|r| r.get("image").to_owned()).collect();
    assert!(
        images.len() >= 45,
        "only {} distinct images: {images:?}",
        images.len()
    );
}

#[test]
fn the_common_bases_are_present() {
    let rows = rows();
    let has = |image: &str, tag: &str| {
        rows.iter().any(|r| {
            r.get("image") == image && r.get("tag") == tag && r.get("platform") == "linux/amd64"
        })
    };
    for (image, tag) in [
        ("alpine", "latest"),
        ("debian", "bookworm-slim"),
        ("ubuntu", "24.04"),
        ("node", "22-alpine"),
        ("python", "3.13-slim"),
        ("golang", "1.25-alpine"),
        ("eclipse-temurin", "21-jre"),
        ("nginx", "alpine"),
    ] {
        assert!(has(image, tag), "missing {image}:{tag} linux/amd64");
    }
}
