//! What a RUN adds and what a build stage produces, as the user sees the
//! figures: package tables, same-RUN cleanups, unknown commands, artifacts and
//! `COPY --from` lookups; the committed Debian table; every RUN of the corpus.

use std::path::{Path, PathBuf};

use dockerfile_ls::size::amount::{Bytes, Distro, Known, Part};
use dockerfile_ls::size::{artifacts, packages, run};
use dockerfile_ls::{model, syntax};

const MB: u64 = 1_000_000;
const MIB: u64 = 1024 * 1024;

fn total(parts: &[Part]) -> Bytes {
    parts.iter().map(|p| p.unpacked).sum()
}

fn ordered(parts: &[Part]) {
    for p in parts {
        assert!(
            p.unpacked.low <= p.unpacked.best && p.unpacked.best <= p.unpacked.high,
            "{p:?}"
        );
    }
}

fn has(parts: &[Part], needle: &str) -> bool {
    parts.iter().any(|p| p.what.contains(needle))
}

#[test]
fn apt_install_uses_the_table_and_counts_leftover_lists() {
    let curl = packages::apt_package("curl", false).unwrap();
    let parts = run::analyse_run("apt-get update && apt-get install -y curl", Distro::Debian);
    ordered(&parts);
    assert_eq!(parts.len(), 2, "{parts:#?}");
    assert_eq!(parts[0].unpacked, curl.unpacked);
    assert_eq!(parts[0].known, Known::Table);
    assert!(parts[0].what.contains("curl"));
    assert!(parts[1].what.contains("apt lists"), "{parts:#?}");
    assert!(parts[1].unpacked.low >= 15 * MB && parts[1].unpacked.high <= 50 * MB);

    let cleaned = run::analyse_run(
        "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        Distro::Debian,
    );
    assert_eq!(cleaned.len(), 1, "{cleaned:#?}");
    assert!(!has(&cleaned, "apt lists"));

    let slim = run::analyse_run(
        "apt-get update && DEBIAN_FRONTEND=noninteractive sudo apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*",
        Distro::Debian,
    );
    assert_eq!(slim.len(), 1, "{slim:#?}");
    assert!(slim[0].unpacked.best <= cleaned[0].unpacked.best);
    assert_eq!(
        slim[0].unpacked,
        packages::apt_package("curl", true).unwrap().unpacked
    );
}

#[test]
fn apt_figures_match_the_reference_closure() {
    // image-sizes.md §2: build-essential +262 MiB, git +57 MiB, curl +11 MiB,
    // default-jre-headless +219 MiB (no recommends, above the required set).
    for (name, mib) in [
        ("build-essential", 262),
        ("git", 57),
        ("curl", 11),
        ("python3", 32),
        ("default-jre-headless", 219),
    ] {
        let best = packages::apt_package(name, true).unwrap().unpacked.best;
        let expected = mib * MIB;
        assert!(
            best.abs_diff(expected) * 5 <= expected,
            "{name}: {} MiB, expected ~{mib} MiB",
            best / MIB
        );
    }
    let with_recommends = packages::apt_package("build-essential", false).unwrap();
    assert!(
        with_recommends.unpacked.best
            >= packages::apt_package("build-essential", true)
                .unwrap()
                .unpacked
                .best
    );
}

#[test]
fn several_apt_packages_count_shared_dependencies_once_at_the_low_end() {
    let parts = run::analyse_run(
        "apt-get install -y --no-install-recommends build-essential git curl python3",
        Distro::Debian,
    );
    ordered(&parts);
    assert_eq!(parts.len(), 1);
    let sum: u64 = ["build-essential", "git", "curl", "python3"]
        .iter()
        .map(|n| packages::apt_package(n, true).unwrap().unpacked.best)
        .sum();
    assert_eq!(parts[0].unpacked.high, sum);
    // §2: the four together add +336 MiB.
    assert!(parts[0].unpacked.low <= 336 * MIB && 336 * MIB <= parts[0].unpacked.high);
}

#[test]
fn ubuntu_uses_debian_figures_as_a_heuristic_and_unknown_packages_get_a_range() {
    let parts = run::analyse_run("apt-get install -y curl", Distro::Ubuntu);
    assert_eq!(parts[0].known, Known::Heuristic);
    assert!(parts[0].source.contains("Ubuntu"));

    let parts = run::analyse_run(
        "apt-get install -y no-such-package-xyz $EXTRA",
        Distro::Debian,
    );
    ordered(&parts);
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].known, Known::Heuristic);
    assert!(parts[0].unpacked.high > parts[0].unpacked.low);
}

