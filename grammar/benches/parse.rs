//! Parse benchmark of the dockerfile-ls grammar:
//!   `cargo bench -p tree-sitter-dockerfile-ls --bench parse`
//!
//! a. full-parse throughput over the real-world corpus (one concatenated text, and file by file);
//! b. latency of a one-character edit + incremental reparse in a ≥ 10,000-line Dockerfile;
//! c. how many corpus files parse with ERROR/MISSING nodes.
//!
//! The corpus is `../../shared/corpus` next to this crate, or `$DOCKERFILE_LS_CORPUS`.
//! `bench/peer-grammar/src/main.rs` runs the same measurements with the published
//! `tree-sitter-dockerfile` grammar: keep everything below `grammar_parser` in step with it.
//! Run by `cargo test --benches` (without `--bench`), it only does a quick smoke run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tree_sitter::{InputEdit, Parser, Point, Tree};

const GRAMMAR: &str = "tree-sitter-dockerfile-ls (ours), tree-sitter runtime 0.27";

fn grammar_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile_ls::LANGUAGE.into())
        .expect("grammar ABI supported by the runtime");
    parser
}

const MIN_LINES: usize = 10_000;

type Files = Vec<(String, Vec<u8>)>;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (runs, edits) = if full { (10, 500) } else { (1, 20) };
    let dir = std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let dir = dir.canonicalize().unwrap_or(dir);
    let real = read_files(&dir.join("real"), "");
    if real.is_empty() {
        println!(
            "parse bench: no corpus at {}/real/*/* (set DOCKERFILE_LS_CORPUS); skipped",
            dir.display()
        );
        return;
    }
    let buildkit = read_files(&dir.join("buildkit-parser/testfiles"), "Dockerfile");
    let mut parser = grammar_parser();
    let joined = join(&real, usize::MAX);
    println!("grammar: {GRAMMAR}");
    println!(
        "corpus:  {} ({} files under real/, {} bytes joined)",
        dir.display(),
        real.len(),
        joined.len()
    );

    // a. full-parse throughput
    let _ = parser.parse(&joined, None); // warm-up
    let (mut whole, mut each) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        whole.push(mb_per_s(joined.len(), time_parse(&mut parser, &joined)));
        let (mut bytes, mut spent) = (0, Duration::ZERO);
        for (_, text) in &real {
            bytes += text.len();
            spent += time_parse(&mut parser, text);
        }
        each.push(mb_per_s(bytes, spent));
    }
    let title = format!("full parse, MB/s (1 MB = 10^6 bytes), {runs} runs");
    println!("\n{title:<44} {:>7} {:>8}", "best", "median");
    for (name, v) in [
        ("concatenated corpus", &mut whole),
        ("file by file (total)", &mut each),
    ] {
        v.sort_by(f64::total_cmp);
        println!(
            "  {name:<42} {:>7.2} {:>8.2}",
            v[v.len() - 1],
            v[v.len() / 2]
        );
    }

    // b. one-character incremental reparse in a >= 10,000-line document
    let has_error =
        |parser: &mut Parser, t: &[u8]| parser.parse(t, None).unwrap().root_node().has_error();
    let clean: Files = real
        .iter()
        .filter(|(_, t)| !has_error(&mut parser, t))
        .cloned()
        .collect();
    incremental(&mut parser, &join(&real, MIN_LINES), edits, "whole corpus");
    if !clean.is_empty() && clean.len() < real.len() {
        let what = format!("only the {} files that parse without errors", clean.len());
        incremental(&mut parser, &join(&clean, MIN_LINES), edits, &what);
    }

    // c. files whose tree has ERROR or MISSING nodes
    println!("\nfiles with ERROR/MISSING nodes");
    for (name, files) in [
        ("real/*/*", &real),
        ("buildkit-parser/testfiles/*/Dockerfile", &buildkit),
    ] {
        let bad: Vec<String> = files
            .iter()
            .filter_map(|(path, t)| {
                let tree = parser.parse(t, None).unwrap();
                let (e, m) = shape(&tree)
                    .iter()
                    .fold((0, 0), |(e, m), n| (e + n.3 as u32, m + n.4 as u32));
                tree.root_node()
                    .has_error()
                    .then(|| format!("{path} ({e} ERROR, {m} MISSING)"))
            })
            .collect();
        println!("  {name:<42} {:>4} / {}", bad.len(), files.len());
        for b in bad.iter().take(5) {
            println!("      {b}");
        }
        if bad.len() > 5 {
            println!("      … and {} more", bad.len() - 5);
        }
    }
}

/// The files, each followed by a newline, concatenated: all of them once (`min_lines` =
/// `usize::MAX`), or over and over until the text has at least `min_lines` lines.
fn join(files: &Files, min_lines: usize) -> Vec<u8> {
    let mut doc = Vec::new();
    let mut lines = 0;
    let all = min_lines == usize::MAX;
    for (_, text) in files
        .iter()
        .cycle()
        .take(if all { files.len() } else { usize::MAX })
    {
        if lines >= min_lines {
            break;
        }
        doc.extend_from_slice(text);
        doc.push(b'\n');
        lines += text.iter().filter(|&&b| b == b'\n').count() + 1;
    }
    doc
}

