//! The open documents: text and tree, plus what is derived from them (the
//! analysis, the diagnostics) computed at most once per revision.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::encoding::{self, Encoding, PositionError};
use super::guard::{catch, Panicked};
use crate::ide::{Analysis, Diagnostic, DiagnosticSettings, FormatSettings};
use crate::syntax::{Document, EditError};

/// Diagnostic settings with a generation, so cached diagnostics know which
/// settings they were computed under.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub generation: u64,
    pub diagnostics: DiagnosticSettings,
    pub format: FormatSettings,
}

struct DocumentState {
    doc: Document,
    /// Changes whenever the text does; unique across documents and reopens,
    /// so it can serve as a pull-diagnostics result id.
    revision: u64,
    analysis: Option<Arc<Analysis>>,
    /// The last analysis of an earlier revision, which the next one takes
    /// over from (`Analysis::update`).
    previous: Option<Arc<Analysis>>,
    diagnostics: Option<(u64, Arc<Vec<Diagnostic>>)>,
    /// (revision, settings generation) of the last pushed diagnostics.
    published: Option<(u64, u64)>,
}

/// What features read: cheap clones, used outside the map's locks.
#[derive(Clone)]
pub struct Snapshot {
    pub rope: Rope,
    pub version: i32,
    pub analysis: Arc<Analysis>,
}

pub struct DiagnosticsSnapshot {
    pub rope: Rope,
    pub version: i32,
    /// Identifies this text under these settings.
    pub result_id: String,
    pub items: Arc<Vec<Diagnostic>>,
}

#[derive(Debug)]
pub enum ChangeError {
    UnknownDocument,
    /// A change's range is outside the text; it and the changes after it
    /// (which were computed against its result) were not applied.
    Position {
        index: usize,
        error: PositionError,
    },
    Edit {
        index: usize,
        error: EditError,
    },
    /// Applying a change panicked; the document was reparsed from its text.
    Panicked(Panicked),
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeError::UnknownDocument => write!(f, "the document is not open"),
            ChangeError::Position { index, error } => {
                write!(f, "change #{index} ignored with the ones after it: {error}")
            }
            ChangeError::Edit { index, error } => {
                write!(f, "change #{index} ignored with the ones after it: {error}")
            }
            ChangeError::Panicked(panicked) => write!(f, "{panicked}"),
        }
    }
}

#[derive(Default)]
pub struct Documents {
    map: DashMap<Uri, DocumentState>,
    revisions: AtomicU64,
}

impl Documents {
    fn next_revision(&self) -> u64 {
        self.revisions.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn open(&self, uri: Uri, text: &str, version: i32) -> Result<(), Panicked> {
        let doc = catch("parsing the document", || Document::new(text, version))?;
        let revision = self.next_revision();
        self.map.insert(
            uri,
            DocumentState {
                doc,
                revision,
                analysis: None,
                previous: None,
                diagnostics: None,
                published: None,
            },
        );
        Ok(())
    }

    /// Applies the changes of one didChange in order. The version is taken
    /// even when a change is refused: diagnostics then still name the
    /// client's latest version.
    /// The document's analysis, if its current text has one yet.
    pub fn current_analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        self.map.get(uri)?.analysis.clone()
    }

    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let mut state = self.map.get_mut(uri).ok_or(ChangeError::UnknownDocument)?;
        let state = &mut *state;
        state.doc.version = version;
        state.revision = self.next_revision();
        if let Some(analysis) = state.analysis.take() {
            state.previous = Some(analysis);
        }
        state.diagnostics = None;
        let applied = catch("applying a change", || {
            apply_changes(&mut state.doc, changes, encoding)
        });
        match applied {
            Ok(result) => result,
            Err(panicked) => {
                // the rope and tree may disagree now; the rope is the truth
                let text = state.doc.text();
                if let Ok(doc) = catch("reparsing the document", || Document::new(&text, version)) {
                    state.doc = doc;
                }
                state.previous = None;
                Err(ChangeError::Panicked(panicked))
            }
        }
    }

    pub fn close(&self, uri: &Uri) -> bool {
        let closed = self.map.remove(uri).is_some();
        if closed {
            // (what a snapshot still holds goes later, with the snapshot)
            super::release_free_memory();
        }
        closed
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.map.iter().map(|entry| entry.key().clone()).collect()
    }

    #[cfg(test)]
    pub fn text(&self, uri: &Uri) -> Option<String> {
        self.map.get(uri).map(|state| state.doc.text())
    }

    /// The document's analysis, built now if this revision has none yet.
    pub fn snapshot(&self, uri: &Uri) -> Option<Result<Snapshot, Panicked>> {
        let mut state = self.map.get_mut(uri)?;
        Some(analysis(&mut state).map(|analysis| Snapshot {
            rope: state.doc.rope().clone(),
            version: state.doc.version,
            analysis,
        }))
    }

    /// The document's diagnostics under `settings`, computed once per
    /// revision and settings generation.
    pub fn diagnostics(
        &self,
        uri: &Uri,
        settings: &Settings,
    ) -> Option<Result<DiagnosticsSnapshot, Panicked>> {
        let mut state = self.map.get_mut(uri)?;
        Some(diagnostics(&mut state, settings))
    }

    /// Like [`Documents::diagnostics`], but `None` when exactly these were
    /// pushed already; marks them pushed.
    pub fn unpublished_diagnostics(
        &self,
        uri: &Uri,
        settings: &Settings,
    ) -> Option<Result<DiagnosticsSnapshot, Panicked>> {
        let mut state = self.map.get_mut(uri)?;
        let key = (state.revision, settings.generation);
        if state.published == Some(key) {
            return None;
        }
        state.published = Some(key);
        Some(diagnostics(&mut state, settings))
    }
}

