//! Exact base-image sizes from outside the server, each source off unless a
//! setting turns it on (no socket is opened and no file is read otherwise):
//!
//! - the local Docker engine (`engine.rs`): unpacked, and compressed too
//!   under the containerd image store;
//! - a registry, through the OCI distribution API (`registry.rs`):
//!   compressed only, the sum of the platform manifest's layers.
//!
//! [`lookup`] asks the engine first (it knows the unpacked size), then the
//! registry; found registry sizes are kept on disk under the cache folder
//! for the TTL (engine answers only in memory, for a minute: they are local
//! and change with every pull). Calls block, each source within
//! `settings.timeout`: run them off the async runtime ([`lookup_async`]).
//! A miss or failure comes back with a message for the hover's note; the
//! caller falls back to the catalog.

pub mod cache;
pub mod engine;
pub mod http1;
pub mod platform;
pub mod reference;
pub mod registry;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use cache::RemoteCache;
pub use platform::Platform;
pub use reference::ImageRef;

/// Which exact sources may be asked, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSettings {
    /// Ask registries (network).
    pub registry: bool,
    /// Ask the local Docker engine.
    pub engine: bool,
    /// Registries spoken to over plain http: `127.0.0.1:5000` (a leading
    /// `http://` and a trailing `/` are ignored).
    pub insecure_registries: Vec<String>,
    /// `unix:///var/run/docker.sock` (the default, after `$DOCKER_HOST`) or
    /// `tcp://host:2375`.
    pub docker_host: Option<String>,
    /// Default: `$XDG_CACHE_HOME/dockerfile-ls`, else `~/.cache/dockerfile-ls`.
    pub cache_dir: Option<PathBuf>,
    /// How long a found registry size is served from the cache.
    pub ttl: Duration,
    /// The whole budget of one source's lookup (connect included).
    pub timeout: Duration,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        RemoteSettings {
            registry: false,
            engine: false,
            insecure_registries: Vec::new(),
            docker_host: None,
            cache_dir: None,
            ttl: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(5),
        }
    }
}

impl RemoteSettings {
    pub fn enabled(&self) -> bool {
        self.registry || self.engine
    }

    pub fn is_insecure(&self, registry: &str) -> bool {
        self.insecure_registries.iter().any(|host| {
            let host = host.trim();
            let host = host
                .strip_prefix("http://")
                .unwrap_or(host)
                .trim_end_matches('/');
            host.eq_ignore_ascii_case(registry)
        })
    }
}

/// An exact size. Registries know `compressed` only; the engine knows
/// `unpacked`, and `compressed` too under the containerd store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSize {
    pub compressed: Option<u64>,
    pub unpacked: Option<u64>,
    /// `registry 127.0.0.1:5000, linux/amd64 manifest sha256:… (2 layers,
    /// compressed)`, `local engine (containerd store), linux/amd64 manifest
    /// sha256:…`, `local engine (overlay2 store), image 4048db5d3672`.
    pub source: String,
    /// When the source answered (kept across the disk cache).
    pub fetched: SystemTime,
    /// Served from the cache, not asked now.
    pub from_cache: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(RemoteSize),
    /// No such image, tag or platform (the message says which source).
    NotFound(String),
    /// The source could not be asked: offline, timed out, refused.
    Failed(String),
    /// Both sources are off.
    Disabled,
}

/// How long the engine's answers and the misses are remembered in memory.
const ENGINE_MEMORY: Duration = Duration::from_secs(60);
const NOT_FOUND_MEMORY: Duration = Duration::from_secs(300);
const FAILED_MEMORY: Duration = Duration::from_secs(30);

/// The exact size of `reference` (`alpine:3.21`, `ghcr.io/o/r@sha256:…`)
/// for `platform` (`linux/amd64`; empty is that), from the sources
/// `settings` turn on. Blocks: at most `settings.timeout` per source asked.
pub fn lookup(reference: &str, platform: &str, settings: &RemoteSettings) -> Lookup {
    if !settings.enabled() {
        return Lookup::Disabled;
    }
    let cache = shared_cache(settings.cache_dir.clone().or_else(cache::default_dir));
    lookup_with(&cache, reference, platform, settings)
}

/// [`lookup`] with a cache of the caller's (tests; `settings.cache_dir` is
/// not read).
pub fn lookup_with(
    cache: &RemoteCache,
    reference: &str,
    platform: &str,
    settings: &RemoteSettings,
) -> Lookup {
    if !settings.enabled() {
        return Lookup::Disabled;
    }
    let image = match ImageRef::parse(reference) {
        Ok(image) => image,
        Err(e) => return Lookup::Failed(e),
    };
    let platform = match Platform::parse(platform) {
        Ok(platform) => platform,
        Err(e) => return Lookup::Failed(e),
    };
    let mut notes: Vec<String> = Vec::new();
    if settings.engine {
        let key = format!("engine|{image}|{platform}");
        let result = cache
            .get(&key, ENGINE_MEMORY.min(settings.ttl))
            .unwrap_or_else(|| {
                let host = engine::resolve_host(settings.docker_host.as_deref());
                let result =
                    engine::lookup(&image, &platform, &host, Instant::now() + settings.timeout);
                remember(cache, &key, &result, false, ENGINE_MEMORY);
                result
            });
        match result {
            Lookup::Found(size) => return Lookup::Found(size),
            Lookup::NotFound(note) | Lookup::Failed(note) if settings.registry => notes.push(note),
            other => return other,
        }
    }
    if settings.registry {
        let key = format!("registry|{image}|{platform}");
        let result = cache.get(&key, settings.ttl).unwrap_or_else(|| {
            let insecure = settings.is_insecure(&image.registry);
            let result = registry::lookup(
                &image,
                &platform,
                insecure,
                Instant::now() + settings.timeout,
            );
            remember(cache, &key, &result, true, settings.ttl);
            result
        });
        // Say why the engine did not answer only when the registry did not either.
        return match result {
            Lookup::NotFound(note) => Lookup::NotFound(joined(notes, note)),
            Lookup::Failed(note) => Lookup::Failed(joined(notes, note)),
            other => other,
        };
    }
    Lookup::Disabled
}

