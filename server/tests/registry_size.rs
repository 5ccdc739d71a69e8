//! Exact image sizes from a real registry on loopback. `tests/registry/run.sh`
//! starts Debian's docker-registry, pushes images whose layer sizes it knows
//! and runs this with `--include-ignored` and the figures in the
//! environment; a plain `cargo test` stays offline.

use std::path::PathBuf;
use std::time::Duration;

use dockerfile_ls::size::remote::{
    lookup, lookup_with, Lookup, RemoteCache, RemoteSettings, RemoteSize,
};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run tests/registry/run.sh"))
}

fn bytes(name: &str) -> u64 {
    env(name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dockerfile-ls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn found(result: Lookup) -> RemoteSize {
    match result {
        Lookup::Found(size) => size,
        other => panic!("expected a size, got {other:?}"),
    }
}

#[test]
fn nothing_is_asked_by_default() {
    let settings = RemoteSettings::default();
    assert!(!settings.registry && !settings.engine);
    assert_eq!(
        lookup("127.0.0.1:1/sizetest:v1", "linux/amd64", &settings),
        Lookup::Disabled
    );
    // Not even the cache folder is read.
    let dir = temp_dir("disabled");
    let with_dir = RemoteSettings {
        cache_dir: Some(dir.clone()),
        ..RemoteSettings::default()
    };
    assert_eq!(
        lookup("alpine:3.21", "linux/amd64", &with_dir),
        Lookup::Disabled
    );
    assert!(!dir.exists());
}

#[test]
#[ignore = "needs a registry on loopback: tests/registry/run.sh"]
fn sizes_from_a_real_registry() {
    let registry = env("DOCKERFILE_LS_TEST_REGISTRY");
    let v1 = bytes("DOCKERFILE_LS_TEST_V1_BYTES");
    let amd64 = bytes("DOCKERFILE_LS_TEST_AMD64_BYTES");
    let arm64 = bytes("DOCKERFILE_LS_TEST_ARM64_BYTES");
    let cache_dir = temp_dir("registry-cache");
    let settings = RemoteSettings {
        registry: true,
        insecure_registries: vec![registry.clone()],
        cache_dir: Some(cache_dir.clone()),
        timeout: Duration::from_secs(5),
        ..RemoteSettings::default()
    };
    let image = format!("{registry}/sizetest:v1");

    // The sum of the layers, exactly; nothing unpacked from a registry.
    let first = found(lookup(&image, "linux/amd64", &settings));
    assert_eq!(first.compressed, Some(v1), "{first:?}");
    assert_eq!(first.unpacked, None);
    assert!(!first.from_cache);
    assert!(
        first.source.starts_with(&format!(
            "registry {registry}, linux/amd64 manifest sha256:"
        )),
        "{}",
        first.source
    );

    // Written to the cache folder, and served from it.
    let files: Vec<PathBuf> = std::fs::read_dir(cache_dir.join("sizes"))
        .expect("the cache folder was written")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains("sizetest:v1|linux/amd64") && text.contains(&v1.to_string()),
        "{text}"
    );
    let again = found(lookup(&image, "linux/amd64", &settings));
    assert!(again.from_cache);
    assert_eq!((again.compressed, again.fetched), (Some(v1), first.fetched));
    // From disk alone: a new cache, and settings that could not reach this
    // registry (https to a plain-http port) — the file answers.
    let unreachable = RemoteSettings {
        insecure_registries: Vec::new(),
        ..settings.clone()
    };
    let from_disk = found(lookup_with(
        &RemoteCache::new(Some(cache_dir.clone())),
        &image,
        "linux/amd64",
        &unreachable,
    ));
    assert!(from_disk.from_cache);
    assert_eq!(
        (from_disk.compressed, from_disk.fetched, &from_disk.source),
        (Some(v1), first.fetched, &first.source)
    );
    let no_cache = lookup_with(&RemoteCache::new(None), &image, "linux/amd64", &unreachable);
    assert!(
        matches!(no_cache, Lookup::Failed(_)),
        "without the cache it must fail: {no_cache:?}"
    );

    // By digest, the same manifest.
    let digest = first
        .source
        .split("manifest ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let pinned = found(lookup(
        &format!("{registry}/sizetest@{digest}"),
        "linux/amd64",
        &settings,
    ));
    assert_eq!(pinned.compressed, Some(v1));

    // An index: each platform its own manifest, the attestation skipped.
    let multi = format!("{registry}/sizetest:multi");
    let picked_amd64 = found(lookup(&multi, "linux/amd64", &settings));
    let picked_arm64 = found(lookup(&multi, "linux/arm64", &settings));
    assert_eq!(picked_amd64.compressed, Some(amd64));
    assert_eq!(picked_arm64.compressed, Some(arm64));
    assert_ne!(amd64, arm64);
    assert!(
        picked_arm64.source.contains("linux/arm64 manifest sha256:"),
        "{}",
        picked_arm64.source
    );
    let v8 = found(lookup(&multi, "linux/arm64/v8", &settings));
    assert_eq!(v8.compressed, Some(arm64));
    match lookup(&multi, "linux/s390x", &settings) {
        Lookup::NotFound(message) => {
            assert!(
                message
                    .contains("no linux/s390x image (the index has linux/amd64, linux/arm64/v8)"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }

    // What the registry does not have.
    match lookup(
        &format!("{registry}/sizetest:no-such-tag"),
        "linux/amd64",
        &settings,
    ) {
        Lookup::NotFound(message) => assert!(message.contains("MANIFEST_UNKNOWN"), "{message}"),
        other => panic!("{other:?}"),
    }
    match lookup(
        &format!("{registry}/no/such-repo:v1"),
        "linux/amd64",
        &settings,
    ) {
        Lookup::NotFound(message) => assert!(message.contains("404"), "{message}"),
        other => panic!("{other:?}"),
    }
    // A miss is not written to disk: still the one file, plus the index and digest lookups'.
    let files = std::fs::read_dir(cache_dir.join("sizes")).unwrap().count();
    assert_eq!(files, 5, "v1, by digest, multi amd64, arm64, arm64/v8");
    let _ = std::fs::remove_dir_all(&cache_dir);
}

/// The estimate itself, as `dockerfile-ls size --registry` prints it: the
/// base image's pull size is the registry's, to the byte, and with nothing
/// added on top the stage's pull size equals it.
#[test]
#[ignore = "needs a registry on loopback: tests/registry/run.sh"]
fn the_size_command_takes_the_base_from_the_registry() {
    let registry = env("DOCKERFILE_LS_TEST_REGISTRY");
    let v1 = bytes("DOCKERFILE_LS_TEST_V1_BYTES");
    let arm64 = bytes("DOCKERFILE_LS_TEST_ARM64_BYTES");
    let dir = temp_dir("registry-size-command");
    std::fs::create_dir_all(&dir).unwrap();
    let dockerfile = dir.join("Dockerfile");
    std::fs::write(
        &dockerfile,
        format!(
            "FROM {registry}/sizetest:v1\nFROM --platform=linux/arm64 {registry}/sizetest:multi\n"
        ),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .args([
            "size",
            "--registry",
            "--insecure-registry",
            &registry,
            "--format",
            "json",
        ])
        .arg(&dockerfile)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let stage = &json["stages"][0];
    assert_eq!(stage["base"]["compressed"], v1, "{json:#}");
    assert_eq!(stage["compressed"]["bytes"], v1, "{json:#}");
    assert!(
        stage["base"]["source"]
            .as_str()
            .unwrap()
            .contains(&registry),
        "{json:#}"
    );
    assert_eq!(json["stages"][1]["base"]["compressed"], arm64, "{json:#}");
    // without --registry the image is unknown: no figure is made up
    let offline = std::process::Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .args(["size", "--format", "json"])
        .arg(&dockerfile)
        .output()
        .expect("the binary runs");
    let json: serde_json::Value = serde_json::from_slice(&offline.stdout).expect("JSON");
    assert!(json["stages"][0]["base"]["unknown"].is_string(), "{json:#}");
}