#[test]
fn apt_purge_in_the_same_run_leaves_little() {
    let parts = run::analyse_run(
        "apt-get update && apt-get install -y gcc libc6-dev && make && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/*",
        Distro::Debian,
    );
    ordered(&parts);
    assert!(has(&parts, "purged in the same RUN"), "{parts:#?}");
    assert!(!parts.iter().any(|p| p.known == Known::Table));
}

#[test]
fn apk_no_cache_and_virtual_packages() {
    let cached = run::analyse_run("apk add curl", Distro::Alpine);
    let no_cache = run::analyse_run("apk add --no-cache curl", Distro::Alpine);
    ordered(&cached);
    ordered(&no_cache);
    assert!(has(&cached, "apk index cache"), "{cached:#?}");
    assert!(!has(&no_cache, "apk index cache"), "{no_cache:#?}");
    assert!(total(&no_cache).best < total(&cached).best);
    assert_eq!(
        no_cache[0].unpacked,
        packages::apk_package("curl").unwrap().unpacked
    );

    let cleaned = run::analyse_run(
        "apk update && apk add curl && rm -rf /var/cache/apk/*",
        Distro::Alpine,
    );
    assert!(!has(&cleaned, "apk index cache"), "{cleaned:#?}");

    let virtual_ = run::analyse_run(
        "apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir flask && apk del .build-deps",
        Distro::Alpine,
    );
    ordered(&virtual_);
    let build_deps = virtual_
        .iter()
        .find(|p| p.what.contains(".build-deps"))
        .unwrap();
    assert_eq!(build_deps.unpacked.best, 0);
    assert!(build_deps.unpacked.high <= 5 * MB);

    // build-base from §2 (~250 MB installed).
    let base = run::analyse_run("apk add --no-cache build-base", Distro::Alpine);
    assert!(
        base[0].unpacked.best.abs_diff(250 * MB) <= 50 * MB,
        "{base:#?}"
    );
}

#[test]
fn pip_cache_counts_unless_no_cache_dir() {
    let with_cache = run::analyse_run("pip install flask", Distro::Debian);
    let without = run::analyse_run("pip install --no-cache-dir flask", Distro::Debian);
    ordered(&with_cache);
    assert!(has(&with_cache, "pip cache"), "{with_cache:#?}");
    assert!(!has(&without, "pip cache"));
    assert_eq!(without.len(), 1);
    assert_eq!(without[0].known, Known::Table);
    assert_eq!(without[0].unpacked.low, 2_300_000); // §2 measured
    assert!(total(&with_cache).best > total(&without).best);

    let env = run::analyse_run(
        "PIP_NO_CACHE_DIR=1 python3 -m pip install flask",
        Distro::Debian,
    );
    assert!(!has(&env, "pip cache"), "{env:#?}");

    let reqs = run::analyse_run(
        "pip install --no-cache-dir -r requirements.txt",
        Distro::Debian,
    );
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].known, Known::Heuristic);
    assert!(reqs[0].what.contains("requirements.txt"));
}

#[test]
fn node_go_cargo_and_friends_have_heuristic_parts() {
    let npm = run::analyse_run(
        "npm ci --omit=dev && npm cache clean --force",
        Distro::Debian,
    );
    assert_eq!(npm.len(), 1, "{npm:#?}");
    let npm_dev = run::analyse_run("npm ci", Distro::Debian);
    assert!(has(&npm_dev, "npm cache"));
    assert!(npm_dev[0].unpacked.best > npm[0].unpacked.best);
    for shell in [
        "yarn install --frozen-lockfile",
        "pnpm install --prod",
        "gem install bundler",
        "bundle install",
    ] {
        let parts = run::analyse_run(shell, Distro::Debian);
        assert!(
            !parts.is_empty() && parts.iter().all(|p| p.known != Known::Unknown),
            "{shell}: {parts:#?}"
        );
    }
    let go = run::analyse_run(
        "go mod download && CGO_ENABLED=0 go build -o /app ./cmd/app",
        Distro::Debian,
    );
    assert!(
        has(&go, "Go module cache") && has(&go, "Go build cache") && has(&go, "go build"),
        "{go:#?}"
    );
    let cargo = run::analyse_run("cargo build --release", Distro::Debian);
    assert!(
        has(&cargo, "target directory") && has(&cargo, "Cargo registry"),
        "{cargo:#?}"
    );
    let quiet = run::analyse_run(
        "set -eux; mkdir -p /app && cd /app && echo hi > x && chmod +x x && useradd -m app && ln -s a b && export X=1 && true",
        Distro::Debian,
    );
    assert!(quiet.is_empty(), "{quiet:#?}");
}