fn apply_changes(
    doc: &mut Document,
    changes: &[TextDocumentContentChangeEvent],
    encoding: Encoding,
) -> Result<(), ChangeError> {
    for (index, change) in changes.iter().enumerate() {
        match change.range {
            None => doc.replace_all(&change.text),
            Some(range) => {
                let span = encoding::checked_span(doc.rope(), range, encoding)
                    .map_err(|error| ChangeError::Position { index, error })?;
                doc.apply_edit(span, &change.text)
                    .map_err(|error| ChangeError::Edit { index, error })?;
            }
        }
    }
    Ok(())
}

fn analysis(state: &mut DocumentState) -> Result<Arc<Analysis>, Panicked> {
    if let Some(analysis) = &state.analysis {
        return Ok(analysis.clone());
    }
    let previous = state.previous.take();
    let doc = &mut state.doc;
    let analysis = catch("analysing the document", || {
        Arc::new(match previous {
            Some(previous) => Analysis::update(previous, doc),
            None => {
                // start the edit log the next update reads
                doc.take_edits();
                Analysis::from_tree(doc.tree().clone(), doc.rope())
            }
        })
    })?;
    state.analysis = Some(analysis.clone());
    Ok(analysis)
}

fn diagnostics(
    state: &mut DocumentState,
    settings: &Settings,
) -> Result<DiagnosticsSnapshot, Panicked> {
    let items = match &state.diagnostics {
        Some((generation, items)) if *generation == settings.generation => items.clone(),
        _ => {
            let analysis = analysis(state)?;
            let rope = state.doc.rope();
            let items = catch("computing diagnostics", || {
                Arc::new(analysis.diagnostics(rope, &settings.diagnostics))
            })?;
            state.diagnostics = Some((settings.generation, items.clone()));
            items
        }
    };
    Ok(DiagnosticsSnapshot {
        rope: state.doc.rope().clone(),
        version: state.doc.version,
        result_id: format!("{}-{}", state.revision, settings.generation),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn uri() -> Uri {
        "file:///w/Dockerfile".parse().unwrap()
    }

    fn edit(range: ((u32, u32), (u32, u32)), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(range.0 .0, range.0 .1),
                Position::new(range.1 .0, range.1 .1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn changes_apply_in_order_and_a_bad_one_stops_the_rest() {
        let docs = Documents::default();
        docs.open(uri(), "FROM a\n", 1).unwrap();
        let changes = [
            edit(((0, 6), (0, 6)), " AS b"),
            edit(((0, 5), (0, 6)), "🐳"),
        ];
        docs.change(&uri(), 2, &changes, Encoding::Utf16).unwrap();
        assert_eq!(docs.text(&uri()).unwrap(), "FROM 🐳 AS b\n");

        let changes = [
            edit(((1, 0), (1, 0)), "RUN x\n"),
            edit(((9, 0), (9, 0)), "?"),
            edit(((0, 0), (0, 0)), "#"),
        ];
        let error = docs
            .change(&uri(), 3, &changes, Encoding::Utf16)
            .unwrap_err();
        assert!(
            matches!(error, ChangeError::Position { index: 1, .. }),
            "{error}"
        );
        assert_eq!(docs.text(&uri()).unwrap(), "FROM 🐳 AS b\nRUN x\n");

        let unknown: Uri = "file:///elsewhere".parse().unwrap();
        assert!(matches!(
            docs.change(&unknown, 1, &changes, Encoding::Utf16),
            Err(ChangeError::UnknownDocument)
        ));
    }

    #[test]
    fn diagnostics_are_cached_per_revision_and_settings() {
        let docs = Documents::default();
        docs.open(uri(), "FROM a AS b\nFROM c\nCOPY --from=bb / /\n", 1)
            .unwrap();
        let settings = Settings::default();
        let first = docs
            .unpublished_diagnostics(&uri(), &settings)
            .unwrap()
            .unwrap();
        assert!(first.items.iter().any(|d| d.code == "unknown-stage"));
        assert!(docs.unpublished_diagnostics(&uri(), &settings).is_none());
        let again = docs.diagnostics(&uri(), &settings).unwrap().unwrap();
        assert!(Arc::ptr_eq(&first.items, &again.items));
        assert_eq!(first.result_id, again.result_id);

        let newer = Settings {
            generation: 1,
            ..Settings::default()
        };
        let recomputed = docs.diagnostics(&uri(), &newer).unwrap().unwrap();
        assert!(!Arc::ptr_eq(&first.items, &recomputed.items));
        assert_ne!(first.result_id, recomputed.result_id);
    }
}
