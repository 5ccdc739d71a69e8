//! What each stage and the final image weigh: the base image's figure,
//! then what each instruction adds, each part with how it is known.
//!
//! Every stage's total is the sum of its parts, so a breakdown always adds
//! up, and `low <= best <= high` holds for parts and totals alike.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::amount::{Bytes, Distro, Known, Part};
use super::artifacts::{artifact_for_copy, built_artifacts, Artifact};
use super::catalog::{self, Missing};
use super::run::{analyse_run, cache_dir};
use crate::ide::hover::values::expand_at;
use crate::model::{Base, Instruction, Model, Stage, Target};
use crate::syntax::Source;

/// A base image nothing is known about may be anything from nothing to the
/// largest toolchain images.
const UNKNOWN_BASE_HIGH: u64 = 1_500_000_000;
/// What a copy nobody can size is guessed at, and its ceiling when the
/// source's own size gives none.
const UNKNOWN_COPY_BEST: u64 = 5_000_000;
const UNKNOWN_COPY_HIGH: u64 = 200_000_000;
/// How far a catalog figure may be from the image pulled today: tags move.
const READ_SPREAD: f64 = 0.05;
const DERIVED_SPREAD: f64 = 0.20;
const NEAREST_TAG_SPREAD: f64 = 0.15;

/// What the build context holds, as the estimator asks it.
pub trait BuildContext {
    /// The bytes `COPY <sources>` takes from the context, with `--exclude`
    /// patterns removed.
    fn copied(&self, sources: &[String], excludes: &[String]) -> ContextFigure;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextFigure {
    Measured {
        bytes: u64,
        files: usize,
        /// Every source matched something.
        matched: bool,
        /// The measurement stopped at its time or file budget.
        truncated: bool,
    },
    /// The context is being measured in the background.
    Measuring,
    Unavailable(String),
}

/// No build context: an unsaved file, or measuring is off.
pub struct NoContext(pub String);

impl BuildContext for NoContext {
    fn copied(&self, _: &[String], _: &[String]) -> ContextFigure {
        ContextFigure::Unavailable(self.0.clone())
    }
}

/// A size read from a registry or the local engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactFigure {
    pub compressed: Option<u64>,
    pub unpacked: Option<u64>,
    pub source: String,
}

pub enum ExactLookup {
    Found(ExactFigure),
    /// Not found or failed: the catalog is used, with this note.
    Note(String),
    Off,
}

pub struct Inputs<'a> {
    /// `linux/amd64`: used where FROM has no `--platform`.
    pub platform: String,
    /// The stage `--target` builds; the last stage when `None`.
    pub target: Option<String>,
    pub context: &'a dyn BuildContext,
    /// Registry or engine sizes, when a setting enabled them.
    pub exact: Option<&'a ExactSource>,
}

/// `(reference, platform)` → an exact size, from a registry or the engine.
pub type ExactSource = dyn Fn(&str, &str) -> ExactLookup + Sync;

