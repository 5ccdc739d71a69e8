//! Image-size estimates in the editor: the size sections of hovers and the
//! inlay hints after FROM lines (or after each instruction that adds).
//!
//! The build context is measured in the background (`ContextCache`); until
//! it is ready the estimate says so, and hints are refreshed when it is.
//! Registry and engine lookups block, so estimates that may ask them run
//! on tokio's blocking pool.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tower_lsp_server::ls_types::*;

use super::documents::Snapshot;
use super::encoding::{self, Encoding};
use crate::ide;
use crate::ide::Analysis;
use crate::model::Model;
use crate::size::context::{Budget, ContextCache, ContextState};
use crate::size::estimate::{
    estimate, host_platform, BuildContext, BuildEstimate, Inputs, NoContext,
};
use crate::size::present;
use crate::size::remote::RemoteSettings;
use crate::size::sources::{exact_lookup, ContextSizes};
use crate::size::Bytes;

/// Where size figures appear inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InlayMode {
    Off,
    /// After each FROM line: the stage's estimate.
    #[default]
    Stage,
    /// Also after each instruction that adds to the stage.
    Instruction,
}

#[derive(Debug, Clone, Default)]
pub struct SizeSettings {
    pub inlay: InlayMode,
    /// `linux/arm64`; the host's when unset.
    pub platform: Option<String>,
    /// The build context; relative paths are from the Dockerfile's folder.
    pub context: Option<PathBuf>,
    pub remote: RemoteSettings,
}

pub struct Sizes {
    contexts: ContextCache,
    settings: RwLock<Arc<SizeSettings>>,
    /// Final-image estimates of recent texts (code action titles are asked
    /// at every cursor move): (text hash, text length, context measured).
    finals: Mutex<Vec<(FinalKey, Option<Bytes>)>>,
    /// The last estimates made (hovers and inlay hints ask again and again
    /// about the same text: at 100,000 lines an estimate takes ~70 ms).
    recent: RecentEstimates,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            contexts: ContextCache::new(Budget::default()),
            settings: RwLock::default(),
            finals: Mutex::default(),
            recent: Arc::default(),
        }
    }
}

const REMEMBERED_ESTIMATES: usize = 8;

/// The last estimates made, newest last.
type RecentEstimates = Arc<Mutex<Vec<(EstimateKey, Arc<BuildEstimate>)>>>;

/// What an estimate was made from: the revision's analysis, the settings,
/// the target and the build context's measurement, each held (a `Weak` or
/// an `Arc`) so that no other value can take its address meanwhile.
struct EstimateKey {
    analysis: std::sync::Weak<Analysis>,
    settings: Arc<SizeSettings>,
    target: Option<String>,
    context: Measured,
}

enum Measured {
    Nothing,
    Ready(Arc<crate::size::context::ContextIndex>),
    Failed(String),
}

impl EstimateKey {
    fn matches(&self, other: &EstimateKey) -> bool {
        let context = match (&self.context, &other.context) {
            (Measured::Nothing, Measured::Nothing) => true,
            (Measured::Ready(a), Measured::Ready(b)) => Arc::ptr_eq(a, b),
            (Measured::Failed(a), Measured::Failed(b)) => a == b,
            _ => false,
        };
        context
            && std::sync::Weak::ptr_eq(&self.analysis, &other.analysis)
            && Arc::ptr_eq(&self.settings, &other.settings)
            && self.target == other.target
    }
}

const REMEMBERED_FINALS: usize = 16;

/// (text hash, text length, whether the build context was measured).
type FinalKey = (u64, usize, bool);

/// Everything an estimate needs, owned, so it can move to a blocking task.
pub struct Request {
    snapshot: Snapshot,
    dockerfile: Option<PathBuf>,
    settings: Arc<SizeSettings>,
    contexts: ContextCache,
    target: Option<String>,
    recent: RecentEstimates,
}

impl Request {
    /// Whether computing may block on the network or the engine socket.
    pub fn may_block(&self) -> bool {
        self.settings.remote.enabled()
    }

