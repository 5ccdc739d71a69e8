//! Remembered answers: found sizes in memory and as one JSON file per key
//! under the cache folder, valid for the TTL; misses and failures in
//! memory only, for a short while, so a hover does not ask again at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{Lookup, RemoteSize};

/// Bumped when the file format changes; other versions are ignored.
const FORMAT: u32 = 1;

/// Where the cache lives by default: `$XDG_CACHE_HOME/dockerfile-ls`, else
/// `~/.cache/dockerfile-ls` (on Windows `%LOCALAPPDATA%\dockerfile-ls`).
pub fn default_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|home| home.join(".cache")))
        .or_else(|| env("LOCALAPPDATA"))
        .map(|base| base.join("dockerfile-ls"))
}

enum Memo {
    Found(RemoteSize),
    /// A `NotFound` or `Failed`, until the instant.
    Miss(Lookup, Instant),
}

/// In-memory and on-disk answers. One per cache folder is shared by
/// [`super::lookup`]; tests make their own.
pub struct RemoteCache {
    dir: Option<PathBuf>,
    memory: Mutex<HashMap<String, Memo>>,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    key: String,
    compressed: Option<u64>,
    unpacked: Option<u64>,
    source: String,
    /// Milliseconds since the Unix epoch.
    fetched_ms: u64,
}

