//! The build context on disk: what `COPY`/`ADD` can read from it and what
//! that weighs.
//!
//! [`scan`] walks the context once, the way BuildKit's file sender does:
//! `.dockerignore` applied (see [`super::dockerignore`]), symlinks recorded
//! as links and never followed, never leaving the root, bounded by a
//! [`Budget`] of entries and time. [`ContextIndex::sum`] then answers
//! `COPY` source questions from memory. [`ContextCache`] runs scans on
//! plain threads (usable from the CLI as well as the server), at most one
//! per root at a time, and keeps the results until a watched file changes.
//!
//! Sizes: a regular file counts its length, a symlink the length of its
//! target text (what the link itself takes), a directory nothing. Names that
//! are not UTF-8 are stored in lossy form (see `dockerignore`).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::dockerignore::{
    go_clean, go_match, ignore_file_for, IgnoreError, IgnoreRules, MatchInfo,
};

/// How much one scan may read before it stops and reports `truncated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Directory entries looked at (excluded ones that had to be walked
    /// count too).
    pub max_files: usize,
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_files: 200_000,
            max_time: Duration::from_secs(2),
        }
    }
}

/// Why a context could not be measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextError {
    /// The root is missing, not a directory or unreadable.
    Root { path: PathBuf, message: String },
    /// The ignore file exists but could not be read.
    IgnoreFile { path: PathBuf, message: String },
    /// The ignore file is refused by BuildKit's rules (the build would fail
    /// the same way).
    Ignore { path: PathBuf, error: IgnoreError },
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::Root { path, message } => {
                write!(f, "build context {}: {message}", path.display())
            }
            ContextError::IgnoreFile { path, message } => {
                write!(f, "failed to read {}: {message}", path.display())
            }
            ContextError::Ignore { path, error } => {
                write!(f, "failed parsing {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for ContextError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Symlink,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Relative to the root, `/`-separated.
    path: String,
    kind: Kind,
    size: u64,
    /// Symlink target text.
    link: Option<String>,
}

/// The files of a context after `.dockerignore`, with their sizes.
#[derive(Debug, Clone)]
pub struct ContextIndex {
    /// The canonical root.
    pub root: PathBuf,
    /// The ignore file applied, if any.
    pub ignore_file: Option<PathBuf>,
    /// Files and symlinks in the context (directories not counted).
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// The budget ran out: figures are lower bounds.
    pub truncated: bool,
    /// Directories that could not be read (skipped).
    pub unreadable: usize,
    pub elapsed: Duration,
    /// In component order (a directory, then everything below it).
    entries: Vec<Entry>,
    /// `cum_bytes[i]` / `cum_files[i]`: totals of `entries[..i]`.
    cum_bytes: Vec<u64>,
    cum_files: Vec<usize>,
}

/// What a list of `COPY`/`ADD` sources takes from the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceSize {
    pub bytes: u64,
    pub files: usize,
    /// Every source matched something (a missing plain path fails the
    /// build; a wildcard matching nothing copies nothing).
    pub matched: bool,
    /// The context scan was cut short: figures are lower bounds.
    pub truncated: bool,
}

