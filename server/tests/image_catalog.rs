//! The embedded base-image size catalog (`server/data/image-sizes.csv`) is
//! well-formed: every row has the required fields, a supported platform,
//! plausible byte counts and a provenance we can follow back (a pinned
//! docker-library/repo-info file, another repo pinned to a commit, or an
//! https URL). Every row has both sizes: each figure is either read from a
//! named source or carries the rule it was derived with (`derived_rule`
//! starts with `unpacked =`, `compressed =` or `proxy of <image>:<tag>`).
//! Every row names the package family of its userland (`distro`), and the
//! tags the product's headline scenarios need are present. See
//! `server/data/README.md`.
//!
//! The CSV is parsed by hand (RFC 4180 subset: quoted fields may contain
//! commas, doubled quotes and newlines) so the catalog needs no extra crate.

use std::collections::{BTreeSet, HashSet};

const CSV: &str = include_str!("../data/image-sizes.csv");

const COLUMNS: [&str; 12] = [
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
    "distro",
];

/// Package families the server has tables for (`none`: no apt/apk/dnf).
const DISTROS: [&str; 5] = ["debian", "ubuntu", "alpine", "rhel", "none"];

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
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    (2015..=2030).contains(&num(0..4))
        && (1..=12).contains(&num(5..7))
        && (1..=31).contains(&num(8..10))
}

/// How a row's figures were obtained, from the start of `derived_rule`.
#[derive(Debug, PartialEq)]
enum Derivation<'a> {
    /// Both figures read from `source` / `uncompressed_source`.
    Sourced,
    /// `unpacked = compressed x ratio ...`: compressed sourced, unpacked derived.
    Unpacked,
    /// `compressed = unpacked / ratio ...`: unpacked sourced, compressed derived.
    Compressed,
    /// `proxy of <image>:<tag>: ...`: both figures copied from that row.
    Proxy {
        image: &'a str,
        tag: &'a str,
    },
    Unknown,
}

fn derivation(rule: &str) -> Derivation<'_> {
    let rule = rule.trim();
    if rule.is_empty() {
        Derivation::Sourced
    } else if rule.starts_with("unpacked =") {
        Derivation::Unpacked
    } else if rule.starts_with("compressed =") {
        Derivation::Compressed
    } else if let Some(rest) = rule.strip_prefix("proxy of ") {
        // `<image>:<tag>:` -- the image may contain a registry host but no `:`
        let reference = rest.split_whitespace().next().unwrap_or("");
        let reference = reference.strip_suffix(':').unwrap_or(reference);
        match reference.split_once(':') {
            Some((image, tag)) if !image.is_empty() && !tag.is_empty() => {
                Derivation::Proxy { image, tag }
            }
            _ => Derivation::Unknown,
        }
    } else {
        Derivation::Unknown
    }
}

