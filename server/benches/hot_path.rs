//! The per-keystroke path, measured: edit → rope + incremental reparse →
//! model → diagnostics, on generated Dockerfiles of 1k, 10k and 100k lines.
//!
//! `cargo bench -p dockerfile-ls --bench hot_path` (add `-- 10000` to run
//! one size only). Prints p50/p95/max per step and for the whole path, for
//! single-character edits at random positions and for typing a new line.
//! No assertions: the targets live in the issue, this prints the numbers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dockerfile_ls::ide::{Analysis, DiagnosticSettings};
use dockerfile_ls::syntax::Document;

/// A seeded Dockerfile of about `lines` lines: many stages, RUN
/// continuations, heredocs, cache mounts, COPY --from, ARG/ENV uses.
fn generate(lines: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out =
        String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.19\nARG VERSION=1.0\n");
    let mut stage = 0;
    while out.lines().count() < lines {
        let name = format!("stage{stage}");
        match rng.u8(..4) {
            0 => out.push_str(&format!("FROM ${{BASE}} AS {name}\n")),
            1 if stage > 0 => {
                out.push_str(&format!("FROM stage{} AS {name}\n", rng.usize(..stage)))
            }
            _ => out.push_str(&format!("FROM golang:1.22-bookworm AS {name}\n")),
        }
        out.push_str(&format!(
            "ARG VERSION\nENV APP_HOME=/app/{stage} PATH=$PATH:/app/bin\nWORKDIR ${{APP_HOME}}\n"
        ));
        for _ in 0..rng.usize(2..6) {
            match rng.u8(..6) {
                0 => out.push_str(
                    "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n       ca-certificates curl git \\\n    && rm -rf /var/lib/apt/lists/*\n",
                ),
                1 => out.push_str("RUN <<EOF\nset -eux\necho \"building $VERSION\"\nmake -j4 all\nEOF\n"),
                2 if stage > 0 => out.push_str(&format!(
                    "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    --mount=type=bind,from=stage{},source=/out,target=/in \\\n    go build -o /out/app ./cmd/app\n",
                    rng.usize(..stage)
                )),
                3 if stage > 0 => out.push_str(&format!(
                    "COPY --from=stage{} --chown=app:app /out/app /usr/local/bin/app\n",
                    rng.usize(..stage)
                )),
                4 => out.push_str("# a comment about the next line\nLABEL org.opencontainers.image.version=\"${VERSION}\" maintainer=\"me\"\n"),
                _ => out.push_str("COPY go.mod go.sum ./\nRUN go mod download\n"),
            }
        }
        out.push_str("EXPOSE 8080\nCMD [\"/usr/local/bin/app\", \"--serve\"]\n\n");
        stage += 1;
    }
    out
}

#[derive(Default)]
struct Samples(Vec<Duration>);