    /// The estimate, shared with the cache: a large file's is megabytes,
    /// too much to copy per hover.
    pub fn estimate(&self) -> Arc<BuildEstimate> {
        let root = self.context_root();
        let sizes = root
            .as_ref()
            .map(|root| ContextSizes::get(&self.contexts, root, self.dockerfile.as_deref()));
        // remembered unless a figure may still change: a context being
        // measured, or lookups that may answer later
        let context = match sizes.as_ref().map(|s| &s.0) {
            None => Some(Measured::Nothing),
            Some(ContextState::Ready(index)) => Some(Measured::Ready(index.clone())),
            Some(ContextState::Failed(message)) => Some(Measured::Failed(message.clone())),
            Some(ContextState::Measuring) => None,
        };
        let key = context
            .filter(|_| !self.settings.remote.enabled())
            .map(|context| EstimateKey {
                analysis: Arc::downgrade(&self.snapshot.analysis),
                settings: self.settings.clone(),
                target: self.target.clone(),
                context,
            });
        let recent = || self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = &key {
            if let Some((_, found)) = recent().iter().find(|(k, _)| k.matches(key)) {
                return found.clone();
            }
        }
        let built = Arc::new(self.compute(sizes.as_ref()));
        if let Some(key) = key {
            let mut recent = recent();
            // (entries of revisions gone are of no more use)
            recent.retain(|(k, _)| k.analysis.strong_count() > 0);
            if recent.len() >= REMEMBERED_ESTIMATES {
                recent.remove(0);
            }
            recent.push((key, built.clone()));
        }
        built
    }

    fn compute(&self, sizes: Option<&ContextSizes>) -> BuildEstimate {
        let none;
        let context: &dyn BuildContext = match sizes {
            Some(sizes) => sizes,
            None => {
                none = NoContext(
                    "no build context: the document is not a file on disk (set dockerfile-ls.size.context)"
                        .to_string(),
                );
                &none
            }
        };
        let remote = self.settings.remote.clone();
        let exact =
            move |reference: &str, platform: &str| exact_lookup(reference, platform, &remote);
        let inputs = Inputs {
            platform: self
                .settings
                .platform
                .clone()
                .unwrap_or_else(|| host_platform().to_string()),
            target: self.target.clone(),
            context,
            exact: Some(&exact),
        };
        estimate(&self.snapshot.analysis.model, &self.snapshot.rope, &inputs)
    }

    fn context_root(&self) -> Option<PathBuf> {
        context_root(self.settings.context.as_deref(), self.dockerfile.as_deref())
    }
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    (uri.scheme().as_str() == "file")
        .then(|| uri.to_file_path().map(|p| p.into_owned()))
        .flatten()
}

/// The build context: the setting (relative to the Dockerfile's folder),
/// else the Dockerfile's folder; none for a document not on disk.
fn context_root(setting: Option<&Path>, dockerfile: Option<&Path>) -> Option<PathBuf> {
    let folder = dockerfile.and_then(Path::parent);
    match (setting, folder) {
        (Some(context), _) if context.is_absolute() => Some(context.to_path_buf()),
        (Some(context), Some(folder)) => Some(folder.join(context)),
        (Some(_), None) | (None, None) => None,
        (None, Some(folder)) => Some(folder.to_path_buf()),
    }
}