#[test]
fn derivation_prefixes() {
    assert_eq!(derivation(""), Derivation::Sourced);
    assert_eq!(
        derivation("unpacked = compressed x 2.169"),
        Derivation::Unpacked
    );
    assert_eq!(
        derivation("compressed = unpacked / 2.169"),
        Derivation::Compressed
    );
    assert_eq!(
        derivation("proxy of golang:1.25-alpine: copied"),
        Derivation::Proxy {
            image: "golang",
            tag: "1.25-alpine"
        }
    );
    assert_eq!(derivation("estimated"), Derivation::Unknown);
    assert!(is_date("2026-09-17"));
    assert!(!is_date("2026-13-01"));
    assert!(!is_date("17.09.2026"));
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
        if !DISTROS.contains(&row.get("distro")) {
            problems.push(format!(
                "{at}: distro {:?} not in {DISTROS:?}",
                row.get("distro")
            ));
        }
        let unpacked = match row.get("uncompressed_bytes").parse::<u64>() {
            Ok(n) if n > 0 => n,
            _ => {
                problems.push(format!(
                    "{at}: uncompressed_bytes must be a positive integer (sourced or derived): {:?}",
                    row.get("uncompressed_bytes")
                ));
                continue;
            }
        };
        if unpacked < compressed {
            problems.push(format!(
                "{at}: unpacked {unpacked} < compressed {compressed}"
            ));
        }
        let unc_source = row.get("uncompressed_source");
        if !unc_source.is_empty() && !is_valid_source(unc_source) {
            problems.push(format!(
                "{at}: uncompressed_source not pinned: {unc_source:?}"
            ));
        }
        let rule = row.get("derived_rule");
        match derivation(rule) {
            Derivation::Sourced if unc_source.is_empty() => problems.push(format!(
                "{at}: uncompressed_bytes has neither uncompressed_source nor derived_rule"
            )),
            Derivation::Unpacked | Derivation::Proxy { .. } if !unc_source.is_empty() => {
                problems.push(format!(
                    "{at}: derived unpacked size must not also name an uncompressed_source"
                ))
            }
            Derivation::Compressed if unc_source.is_empty() => problems.push(format!(
                "{at}: compressed derived from an unpacked size that names no uncompressed_source"
            )),
            Derivation::Unknown => problems.push(format!(
                "{at}: derived_rule must start with `unpacked =`, `compressed =` or `proxy of`: {rule:?}"
            )),
            _ => {}
        }
        if matches!(
            derivation(rule),
            Derivation::Unpacked | Derivation::Compressed
        ) && !rule.contains('x')
            && !rule.contains('/')
        {
            problems.push(format!("{at}: derived_rule states no ratio: {rule:?}"));
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

#[test]
fn proxy_rows_copy_an_existing_row() {
    let rows = rows();
    for row in &rows {
        let Derivation::Proxy { image, tag } = derivation(row.get("derived_rule")) else {
            continue;
        };
        let target = rows
            .iter()
            .find(|r| {
                r.get("image") == image
                    && r.get("tag") == tag
                    && r.get("platform") == row.get("platform")
            })
            .unwrap_or_else(|| {
                panic!(
                    "line {}: proxy of {image}:{tag} {} but that row is missing",
                    row.line,
                    row.get("platform")
                )
            });
        assert!(
            matches!(
                derivation(target.get("derived_rule")),
                Derivation::Sourced | Derivation::Unpacked
            ),
            "line {}: proxy of a proxy or of a derived compressed size",
            row.line
        );
        for column in ["compressed_bytes", "uncompressed_bytes", "as_of", "source"] {
            assert_eq!(
                row.get(column),
                target.get(column),
                "line {}: proxy {column} differs from {image}:{tag}",
                row.line
            );
        }
        assert!(
            row.get("unit_note").contains("PROXY"),
            "line {}: proxy rows must say so in unit_note",
            row.line
        );
    }
}

#[test]
fn repo_info_rows_name_a_remote_file_of_their_image() {
    for row in rows() {
        let source = row.get("source");
        let Some((_, path)) = source
            .strip_prefix("docker-library/repo-info@")
            .and_then(|rest| rest.split_once(':'))
        else {
            continue;
        };
        let image = row.get("image");
        assert!(
            path.starts_with(&format!("repos/{image}/remote/")),
            "line {}: {image} row cites {path}",
            row.line
        );
        // a sourced figure comes from the file of its own tag
        if !matches!(
            derivation(row.get("derived_rule")),
            Derivation::Proxy { .. }
        ) {
            assert_eq!(
                path,
                format!("repos/{image}/remote/{}.md", row.get("tag")),
                "line {}: source file is not the row's tag",
                row.line
            );
        }
    }
}

/// The tags the product's headline scenarios write in `FROM`, on linux/amd64.
const HEADLINE: &[(&str, &[&str])] = &[
    (
        "golang",
        &[
            "1.22",
            "1.23",
            "1.24",
            "1.25",
            "1.22-alpine",
            "1.23-alpine",
            "1.24-alpine",
            "1.25-alpine",
            "latest",
            "alpine",
        ],
    ),
    ("alpine", &["latest", "3.21", "3.22"]),
    (
        "node",
        &[
            "18",
            "18-slim",
            "18-alpine",
            "20",
            "20-slim",
            "20-alpine",
            "22",
            "22-slim",
            "22-alpine",
            "24",
            "24-slim",
            "24-alpine",
        ],
    ),
    ("nginx", &["stable-alpine", "alpine", "latest", "stable"]),
    (
        "maven",
        &[
            "3.8-openjdk-17",
            "3.9-eclipse-temurin-17",
            "3-eclipse-temurin-21",
        ],
    ),
    (
        "eclipse-temurin",
        &[
            "17-jre",
            "21-jre",
            "21-jdk",
            "17-jre-alpine",
            "21-jre-alpine",
        ],
    ),
    ("gradle", &["8-jdk21"]),
    ("amazoncorretto", &["17", "21", "17-alpine", "21-alpine"]),
    (
        "python",
        &[
            "3.9-slim",
            "3.9-alpine",
            "3.10-slim",
            "3.11-slim",
            "3.11-alpine",
            "3.12",
            "3.12-slim",
            "3.12-alpine",
            "3.13",
            "3.13-slim",
            "3.13-alpine",
        ],
    ),
    ("rust", &["1", "slim", "alpine"]),
    (
        "debian",
        &[
            "bookworm",
            "bookworm-slim",
            "bullseye",
            "bullseye-slim",
            "trixie",
            "trixie-slim",
        ],
    ),
    ("ubuntu", &["20.04", "22.04", "24.04"]),
    ("php", &["fpm-alpine"]),
    ("ruby", &["3.3-alpine"]),
    ("httpd", &["alpine"]),
    ("postgres", &["17-alpine"]),
    ("redis", &["7", "alpine"]),
    ("mysql", &["8.4"]),
    ("caddy", &["2"]),
    ("traefik", &["v3"]),
    ("busybox", &["latest", "musl"]),
];

#[test]
fn the_headline_tags_are_present() {
    let rows = rows();
    let mut missing = Vec::new();
    for (image, tags) in HEADLINE {
        for tag in *tags {
            let found = rows.iter().any(|r| {
                r.get("image") == *image
                    && r.get("tag") == *tag
                    && r.get("platform") == "linux/amd64"
            });
            if !found {
                missing.push(format!("{image}:{tag}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing linux/amd64 rows: {missing:?}");
}

#[test]
fn distro_matches_the_tag_where_the_tag_says() {
    for row in rows() {
        let (tag, distro) = (row.get("tag"), row.get("distro"));
        if tag.contains("alpine") || row.get("image") == "alpine" {
            assert_eq!(distro, "alpine", "line {}", row.line);
        }
        for debian in ["bookworm", "bullseye", "trixie"] {
            if tag.contains(debian) {
                assert_eq!(distro, "debian", "line {}", row.line);
            }
        }
        if row.get("image") == "ubuntu" {
            assert_eq!(distro, "ubuntu", "line {}", row.line);
        }
        if row.get("image").starts_with("gcr.io/distroless/") || row.get("image") == "busybox" {
            assert_eq!(distro, "none", "line {}", row.line);
        }
    }
}
