//! Shared by the code action tests: the fixture header, a test estimator,
//! and the invariants every applied action must keep.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ops::Range;

use dockerfile_ls::ide::{Analysis, DiagnosticSettings, Severity};
use dockerfile_ls::size::Bytes;
use dockerfile_ls::syntax;

pub struct Fixture {
    pub text: String,
    pub range: Range<usize>,
    pub action: Option<String>,
    pub title: Option<String>,
    pub absent: Vec<String>,
    pub context: HashMap<String, String>,
}

impl Fixture {
    pub fn parse(raw: &str) -> Fixture {
        let mut action = None;
        let mut title = None;
        let mut absent = Vec::new();
        let mut context = HashMap::new();
        let mut at: Option<(usize, Option<usize>)> = None;
        let mut to: Option<usize> = None;
        let mut body_start = 0;
        for line in raw.split_inclusive('\n') {
            let Some(header) = line.strip_prefix("#> ") else {
                break;
            };
            body_start += line.len();
            let header = header.trim_end_matches(['\n', '\r']);
            if let Some(rest) = header.strip_prefix("context ") {
                let (path, value) = rest.split_once('=').expect("context PATH=TEXT");
                context.insert(path.to_string(), value.replace("\\n", "\n"));
                continue;
            }
            let (key, value) = header.split_once('=').expect("a key=value header");
            match key {
                "action" => action = Some(value.to_string()),
                "title" => title = Some(value.to_string()),
                "absent" => absent.push(value.to_string()),
                "at" => {
                    at = Some(match value.split_once(':') {
                        Some((l, c)) => (l.parse().unwrap(), Some(c.parse().unwrap())),
                        None => (value.parse().unwrap(), None),
                    })
                }
                "to" => to = Some(value.parse().unwrap()),
                other => panic!("unknown header key {other}"),
            }
        }
        let text = raw[body_start..].to_string();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let line_range = |line: usize| {
            let start = line_starts[line - 1];
            let end = line_starts.get(line).map_or(text.len(), |next| next - 1);
            start..end
        };
        let (line, column) = at.unwrap_or((1, None));
        let mut range = match column {
            Some(c) => {
                let offset = line_range(line).start + c - 1;
                offset..offset
            }
            None => line_range(line),
        };
        if let Some(to) = to {
            range.end = line_range(to).end;
        }
        Fixture {
            text,
            range,
            action,
            title,
            absent,
            context,
        }
    }

    pub fn context(&self, path: &str) -> Option<String> {
        self.context.get(path).cloned()
    }
}

/// A test double for the size estimator: the final stage's base from a
/// table of three images, plus 6 MB for each `COPY --from` in it.
/// The real estimator, offline and without a build context, as the
/// corpus checks use it: the final image's unpacked best guess.
pub fn real_estimate(text: &str) -> Option<Bytes> {
    use dockerfile_ls::size::estimate::{estimate, Inputs, NoContext};
    let analysis = Analysis::of_text(text);
    let context = NoContext("tests: no build context".to_string());
    let inputs = Inputs {
        platform: "linux/amd64".to_string(),
        ..Inputs::offline(&context)
    };
    estimate(&analysis.model, text, &inputs)
        .final_estimate()
        .map(|stage| stage.unpacked)
}

pub fn fake_estimate(text: &str) -> Option<Bytes> {
    const TABLE: &[(&str, u64)] = &[
        ("golang:1.22", 790_000_000),
        ("alpine:3.22", 8_000_000),
        ("gcr.io/distroless/static-debian12", 2_000_000),
    ];
    let lines: Vec<&str> = text.lines().collect();
    let last_from = lines
        .iter()
        .rposition(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))?;
    let image = lines[last_from].split_whitespace().nth(1)?;
    let (_, base) = TABLE.iter().find(|(name, _)| *name == image)?;
    let copies = lines[last_from..]
        .iter()
        .filter(|l| l.contains("COPY --from="))
        .count() as u64;
    Some(Bytes::exact(base + copies * 6_000_000))
}