impl Samples {
    fn push(&mut self, d: Duration) {
        self.0.push(d);
    }
    fn report(&mut self, what: &str) {
        self.0.sort();
        let n = self.0.len();
        if n == 0 {
            return;
        }
        let at = |q: f64| self.0[((n as f64 - 1.0) * q).round() as usize];
        println!(
            "    {what:<22} p50 {:>9.3} ms  p95 {:>9.3} ms  max {:>9.3} ms",
            ms(at(0.5)),
            ms(at(0.95)),
            ms(self.0[n - 1])
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Steps {
    edit: Samples,
    model: Samples,
    diagnostics: Samples,
    total: Samples,
}

impl Steps {
    fn new() -> Steps {
        Steps {
            edit: Samples::default(),
            model: Samples::default(),
            diagnostics: Samples::default(),
            total: Samples::default(),
        }
    }
    fn report(&mut self) {
        self.edit.report("edit + reparse");
        self.model.report("model");
        self.diagnostics.report("diagnostics");
        self.total.report("total");
    }
}

/// One keystroke: apply, then analyse as the server does (the previous
/// analysis handed over, diagnostics once).
fn keystroke(
    doc: &mut Document,
    analysis: &mut Arc<Analysis>,
    range: std::ops::Range<usize>,
    text: &str,
    settings: &DiagnosticSettings,
    steps: &mut Steps,
) -> usize {
    let t0 = Instant::now();
    doc.apply_edit(range, text).expect("edit in bounds");
    let t1 = Instant::now();
    let previous = std::mem::replace(analysis, Arc::new(Analysis::empty()));
    *analysis = Arc::new(Analysis::update(previous, doc));
    let t2 = Instant::now();
    let diagnostics = analysis.diagnostics(doc.rope(), settings);
    let t3 = Instant::now();
    steps.edit.push(t1 - t0);
    steps.model.push(t2 - t1);
    steps.diagnostics.push(t3 - t2);
    steps.total.push(t3 - t0);
    diagnostics.len()
}

fn char_boundary_at(doc: &Document, offset: usize) -> usize {
    let rope = doc.rope();
    rope.char_to_byte(rope.byte_to_char(offset))
}

fn run(lines: usize, edits: usize) {
    let text = generate(lines, 42);
    let settings = DiagnosticSettings::default();
    println!("{} lines, {} bytes", text.lines().count(), text.len());

    let t = Instant::now();
    let mut doc = Document::new(&text, 0);
    let parse = t.elapsed();
    // start the edit log, as the server does when it first analyses
    doc.take_edits();
    let t = Instant::now();
    let fresh = Analysis::from_tree(doc.tree().clone(), doc.rope());
    let model = t.elapsed();
    let t = Instant::now();
    let count = fresh.diagnostics(doc.rope(), &settings).len();
    let diagnostics = t.elapsed();
    println!(
        "  from scratch: parse {:.3} ms, model {:.3} ms, diagnostics {:.3} ms ({count} diagnostics)",
        ms(parse),
        ms(model),
        ms(diagnostics)
    );

    let mut analysis = Arc::new(fresh);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut steps = Steps::new();
    let mut sink = 0;
    for i in 0..edits {
        let len = doc.rope().len_bytes();
        let at = char_boundary_at(&doc, rng.usize(..len));
        if i % 2 == 0 {
            let c = ['a', 'Z', ' ', '$', '-', '=', '1'][rng.usize(..7)];
            sink += keystroke(
                &mut doc,
                &mut analysis,
                at..at,
                &c.to_string(),
                &settings,
                &mut steps,
            );
        } else {
            let end = char_boundary_at(&doc, (at + 1).min(len));
            let end = if end == at { (at + 1).min(len) } else { end };
            let end = char_boundary_at(&doc, end);
            sink += keystroke(&mut doc, &mut analysis, at..end, "", &settings, &mut steps);
        }
    }
    println!("  one-character edits at random positions ({edits}):");
    steps.report();

    // typing a new line in the middle, character by character
    let mut steps = Steps::new();
    let line = doc.rope().len_lines() / 2;
    let mut at = doc.rope().line_to_byte(line);
    let before = doc.rope().line(line).to_string();
    for c in "RUN --mount=type=cache,target=/root/.cache echo $VERSION\n".chars() {
        let s = c.to_string();
        sink += keystroke(&mut doc, &mut analysis, at..at, &s, &settings, &mut steps);
        at += s.len();
    }
    println!(
        "  typing a line in the middle (before line {}: {:?}):",
        line + 1,
        before.trim_end()
    );
    steps.report();
    std::hint::black_box(sink);
}

/// The stdio benchmark's edit on a file it dumped (`--dump-files`): an
/// `x` appended to one-line RUN instructions spread over the file.
fn run_file(path: &str, edits: usize) {
    let text = std::fs::read_to_string(path).expect("readable file");
    let settings = DiagnosticSettings::default();
    println!(
        "{path}: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    let mut doc = Document::new(&text, 0);
    doc.take_edits();
    let fresh = Analysis::from_tree(doc.tree().clone(), doc.rope());
    println!(
        "  {} diagnostics, tree has errors: {}",
        fresh.diagnostics(doc.rope(), &settings).len(),
        doc.tree().root_node().has_error()
    );
    let mut analysis = Arc::new(fresh);
    let sites: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("RUN ") && !l.contains("<<") && !l.ends_with('\\'))
        .map(|(n, _)| n)
        .collect();
    let mut steps = Steps::new();
    let mut sink = 0;
    for i in 0..edits {
        let line = sites[i * sites.len() / edits.max(1)];
        let rope = doc.rope();
        let end = rope.line_to_byte(line + 1) - 1;
        sink += keystroke(
            &mut doc,
            &mut analysis,
            end..end,
            "x",
            &settings,
            &mut steps,
        );
    }
    println!("  x appended to a one-line RUN ({edits}):");
    steps.report();
    std::hint::black_box(sink);
}

fn main() {
    if let Some(path) = std::env::args()
        .skip(1)
        .find_map(|a| a.strip_prefix("--file=").map(str::to_string))
    {
        let edits = std::env::var("HOT_PATH_EDITS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100);
        return run_file(&path, edits);
    }
    let only: Option<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .find_map(|a| a.parse().ok());
    // HOT_PATH_EDITS overrides the number of random edits (for profiling)
    let edits_override: Option<usize> = std::env::var("HOT_PATH_EDITS")
        .ok()
        .and_then(|v| v.parse().ok());
    for (lines, edits) in [(1_000, 400), (10_000, 200), (100_000, 40)] {
        let edits = edits_override.unwrap_or(edits);
        if only.is_none_or(|n| n == lines) {
            run(lines, edits);
        }
    }
}