fn cmp_path(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

fn is_below(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || (path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/')
}

/// The ignore file used when no Dockerfile is known: `<root>/.dockerignore`.
fn default_ignore(root: &Path, dockerfile: Option<&Path>) -> Option<PathBuf> {
    match dockerfile {
        Some(d) => ignore_file_for(root, d),
        None => {
            let p = root.join(".dockerignore");
            p.is_file().then_some(p)
        }
    }
}

/// Walks the context at `root` with the ignore file BuildKit would use for
/// `dockerfile` (or `<root>/.dockerignore`).
pub fn scan(
    root: &Path,
    dockerfile: Option<&Path>,
    budget: &Budget,
) -> Result<ContextIndex, ContextError> {
    let root_err = |message: String| ContextError::Root {
        path: root.to_path_buf(),
        message,
    };
    let canonical = root.canonicalize().map_err(|e| root_err(e.to_string()))?;
    let ignore = default_ignore(&canonical, dockerfile);
    scan_with(&canonical, ignore.as_deref(), budget)
}

const MAX_IGNORE_FILE: u64 = 16 << 20;

fn read_rules(root: &Path, file: &Path) -> Result<IgnoreRules, ContextError> {
    let io_err = |message: String| ContextError::IgnoreFile {
        path: file.to_path_buf(),
        message,
    };
    // a symlinked ignore file is read only when it stays inside the context
    // or next to itself
    let meta = fs::symlink_metadata(file).map_err(|e| io_err(e.to_string()))?;
    let target = if meta.file_type().is_symlink() {
        let target = file.canonicalize().map_err(|e| io_err(e.to_string()))?;
        let home = file.parent().and_then(|p| p.canonicalize().ok());
        if !target.starts_with(root) && home.is_none_or(|h| !target.starts_with(h)) {
            return Err(io_err("symlink leads out of the build context".into()));
        }
        target
    } else {
        file.to_path_buf()
    };
    let meta = fs::metadata(&target).map_err(|e| io_err(e.to_string()))?;
    if !meta.is_file() {
        return Err(io_err("not a regular file".into()));
    }
    if meta.len() > MAX_IGNORE_FILE {
        return Err(io_err("larger than 16 MiB".into()));
    }
    let bytes = fs::read(&target).map_err(|e| io_err(e.to_string()))?;
    IgnoreRules::parse_bytes(&bytes).map_err(|error| ContextError::Ignore {
        path: file.to_path_buf(),
        error,
    })
}

/// [`scan`] with the root already canonical and the ignore file chosen.
pub(crate) fn scan_with(
    root: &Path,
    ignore: Option<&Path>,
    budget: &Budget,
) -> Result<ContextIndex, ContextError> {
    let start = Instant::now();
    let meta = fs::metadata(root).map_err(|e| ContextError::Root {
        path: root.to_path_buf(),
        message: e.to_string(),
    })?;
    if !meta.is_dir() {
        return Err(ContextError::Root {
            path: root.to_path_buf(),
            message: "not a directory".into(),
        });
    }
    let rules = match ignore {
        Some(file) => read_rules(root, file)?,
        None => IgnoreRules::default(),
    };
    let ignore_err = |error| ContextError::Ignore {
        path: ignore.map(Path::to_path_buf).unwrap_or_default(),
        error,
    };

    struct Dir {
        abs: PathBuf,
        rel: String,
        info: Option<MatchInfo>,
    }
    // (entry, excluded)
    let mut found: Vec<(Entry, bool)> = Vec::new();
    let mut stack = vec![Dir {
        abs: root.to_path_buf(),
        rel: String::new(),
        info: None,
    }];
    let mut visited = 0usize;
    let mut truncated = false;
    let mut unreadable = 0;
    'walk: while let Some(dir) = stack.pop() {
        let reader = match fs::read_dir(&dir.abs) {
            Ok(r) => r,
            Err(_) => {
                unreadable += 1;
                continue;
            }
        };
        for item in reader {
            visited += 1;
            if visited > budget.max_files
                || (visited & 63 == 0 && start.elapsed() > budget.max_time)
            {
                truncated = true;
                break 'walk;
            }
            let Ok(item) = item else {
                continue;
            };
            let Ok(file_type) = item.file_type() else {
                continue;
            };
            let name = item.file_name();
            let name = name.to_string_lossy();
            let rel = if dir.rel.is_empty() {
                name.into_owned()
            } else {
                format!("{}/{}", dir.rel, name)
            };
            let (excluded, info) = if rules.is_empty() {
                (false, None)
            } else {
                let (m, info) = rules
                    .matches_with_parent(&rel, dir.info.as_ref())
                    .map_err(ignore_err)?;
                (m, Some(info))
            };
            if file_type.is_dir() {
                if excluded && rules.can_prune(&rel) {
                    continue;
                }
                stack.push(Dir {
                    abs: item.path(),
                    rel: rel.clone(),
                    info,
                });
                found.push((
                    Entry {
                        path: rel,
                        kind: Kind::Dir,
                        size: 0,
                        link: None,
                    },
                    excluded,
                ));
            } else if excluded {
                continue;
            } else if file_type.is_symlink() {
                let link = fs::read_link(item.path()).ok();
                let size = match &link {
                    Some(l) => l.as_os_str().len() as u64,
                    None => item.metadata().map(|m| m.len()).unwrap_or(0),
                };
                found.push((
                    Entry {
                        path: rel,
                        kind: Kind::Symlink,
                        size,
                        link: link.map(|l| l.to_string_lossy().into_owned()),
                    },
                    false,
                ));
            } else if file_type.is_file() {
                let size = item.metadata().map(|m| m.len()).unwrap_or(0);
                found.push((
                    Entry {
                        path: rel,
                        kind: Kind::File,
                        size,
                        link: None,
                    },
                    false,
                ));
            }
            // sockets, pipes and devices are not sent to the builder
        }
    }

    // excluded directories stay only as parents of something re-included
    let mut needed: HashSet<String> = HashSet::new();
    if found.iter().any(|(_, excluded)| *excluded) {
        for (entry, excluded) in &found {
            if !excluded {
                for (end, _) in entry.path.match_indices('/') {
                    needed.insert(entry.path[..end].to_string());
                }
            }
        }
    }
    let mut entries: Vec<Entry> = found
        .into_iter()
        .filter(|(e, excluded)| !excluded || needed.contains(&e.path))
        .map(|(e, _)| e)
        .collect();
    entries.sort_by(|a, b| cmp_path(&a.path, &b.path));
    let mut cum_bytes = Vec::with_capacity(entries.len() + 1);
    let mut cum_files = Vec::with_capacity(entries.len() + 1);
    let (mut bytes, mut files) = (0u64, 0usize);
    for e in &entries {
        cum_bytes.push(bytes);
        cum_files.push(files);
        if e.kind != Kind::Dir {
            bytes = bytes.saturating_add(e.size);
            files += 1;
        }
    }
    cum_bytes.push(bytes);
    cum_files.push(files);
    Ok(ContextIndex {
        root: root.to_path_buf(),
        ignore_file: ignore.map(Path::to_path_buf),
        files,
        bytes,
        truncated,
        unreadable,
        elapsed: start.elapsed(),
        entries,
        cum_bytes,
        cum_files,
    })
}

/// Where a source resolved to: the root or an entry.
#[derive(Debug, Clone, Copy)]
enum Target {
    Root,
    Entry(usize),
}

impl ContextIndex {
    /// Is `path` (relative, `/`-separated) in the context after
    /// `.dockerignore`? Directories count.
    pub fn contains(&self, path: &str) -> bool {
        self.find(path.trim_matches('/')).is_some()
    }

    /// Every path in the context, directories included, in component order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.path.as_str())
    }

    fn find(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| cmp_path(&e.path, path))
            .ok()
    }

    /// End (exclusive) of the entries below `entries[i]` (or below the root
    /// for `None`).
    fn subtree(&self, target: Target) -> (usize, usize, &str) {
        match target {
            Target::Root => (0, self.entries.len(), ""),
            Target::Entry(i) => {
                let dir = self.entries[i].path.as_str();
                let after = &self.entries[i + 1..];
                let len = if self.entries[i].kind == Kind::Dir {
                    after.partition_point(|e| is_below(&e.path, dir))
                } else {
                    0
                };
                (i + 1, i + 1 + len, dir)
            }
        }
    }

    /// Follows symlinks inside the context the way BuildKit resolves a
    /// source (`RootPath`: absolute targets start at the root, `..` stops
    /// there).
    fn resolve(&self, path: &str) -> Option<Target> {
        let mut pending: Vec<String> = path.split('/').rev().map(str::to_string).collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    current.pop();
                    continue;
                }
                _ => current.push(part),
            }
            let i = self.find(&current.join("/"))?;
            if let (Kind::Symlink, Some(link)) = (self.entries[i].kind, &self.entries[i].link) {
                hops += 1;
                if hops > 255 {
                    return None;
                }
                current.pop();
                if link.starts_with('/') {
                    current.clear();
                }
                pending.extend(link.split('/').rev().map(str::to_string));
            }
        }
        if current.is_empty() {
            Some(Target::Root)
        } else {
            self.find(&current.join("/")).map(Target::Entry)
        }
    }

    /// What `COPY <sources> …` (or `ADD`) takes from this context, with
    /// `--exclude` patterns. Sources are relative to the context (a leading
    /// `/` or `./` changes nothing, `..` stops at the root) and may hold
    /// `filepath.Match` wildcards; a directory brings its whole tree; a
    /// source that is a symlink is followed inside the context. Excludes
    /// apply to what lies below each source, relative to it (BuildKit checks
    /// them on the copied tree, not on the source itself); invalid exclude
    /// patterns are ignored.
    pub fn sum(&self, sources: &[&str], excludes: &[&str]) -> SourceSize {
        let rules = IgnoreRules::from_patterns(excludes)
            .ok()
            .filter(|r| !r.is_empty());
        let mut out = SourceSize {
            matched: !sources.is_empty(),
            truncated: self.truncated,
            ..SourceSize::default()
        };
        for source in sources {
            let rel = go_clean(&format!("/{source}"));
            let rel = rel.trim_start_matches('/');
            let (literal, wild) = split_wildcards(rel);
            let mut any = false;
            if wild.is_empty() {
                if let Some(target) = self.resolve(&literal) {
                    self.add(target, rules.as_ref(), &mut out);
                    any = true;
                }
            } else if let Some(base) = self.resolve(&literal) {
                let (mut i, end, base_path) = self.subtree(base);
                let skip = if base_path.is_empty() {
                    0
                } else {
                    base_path.len() + 1
                };
                while i < end {
                    let entry = &self.entries[i];
                    let below = &entry.path[skip..];
                    if go_match(&wild, below) == Ok(true) {
                        if let Some(target) = self.resolve(&entry.path) {
                            self.add(target, rules.as_ref(), &mut out);
                            any = true;
                        }
                        i = self.subtree(Target::Entry(i)).1;
                        continue;
                    }
                    i += 1;
                }
            }
            out.matched &= any;
        }
        out
    }

    fn add(&self, target: Target, rules: Option<&IgnoreRules>, out: &mut SourceSize) {
        if let Target::Entry(i) = target {
            let entry = &self.entries[i];
            if entry.kind != Kind::Dir {
                out.bytes = out.bytes.saturating_add(entry.size);
                out.files += 1;
                return;
            }
        }
        let (start, end, base) = self.subtree(target);
        let Some(rules) = rules else {
            out.bytes = out
                .bytes
                .saturating_add(self.cum_bytes[end] - self.cum_bytes[start]);
            out.files += self.cum_files[end] - self.cum_files[start];
            return;
        };
        let skip = if base.is_empty() { 0 } else { base.len() + 1 };
        let mut parents: Vec<(&str, MatchInfo)> = Vec::new();
        let mut i = start;
        while i < end {
            let entry = &self.entries[i];
            let rel = &entry.path[skip..];
            while parents.last().is_some_and(|(p, _)| !is_below(rel, p)) {
                parents.pop();
            }
            let (excluded, info) = rules
                .matches_with_parent(rel, parents.last().map(|(_, info)| info))
                .unwrap_or_default();
            if entry.kind == Kind::Dir {
                if excluded && rules.can_prune(rel) {
                    i = self.subtree(Target::Entry(i)).1;
                    continue;
                }
                parents.push((rel, info));
            } else if !excluded {
                out.bytes = out.bytes.saturating_add(entry.size);
                out.files += 1;
            }
            i += 1;
        }
    }
}