impl Sizes {
    pub fn settings(&self) -> Arc<SizeSettings> {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn set_settings(&self, settings: SizeSettings) {
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(settings);
    }

    /// Called with the context root whenever a measurement finishes.
    pub fn on_context_ready(&self, f: impl Fn(&Path) + Send + Sync + 'static) {
        self.contexts.set_on_ready(f);
    }

    /// A file in some build context changed: measure that context again.
    pub fn file_changed(&self, path: &Path) {
        self.contexts.invalidate(path);
        self.finals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The final image's unpacked estimate of a Dockerfile text placed at
    /// `uri` (the split actions' titles), offline: the catalog and the
    /// build context as measured so far, never the network.
    pub fn final_image_estimator<'s>(&'s self, uri: &Uri) -> impl Fn(&str) -> Option<Bytes> + 's {
        let dockerfile = file_path(uri);
        let settings = self.settings();
        let root = context_root(settings.context.as_deref(), dockerfile.as_deref());
        move |text: &str| {
            let context = root
                .as_deref()
                .map(|root| ContextSizes::get(&self.contexts, root, dockerfile.as_deref()));
            let ready = matches!(context, Some(ContextSizes(ContextState::Ready(_))));
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            text.hash(&mut hasher);
            let key = (hasher.finish(), text.len(), ready);
            let finals = || self.finals.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, found)) = finals().iter().find(|(k, _)| *k == key) {
                return *found;
            }
            let none = NoContext("no build context".to_string());
            let context: &dyn BuildContext = match &context {
                Some(context) => context,
                None => &none,
            };
            let analysis = Analysis::of_text(text);
            let inputs = Inputs {
                platform: settings
                    .platform
                    .clone()
                    .unwrap_or_else(|| host_platform().to_string()),
                target: None,
                context,
                exact: None,
            };
            let found = estimate(&analysis.model, text, &inputs)
                .final_estimate()
                .map(|stage| stage.unpacked);
            let mut remembered = finals();
            if remembered.len() >= REMEMBERED_FINALS {
                remembered.remove(0);
            }
            remembered.push((key, found));
            found
        }
    }

    /// Drops the estimates of revisions that are gone (the next edit's
    /// analysis took theirs over): a large file's estimate is megabytes,
    /// and nothing can ask for it again.
    pub fn forget_gone(&self) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let before = recent.len();
        recent.retain(|(key, _)| key.analysis.strong_count() > 0);
        if recent.len() < before {
            drop(recent);
            // its many small pieces leave holes only a trim gives back
            super::release_free_memory();
        }
    }

    /// Drops the estimates made of `analysis` (its document is changing:
    /// they go before the next revision's analysis is built, not after).
    pub fn forget_estimates_of(&self, analysis: &Arc<Analysis>) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let before = recent.len();
        recent.retain(|(key, _)| !std::ptr::eq(key.analysis.as_ptr(), Arc::as_ptr(analysis)));
        if recent.len() < before {
            drop(recent);
            super::release_free_memory();
        }
    }

    pub fn request(&self, uri: &Uri, snapshot: Snapshot, target: Option<String>) -> Request {
        let dockerfile = file_path(uri);
        Request {
            snapshot,
            dockerfile,
            settings: self.settings(),
            contexts: self.contexts.clone(),
            target,
            recent: self.recent.clone(),
        }
    }
}

/// Runs an estimate, off the async threads when it may block.
pub async fn run(request: Request) -> Option<Arc<BuildEstimate>> {
    if request.may_block() {
        tokio::task::spawn_blocking(move || request.estimate())
            .await
            .ok()
    } else {
        Some(request.estimate())
    }
}

/// The size section for a hover, by what the hover is about.
pub fn hover_section(
    build: &BuildEstimate,
    model: &Model,
    hover: &ide::Hover,
    offset: usize,
) -> Option<String> {
    match hover.subject {
        ide::Subject::FromLine { stage } => present::from_line_markdown(build, stage),
        ide::Subject::StageRef {
            target: Some(target),
        } => {
            let referencing = model.stage_at(offset)?;
            let instruction = referencing
                .instructions
                .iter()
                .find(|i| i.range.start <= offset && offset <= i.range.end)?;
            let taken = build.stages.get(referencing.index).and_then(|s| {
                s.parts
                    .iter()
                    .filter(|p| p.instruction_start == instruction.range.start)
                    .map(|p| (p.line, p.part.what.as_str(), p.part.unpacked, p.part.known))
                    .next()
            });
            present::stage_markdown(build, target, taken)
        }
        _ => None,
    }
}

