//! The size estimate of every Dockerfile under the given folders, with how
//! much of each total is unknown; for the official images' own Dockerfiles
//! (docker-library golang/python/postgres, docker-node) the estimate sits
//! next to the catalog's published size of the tag they build.
//!
//!     cargo run --release -p dockerfile-ls --example size_report -- ../shared/corpus/real
//!
//! The corpus holds Dockerfiles without their build contexts, so COPY from
//! the context is unknown here; the editor and `dockerfile-ls size` measure it.

use std::path::{Path, PathBuf};

use dockerfile_ls::ide::Analysis;
use dockerfile_ls::size::catalog;
use dockerfile_ls::size::estimate::{estimate, Inputs, NoContext, StageEstimate};
use dockerfile_ls::size::present::human;
use dockerfile_ls::size::Known;

/// Corpus folders that hold an official image's own Dockerfiles, and the
/// image they build.
const OFFICIAL: &[(&str, &str)] = &[
    ("docker-library__golang", "golang"),
    ("docker-library__python", "python"),
    ("docker-library__postgres", "postgres"),
    ("nodejs__docker-node", "node"),
];

fn main() {
    let roots: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: size_report FOLDER...");
        std::process::exit(2);
    }
    let mut files: Vec<PathBuf> = roots.iter().flat_map(|r| walk(r)).collect();
    files.sort();
    let context = NoContext("the corpus has no build contexts".to_string());
    let inputs = Inputs {
        platform: "linux/amd64".to_string(),
        ..Inputs::offline(&context)
    };
    println!("| file | final stage | estimate (on disk) | range | unknown parts | unknown share of high | published size of the tag (on disk) |");
    println!("|---|---|---:|---|---:|---:|---|");
    let (mut count, mut fully_known) = (0, 0);
    let mut official_rows = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let analysis = Analysis::of_text(&text);
        let build = estimate(&analysis.model, text.as_ref(), &inputs);
        let Some(stage) = build.final_estimate() else {
            continue;
        };
        count += 1;
        let (unknown_parts, unknown_high) = unknown(stage);
        if unknown_parts == 0 {
            fully_known += 1;
        }
        let share = if stage.unpacked.high == 0 {
            0.0
        } else {
            unknown_high as f64 / stage.unpacked.high as f64 * 100.0
        };
        let published = official_tag(file).map(|(reference, found)| match found {
            Some((tag, unpacked)) => {
                let row = format!("{reference} → catalog `{tag}` {}", human(unpacked));
                official_rows.push((reference, stage.unpacked.best, unpacked));
                row
            }
            None => format!("{reference}: not in the catalog"),
        });
        println!(
            "| {} | {} | {} | {} – {} | {} | {:.0} % | {} |",
            display(file, &roots),
            stage.label(),
            human(stage.unpacked.best),
            human(stage.unpacked.low),
            human(stage.unpacked.high),
            unknown_parts,
            share,
            published.unwrap_or_default()
        );
    }
    println!("\n{count} Dockerfiles; {fully_known} with no unknown part.");
    if !official_rows.is_empty() {
        println!("\nOfficial images' own Dockerfiles: estimate / published (on disk)");
        let ratios: Vec<f64> = official_rows
            .iter()
            .map(|(_, est, publ)| *est as f64 / *publ as f64)
            .collect();
        let mut sorted = ratios.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{} files; median ratio {:.2}, min {:.2}, max {:.2}",
            sorted.len(),
            sorted[sorted.len() / 2],
            sorted[0],
            sorted[sorted.len() - 1]
        );
    }
}

/// Unknown parts, and what they contribute to the high end.
fn unknown(stage: &StageEstimate) -> (usize, u64) {
    let parts: Vec<_> = stage
        .parts
        .iter()
        .filter(|p| p.part.known == Known::Unknown)
        .collect();
    (
        parts.len(),
        parts.iter().map(|p| p.part.unpacked.high).sum(),
    )
}

/// `docker-library__golang/1.26__alpine3.23__Dockerfile` builds
/// `golang:1.26-alpine3.23`; its catalog figure (nearest tag) if any.
fn official_tag(file: &Path) -> Option<(String, Option<(String, u64)>)> {
    let folder = file.parent()?.file_name()?.to_str()?;
    let image = OFFICIAL.iter().find(|(f, _)| *f == folder)?.1;
    let name = file.file_name()?.to_str()?.strip_suffix("__Dockerfile")?;
    if name.contains("windows") {
        return None;
    }
    let tag = name.replace("__", "-");
    let reference = format!("{image}:{tag}");
    let found = catalog::lookup(&reference, "linux/amd64")
        .ok()
        .and_then(|m| {
            Some((
                format!("{}:{}", m.entry.image, m.entry.tag),
                m.entry.unpacked_bytes()?,
            ))
        });
    Some((reference, found))
}

fn display(file: &Path, roots: &[PathBuf]) -> String {
    roots
        .iter()
        .find_map(|r| file.strip_prefix(r).ok())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("Dockerfile") || n.contains("dockerfile"))
        {
            out.push(path);
        }
    }
    out
}