impl<'a> Inputs<'a> {
    pub fn offline(context: &'a dyn BuildContext) -> Inputs<'a> {
        Inputs {
            platform: host_platform().to_string(),
            target: None,
            context,
            exact: None,
        }
    }
}

/// The platform images are pulled for when nothing says otherwise: the
/// host's, as Docker does.
pub fn host_platform() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "linux/arm64",
        "arm" => "linux/arm/v7",
        "x86" => "linux/386",
        "powerpc64" => "linux/ppc64le",
        "s390x" => "linux/s390x",
        "riscv64" => "linux/riscv64",
        _ => "linux/amd64",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildEstimate {
    pub stages: Vec<StageEstimate>,
    /// The stage the build produces.
    pub final_stage: Option<usize>,
    /// Stages the final image needs to build but does not contain.
    pub build_only: Vec<usize>,
}

impl BuildEstimate {
    pub fn final_estimate(&self) -> Option<&StageEstimate> {
        self.stages.get(self.final_stage?)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageEstimate {
    pub index: usize,
    pub name: Option<String>,
    pub platform: String,
    pub base: BaseFigure,
    pub distro: Distro,
    /// The base first (on the FROM line), then each instruction's parts.
    pub parts: Vec<LinePart>,
    pub unpacked: Bytes,
    pub compressed: Bytes,
}

impl StageEstimate {
    /// The least certain way any part is known.
    pub fn known(&self) -> Known {
        self.parts
            .iter()
            .map(|p| p.part.known)
            .max()
            .unwrap_or(Known::Catalog)
    }

    pub fn has_unknown(&self) -> bool {
        self.parts.iter().any(|p| p.part.known == Known::Unknown)
    }

    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("stage-{}", self.index),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinePart {
    /// 1-based line of the instruction.
    pub line: usize,
    /// The keyword, upper-case (`RUN`).
    pub instruction: &'static str,
    pub instruction_start: usize,
    pub part: PartRef,
}

/// A stage's part: its own, or one of a RUN's parts as the memo of analysed
/// RUNs holds them (shared, not copied: a large file has thousands).
#[derive(Clone)]
pub enum PartRef {
    Own(Part),
    Run(AnalysedRun, usize),
}

impl std::ops::Deref for PartRef {
    type Target = Part;

    fn deref(&self) -> &Part {
        match self {
            PartRef::Own(part) => part,
            PartRef::Run(analysed, i) => &analysed.0[*i],
        }
    }
}

impl PartialEq for PartRef {
    fn eq(&self, other: &PartRef) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for PartRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BaseFigure {
    Image(ImageFigure),
    Scratch,
    Stage(usize),
    Unknown { reference: String, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageFigure {
    /// The reference with the file's ARG defaults substituted.
    pub reference: String,
    /// `golang:1.22.5-bookworm`: what the figures are for.
    pub figure_for: String,
    pub exact_tag: bool,
    pub compressed: Option<u64>,
    pub unpacked: u64,
    pub unpacked_derived: bool,
    pub as_of: String,
    pub source: String,
    /// Said next to the figure: another platform's, a registry failure…
    pub notes: Vec<String>,
}

pub fn estimate(model: &Model, source: &(impl Source + ?Sized), inputs: &Inputs) -> BuildEstimate {
    let lines = LineIndex::new(source);
    let mut stages: Vec<StageEstimate> = Vec::with_capacity(model.stages.len());
    let mut workdirs: Vec<String> = Vec::with_capacity(model.stages.len());
    let mut artifacts: Vec<Vec<Artifact>> = Vec::with_capacity(model.stages.len());
    for stage in &model.stages {
        let estimate = StageBuilder {
            model,
            source,
            lines: &lines,
            inputs,
            earlier: &stages,
            earlier_artifacts: &artifacts,
        }
        .build(stage, &workdirs);
        workdirs.push(estimate.1);
        artifacts.push(estimate.2);
        stages.push(estimate.0);
    }
    let final_stage = model.target_stage(inputs.target.as_deref());
    let build_only = match final_stage {
        Some(target) => {
            let reached = model.reachable_from(target);
            let shipped = from_chain(model, target);
            (0..model.stages.len())
                .filter(|i| reached[*i] && !shipped.contains(i))
                .collect()
        }
        None => Vec::new(),
    };
    BuildEstimate {
        stages,
        final_stage,
        build_only,
    }
}

/// The stage and the stages it is built FROM: what the image contains.
fn from_chain(model: &Model, mut index: usize) -> Vec<usize> {
    let mut chain = vec![index];
    while let Some(Base::Stage(parent)) = model.stages.get(index).map(|s| &s.base) {
        if *parent >= index || chain.contains(parent) {
            break;
        }
        chain.push(*parent);
        index = *parent;
    }
    chain
}

struct StageBuilder<'a, S: Source + ?Sized> {
    model: &'a Model,
    source: &'a S,
    lines: &'a LineIndex,
    inputs: &'a Inputs<'a>,
    earlier: &'a [StageEstimate],
    earlier_artifacts: &'a [Vec<Artifact>],
}

impl<S: Source + ?Sized> StageBuilder<'_, S> {
    fn build(&self, stage: &Stage, workdirs: &[String]) -> (StageEstimate, String, Vec<Artifact>) {
        let platform = self.platform(stage);
        let (base, base_part, distro, ratio, base_compressed, mut workdir, mut artifacts) =
            self.base(stage, &platform, workdirs);
        let mut parts = vec![LinePart {
            line: self.lines.line_of(stage.from.range.start),
            instruction: "FROM",
            instruction_start: stage.from.range.start,
            part: PartRef::Own(base_part),
        }];
        for instruction in &stage.instructions {
            let line = self.lines.line_of(instruction.range.start);
            // (only these add parts)
            let keyword = match instruction.keyword.as_str() {
                "run" => "RUN",
                "copy" => "COPY",
                "add" => "ADD",
                _ => "",
            };
            let mut push = |part: PartRef| {
                parts.push(LinePart {
                    line,
                    instruction: keyword,
                    instruction_start: instruction.range.start,
                    part,
                })
            };
            match instruction.keyword.as_str() {
                "workdir" => {
                    let dir = self.expanded(stage, instruction, &instruction.arguments);
                    workdir = join_path(&workdir, dir.trim());
                }
                "run" => {
                    let shell = self.shell_text(instruction);
                    let mounted = cache_mounts(instruction, &workdir);
                    let analysed = analysed_run(&shell, &workdir, distro);
                    for (i, part) in analysed.0.iter().enumerate() {
                        // a cache or tmpfs mount keeps what is written there out of the image
                        let under_mount = cache_dir(part)
                            .map(|dir| join_path(&workdir, dir))
                            .is_some_and(|dir| mounted.iter().any(|m| is_within(&dir, m)));
                        if !under_mount {
                            push(PartRef::Run(analysed.clone(), i));
                        }
                    }
                    artifacts.extend(analysed.1.iter().cloned());
                }
                "copy" | "add" => {
                    for part in self.copy_parts(stage, instruction, &workdir) {
                        push(PartRef::Own(part));
                    }
                }
                _ => {}
            }
        }
        // (an estimate is kept while its revision lives)
        parts.shrink_to_fit();
        let unpacked: Bytes = parts.iter().map(|p| p.part.unpacked).sum();
        let added: Bytes = parts.iter().skip(1).map(|p| p.part.unpacked).sum();
        let compressed = base_compressed + added.scaled(1.0 / ratio);
        let estimate = StageEstimate {
            index: stage.index,
            name: stage.name.as_ref().map(|n| n.lowercase.clone()),
            platform,
            base,
            distro,
            parts,
            unpacked,
            compressed,
        };
        (estimate, workdir, artifacts)
    }

    fn platform(&self, stage: &Stage) -> String {
        let Some((written, _)) = &stage.platform else {
            return self.inputs.platform.clone();
        };
        let expanded = expand_at(self.model, written, None, stage.from.range.start)
            .filter(|p| !p.is_empty() && !p.contains('$'));
        match expanded {
            Some(platform) => normalise_platform(&platform),
            // $BUILDPLATFORM, $TARGETPLATFORM: the build decides; the host's
            None => self.inputs.platform.clone(),
        }
    }

    /// The base's part, with what the stage inherits from it.
    #[allow(clippy::type_complexity)]
    fn base(
        &self,
        stage: &Stage,
        platform: &str,
        workdirs: &[String],
    ) -> (BaseFigure, Part, Distro, f64, Bytes, String, Vec<Artifact>) {
        let root = "/".to_string();
        match &stage.base {
            Base::Stage(parent) if *parent < self.earlier.len() => {
                let parent_estimate = &self.earlier[*parent];
                let part = Part {
                    what: format!("FROM {} (its estimate)", parent_estimate.label()),
                    unpacked: parent_estimate.unpacked,
                    known: parent_estimate.known(),
                    source: format!("stage {} of this file", parent).into(),
                };
                let ratio = ratio_of(parent_estimate);
                (
                    BaseFigure::Stage(*parent),
                    part,
                    parent_estimate.distro,
                    ratio,
                    parent_estimate.compressed,
                    workdirs.get(*parent).cloned().unwrap_or(root),
                    self.earlier_artifacts
                        .get(*parent)
                        .cloned()
                        .unwrap_or_default(),
                )
            }
            Base::Scratch => (
                BaseFigure::Scratch,
                Part {
                    what: "scratch (empty)".to_string(),
                    unpacked: Bytes::ZERO,
                    known: Known::Catalog,
                    source: "scratch is the empty image".into(),
                },
                Distro::Unknown,
                catalog::GENERAL_UNPACK_RATIO,
                Bytes::ZERO,
                root,
                Vec::new(),
            ),
            _ => {
                let written = stage.base_text.as_str();
                let reference = expand_at(self.model, written, None, stage.from.range.start)
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| written.to_string());
                let (figure, part, distro, ratio, compressed) =
                    image_base(&reference, platform, self.inputs);
                (figure, part, distro, ratio, compressed, root, Vec::new())
            }
        }
    }

    /// A RUN's shell text: the logical line, then its heredoc bodies.
    fn shell_text(&self, instruction: &Instruction) -> String {
        let mut shell = instruction.arguments.clone();
        for heredoc in &instruction.heredocs {
            if let Some(body) = &heredoc.body_range {
                shell.push('\n');
                shell.push_str(&self.source.slice(body.clone()));
            }
        }
        shell
    }

    fn expanded(&self, stage: &Stage, instruction: &Instruction, text: &str) -> String {
        expand_at(self.model, text, Some(stage.index), instruction.range.start)
            .unwrap_or_else(|| text.to_string())
    }

    fn copy_parts(&self, stage: &Stage, instruction: &Instruction, workdir: &str) -> Vec<Part> {
        let flag = |name: &'static str| {
            instruction
                .flags
                .iter()
                .filter(move |f| f.name == name)
                .filter_map(|f| f.value.as_deref().map(str::to_string))
        };
        let mut words = copy_words(instruction);
        if words.len() < 2 && instruction.heredocs.is_empty() {
            return Vec::new();
        }
        if !instruction.heredocs.is_empty() {
            let bytes: u64 = instruction
                .heredocs
                .iter()
                .filter_map(|h| h.body_range.as_ref())
                .map(|r| r.len() as u64)
                .sum();
            return vec![Part {
                what: "inline file (heredoc)".to_string(),
                unpacked: Bytes::exact(bytes),
                known: Known::Measured,
                source: "the heredoc's text".into(),
            }];
        }
        words.pop(); // the destination
        let sources: Vec<String> = words
            .iter()
            .map(|w| self.expanded(stage, instruction, w))
            .collect();
        if let Some(from) = flag("from").next() {
            return vec![self.copy_from(stage, instruction, &from, &sources)];
        }
        let _ = workdir;
        let (remote, local): (Vec<String>, Vec<String>) = sources
            .into_iter()
            .partition(|s| instruction.keyword == "add" && is_remote(s));
        let mut parts: Vec<Part> = remote
            .iter()
            .map(|url| Part {
                what: format!("ADD {url} (downloaded at build time)"),
                unpacked: Bytes::range(0, UNKNOWN_COPY_BEST, UNKNOWN_COPY_HIGH),
                known: Known::Unknown,
                source: "a download's size is not known before the build".into(),
            })
            .collect();
        if local.is_empty() {
            return parts;
        }
        let excludes: Vec<String> = flag("exclude").collect();
        let shown = local.join(" ");
        let archive = instruction.keyword == "add" && local.iter().any(|s| is_archive(s));
        parts.push(match self.inputs.context.copied(&local, &excludes) {
            ContextFigure::Measured {
                bytes,
                files,
                matched,
                truncated,
            } => {
                let plural = if files == 1 { "" } else { "s" };
                if !matched && !truncated {
                    Part {
                        what: format!("{shown}: not found in the build context"),
                        unpacked: Bytes::range(bytes, bytes, bytes.max(UNKNOWN_COPY_HIGH)),
                        known: Known::Unknown,
                        source: "a source that matches nothing makes the build fail".into(),
                    }
                } else if archive {
                    // ADD unpacks local archives: the content is larger
                    Part {
                        what: format!("{shown} from the context ({files} file{plural}, unpacked by ADD)"),
                        unpacked: Bytes::range(bytes, bytes * 3, bytes * 10),
                        known: Known::Heuristic,
                        source: "archive size measured; unpacked size ×1–10 (×3 typical)".into(),
                    }
                } else if truncated {
                    Part {
                        what: format!("{shown} from the context (at least {files} file{plural}; measuring stopped at its budget)"),
                        unpacked: Bytes::range(bytes, bytes, bytes.saturating_mul(4).max(UNKNOWN_COPY_HIGH)),
                        known: Known::Measured,
                        source: "measured on disk, .dockerignore applied; incomplete".into(),
                    }
                } else {
                    Part {
                        what: format!("{shown} from the context ({files} file{plural})"),
                        unpacked: Bytes::exact(bytes),
                        known: Known::Measured,
                        source: "measured on disk, .dockerignore applied".into(),
                    }
                }
            }
            ContextFigure::Measuring => Part {
                what: format!("{shown} from the context (measuring…)"),
                unpacked: Bytes::range(0, 0, UNKNOWN_COPY_HIGH),
                known: Known::Unknown,
                source: "the build context is being measured".into(),
            },
            ContextFigure::Unavailable(reason) => Part {
                what: format!("{shown} from the context"),
                unpacked: Bytes::range(0, UNKNOWN_COPY_BEST, UNKNOWN_COPY_HIGH),
                known: Known::Unknown,
                source: reason.into(),
            },
        });
        parts
    }

    fn copy_from(
        &self,
        stage: &Stage,
        instruction: &Instruction,
        from: &str,
        sources: &[String],
    ) -> Part {
        let shown = sources.join(" ");
        let target = self
            .model
            .stage_refs
            .iter()
            .find(|r| {
                r.from_stage == stage.index
                    && instruction.range.start <= r.range.start
                    && r.range.end <= instruction.range.end
            })
            .map(|r| r.target.clone());
        let source_stage = match target {
            Some(Target::Stage(i)) => self.earlier.get(i),
            _ => None,
        };
        let Some(source_stage) = source_stage else {
            let ceiling = catalog::lookup(from, &self.inputs.platform)
                .ok()
                .and_then(|m| m.entry.unpacked_bytes())
                .unwrap_or(UNKNOWN_COPY_HIGH);
            return Part {
                what: format!("{shown} from {from}"),
                unpacked: Bytes::range(0, UNKNOWN_COPY_BEST.min(ceiling), ceiling),
                known: Known::Unknown,
                source: format!("what `{from}` holds at that path is not known").into(),
            };
        };
        let whole_stage = sources
            .iter()
            .any(|s| matches!(s.trim_end_matches('/'), "" | "." | "/."));
        if whole_stage {
            return Part {
                what: format!("all of {} (copying /)", source_stage.label()),
                unpacked: source_stage.unpacked,
                known: source_stage.known(),
                source: format!("stage {}'s estimate", source_stage.index).into(),
            };
        }
        let artifacts = self
            .earlier_artifacts
            .get(source_stage.index)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut parts: Vec<Part> = Vec::new();
        for source in sources {
            let absolute = join_path("/", source);
            match artifact_for_copy(artifacts, &absolute) {
                Some(part) => parts.push(part),
                None => parts.push(Part {
                    what: format!("{source} from {}", source_stage.label()),
                    unpacked: Bytes::range(
                        0,
                        UNKNOWN_COPY_BEST.min(source_stage.unpacked.best),
                        source_stage.unpacked.high,
                    ),
                    known: Known::Unknown,
                    source: format!(
                        "no recognised build step of {} writes it; at most the whole stage",
                        source_stage.label()
                    )
                    .into(),
                }),
            }
        }
        if parts.len() == 1 {
            return parts.remove(0);
        }
        Part {
            what: format!("{shown} from {}", source_stage.label()),
            unpacked: parts.iter().map(|p| p.unpacked).sum(),
            known: parts
                .iter()
                .map(|p| p.known)
                .max()
                .unwrap_or(Known::Unknown),
            source: parts
                .iter()
                .map(|p| p.source.as_ref())
                .collect::<Vec<_>>()
                .join("; ")
                .into(),
        }
    }
}

/// The base image's part: from the registry or engine when enabled and
/// answering, else from the catalog.
fn image_base(
    reference: &str,
    platform: &str,
    inputs: &Inputs,
) -> (BaseFigure, Part, Distro, f64, Bytes) {
    let mut notes = Vec::new();
    let found = catalog::lookup(reference, platform);
    if let Some(exact) = inputs.exact {
        match exact(reference, platform) {
            ExactLookup::Found(figure) => {
                let catalog_entry = found.as_ref().ok().map(|m| m.entry);
                let ratio =
                    catalog_entry.map_or(catalog::GENERAL_UNPACK_RATIO, |e| e.unpack_ratio());
                let (unpacked, derived) = match (figure.unpacked, figure.compressed) {
                    (Some(u), _) => (u, false),
                    (None, Some(c)) => ((c as f64 * ratio).round() as u64, true),
                    (None, None) => (0, true),
                };
                let distro = catalog_entry.map_or_else(
                    || {
                        let name = catalog::ImageName::parse(reference);
                        name.map_or(Distro::Unknown, |n| {
                            catalog::distro_from_names(&n.name, n.tag_or_latest())
                        })
                    },
                    |e| e.distro,
                );
                let spread = if derived { DERIVED_SPREAD } else { 0.0 };
                let part = Part {
                    what: format!("base image {reference}"),
                    unpacked: Bytes::around(unpacked, spread),
                    known: Known::Catalog,
                    source: figure.source.clone().into(),
                };
                if derived {
                    notes.push(format!(
                        "unpacked size derived from the pull size ×{ratio:.1}"
                    ));
                }
                let compressed = figure.compressed.map_or(
                    Bytes::around(unpacked, spread).scaled(1.0 / ratio),
                    Bytes::exact,
                );
                let image = ImageFigure {
                    reference: reference.to_string(),
                    figure_for: reference.to_string(),
                    exact_tag: true,
                    compressed: figure.compressed,
                    unpacked,
                    unpacked_derived: derived,
                    as_of: "now".to_string(),
                    source: figure.source,
                    notes,
                };
                return (BaseFigure::Image(image), part, distro, ratio, compressed);
            }
            ExactLookup::Note(note) => notes.push(note),
            ExactLookup::Off => {}
        }
    }
    match found {
        Ok(matched) => {
            let entry = matched.entry;
            let unpacked = entry.unpacked_bytes().unwrap_or_default();
            let mut spread = if entry.unpacked_is_derived() {
                DERIVED_SPREAD
            } else {
                READ_SPREAD
            };
            let mut pull_spread = READ_SPREAD;
            let figure_for = format!("{}:{}", entry.image, entry.tag);
            if !matched.exact {
                spread += NEAREST_TAG_SPREAD;
                pull_spread += NEAREST_TAG_SPREAD;
                notes.push(format!("nearest tag in the catalog: `{figure_for}`"));
            }
            if entry.is_proxy() {
                spread += NEAREST_TAG_SPREAD;
                pull_spread += NEAREST_TAG_SPREAD;
                let sibling = entry.proxy_for().unwrap_or("a sibling tag");
                notes.push(format!(
                    "no published figure for `{figure_for}`: these are `{sibling}`'s"
                ));
            }
            if matched.other_platform {
                spread += NEAREST_TAG_SPREAD;
                pull_spread += NEAREST_TAG_SPREAD;
                notes.push(format!(
                    "no figure for {platform}; this is {}'s",
                    entry.platform
                ));
            }
            let ratio = entry.unpack_ratio();
            let compressed = match entry.compressed {
                Some(c) => Bytes::around(c, pull_spread),
                None => Bytes::around(unpacked, spread).scaled(1.0 / ratio),
            };
            let part = Part {
                what: format!("base image {figure_for}"),
                unpacked: Bytes::around(unpacked, spread),
                known: Known::Catalog,
                source: catalog_source(entry).into(),
            };
            let image = ImageFigure {
                reference: reference.to_string(),
                figure_for,
                exact_tag: matched.exact,
                compressed: entry.compressed,
                unpacked,
                unpacked_derived: entry.unpacked_is_derived(),
                as_of: entry.as_of.clone(),
                source: catalog_source(entry),
                notes,
            };
            (
                BaseFigure::Image(image),
                part,
                entry.distro,
                ratio,
                compressed,
            )
        }
        Err(missing) => {
            let reason = match missing {
                Missing::UnknownImage(name) => format!("`{name}` is not in the size catalog"),
                Missing::DigestOnly => {
                    "pinned by digest only: which image that is cannot be known offline".to_string()
                }
                Missing::Unreadable(text) => format!("`{text}` depends on build arguments"),
            };
            let name = catalog::ImageName::parse(reference);
            let distro = name.map_or(Distro::Unknown, |n| {
                catalog::distro_from_names(&n.name, n.tag_or_latest())
            });
            let part = Part {
                what: format!("base image {reference}"),
                unpacked: Bytes::range(0, 0, UNKNOWN_BASE_HIGH),
                known: Known::Unknown,
                source: reason.clone().into(),
            };
            let figure = BaseFigure::Unknown {
                reference: reference.to_string(),
                reason,
            };
            let compressed = Bytes::range(
                0,
                0,
                (UNKNOWN_BASE_HIGH as f64 / catalog::GENERAL_UNPACK_RATIO) as u64,
            );
            (
                figure,
                part,
                distro,
                catalog::GENERAL_UNPACK_RATIO,
                compressed,
            )
        }
    }
}

fn catalog_source(entry: &catalog::Entry) -> String {
    if entry.unpacked.is_some() && !entry.unpacked_source.is_empty() {
        format!(
            "{} (pull size); {} (on disk)",
            entry.source, entry.unpacked_source
        )
    } else {
        entry.source.clone()
    }
}

fn ratio_of(stage: &StageEstimate) -> f64 {
    if stage.compressed.best > 0 && stage.unpacked.best >= stage.compressed.best {
        stage.unpacked.best as f64 / stage.compressed.best as f64
    } else {
        catalog::GENERAL_UNPACK_RATIO
    }
}

fn normalise_platform(platform: &str) -> String {
    let lower = platform.trim().to_ascii_lowercase();
    match lower.as_str() {
        "linux/arm64/v8" | "linux/aarch64" => "linux/arm64".to_string(),
        "linux/x86_64" | "linux/amd64/v1" => "linux/amd64".to_string(),
        _ => lower,
    }
}

/// The words of a COPY or ADD after its flags: sources, then the
/// destination. JSON form gives its strings.
fn copy_words(instruction: &Instruction) -> Vec<String> {
    if instruction.json_form {
        if let Ok(words) = serde_json::from_str::<Vec<String>>(&instruction.arguments) {
            return words;
        }
    }
    instruction
        .arguments
        .split_whitespace()
        .filter(|w| !w.starts_with("<<"))
        .map(str::to_string)
        .collect()
}

fn is_remote(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.ends_with(".git")
}

fn is_archive(source: &str) -> bool {
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| source.to_ascii_lowercase().ends_with(ext))
}

type AnalysedRun = Arc<(Vec<Part>, Vec<Artifact>)>;

/// Enough RUNs for the largest files; past it the memo starts over.
const REMEMBERED_RUNS: usize = 50_000;

/// What a RUN adds and builds: a pure function of its text, its working
/// directory and the distribution, remembered across estimates so that a
/// hover after a keystroke re-reads only the RUNs that changed.
fn analysed_run(shell: &str, workdir: &str, distro: Distro) -> AnalysedRun {
    static MEMO: OnceLock<Mutex<HashMap<u64, AnalysedRun>>> = OnceLock::new();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (shell, workdir, distro).hash(&mut hasher);
    let key = hasher.finish();
    let memo = MEMO.get_or_init(Mutex::default);
    if let Some(found) = memo
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return found.clone();
    }
    let analysed: AnalysedRun =
        Arc::new((analyse_run(shell, distro), built_artifacts(shell, workdir)));
    let mut remembered = memo.lock().unwrap_or_else(PoisonError::into_inner);
    if remembered.len() >= REMEMBERED_RUNS {
        remembered.clear();
    }
    remembered.insert(key, analysed.clone());
    analysed
}

/// The targets of a RUN's `--mount=type=cache` and `type=tmpfs` mounts,
/// absolute.
fn cache_mounts(instruction: &Instruction, workdir: &str) -> Vec<String> {
    instruction
        .flags
        .iter()
        .filter(|f| f.name == "mount")
        .filter(|f| {
            f.mount_params
                .iter()
                .any(|p| p.key == "type" && matches!(p.value.as_deref(), Some("cache" | "tmpfs")))
        })
        .filter_map(|f| {
            f.mount_params
                .iter()
                .find(|p| matches!(p.key.as_str(), "target" | "dst" | "destination"))
                .and_then(|p| p.value.as_deref())
                .map(|target| join_path(workdir, target))
        })
        .collect()
}

fn is_within(path: &str, dir: &str) -> bool {
    path == dir || dir == "/" || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// `dir` after `WORKDIR path` (or a COPY source resolved against `dir`).
pub fn join_path(dir: &str, path: &str) -> String {
    let path = path.trim().trim_matches('"');
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for piece in joined.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Byte offsets of line starts, to give parts their line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Read a window at a time: a copy of a whole large document for this
    /// would be most of what an estimate costs.
    fn new(source: &(impl Source + ?Sized)) -> LineIndex {
        const WINDOW: usize = 64 * 1024;
        let mut starts = vec![0];
        let mut at = 0;
        let len = source.len_bytes();
        // a CR at the end of the last window: a line break unless LF follows
        let mut pending_cr = false;
        while at < len {
            let window = source.slice(at..(at + WINDOW).min(len));
            if window.is_empty() {
                break;
            }
            let bytes = window.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if pending_cr && *b != b'\n' {
                    starts.push(at + i);
                }
                pending_cr = *b == b'\r';
                if *b == b'\n' {
                    starts.push(at + i + 1);
                }
            }
            at += bytes.len();
        }
        if pending_cr {
            starts.push(at);
        }
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|s| *s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line starts read a window at a time from a rope equal those of the
    /// whole string, with CR, LF and CRLF anywhere, across windows too.
    #[test]
    fn line_index_reads_windows_like_the_whole_text() {
        fn whole(text: &str) -> Vec<usize> {
            let bytes = text.as_bytes();
            let mut starts = vec![0];
            for (i, b) in bytes.iter().enumerate() {
                if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    starts.push(i + 1);
                }
            }
            starts
        }
        let pieces = ["RUN x", "\r", "\n", "\r\n", "é", "🐳", "  "];
        let mut rng = fastrand::Rng::with_seed(11);
        for round in 0..30 {
            let len = if round % 3 == 0 {
                70_000
            } else {
                rng.usize(0..300)
            };
            let mut text = String::new();
            while text.len() < len {
                text.push_str(pieces[rng.usize(..pieces.len())]);
            }
            if round == 1 {
                // a CRLF split by the first window's end
                text = format!("{}\r\nRUN y\r", "a".repeat(64 * 1024 - 1));
            }
            let rope = ropey::Rope::from_str(&text);
            assert_eq!(LineIndex::new(&rope).starts, whole(&text), "round {round}");
            assert_eq!(LineIndex::new(text.as_str()).starts, whole(&text));
        }
    }

    #[test]
    fn paths_join_like_workdir() {
        assert_eq!(join_path("/", "app"), "/app");
        assert_eq!(join_path("/app", "./bin/../out"), "/app/out");
        assert_eq!(join_path("/app", "/srv"), "/srv");
    }
}