/// [`lookup`] on tokio's blocking pool, bounded by the sources' timeouts.
pub async fn lookup_async(reference: String, platform: String, settings: RemoteSettings) -> Lookup {
    if !settings.enabled() {
        return Lookup::Disabled;
    }
    let budget = settings.timeout * 2 + Duration::from_secs(1);
    let task = tokio::task::spawn_blocking(move || lookup(&reference, &platform, &settings));
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Lookup::Failed(format!("the size lookup stopped: {e}")),
        Err(_) => Lookup::Failed("the size lookup timed out".into()),
    }
}

fn remember(cache: &RemoteCache, key: &str, result: &Lookup, disk: bool, found_for: Duration) {
    match result {
        Lookup::Found(size) => cache.put(key, size, disk),
        Lookup::NotFound(_) => cache.remember_miss(key, result, NOT_FOUND_MEMORY.min(found_for)),
        Lookup::Failed(_) => cache.remember_miss(key, result, FAILED_MEMORY.min(found_for)),
        Lookup::Disabled => {}
    }
}

fn joined(mut notes: Vec<String>, last: String) -> String {
    notes.push(last);
    notes.join("; ")
}

/// One cache per folder for the whole process.
fn shared_cache(dir: Option<PathBuf>) -> Arc<RemoteCache> {
    static CACHES: OnceLock<Mutex<HashMap<Option<PathBuf>, Arc<RemoteCache>>>> = OnceLock::new();
    let mut caches = CACHES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    caches
        .entry(dir.clone())
        .or_insert_with(|| Arc::new(RemoteCache::new(dir)))
        .clone()
}

/// Now, to the millisecond (what the disk cache keeps).
pub(crate) fn now() -> SystemTime {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    UNIX_EPOCH + Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_off_by_default() {
        let settings = RemoteSettings::default();
        assert!(!settings.enabled());
        assert_eq!(settings.ttl, Duration::from_secs(86_400));
        // Not even a bad reference is looked at.
        assert_eq!(lookup("${BASE}", "nonsense", &settings), Lookup::Disabled);
        assert_eq!(
            lookup("alpine:3.21", "linux/amd64", &settings),
            Lookup::Disabled
        );
    }

    #[test]
    fn insecure_hosts_are_matched_loosely() {
        let settings = RemoteSettings {
            insecure_registries: vec!["http://127.0.0.1:5000/".into(), " localhost:5001".into()],
            ..RemoteSettings::default()
        };
        assert!(settings.is_insecure("127.0.0.1:5000"));
        assert!(settings.is_insecure("localhost:5001"));
        assert!(!settings.is_insecure("127.0.0.1:5001"));
        assert!(!settings.is_insecure("docker.io"));
    }

    #[test]
    fn bad_input_fails_with_a_message() {
        let settings = RemoteSettings {
            registry: true,
            ..RemoteSettings::default()
        };
        let cache = RemoteCache::new(None);
        assert!(
            matches!(lookup_with(&cache, "Alpine", "linux/amd64", &settings), Lookup::Failed(m) if m.contains("repository"))
        );
        assert!(
            matches!(lookup_with(&cache, "alpine", "linux", &settings), Lookup::Failed(m) if m.contains("platform"))
        );
    }

    #[test]
    fn the_engine_comes_first_and_its_failure_is_noted() {
        // No engine at that socket, a registry port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let registry = format!("127.0.0.1:{port}");
        let settings = RemoteSettings {
            registry: true,
            engine: true,
            insecure_registries: vec![registry.clone()],
            docker_host: Some("unix:///nonexistent/docker.sock".into()),
            timeout: Duration::from_secs(2),
            ..RemoteSettings::default()
        };
        let cache = RemoteCache::new(None);
        let result = lookup_with(&cache, &format!("{registry}/x:1"), "linux/amd64", &settings);
        let Lookup::Failed(message) = &result else {
            panic!("{result:?}")
        };
        assert!(
            message.starts_with("no Docker engine at /nonexistent/docker.sock"),
            "{message}"
        );
        assert!(
            message.contains(&format!("; {registry}/x:1: ")),
            "{message}"
        );
        // The failure is remembered for a while: asked again, the same answer at once.
        assert_eq!(
            lookup_with(&cache, &format!("{registry}/x:1"), "linux/amd64", &settings),
            result
        );
        // Engine only: its own answer.
        let engine_only = RemoteSettings {
            registry: false,
            ..settings
        };
        assert!(
            matches!(lookup_with(&cache, "alpine", "", &engine_only), Lookup::Failed(m) if !m.contains(';'))
        );
    }

    #[test]
    fn the_async_wrapper_answers() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let result = runtime.block_on(lookup_async(
            "alpine".into(),
            "".into(),
            RemoteSettings::default(),
        ));
        assert_eq!(result, Lookup::Disabled);
        let settings = RemoteSettings {
            engine: true,
            docker_host: Some("unix:///nonexistent/docker.sock".into()),
            cache_dir: Some(std::env::temp_dir().join("dockerfile-ls-async-test")),
            ..RemoteSettings::default()
        };
        let result = runtime.block_on(lookup_async("alpine".into(), "".into(), settings));
        assert!(matches!(result, Lookup::Failed(_)), "{result:?}");
    }
}
