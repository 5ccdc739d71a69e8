//! Size figures as people read them: `≈ 812 MB`, a breakdown table, the
//! JSON of `dockerfile-ls size`. Every figure says whether it is the pull
//! size (compressed) or the size on disk (unpacked). MB are 10^6 bytes,
//! as the Docker CLI prints them.

use serde_json::{json, Value};

use super::amount::{Bytes, Known};
use super::estimate::{BaseFigure, BuildEstimate, StageEstimate};

/// `812 MB`, `14 MB`, `7.8 MB`, `228 kB`, `1.2 GB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 10e9 {
        format!("{:.0} GB", b / 1e9)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 10e6 {
        format!("{:.0} MB", b / 1e6)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// `≈ 812 MB`, or `≈ 12 MB + unknown` when a part could not be sized.
pub fn approx(bytes: Bytes, unknown: bool) -> String {
    let mut out = format!("≈ {}", human(bytes.best));
    if unknown {
        out.push_str(" + unknown");
    }
    out
}

/// `790 MB – 850 MB`, or nothing when the range is one figure.
pub fn range(bytes: Bytes) -> Option<String> {
    let (low, high) = (human(bytes.low), human(bytes.high));
    (low != high).then(|| format!("{low} – {high}"))
}

/// `≈ 812 MB (790 MB – 850 MB)`.
fn approx_with_range(bytes: Bytes, unknown: bool) -> String {
    match range(bytes) {
        Some(range) => format!("{} ({range})", approx(bytes, unknown)),
        None => approx(bytes, unknown),
    }
}

/// The inlay hint after a FROM line: `≈ 812 MB on disk`.
pub fn stage_hint(stage: &StageEstimate) -> String {
    format!("{} on disk", approx(stage.unpacked, stage.has_unknown()))
}

/// The inlay hint after an instruction that adds to the stage.
pub fn part_hint(bytes: Bytes, known: Known) -> String {
    match known {
        Known::Unknown if bytes.best == 0 => "+ unknown".to_string(),
        Known::Unknown => format!("+ {} (unknown)", human(bytes.best)),
        _ => format!("+ {}", human(bytes.best)),
    }
}

/// The size section of a FROM line's hover: the base image, the stage's
/// estimate with its breakdown, and on the final stage the final image.
pub fn from_line_markdown(build: &BuildEstimate, index: usize) -> Option<String> {
    let stage = build.stages.get(index)?;
    let mut out = String::from("**Size**\n\n");
    out.push_str(&base_markdown(build, stage));
    out.push_str("\n\n");
    out.push_str(&format!(
        "{}: **{}** on disk (unpacked), {} to pull (compressed), {}\n\n",
        stage_title(stage),
        approx_with_range(stage.unpacked, stage.has_unknown()),
        approx(stage.compressed, stage.has_unknown()),
        stage.platform
    ));
    out.push_str(&breakdown_table(stage));
    if build.final_stage == Some(index) {
        out.push_str("\n\n");
        out.push_str(&final_markdown(build));
    }
    Some(out)
}

/// The size section of a hover on a stage name or a reference to it:
/// the stage's estimate, and what the referencing stage takes from it.
pub fn stage_markdown(
    build: &BuildEstimate,
    index: usize,
    taken: Option<(usize, &str, Bytes, Known)>,
) -> Option<String> {
    let stage = build.stages.get(index)?;
    let mut out = format!(
        "**Size** — {}: {} on disk (unpacked), {} to pull (compressed)",
        stage_title(stage),
        approx_with_range(stage.unpacked, stage.has_unknown()),
        approx(stage.compressed, stage.has_unknown())
    );
    if let Some((line, what, bytes, known)) = taken {
        out.push_str(&format!(
            "\n\nLine {line} takes {what}: {} on disk ({known})",
            approx_with_range(bytes, known == Known::Unknown)
        ));
    }
    if build.final_stage == Some(index) {
        out.push_str("\n\n");
        out.push_str(&final_markdown(build));
    } else if build.build_only.contains(&index) {
        out.push_str("\n\nBuilt for the final image but not shipped in it.");
    }
    Some(out)
}

fn stage_title(stage: &StageEstimate) -> String {
    match &stage.name {
        Some(name) => format!("Stage `{name}`"),
        None => format!("Stage {}", stage.index),
    }
}

fn base_markdown(build: &BuildEstimate, stage: &StageEstimate) -> String {
    match &stage.base {
        BaseFigure::Image(image) => {
            let mut out = format!("Base `{}`: ", image.reference);
            match image.compressed {
                Some(c) => out.push_str(&format!("{} to pull (compressed), ", human(c))),
                None => out.push_str("pull size not known, "),
            }
            let derived = if image.unpacked_derived { "≈ " } else { "" };
            out.push_str(&format!(
                "{derived}{} on disk (unpacked)",
                human(image.unpacked)
            ));
            if !image.exact_tag {
                out.push_str(&format!(" — figures for `{}`", image.figure_for));
            }
            if !image.as_of.is_empty() {
                out.push_str(&format!(", {}, as of {}", stage.platform, image.as_of));
            }
            out.push_str(&format!(".\n\nSource: {}", source_markdown(&image.source)));
            for note in &image.notes {
                out.push_str(&format!("\n\nNote: {note}"));
            }
            out
        }
        BaseFigure::Scratch => "Base `scratch`: the empty image, 0 bytes.".to_string(),
        BaseFigure::Stage(parent) => match build.stages.get(*parent) {
            Some(parent) => format!(
                "Base: {} — {} on disk",
                stage_title(parent),
                approx(parent.unpacked, parent.has_unknown())
            ),
            None => "Base: an earlier stage".to_string(),
        },
        BaseFigure::Unknown { reference, reason } => {
            format!("Base `{reference}`: size unknown — {reason}.")
        }
    }
}

/// A source as a link where it is a URL or a pinned GitHub file.
fn source_markdown(source: &str) -> String {
    source
        .split("; ")
        .map(|piece| {
            let (location, rest) = piece.split_once(' ').unwrap_or((piece, ""));
            let link = if location.starts_with("https://") {
                Some(location.to_string())
            } else {
                github_link(location)
            };
            match link {
                Some(url) => format!(
                    "[{location}]({url}){}",
                    if rest.is_empty() {
                        String::new()
                    } else {
                        format!(" {rest}")
                    }
                ),
                None => piece.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `owner/repo@commit:path` → its GitHub URL.
fn github_link(location: &str) -> Option<String> {
    let (repo, rest) = location.split_once('@')?;
    let (commit, path) = rest.split_once(':')?;
    let valid = repo.matches('/').count() == 1
        && commit.len() == 40
        && commit.chars().all(|c| c.is_ascii_hexdigit());
    valid.then(|| format!("https://github.com/{repo}/blob/{commit}/{path}"))
}

fn breakdown_table(stage: &StageEstimate) -> String {
    let mut out =
        String::from("| line | instruction | adds (on disk) | how known |\n|---:|---|---:|---|\n");
    for part in &stage.parts {
        let adds = match range(part.part.unpacked) {
            Some(range) => format!("{} ({range})", human(part.part.unpacked.best)),
            None => human(part.part.unpacked.best),
        };
        out.push_str(&format!(
            "| {} | {} {} | {} | {} |\n",
            part.line,
            part.instruction,
            escape_cell(&part.part.what),
            adds,
            part.part.known
        ));
    }
    out
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn final_markdown(build: &BuildEstimate) -> String {
    let Some(stage) = build.final_estimate() else {
        return String::new();
    };
    let mut out = format!(
        "**Final image** ({}): {} on disk (unpacked), {} to pull (compressed)",
        stage.label(),
        approx_with_range(stage.unpacked, stage.has_unknown()),
        approx(stage.compressed, stage.has_unknown())
    );
    if !build.build_only.is_empty() {
        let listed: Vec<String> = build
            .build_only
            .iter()
            .filter_map(|i| build.stages.get(*i))
            .map(|s| format!("`{}` {}", s.label(), approx(s.unpacked, s.has_unknown())))
            .collect();
        out.push_str(&format!("\n\nBuilt but not shipped: {}", listed.join(", ")));
    }
    out
}

/// The `dockerfile-ls size` table.
pub fn text_report(build: &BuildEstimate, platform: &str) -> String {
    let mut out = String::new();
    for stage in &build.stages {
        out.push_str(&format!(
            "stage {} ({}): {} on disk, {} to pull",
            stage.index,
            stage.label(),
            approx_with_range(stage.unpacked, stage.has_unknown()),
            approx(stage.compressed, stage.has_unknown())
        ));
        if let BaseFigure::Image(image) = &stage.base {
            if !image.exact_tag {
                out.push_str(&format!(" [base figures for {}]", image.figure_for));
            }
        }
        out.push('\n');
        for part in &stage.parts {
            out.push_str(&format!(
                "  line {:>4}  {:<6} {:>10}  {:<9}  {}\n",
                part.line,
                part.instruction,
                human(part.part.unpacked.best),
                part.part.known.as_str(),
                part.part.what
            ));
        }
    }
    if let Some(stage) = build.final_estimate() {
        out.push_str(&format!(
            "final image ({}, {platform}): {} on disk (unpacked), {} to pull (compressed)\n",
            stage.label(),
            approx_with_range(stage.unpacked, stage.has_unknown()),
            approx(stage.compressed, stage.has_unknown())
        ));
    }
    out
}

fn bytes_json(bytes: Bytes) -> Value {
    json!({"bytes": bytes.best, "low": bytes.low, "high": bytes.high})
}

/// The `dockerfile-ls size --format json` document.
pub fn json_report(build: &BuildEstimate, platform: &str) -> Value {
    let stages: Vec<Value> = build
        .stages
        .iter()
        .map(|stage| {
            let base = match &stage.base {
                BaseFigure::Image(image) => json!({
                    "reference": image.reference, "figureFor": image.figure_for,
                    "exactTag": image.exact_tag, "compressed": image.compressed,
                    "unpacked": image.unpacked, "unpackedDerived": image.unpacked_derived,
                    "asOf": image.as_of, "source": image.source, "notes": image.notes,
                }),
                BaseFigure::Scratch => json!({"reference": "scratch"}),
                BaseFigure::Stage(parent) => json!({"stage": parent}),
                BaseFigure::Unknown { reference, reason } => {
                    json!({"reference": reference, "unknown": reason})
                }
            };
            json!({
                "index": stage.index,
                "name": stage.name,
                "platform": stage.platform,
                "base": base,
                "unpacked": bytes_json(stage.unpacked),
                "compressed": bytes_json(stage.compressed),
                "hasUnknown": stage.has_unknown(),
                "parts": stage.parts.iter().map(|p| json!({
                    "line": p.line,
                    "instruction": p.instruction,
                    "what": p.part.what,
                    "unpacked": bytes_json(p.part.unpacked),
                    "known": p.part.known.as_str(),
                    "source": p.part.source,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let final_ = build.final_estimate().map(|stage| {
        json!({
            "stage": stage.index,
            "name": stage.name,
            "unpacked": bytes_json(stage.unpacked),
            "compressed": bytes_json(stage.compressed),
            "buildOnly": build.build_only,
        })
    });
    json!({"platform": platform, "stages": stages, "final": final_})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_docker_cli() {
        assert_eq!(human(812_400_000), "812 MB");
        assert_eq!(human(14_200_000), "14 MB");
        assert_eq!(human(7_800_000), "7.8 MB");
        assert_eq!(human(228_000), "228 kB");
        assert_eq!(human(1_230_000_000), "1.2 GB");
        assert_eq!(
            approx(Bytes::exact(812_000_000), true),
            "≈ 812 MB + unknown"
        );
        assert_eq!(range(Bytes::exact(5)), None);
    }

    #[test]
    fn pinned_github_sources_become_links() {
        let commit = "a".repeat(40);
        assert_eq!(
            github_link(&format!("docker-library/repo-info@{commit}:repos/golang/remote/1.22.md")),
            Some(format!("https://github.com/docker-library/repo-info/blob/{commit}/repos/golang/remote/1.22.md"))
        );
        assert_eq!(github_link("derived"), None);
    }
}