/// Instructions (their whole text, comments inside removed) and comment
/// lines of a text, in order.
fn contents(text: &str) -> (Vec<String>, Vec<String>) {
    let analysis = Analysis::of_text(text);
    let model = &analysis.model;
    let instructions = model
        .instructions()
        .map(|i| {
            format!(
                "{} {}",
                i.keyword_text.to_ascii_uppercase(),
                i.arguments.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect();
    let comments = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect();
    (instructions, comments)
}

/// Whether `needle` keeps its order inside `hay` (a subsequence), else the
/// first item missing.
fn missing<'a>(needle: &'a [String], hay: &[String]) -> Option<&'a String> {
    let mut rest = hay.iter();
    needle.iter().find(|n| !rest.any(|h| h == *n))
}

/// (a) the output parses cleanly, (b) it has no error diagnostic the input
/// did not have, (c) what the action did not mean to change is still there.
pub fn check_invariants(before: &str, after: &str, id: &str) -> Result<(), String> {
    let tree = syntax::parse(after);
    if let Some(node) = syntax::first_error(tree.root_node()) {
        return Err(format!(
            "the result has an {} node at {:?}:\n{after}",
            if node.is_missing() {
                "MISSING"
            } else {
                "ERROR"
            },
            node.start_position()
        ));
    }
    let errors = |text: &str| -> Vec<(String, String)> {
        Analysis::of_text(text)
            .diagnostics(text, &DiagnosticSettings::default())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code, d.message))
            .collect()
    };
    let old_errors = errors(before);
    if let Some(new) = errors(after).into_iter().find(|e| !old_errors.contains(e)) {
        return Err(format!("a new error {new:?} in\n{after}"));
    }
    let (old_instructions, old_comments) = contents(before);
    let (new_instructions, new_comments) = contents(after);
    // comments all stay (a split may move them along with their lines)
    let mut sorted_old = old_comments.clone();
    let mut sorted_new = new_comments.clone();
    sorted_old.sort();
    sorted_new.sort();
    let mut remaining = sorted_new.clone();
    for c in &sorted_old {
        match remaining.iter().position(|n| n == c) {
            Some(i) => {
                remaining.remove(i);
            }
            None => return Err(format!("the comment {c:?} is gone:\n{after}")),
        }
    }
    let family = id.split(['.', '@']).collect::<Vec<_>>();
    let kept: Vec<String> = match (family[0], family.get(1).copied()) {
        // a split keeps every build step in order; the runtime-only
        // instructions move, CMD/ENTRYPOINT/EXPOSE may be adjusted
        ("split", _) => old_instructions
            .iter()
            .filter(|i| {
                ![
                    "FROM ",
                    "CMD ",
                    "ENTRYPOINT ",
                    "EXPOSE ",
                    "USER ",
                    "LABEL ",
                    "VOLUME ",
                    "HEALTHCHECK ",
                    "STOPSIGNAL ",
                ]
                .iter()
                .any(|k| i.starts_with(k))
            })
            .cloned()
            .collect(),
        // a fix or rename changes the instructions it is about: every other
        // one stays as it was
        _ => old_instructions.clone(),
    };
    if family[0] == "split" {
        if let Some(gone) = missing(&kept, &new_instructions) {
            return Err(format!("the build step {gone:?} is gone:\n{after}"));
        }
        // the moved ones are all somewhere
        for i in &old_instructions {
            let moved_kind = ["LABEL ", "VOLUME ", "STOPSIGNAL "]
                .iter()
                .any(|k| i.starts_with(k));
            if moved_kind && !new_instructions.contains(i) {
                return Err(format!("{i:?} is gone:\n{after}"));
            }
        }
        return Ok(());
    }
    // other actions: compared as multisets with stage references blanked
    // out (renames change those), what was removed and added is only what
    // the action is about
    let blank = |s: &String| -> String {
        s.split_whitespace()
            .filter(|w| !w.contains("--from=") && !w.contains("from="))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut removed: Vec<String> = old_instructions.iter().map(blank).collect();
    let mut added: Vec<String> = Vec::new();
    for n in new_instructions.iter().map(blank) {
        match removed.iter().position(|o| *o == n) {
            Some(i) => {
                removed.remove(i);
            }
            None => added.push(n),
        }
    }
    let is_from = |s: &String| s.starts_with("FROM ");
    let ok = match (family[0], family.get(1).copied()) {
        ("use-stage", _) => removed.is_empty() && added.len() == 1 && added.iter().all(is_from),
        ("extract-stage", _) => {
            removed.len() <= 1
                && removed.iter().all(is_from)
                && added.iter().all(|a| {
                    ["FROM ", "WORKDIR ", "COPY ", "ADD ", "ARG "]
                        .iter()
                        .any(|k| a.starts_with(k))
                })
        }
        ("inline-stage", _) => {
            added.is_empty() && removed.len() == 1 && removed.iter().all(is_from)
        }
        ("fix", Some("from-later-stage" | "stage-defined-later" | "NoEmptyContinuation")) => {
            removed.is_empty() && added.is_empty()
        }
        _ => {
            removed.len() == added.len()
                && (removed.len() <= 1
                    || (removed.iter().all(is_from) && added.iter().all(is_from)))
        }
    };
    if !ok {
        return Err(format!(
            "instructions removed {removed:?} and added {added:?}:\n{after}"
        ));
    }
    Ok(())
}

/// (d) for a split: the final stage no longer runs on the builder's base
/// (unless that base is a plain distribution the toolchain was installed
/// on), and where both sizes are known, the final image gets smaller.
pub fn check_split(
    before: &str,
    after: &str,
    estimate: &dyn Fn(&str) -> Option<Bytes>,
) -> Result<(), String> {
    let old = Analysis::of_text(before);
    let new = Analysis::of_text(after);
    let (Some(builder), Some(last)) = (old.model.stages.first(), new.model.stages.last()) else {
        return Err(format!("no stages after the split:\n{after}"));
    };
    if new.model.stages.len() != 2 {
        return Err(format!("a split gives two stages:\n{after}"));
    }
    let plain_distro = ["debian", "ubuntu"]
        .iter()
        .any(|d| builder.base_text.starts_with(&format!("{d}:")) || builder.base_text == *d);
    if last.base_text == builder.base_text && !plain_distro {
        return Err(format!(
            "the final stage still runs on {}:\n{after}",
            builder.base_text
        ));
    }
    if let (Some(b), Some(a)) = (estimate(before), estimate(after)) {
        if a.best >= b.best {
            return Err(format!(
                "the estimate does not drop: {} → {} bytes:\n{after}",
                b.best, a.best
            ));
        }
    }
    Ok(())
}
