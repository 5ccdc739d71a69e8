//! The estimator's outside inputs, bound to their providers: the build
//! context measured on disk, and exact sizes from a registry or the engine.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::context::{ContextCache, ContextIndex, ContextState};
use super::estimate::{BuildContext, ContextFigure, ExactFigure, ExactLookup};
use super::remote::{self, Lookup, RemoteSettings};

/// A build context as the cache knows it right now.
pub struct ContextSizes(pub ContextState);

impl ContextSizes {
    /// The context's current state; starts measuring it when new.
    pub fn get(cache: &ContextCache, root: &Path, dockerfile: Option<&Path>) -> ContextSizes {
        ContextSizes(cache.get(root, dockerfile))
    }

    /// Measures the context, waiting for it (the CLI).
    pub fn wait(root: &Path, dockerfile: Option<&Path>, timeout: Duration) -> ContextSizes {
        let cache = ContextCache::new(Default::default());
        ContextSizes(cache.wait(root, dockerfile, timeout))
    }

    pub fn ready(index: Arc<ContextIndex>) -> ContextSizes {
        ContextSizes(ContextState::Ready(index))
    }
}

impl BuildContext for ContextSizes {
    fn copied(&self, sources: &[String], excludes: &[String]) -> ContextFigure {
        match &self.0 {
            ContextState::Ready(index) => {
                let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
                let excludes: Vec<&str> = excludes.iter().map(String::as_str).collect();
                let size = index.sum(&sources, &excludes);
                ContextFigure::Measured {
                    bytes: size.bytes,
                    files: size.files,
                    matched: size.matched,
                    truncated: size.truncated,
                }
            }
            ContextState::Measuring => ContextFigure::Measuring,
            ContextState::Failed(reason) => ContextFigure::Unavailable(format!(
                "the build context could not be measured: {reason}"
            )),
        }
    }
}

/// A registry or engine lookup as the estimator takes it.
pub fn exact_lookup(reference: &str, platform: &str, settings: &RemoteSettings) -> ExactLookup {
    match remote::lookup(reference, platform, settings) {
        Lookup::Found(size) => ExactLookup::Found(ExactFigure {
            compressed: size.compressed,
            unpacked: size.unpacked,
            source: if size.from_cache {
                format!("{} (cached)", size.source)
            } else {
                size.source
            },
        }),
        Lookup::NotFound(message) | Lookup::Failed(message) => {
            ExactLookup::Note(format!("{message}; using the built-in catalog"))
        }
        Lookup::Disabled => ExactLookup::Off,
    }
}