/// Inlay hints in `range`: after each FROM line, and after instructions
/// that add when asked.
pub fn inlay_hints(
    build: &BuildEstimate,
    snapshot: &Snapshot,
    encoding: Encoding,
    range: Range,
    mode: InlayMode,
) -> Vec<InlayHint> {
    if mode == InlayMode::Off {
        return Vec::new();
    }
    let model = &snapshot.analysis.model;
    let rope = &snapshot.rope;
    let first_line = range.start.line as usize;
    let last_line = range.end.line as usize;
    let mut hints = Vec::new();
    let mut hint_at = |offset: usize, label: String, tooltip: String| {
        let position = line_end(rope, offset, encoding);
        if (first_line..=last_line).contains(&(position.line as usize)) {
            hints.push(InlayHint {
                position,
                label: InlayHintLabel::String(label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(tooltip)),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            });
        }
    };
    for stage in &build.stages {
        let Some(modeled) = model.stages.get(stage.index) else {
            continue;
        };
        hint_at(
            modeled.from.range.start,
            present::stage_hint(stage),
            format!(
                "Estimated size of {} on disk (unpacked), {}; hover the FROM line for the breakdown",
                stage.label(),
                stage.platform
            ),
        );
        if mode != InlayMode::Instruction {
            continue;
        }
        for instruction in &modeled.instructions {
            let parts: Vec<_> = stage
                .parts
                .iter()
                .filter(|p| p.instruction_start == instruction.range.start)
                .collect();
            if parts.is_empty() {
                continue;
            }
            let unpacked = parts.iter().map(|p| p.part.unpacked).sum();
            let known = parts
                .iter()
                .map(|p| p.part.known)
                .max()
                .unwrap_or(crate::size::Known::Unknown);
            let tooltip = parts
                .iter()
                .map(|p| {
                    format!(
                        "{}: {} ({})",
                        p.part.what,
                        present::human(p.part.unpacked.best),
                        p.part.known
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            // the end of the instruction's last line, where it is complete
            hint_at(
                instruction
                    .range
                    .end
                    .saturating_sub(1)
                    .max(instruction.range.start),
                present::part_hint(unpacked, known),
                tooltip,
            );
        }
    }
    hints
}

/// The end of the line holding `offset`.
fn line_end(rope: &ropey::Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let text = rope.line(line);
    let trimmed = text.to_string();
    let content = trimmed.trim_end_matches(['\n', '\r']).len();
    encoding::position(rope, start + content, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An estimate is remembered while its revision lives, and no longer.
    #[test]
    fn estimates_of_gone_revisions_are_forgotten() {
        let sizes = Sizes::default();
        let remembered = || sizes.recent.lock().unwrap().len();
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        let text = "FROM alpine:3.20\nRUN apk add --no-cache curl\n";
        let rope = ropey::Rope::from_str(text);
        let tree = crate::syntax::parse(text);
        let analysis = Arc::new(Analysis::from_tree(tree, &rope));
        let snapshot = Snapshot {
            rope,
            version: 1,
            analysis,
        };
        let first = sizes.request(&uri, snapshot.clone(), None).estimate();
        assert_eq!(remembered(), 1);
        let again = sizes.request(&uri, snapshot.clone(), None).estimate();
        assert_eq!(first, again);
        assert!(
            Arc::ptr_eq(&first, &again),
            "shared with the cache, not copied"
        );
        sizes.forget_gone();
        assert_eq!(remembered(), 1, "its revision is alive");
        drop(snapshot);
        sizes.forget_gone();
        assert_eq!(remembered(), 0);
    }

    /// A document that is changing loses its estimates before its next
    /// analysis is made; another document keeps its own.
    #[test]
    fn a_changing_documents_estimates_are_forgotten() {
        let sizes = Sizes::default();
        let remembered = || sizes.recent.lock().unwrap().len();
        let snapshot = |text: &str| {
            let rope = ropey::Rope::from_str(text);
            let analysis = Arc::new(Analysis::from_tree(crate::syntax::parse(text), &rope));
            Snapshot {
                rope,
                version: 1,
                analysis,
            }
        };
        let (changing, other) = (snapshot("FROM alpine:3.20\n"), snapshot("FROM debian:12\n"));
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        sizes.request(&uri, changing.clone(), None).estimate();
        sizes.request(&uri, other.clone(), None).estimate();
        assert_eq!(remembered(), 2);
        sizes.forget_estimates_of(&changing.analysis);
        assert_eq!(remembered(), 1, "the other document's stays");
        sizes.forget_estimates_of(&other.analysis);
        assert_eq!(remembered(), 0);
    }
}