#[test]
fn unknown_commands_and_downloads_are_unknown_never_zero() {
    let parts = run::analyse_run("frobnicate --all", Distro::Debian);
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].known, Known::Unknown);
    assert_eq!(parts[0].unpacked.low, 0);
    assert!(parts[0].unpacked.best > 0 && parts[0].unpacked.high >= 100 * MB);
    assert!(parts[0].what.contains("not understood"));

    let dl = run::analyse_run(
        "curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local",
        Distro::Debian,
    );
    assert_eq!(dl.len(), 1, "{dl:#?}");
    assert_eq!(dl[0].known, Known::Unknown);
    let key = run::analyse_run(
        "curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg",
        Distro::Debian,
    );
    assert!(key.is_empty(), "{key:#?}");
}

#[test]
fn analyse_run_never_panics_on_random_text() {
    // xorshift: deterministic noise over an alphabet of shell punctuation.
    let alphabet: Vec<char> = "ab -=&|;\\\n'\"$(){}<>`*#/.~!\tаé—0123456789apt-get install pip npm"
        .chars()
        .collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..3000 {
        let mut text = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 80) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        for distro in [Distro::Debian, Distro::Alpine, Distro::Unknown] {
            ordered(&run::analyse_run(&text, distro));
        }
        let built = artifacts::built_artifacts(&text, "/src");
        let _ = artifacts::artifact_for_copy(&built, &text);
    }
}

// ------------------------------------------------------------- artifacts

fn built(shell: &str, workdir: &str) -> Vec<artifacts::Artifact> {
    let out = artifacts::built_artifacts(shell, workdir);
    for a in &out {
        assert!(a.path.starts_with('/'), "{a:?}");
        assert!(a.unpacked.low <= a.unpacked.best && a.unpacked.best <= a.unpacked.high);
    }
    out
}

fn paths(shell: &str, workdir: &str) -> Vec<String> {
    built(shell, workdir).into_iter().map(|a| a.path).collect()
}

#[test]
fn artifacts_of_each_recognised_command() {
    assert_eq!(
        paths("go build -o server ./cmd/server", "/src"),
        ["/src/server"]
    );
    assert_eq!(
        paths("cd cmd && go build -o ../bin/app .", "/src"),
        ["/src/bin/app"]
    );
    assert_eq!(paths("go build ./...", "/src"), ["/src/<unknown>"]);
    assert_eq!(
        paths("go install github.com/x/tool@v1.2.3", "/"),
        ["/go/bin/tool"]
    );
    let stripped = built(
        "CGO_ENABLED=0 go build -ldflags \"-s -w\" -o /app .",
        "/src",
    );
    let full = built("go build -o /app .", "/src");
    assert!(stripped[0].unpacked.best < full[0].unpacked.best);
    assert!(stripped[0].what.contains("CGO_ENABLED=0"));

    assert_eq!(
        paths("cargo build --release", "/usr/src/app"),
        ["/usr/src/app/target/release/*"]
    );
    assert_eq!(
        paths(
            "cargo build --release --target x86_64-unknown-linux-musl --bin api",
            "/app"
        ),
        ["/app/target/x86_64-unknown-linux-musl/release/api"]
    );
    assert_eq!(paths("gcc -O2 -o hello hello.c", "/src"), ["/src/hello"]);
    assert_eq!(paths("g++ main.cpp", "/src"), ["/src/a.out"]);
    assert_eq!(
        paths("cmake -S . -B build && cmake --build build", "/src"),
        ["/src/build"]
    );
    assert_eq!(
        paths("mvn -B -DskipTests package", "/app"),
        ["/app/target/*.jar"]
    );
    assert_eq!(
        paths("./gradlew bootJar --no-daemon", "/home/gradle/src"),
        ["/home/gradle/src/build/libs/*.jar"]
    );
    assert_eq!(paths("npm run build", "/app"), ["/app/dist", "/app/build"]);
    assert_eq!(paths("yarn build", "/app"), ["/app/dist", "/app/build"]);
    assert_eq!(paths("npm ci --omit=dev", "/app"), ["/app/node_modules"]);
    assert_eq!(
        paths("dotnet publish -c Release -o out", "/source"),
        ["/source/out"]
    );
    assert_eq!(
        paths("pip install --prefix=/install -r requirements.txt", "/app"),
        ["/install"]
    );
    assert_eq!(
        paths(
            "python -m venv /opt/venv && /opt/venv/bin/pip install flask",
            "/app"
        ),
        ["/opt/venv", "/opt/venv"]
    );
    assert!(paths("echo hi && ls", "/app").is_empty());
}