impl RemoteCache {
    /// Files go under `dir/sizes/`; `None`: memory only.
    pub fn new(dir: Option<PathBuf>) -> RemoteCache {
        RemoteCache {
            dir,
            memory: Mutex::new(HashMap::new()),
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The file that holds `key`: readable start, hash for uniqueness.
    pub fn file_for(&self, key: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let readable: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        Some(
            dir.join("sizes")
                .join(format!("{readable}-{:016x}.json", fnv1a(key))),
        )
    }

    /// A found size no older than `ttl` (memory, then disk), marked
    /// `from_cache`; or a remembered miss.
    pub fn get(&self, key: &str, ttl: Duration) -> Option<Lookup> {
        {
            let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
            match memory.get(key) {
                Some(Memo::Found(size)) if fresh(size.fetched, ttl) => {
                    return Some(Lookup::Found(RemoteSize {
                        from_cache: true,
                        ..size.clone()
                    }));
                }
                Some(Memo::Miss(lookup, until)) if Instant::now() < *until => {
                    return Some(lookup.clone())
                }
                Some(_) => {
                    memory.remove(key);
                }
                None => {}
            }
        }
        let size = self.read_file(key)?;
        if !fresh(size.fetched, ttl) {
            return None;
        }
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        memory.insert(key.to_string(), Memo::Found(size.clone()));
        Some(Lookup::Found(RemoteSize {
            from_cache: true,
            ..size
        }))
    }

    /// Remembers a found size; on disk too when `disk`. A file that cannot
    /// be written is no error: the answer is still good.
    pub fn put(&self, key: &str, size: &RemoteSize, disk: bool) {
        let stored = RemoteSize {
            from_cache: false,
            ..size.clone()
        };
        if disk {
            let _ = self.write_file(key, &stored);
        }
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        memory.insert(key.to_string(), Memo::Found(stored));
    }

    /// Remembers a miss or failure in memory for `how_long`.
    pub fn remember_miss(&self, key: &str, lookup: &Lookup, how_long: Duration) {
        if how_long.is_zero() {
            return;
        }
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        memory.insert(
            key.to_string(),
            Memo::Miss(lookup.clone(), Instant::now() + how_long),
        );
    }

    /// Forgets what is in memory (files stay).
    pub fn clear_memory(&self) {
        self.memory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn read_file(&self, key: &str) -> Option<RemoteSize> {
        let text = std::fs::read(self.file_for(key)?).ok()?;
        let file: File = serde_json::from_slice(&text).ok()?;
        if file.format != FORMAT || file.key != key {
            return None;
        }
        Some(RemoteSize {
            compressed: file.compressed,
            unpacked: file.unpacked,
            source: file.source,
            fetched: UNIX_EPOCH + Duration::from_millis(file.fetched_ms),
            from_cache: false,
        })
    }

    fn write_file(&self, key: &str, size: &RemoteSize) -> std::io::Result<()> {
        let Some(path) = self.file_for(key) else {
            return Ok(());
        };
        let file = File {
            format: FORMAT,
            key: key.to_string(),
            compressed: size.compressed,
            unpacked: size.unpacked,
            source: size.source.clone(),
            fetched_ms: millis(size.fetched),
        };
        let text = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
        let parent = path.parent().expect("a file under the cache folder");
        std::fs::create_dir_all(parent)?;
        // Write then rename, so a reader never sees half a file.
        let temporary = parent.join(format!(".{}.{}.tmp", std::process::id(), fnv1a(key)));
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
    }
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Fetched no longer than `ttl` ago (a time in the future, from a clock
/// that moved back, counts as now).
fn fresh(fetched: SystemTime, ttl: Duration) -> bool {
    match SystemTime::now().duration_since(fetched) {
        Ok(age) => age <= ttl,
        Err(ahead) => ahead.duration() < Duration::from_secs(3600),
    }
}

/// FNV-1a, 64 bits: a file name that stays the same across builds (std's
/// hasher makes no such promise).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dockerfile-ls-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn size(fetched: SystemTime) -> RemoteSize {
        RemoteSize {
            compressed: Some(3_624_807),
            unpacked: None,
            source: "registry docker.io, linux/amd64 manifest sha256:aaaa".into(),
            fetched,
            from_cache: false,
        }
    }

    #[test]
    fn found_sizes_survive_on_disk_for_the_ttl() {
        let dir = temp_dir("ttl");
        let key = "registry|docker.io/library/alpine:3.21|linux/amd64";
        let cache = RemoteCache::new(Some(dir.clone()));
        let fetched = super::super::now();
        cache.put(key, &size(fetched), true);
        let file = cache.file_for(key).unwrap();
        assert!(file.starts_with(dir.join("sizes")));
        assert!(file
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("registry_docker.io_library_alpine_3.21_linux_amd64-"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("\"key\": \"registry|docker.io/library/alpine:3.21|linux/amd64\""),
            "{text}"
        );

        // A new cache (a new process) reads the file.
        let reopened = RemoteCache::new(Some(dir.clone()));
        let Some(Lookup::Found(read)) = reopened.get(key, Duration::from_secs(60)) else {
            panic!("cached")
        };
        assert_eq!(
            read,
            RemoteSize {
                from_cache: true,
                ..size(fetched)
            }
        );
        assert_eq!(
            reopened.get("registry|other|linux/amd64", Duration::from_secs(60)),
            None
        );

        // Past the TTL it is not served.
        let old = RemoteCache::new(Some(dir.clone()));
        old.put(
            key,
            &size(SystemTime::now() - Duration::from_secs(7200)),
            true,
        );
        assert_eq!(
            RemoteCache::new(Some(dir.clone())).get(key, Duration::from_secs(3600)),
            None
        );
        assert!(RemoteCache::new(Some(dir.clone()))
            .get(key, Duration::from_secs(3 * 3600))
            .is_some());

        // A file for another key that hashes to this name, or of another format, is ignored.
        std::fs::write(&file, text.replace("\"format\": 1", "\"format\": 99")).unwrap();
        assert_eq!(
            RemoteCache::new(Some(dir.clone())).get(key, Duration::from_secs(60)),
            None
        );
        std::fs::write(&file, "not json").unwrap();
        assert_eq!(
            RemoteCache::new(Some(dir.clone())).get(key, Duration::from_secs(60)),
            None
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn misses_stay_in_memory_briefly() {
        let cache = RemoteCache::new(None);
        let miss = Lookup::NotFound("no tag".into());
        cache.remember_miss("k", &miss, Duration::from_secs(60));
        assert_eq!(cache.get("k", Duration::from_secs(60)), Some(miss));
        cache.remember_miss("gone", &Lookup::Failed("x".into()), Duration::from_nanos(1));
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(cache.get("gone", Duration::from_secs(60)), None);
        // Memory only: nothing on disk, no file name.
        cache.put("m", &size(SystemTime::now()), true);
        assert!(cache.file_for("m").is_none());
        assert!(
            matches!(cache.get("m", Duration::from_secs(60)), Some(Lookup::Found(s)) if s.from_cache)
        );
        cache.clear_memory();
        assert_eq!(cache.get("m", Duration::from_secs(60)), None);
    }

    #[test]
    fn file_names_are_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
