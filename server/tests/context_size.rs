//! The build context measured on disk: `.dockerignore`, symlinks, budgets,
//! `COPY` source globs, directory sources and `--exclude`, and the
//! background cache.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dockerfile_ls::size::context::{scan, Budget, ContextCache, ContextIndex, ContextState};
use dockerfile_ls::size::dockerignore::ignore_file_for;

/// A fresh directory under the system temp dir, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("dfls-context-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `size` bytes at `rel`, creating parents.
    fn file(&self, rel: &str, size: usize) -> &Self {
        let path = self.0.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, vec![b'x'; size]).unwrap();
        self
    }

    fn text(&self, rel: &str, text: &str) -> &Self {
        let path = self.0.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn index(dir: &Temp, dockerfile: Option<&str>) -> ContextIndex {
    let dockerfile = dockerfile.map(|d| dir.path().join(d));
    scan(dir.path(), dockerfile.as_deref(), &Budget::default()).unwrap()
}

/// A small project: 3 + 5 + 7 + 11 + 13 + 100 + 1000 bytes.
fn project() -> Temp {
    let t = Temp::new("project");
    t.file("a.txt", 3)
        .file("b.txt", 5)
        .file("c.md", 7)
        .file("sub/d.txt", 11)
        .file("sub/deep/e.md", 13)
        .file("node_modules/x.js", 100)
        .file("debug.log", 1000);
    t
}

#[test]
fn dockerignore_is_applied() {
    let t = project();
    t.text(".dockerignore", "node_modules\n*.log\n");
    let ix = index(&t, None);
    assert!(ix.contains("a.txt"));
    assert!(ix.contains("sub/deep/e.md"));
    assert!(!ix.contains("node_modules"));
    assert!(!ix.contains("node_modules/x.js"));
    assert!(!ix.contains("debug.log"));
    // the ignore file itself is part of the context (19 bytes)
    assert_eq!(ix.files, 6);
    assert_eq!(ix.bytes, 3 + 5 + 7 + 11 + 13 + 19);
    assert!(!ix.truncated);
    assert_eq!(
        ix.ignore_file.as_deref(),
        Some(t.path().join(".dockerignore").as_path())
    );
}

#[test]
fn exceptions_bring_files_back_from_excluded_directories() {
    let t = project();
    t.text(
        ".dockerignore",
        "node_modules\nsub\n!sub/deep/e.md\n!**/x.js\n",
    );
    let ix = index(&t, None);
    assert!(ix.contains("sub/deep/e.md"));
    assert!(!ix.contains("sub/d.txt"));
    assert!(ix.contains("node_modules/x.js"));
    // parent directories come along, so COPY sub works
    assert!(ix.contains("sub/deep"));
    assert_eq!(ix.sum(&["sub"], &[]).bytes, 13);
}

#[test]
fn per_dockerfile_ignore_file_wins() {
    let t = project();
    t.text(".dockerignore", "a.txt\n")
        .text("app.Dockerfile", "FROM scratch\n")
        .text("app.Dockerfile.dockerignore", "b.txt\n")
        .text("Dockerfile", "FROM scratch\n");
    let root = t.path();
    assert_eq!(
        ignore_file_for(root, &root.join("app.Dockerfile")),
        Some(root.join("app.Dockerfile.dockerignore"))
    );
    assert_eq!(
        ignore_file_for(root, &root.join("Dockerfile")),
        Some(root.join(".dockerignore"))
    );
    let app = index(&t, Some("app.Dockerfile"));
    assert!(app.contains("a.txt"));
    assert!(!app.contains("b.txt"));
    let plain = index(&t, Some("Dockerfile"));
    assert!(!plain.contains("a.txt"));
    assert!(plain.contains("b.txt"));
    // a Dockerfile in a subfolder looks next to itself
    t.text("build/Dockerfile", "FROM scratch\n")
        .text("build/Dockerfile.dockerignore", "c.md\n");
    let nested = index(&t, Some("build/Dockerfile"));
    assert!(!nested.contains("c.md"));
    assert!(nested.contains("a.txt"));
}

#[test]
fn a_refused_ignore_file_fails_the_scan() {
    let t = project();
    t.text(".dockerignore", "ok\n!\n");
    let err = scan(t.path(), None, &Budget::default()).unwrap_err();
    assert!(
        err.to_string().contains("illegal exclusion pattern"),
        "{err}"
    );
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_out_of_the_context() {
    use std::os::unix::fs::symlink;
    let outside = Temp::new("outside");
    outside
        .file("big.bin", 100_000)
        .file("dir/inner.bin", 50_000);
    let t = project();
    let file_target = outside.path().join("big.bin");
    let dir_target = outside.path().join("dir");
    symlink(&file_target, t.path().join("link-file")).unwrap();
    symlink(&dir_target, t.path().join("link-dir")).unwrap();
    symlink("sub", t.path().join("alias")).unwrap();
    symlink("../../etc", t.path().join("escape")).unwrap();
    let ix = index(&t, None);
    assert!(ix.contains("link-file"));
    assert!(ix.contains("link-dir"));
    assert!(!ix.contains("link-dir/inner.bin"));
    // links count as their own size (the target text)
    let links = file_target.as_os_str().len() + dir_target.as_os_str().len() + 3 + 9;
    assert_eq!(ix.bytes, (3 + 5 + 7 + 11 + 13 + 100 + 1000 + links) as u64);
    // as COPY sources, links resolve inside the context only
    assert!(!ix.sum(&["link-file"], &[]).matched);
    assert!(!ix.sum(&["link-dir"], &[]).matched);
    assert!(!ix.sum(&["escape"], &[]).matched);
    let alias = ix.sum(&["alias"], &[]);
    assert!(alias.matched);
    assert_eq!(alias.bytes, 11 + 13);
    // a root that is itself a link is measured where it points
    let link_root = outside.path().join("project-link");
    symlink(t.path(), &link_root).unwrap();
    let via = scan(&link_root, None, &Budget::default()).unwrap();
    assert_eq!(via.bytes, ix.bytes);
}

#[cfg(unix)]
#[test]
fn wildcard_matches_that_are_links_are_followed_inside_the_context() {
    use std::os::unix::fs::symlink;
    let t = project();
    symlink("a.txt", t.path().join("lib-a")).unwrap();
    symlink("/sub/deep", t.path().join("lib-deep")).unwrap();
    symlink("lib-loop", t.path().join("lib-loop")).unwrap();
    let ix = index(&t, None);
    // `lib-a` copies a.txt (3), `/sub/deep` is read from the context root
    // (13); the loop resolves to nothing
    let s = ix.sum(&["lib-*"], &[]);
    assert!(s.matched);
    assert_eq!((s.bytes, s.files), (16, 2));
    // inside a copied directory links stay links
    assert_eq!(ix.sum(&["."], &[]).bytes, ix.bytes);
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_read_lossily() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let t = project();
    let name = OsStr::from_bytes(b"bad\xff.txt");
    if fs::write(t.path().join(name), b"12345").is_err() {
        return; // the file system refuses such names
    }
    let ix = index(&t, None);
    assert!(ix.contains("bad\u{FFFD}.txt"));
    assert_eq!(ix.sum(&["bad*.txt"], &[]).bytes, 5);
    t.text(".dockerignore", "bad?.txt\n");
    assert!(!index(&t, None).contains("bad\u{FFFD}.txt"));
}

#[test]
fn budget_truncation_is_reported() {
    let t = Temp::new("budget");
    for i in 0..60 {
        t.file(&format!("d{}/f{i}", i % 3), 1);
    }
    let ix = scan(
        t.path(),
        None,
        &Budget {
            max_files: 10,
            max_time: Duration::from_secs(60),
        },
    )
    .unwrap();
    assert!(ix.truncated);
    assert!(ix.files <= 10);
    assert!(ix.sum(&["."], &[]).truncated);
    let whole = index(&t, None);
    assert!(!whole.truncated);
    assert_eq!(whole.files, 60);
}

#[test]
fn copy_source_globs() {
    let t = project();
    let ix = index(&t, None);
    let size = |sources: &[&str]| ix.sum(sources, &[]);
    assert_eq!(size(&["*.txt"]).bytes, 3 + 5);
    assert_eq!(size(&["*.txt"]).files, 2);
    assert_eq!(size(&["sub/*.txt"]).bytes, 11);
    assert_eq!(size(&["*/d.txt"]).bytes, 11);
    assert_eq!(size(&["?.md"]).bytes, 7);
    assert_eq!(size(&["[ab].txt"]).bytes, 8);
    // a matching directory brings its tree
    assert_eq!(size(&["s*"]).bytes, 11 + 13);
    assert_eq!(size(&["*.txt", "c.md"]).bytes, 15);
    let none = size(&["nothing*"]);
    assert!(!none.matched);
    assert_eq!(none.bytes, 0);
    assert!(!size(&["*.txt", "missing"]).matched);
    assert!(size(&["*.txt", "c.md"]).matched);
}

#[test]
fn directory_sources_and_the_whole_context() {
    let t = project();
    let ix = index(&t, None);
    for source in ["sub", "./sub", "/sub", "sub/", "../sub", "x/../sub"] {
        let s = ix.sum(&[source], &[]);
        assert!(s.matched, "{source}");
        assert_eq!((s.bytes, s.files), (24, 2), "{source}");
    }
    for source in [".", "/", "./", ".."] {
        let s = ix.sum(&[source], &[]);
        assert_eq!((s.bytes, s.files), (ix.bytes, ix.files), "{source}");
    }
    assert_eq!(ix.sum(&["sub/deep/e.md"], &[]).bytes, 13);
    assert!(!ix.sum(&["nope"], &[]).matched);
    assert!(!ix.sum(&[], &[]).matched);
}

#[test]
fn copy_exclude() {
    let t = project();
    let ix = index(&t, None);
    let all = ix.bytes;
    // relative to the source: `*.md` is the top level only
    assert_eq!(ix.sum(&["."], &["*.md"]).bytes, all - 7);
    assert_eq!(ix.sum(&["."], &["**/*.md"]).bytes, all - 7 - 13);
    assert_eq!(ix.sum(&["sub"], &["*.txt"]).bytes, 13);
    assert_eq!(ix.sum(&["sub"], &["deep"]).bytes, 11);
    assert_eq!(ix.sum(&["."], &["sub", "!sub/deep"]).bytes, all - 11);
    assert_eq!(ix.sum(&["."], &["node_modules", "*.log"]).bytes, all - 1100);
    // the source itself is not checked
    assert_eq!(ix.sum(&["c.md"], &["*.md"]).bytes, 7);
    // invalid patterns are ignored
    assert_eq!(ix.sum(&["."], &["["]).bytes, all);
}

fn wait_ready(cache: &ContextCache, root: &Path) -> Arc<ContextIndex> {
    match cache.wait(root, None, Duration::from_secs(60)) {
        ContextState::Ready(ix) => ix,
        other => panic!("expected an index, got {other:?}"),
    }
}

#[test]
fn cache_measures_in_the_background() {
    let t = project();
    let cache = ContextCache::new(Budget::default());
    let (tx, rx) = std::sync::mpsc::channel::<PathBuf>();
    let tx = std::sync::Mutex::new(tx);
    cache.set_on_ready(move |root| {
        let _ = tx.lock().unwrap().send(root.to_path_buf());
    });
    let root = t.path().canonicalize().unwrap();
    let ready = |what: &str| {
        let got = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no callback {what}"));
        assert_eq!(got, root);
    };
    assert!(matches!(cache.get(t.path(), None), ContextState::Measuring));
    let first = wait_ready(&cache, t.path());
    assert_eq!(first.bytes, 3 + 5 + 7 + 11 + 13 + 100 + 1000);
    match cache.get(t.path(), None) {
        ContextState::Ready(again) => assert!(Arc::ptr_eq(&first, &again)),
        other => panic!("{other:?}"),
    }
    ready("after the first scan");

    // a change elsewhere keeps the index
    cache.invalidate(&std::env::temp_dir().join("dfls-unrelated-file"));
    assert!(matches!(cache.get(t.path(), None), ContextState::Ready(_)));

    // a change inside drops it and the next request measures again
    t.file("new.bin", 4000);
    cache.invalidate(&t.path().join("new.bin"));
    assert!(matches!(cache.get(t.path(), None), ContextState::Measuring));
    let second = wait_ready(&cache, t.path());
    assert_eq!(second.bytes, first.bytes + 4000);
    ready("after the second scan");

    // editing the ignore file counts as a change inside the root
    t.text(".dockerignore", "*.bin\n");
    cache.invalidate(&t.path().join(".dockerignore"));
    let third = wait_ready(&cache, t.path());
    assert!(!third.contains("new.bin"));
    ready("after the third scan");
    assert!(rx.try_recv().is_err(), "one callback per scan");
}

#[test]
fn cache_reports_failures_and_is_shareable() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<ContextCache>();
    let cache = ContextCache::new(Budget::default());
    let missing = std::env::temp_dir().join(format!("dfls-missing-{}", std::process::id()));
    match cache.wait(&missing, None, Duration::from_secs(60)) {
        ContextState::Failed(message) => assert!(message.contains("build context"), "{message}"),
        other => panic!("{other:?}"),
    }
    let t = project();
    t.text(".dockerignore", "!\n");
    let clone = cache.clone();
    match clone.wait(t.path(), None, Duration::from_secs(60)) {
        ContextState::Failed(message) => {
            assert!(message.contains("illegal exclusion"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cache_keys_follow_the_dockerfile_ignore_file() {
    let t = project();
    t.text("app.Dockerfile", "FROM scratch\n")
        .text("app.Dockerfile.dockerignore", "*.txt\n");
    let cache = ContextCache::new(Budget::default());
    let app = t.path().join("app.Dockerfile");
    let with = match cache.wait(t.path(), Some(&app), Duration::from_secs(60)) {
        ContextState::Ready(ix) => ix,
        other => panic!("{other:?}"),
    };
    let without = wait_ready(&cache, t.path());
    assert!(!with.contains("a.txt"));
    assert!(without.contains("a.txt"));
}