#[test]
fn copy_from_finds_exact_paths_globs_and_directories() {
    let built = built(
        "cargo build --release && go build -o /out/app . && mvn package && npm run build",
        "/src",
    );
    let exact = artifacts::artifact_for_copy(&built, "/out/app").unwrap();
    assert!(exact.what.contains("go build"));
    let glob = artifacts::artifact_for_copy(&built, "/src/target/release/server").unwrap();
    assert!(glob.what.contains("cargo build"), "{glob:?}");
    let jar = artifacts::artifact_for_copy(&built, "/src/target/*.jar").unwrap();
    assert!(jar.what.contains("mvn"));
    let dist = artifacts::artifact_for_copy(&built, "/src/dist/").unwrap();
    assert!(dist.what.contains("dist"));
    let dir = artifacts::artifact_for_copy(&built, "/out").unwrap();
    assert_eq!(dir.unpacked, exact.unpacked);
    let relative = artifacts::artifact_for_copy(&built, "out/app").unwrap();
    assert_eq!(relative.unpacked, exact.unpacked);
    assert!(artifacts::artifact_for_copy(&built, "/etc/passwd").is_none());
    assert!(artifacts::artifact_for_copy(&built, "/").is_none());

    let unnamed = artifacts::built_artifacts("go build", "/go/src/app");
    let guessed = artifacts::artifact_for_copy(&unnamed, "/go/src/app/myservice").unwrap();
    assert!(guessed.what.contains("assumed"));
}

// --------------------------------------------------------- Debian table

#[test]
fn committed_debian_table_is_current_with_its_inputs() {
    let (comment, rows) = packages::parse_debian(packages::DEBIAN_CSV).unwrap();
    // The header records the date, the release and the row count.
    let date = packages::debian_table_date();
    assert_eq!(date.len(), 10, "{comment}");
    assert!(comment.contains("Debian bookworm"), "{comment}");
    assert!(
        comment.contains(&format!("rows = {};", rows.len())),
        "{comment}"
    );
    for row in &rows {
        assert!(row.closure_recommends >= row.closure, "{row:?}");
        assert!(row.closure_packages >= 1 || row.closure == 0, "{row:?}");
        assert!(
            row.closure_recommends_packages >= row.closure_packages,
            "{row:?}"
        );
    }
    // Every package the committed corpus counts name (and Debian has) is a
    // row, with the same count.
    let counts_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/package-sizes/corpus-counts.txt");
    let counts = std::fs::read_to_string(counts_file).unwrap();
    let counts_date = counts
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("# ")
        .split(':')
        .next()
        .unwrap();
    assert!(
        comment.contains(&format!("corpus counts of {counts_date}")),
        "the table was not generated from the committed counts ({counts_date}): {comment}"
    );
    let mut missing = 0;
    for line in counts.lines().filter(|l| !l.starts_with('#')) {
        let (n, name) = line.split_once('\t').unwrap();
        match rows.iter().find(|r| r.package == name) {
            Some(row) => assert_eq!(row.corpus_count.to_string(), n, "{name}"),
            None => missing += 1, // not a Debian package (docker-ce-cli, …)
        }
    }
    assert!(missing < 20, "{missing} counted packages have no row");
    assert!(rows.iter().any(|r| r.package == "build-essential"));
    assert!(packages::parse_other(packages::OTHER_CSV).is_ok());
}