/// fsutil's `splitWildcards`: the path up to the first segment holding a
/// wildcard (`*`, `?`, `[`; `\` escapes), and the rest.
fn split_wildcards(path: &str) -> (String, String) {
    let has_wildcard = |segment: &str| {
        let b = segment.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 1,
                b'*' | b'?' | b'[' => return true,
                _ => {}
            }
            i += 1;
        }
        false
    };
    let mut literal = Vec::new();
    let mut wild = Vec::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if wild.is_empty() && !has_wildcard(segment) {
            literal.push(segment);
        } else {
            wild.push(segment);
        }
    }
    (literal.join("/"), wild.join("/"))
}

// ---------------------------------------------------------------------------

/// What the cache knows about a context.
#[derive(Debug, Clone)]
pub enum ContextState {
    Ready(Arc<ContextIndex>),
    /// A scan is queued or running.
    Measuring,
    Failed(String),
}

type Callback = Arc<dyn Fn(&Path) + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    root: PathBuf,
    ignore: Option<PathBuf>,
}

#[derive(Debug)]
enum Slot {
    Pending,
    /// `dirty`: invalidated while scanning; scan again when done.
    Running {
        dirty: bool,
    },
    Done(ContextState),
}

#[derive(Default)]
struct State {
    slots: HashMap<Key, Slot>,
    /// Roots with a worker thread.
    workers: HashSet<PathBuf>,
}