/// Times `edits` one-character inserts (each undone by a delete) with edit + incremental reparse.
fn incremental(parser: &mut Parser, doc: &[u8], edits: usize, what: &str) {
    let spots = edit_spots(doc, edits);
    if spots.is_empty() {
        return println!("\nincremental reparse, {what}: no RUN or FROM line to edit");
    }
    let mut text = doc.to_vec();
    let mut tree = parser.parse(&text, None).unwrap();
    let doc_errors = tree.root_node().has_error();
    let (mut ins, mut del, mut same) = (Vec::new(), Vec::new(), 0);
    for (i, &(pos, row, col)) in spots.iter().enumerate() {
        let (at, after) = (
            Point { row, column: col },
            Point {
                row,
                column: col + 1,
            },
        );
        for (insert, times) in [(true, &mut ins), (false, &mut del)] {
            if insert {
                text.insert(pos, b'x');
            } else {
                text.remove(pos);
            }
            let t = Instant::now();
            tree.edit(&InputEdit {
                start_byte: pos,
                old_end_byte: pos + !insert as usize,
                new_end_byte: pos + insert as usize,
                start_position: at,
                old_end_position: if insert { at } else { after },
                new_end_position: if insert { after } else { at },
            });
            let new = parser.parse(&text, Some(&tree)).unwrap();
            times.push(t.elapsed());
            tree = new;
            if insert && i < 20 {
                // the incremental tree must equal a fresh parse (untimed)
                same += (shape(&tree) == shape(&parser.parse(&text, None).unwrap())) as usize;
            }
        }
    }
    let end_equal = shape(&tree) == shape(&parser.parse(doc, None).unwrap());
    let lines = doc.iter().filter(|&&b| b == b'\n').count();
    println!(
        "\nincremental reparse, {what}: {lines} lines, {} bytes, has errors: {doc_errors}",
        doc.len()
    );
    let title = format!("edit + reparse, µs, {} edits", spots.len());
    println!("  {title:<40} {:>8} {:>8} {:>8}", "median", "p95", "max");
    let both: Vec<Duration> = ins.iter().chain(&del).copied().collect();
    for (name, mut v) in [
        ("insert 1 char", ins),
        ("delete it again", del),
        ("both", both),
    ] {
        v.sort();
        let p = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "  {name:<40} {:>8.1} {:>8.1} {:>8.1}",
            us(p(0.5)),
            us(p(0.95)),
            us(p(1.0))
        );
    }
    let checked = spots.len().min(20);
    println!(
        "  incremental tree == fresh parse: {same}/{checked} after inserts, {end_equal} at the end"
    );
}

/// `dir/*/*` files (only those named `only`, if given) with their contents, sorted by path.
fn read_files(dir: &Path, only: &str) -> Files {
    let sorted = |d: &Path| {
        let mut v: Vec<PathBuf> =
            std::fs::read_dir(d).map_or(Vec::new(), |r| r.flatten().map(|e| e.path()).collect());
        v.sort();
        v
    };
    let mut files = Vec::new();
    for sub in sorted(dir).into_iter().filter(|p| p.is_dir()) {
        for f in sorted(&sub) {
            if f.is_file() && (only.is_empty() || f.file_name().is_some_and(|n| n == only)) {
                let name = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
                files.push((name, std::fs::read(&f).expect("readable corpus file")));
            }
        }
    }
    files
}

fn time_parse(parser: &mut Parser, text: &[u8]) -> Duration {
    let t = Instant::now();
    let tree = parser.parse(text, None).expect("parse");
    let spent = t.elapsed();
    drop(tree);
    spent
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// Deterministic edit positions `(byte, row, column)`: alternately inside the argument of a
/// `RUN` line and inside the image name of a `FROM` line, chosen by a seeded xorshift.
fn edit_spots(doc: &[u8], n: usize) -> Vec<(usize, usize, usize)> {
    let (mut run, mut from) = (Vec::new(), Vec::new()); // (line start, row, first col, last col)
    let mut start = 0;
    for (row, line) in doc.split(|&b| b == b'\n').enumerate() {
        let indent = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let words: Vec<(usize, &[u8])> = line
            .split(|b| b.is_ascii_whitespace())
            .scan(0, |col, w| {
                let at = *col;
                *col += w.len() + 1;
                Some((at, w))
            })
            .filter(|(_, w)| !w.is_empty())
            .collect();
        let keyword = |k: &str| {
            words
                .first()
                .is_some_and(|(_, w)| w.eq_ignore_ascii_case(k.as_bytes()))
        };
        let end = line.len() - (line.ends_with(b"\\") as usize);
        if keyword("RUN") && end > indent + 4 {
            run.push((start, row, indent + 4, end));
        } else if keyword("FROM") {
            if let Some(&(col, w)) = words.iter().skip(1).find(|(_, w)| !w.starts_with(b"--")) {
                from.push((start, row, col, col + w.len()));
            }
        }
        start += line.len() + 1;
    }
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    if run.is_empty() && from.is_empty() {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let pool = if i % 2 == 0 && !run.is_empty() || from.is_empty() {
                &run
            } else {
                &from
            };
            let (line, row, lo, hi) = pool[(next() % pool.len() as u64) as usize];
            let col = lo + (next() % (hi - lo + 1) as u64) as usize;
            (line + col, row, col)
        })
        .collect()
}

/// Pre-order `(kind, start, end, is ERROR, is MISSING)` of every node.
fn shape(tree: &Tree) -> Vec<(u16, usize, usize, bool, bool)> {
    let (mut out, mut c) = (Vec::new(), tree.walk());
    loop {
        let n = c.node();
        out.push((
            n.kind_id(),
            n.start_byte(),
            n.end_byte(),
            n.is_error(),
            n.is_missing(),
        ));
        if c.goto_first_child() || c.goto_next_sibling() {
            continue;
        }
        loop {
            if !c.goto_parent() {
                return out;
            }
            if c.goto_next_sibling() {
                break;
            }
        }
    }
}