// ---------------------------------------------------------------- corpus

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_run_is_analysed_without_panic_and_with_ordered_ranges() {
    let files = files_under(&corpus().join("real"));
    if files.is_empty() {
        eprintln!("no corpus at {}", corpus().display());
        return;
    }
    let (mut runs, mut with_unknown) = (0usize, 0usize);
    let mut unknown_words: std::collections::BTreeMap<String, usize> = Default::default();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        let tree = syntax::parse(&text);
        let model = model::build(&tree, text.as_str());
        for stage in &model.stages {
            for ins in stage.instructions.iter().filter(|i| i.keyword == "run") {
                let mut shell = ins.arguments.clone();
                for heredoc in &ins.heredocs {
                    if let Some(body) = heredoc.body_range.clone().and_then(|r| text.get(r)) {
                        shell.push('\n');
                        shell.push_str(body);
                    }
                }
                let parts = run::analyse_run(&shell, Distro::Debian);
                ordered(&parts);
                let _ = artifacts::built_artifacts(&shell, "/src");
                runs += 1;
                if parts.iter().any(|p| p.known == Known::Unknown) {
                    with_unknown += 1;
                    for p in parts.iter().filter(|p| p.known == Known::Unknown) {
                        let word = p
                            .what
                            .trim_start_matches('`')
                            .split([' ', '`'])
                            .next()
                            .unwrap_or("")
                            .to_string();
                        if std::env::var("DEBUG_UNKNOWN").is_ok_and(|w| w == word) {
                            eprintln!("{}: {shell}", file.display());
                        }
                        *unknown_words.entry(word).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut top: Vec<_> = unknown_words.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!(
        "{runs} RUNs in {} files; {with_unknown} ({:.1} %) have an Unknown part; most frequent: {:?}",
        files.len(),
        100.0 * with_unknown as f64 / runs.max(1) as f64,
        &top[..top.len().min(15)]
    );
    assert!(runs > 500);
}

#[test]
#[ignore = "prints examples"]
fn print_examples() {
    for (shell, distro) in [
        ("set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl gnupg netbase wget; rm -rf /var/lib/apt/lists/*", Distro::Debian),
        ("apt-get update && apt-get install -y build-essential git python3-pip libpq-dev", Distro::Ubuntu),
        ("apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev && pip install --no-cache-dir cryptography && apk del .build-deps", Distro::Alpine),
        ("dnf install -y --nodocs git gcc-c++ && dnf clean all", Distro::Rhel),
        ("npm install -g pnpm@9 @vitejs/plugin-react", Distro::Debian),
        ("wget -O go.tgz https://go.dev/dl/go1.25.linux-amd64.tar.gz; tar -C /usr/local -xzf go.tgz; rm go.tgz", Distro::Debian),
        ("if [ -f x ]; then echo y; fi; for i in 1 2; do echo $i; done", Distro::Debian),
    ] {
        println!("\n{shell}");
        for p in run::analyse_run(shell, distro) {
            println!(
                "  {:<70} {:>7.1} {:>7.1} {:>7.1} MB  {}  [{}]",
                p.what,
                p.unpacked.low as f64 / 1e6,
                p.unpacked.best as f64 / 1e6,
                p.unpacked.high as f64 / 1e6,
                p.known,
                p.source
            );
        }
    }
}

#[test]
fn shell_structure_is_read_not_counted() {
    // A heredoc fed to `cat` is data, not commands.
    let data = run::analyse_run(
        "set -e\nmkdir -p cmd\ncat <<'eot' > cmd/main.go\npackage main\nimport \"fmt\"\neot\necho done",
        Distro::Debian,
    );
    assert!(data.is_empty(), "{data:#?}");
    // `RUN cat <<EOF > file` with the body appended by the caller.
    let appended = run::analyse_run("cat <<EOF > /etc/x.conf\nfoo bar\nbaz", Distro::Debian);
    assert!(appended.is_empty(), "{appended:#?}");
    // `RUN <<EOF` with the script as body.
    let script = run::analyse_run("<<EOF\napt-get install -y curl\n", Distro::Debian);
    assert!(has(&script, "curl"), "{script:#?}");
    // Functions defined in the RUN, case patterns, find -exec {} \;.
    let structure = run::analyse_run(
        "_up() { echo up; }; _up; case \"$(uname -m)\" in amd64 | x86_64) A=x64 ;; *) exit 1 ;; esac; find / -name '*.pyc' -exec rm -f {} \\;",
        Distro::Debian,
    );
    assert!(structure.is_empty(), "{structure:#?}");
}

#[test]
fn cache_parts_name_their_directory() {
    let parts = run::analyse_run(
        "apt-get update && pip install flask && go build -o /app . && cargo build --release",
        Distro::Debian,
    );
    let dirs: Vec<&str> = parts.iter().filter_map(run::cache_dir).collect();
    for dir in [
        "/var/lib/apt/lists",
        "/root/.cache/pip",
        "/go/pkg/mod",
        "/root/.cache/go-build",
        "/usr/local/cargo/registry",
        "target",
    ] {
        assert!(dirs.contains(&dir), "{dir} missing from {dirs:?}");
    }
    assert!(parts
        .iter()
        .any(|p| p.what.starts_with("pip install") && run::cache_dir(p).is_none()));
}