struct Inner {
    budget: Budget,
    state: Mutex<State>,
    changed: Condvar,
    on_ready: Mutex<Option<Callback>>,
}

/// Context indexes measured in the background, one per (root, ignore file).
#[derive(Clone)]
pub struct ContextCache {
    inner: Arc<Inner>,
}

impl fmt::Debug for ContextCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextCache")
            .field("budget", &self.inner.budget)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ContextCache {
    pub fn new(budget: Budget) -> Self {
        ContextCache {
            inner: Arc::new(Inner {
                budget,
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
                on_ready: Mutex::new(None),
            }),
        }
    }

    /// Called (on the scanning thread) with the root each time a scan
    /// finishes, ready or failed.
    pub fn set_on_ready(&self, f: impl Fn(&Path) + Send + Sync + 'static) {
        *lock(&self.inner.on_ready) = Some(Arc::new(f));
    }

    fn key(root: &Path, dockerfile: Option<&Path>) -> Key {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let ignore = default_ignore(&root, dockerfile);
        Key { root, ignore }
    }

    /// The index if measured; otherwise starts measuring (never blocks on
    /// the file system beyond a few `stat`s).
    pub fn get(&self, root: &Path, dockerfile: Option<&Path>) -> ContextState {
        let key = Self::key(root, dockerfile);
        let mut state = lock(&self.inner.state);
        self.lookup(&mut state, &key)
    }

    fn lookup(&self, state: &mut State, key: &Key) -> ContextState {
        match state.slots.get(key) {
            Some(Slot::Done(s)) => s.clone(),
            Some(_) => ContextState::Measuring,
            None => {
                state.slots.insert(key.clone(), Slot::Pending);
                self.ensure_worker(state, &key.root);
                ContextState::Measuring
            }
        }
    }

    /// [`Self::get`], waiting up to `timeout` for the scan (for the CLI).
    pub fn wait(&self, root: &Path, dockerfile: Option<&Path>, timeout: Duration) -> ContextState {
        let deadline = Instant::now() + timeout;
        let key = Self::key(root, dockerfile);
        let mut state = lock(&self.inner.state);
        loop {
            let current = self.lookup(&mut state, &key);
            if !matches!(current, ContextState::Measuring) {
                return current;
            }
            let now = Instant::now();
            if now >= deadline {
                return current;
            }
            state = match self.inner.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Drops every index whose root contains `changed_path` (or that used
    /// it as ignore file); a scan running for one is redone.
    pub fn invalidate(&self, changed_path: &Path) {
        let mut candidates = vec![changed_path.to_path_buf()];
        if let Ok(c) = changed_path.canonicalize() {
            candidates.push(c);
        } else if let (Some(parent), Some(name)) = (changed_path.parent(), changed_path.file_name())
        {
            if let Ok(p) = parent.canonicalize() {
                candidates.push(p.join(name));
            }
        }
        let hit = |key: &Key| {
            candidates
                .iter()
                .any(|c| c.starts_with(&key.root) || key.ignore.as_deref() == Some(c.as_path()))
        };
        let mut state = lock(&self.inner.state);
        state.slots.retain(|key, slot| match slot {
            Slot::Done(_) => !hit(key),
            Slot::Running { dirty } => {
                *dirty |= hit(key);
                true
            }
            Slot::Pending => true,
        });
    }

    fn ensure_worker(&self, state: &mut State, root: &Path) {
        if state.workers.contains(root) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        let thread_root = root.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("dockerfile-ls context".into())
            .spawn(move || work(inner, thread_root));
        match spawned {
            Ok(_) => {
                state.workers.insert(root.to_path_buf());
            }
            Err(e) => {
                for (key, slot) in state.slots.iter_mut() {
                    if key.root == root && matches!(slot, Slot::Pending) {
                        *slot = Slot::Done(ContextState::Failed(format!(
                            "could not start measuring: {e}"
                        )));
                    }
                }
            }
        }
    }
}

/// One root's worker: scans its pending keys one after the other.
fn work(inner: Arc<Inner>, root: PathBuf) {
    loop {
        let key = {
            let mut state = lock(&inner.state);
            let next = state
                .slots
                .iter()
                .find(|(k, s)| k.root == root && matches!(s, Slot::Pending))
                .map(|(k, _)| k.clone());
            match next {
                Some(key) => {
                    state
                        .slots
                        .insert(key.clone(), Slot::Running { dirty: false });
                    key
                }
                None => {
                    state.workers.remove(&root);
                    return;
                }
            }
        };
        let budget = inner.budget;
        let result =
            std::panic::catch_unwind(|| scan_with(&key.root, key.ignore.as_deref(), &budget));
        let outcome = match result {
            Ok(Ok(index)) => ContextState::Ready(Arc::new(index)),
            Ok(Err(e)) => ContextState::Failed(e.to_string()),
            Err(_) => {
                ContextState::Failed("internal error while measuring the build context".into())
            }
        };
        let notify = {
            let mut state = lock(&inner.state);
            let notify = match state.slots.get_mut(&key) {
                Some(slot @ Slot::Running { dirty: true }) => {
                    *slot = Slot::Pending;
                    false
                }
                Some(slot) => {
                    *slot = Slot::Done(outcome);
                    true
                }
                None => false,
            };
            inner.changed.notify_all();
            notify
        };
        if notify {
            let callback = lock(&inner.on_ready).clone();
            if let Some(callback) = callback {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&root)));
            }
        }
    }
}
