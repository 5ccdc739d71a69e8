//! Recognising a toolchain and its artifact in a single-stage Dockerfile.

use super::facts::{join, Command, Facts};
use super::{Recipe, Variant};
use crate::ide::actions::Request;

/// The Alpine release a runtime gets when the builder names none.
const ALPINE: &str = "alpine:3.22";
/// The Debian release when the builder's tag names none: the current
/// stable, so a binary linked against the builder's glibc still runs.
const DEBIAN: &str = "trixie";

pub(crate) fn recognize(facts: &Facts, request: &Request<'_>) -> Option<Recipe> {
    let recognizers: [fn(&Facts, &Request<'_>) -> Option<Recipe>; 8] =
        [go, rust, java, dotnet, node_spa, node_server, python, c_cpp];
    recognizers.iter().find_map(|r| r(facts, request))
}

fn variant(id: &'static str, image: impl Into<String>, has_shell: bool) -> Variant {
    let image = image.into();
    Variant {
        id,
        label: Some(image.clone()),
        image,
        has_shell,
        extra_copies: Vec::new(),
    }
}

fn basename(path: &str) -> String {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The ways a CMD can name a file the builder wrote at `path`.
fn artifact_forms(path: &str, workdir: &str, to: &str) -> Vec<(String, String)> {
    let mut forms = vec![path.to_string()];
    let prefix = format!("{}/", workdir.trim_end_matches('/'));
    if let Some(rel) = path.strip_prefix(&prefix) {
        forms.push(format!("./{rel}"));
        forms.push(rel.to_string());
    }
    let dir = &path[..path.rfind('/').unwrap_or(0)];
    if matches!(
        dir,
        "/usr/local/bin" | "/usr/bin" | "/bin" | "/go/bin" | "/usr/local/sbin" | "/usr/sbin"
    ) {
        forms.push(basename(path));
    }
    forms.into_iter().map(|f| (f, to.to_string())).collect()
}

/// Flags of `go build` that take a value.
const GO_VALUE_FLAGS: &[&str] = &[
    "-o",
    "-ldflags",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-mod",
    "-p",
    "-installsuffix",
    "-pkgdir",
    "-buildmode",
    "-modfile",
    "-overlay",
    "-pgo",
    "-C",
    "-toolexec",
    "-compiler",
    "-gccgoflags",
];

fn positional(command: &Command, skip: usize, value_flags: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = command.words.iter().skip(skip);
    while let Some(w) = words.next() {
        if w.starts_with('-') {
            if value_flags.contains(&w.as_str()) {
                words.next();
            }
            continue;
        }
        out.push(w.clone());
    }
    out
}

fn static_variants(facts: &Facts) -> Vec<Variant> {
    let alpine = facts
        .tag
        .split('-')
        .find_map(|part| part.strip_prefix("alpine"))
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
        .map_or_else(|| ALPINE.to_string(), |v| format!("alpine:{v}"));
    let mut scratch = variant("scratch", "scratch", false);
    scratch.extra_copies.push((
        "/etc/ssl/certs/ca-certificates.crt".to_string(),
        "/etc/ssl/certs/".to_string(),
    ));
    vec![
        variant("alpine", alpine, true),
        variant("distroless", "gcr.io/distroless/static-debian12", false),
        scratch,
    ]
}

fn go(facts: &Facts, request: &Request<'_>) -> Option<Recipe> {
    if facts.short != "golang" {
        return None;
    }
    let build = facts.command(&["go build"])?;
    let packages = positional(build, 2, GO_VALUE_FLAGS);
    let package_name = || -> Option<String> {
        match packages.last().map(String::as_str) {
            None | Some(".") | Some("./") => {
                let module = request.read_context("go.mod").and_then(|go_mod| {
                    go_mod
                        .lines()
                        .find_map(|l| l.trim().strip_prefix("module "))
                        .map(|m| basename(m.trim().trim_matches('"')))
                });
                // else the program the CMD runs from the build directory
                module.or_else(|| {
                    let program = facts.run_words.iter().find_map(|w| w.first())?;
                    let path = join(&facts.workdir, program);
                    let name = basename(&path);
                    (program.contains('/')
                        && path == join(&build.cwd, &name)
                        && !name.contains(['.', '$']))
                    .then_some(name)
                })
            }
            Some(file) if file.ends_with(".go") => {
                Some(basename(file).trim_end_matches(".go").to_string())
            }
            Some(package) => Some(basename(package)).filter(|n| !n.is_empty() && n != ".."),
        }
    };
    let path = match build.flag(&["-o"]) {
        Some(out) if out.ends_with('/') => join(&join(&build.cwd, &out), &package_name()?),
        Some(out) => join(&build.cwd, &out),
        None => join(&build.cwd, &package_name()?),
    };
    if path.contains('$') || path == "/" {
        return None;
    }
    let name = basename(&path);
    let dest = format!("/usr/local/bin/{name}");
    let mut builder_lines = Vec::new();
    if !facts.mentions("CGO_ENABLED") {
        builder_lines.push("ENV CGO_ENABLED=0".to_string());
    }
    Some(Recipe {
        toolchain: "go",
        variants: static_variants(facts),
        builder_lines,
        copies: vec![(path.clone(), dest.clone())],
        default_cmd: vec![dest.clone()],
        artifact_words: artifact_forms(&path, &facts.workdir, &dest),
        toolchain_runs: vec!["go run"],
        copy_workdir: true,
        ..Recipe::default()
    })
}

/// The Debian release a tag names (`1.75-bookworm` → bookworm).
fn debian_release(tag: &str) -> Option<&'static str> {
    ["trixie", "bookworm", "bullseye", "buster"]
        .into_iter()
        .find(|r| tag.contains(r))
}

fn rust(facts: &Facts, request: &Request<'_>) -> Option<Recipe> {
    if facts.short != "rust" || facts.mentions("CARGO_TARGET_DIR") {
        return None;
    }
    let build = facts
        .commands
        .iter()
        .find(|c| c.starts("cargo build") && (c.has("--release") || c.has("-r")))?;
    let triple = build.flag(&["--target"]);
    let name = build
        .flag(&["--bin"])
        .or_else(|| cargo_bin_name(&request.read_context("Cargo.toml")?))
        .or_else(|| {
            facts
                .run_word_list()
                .find(|w| w.contains("/release/"))
                .map(|w| basename(w))
        })?;
    let mut dir = join(&build.cwd, "target");
    if let Some(triple) = &triple {
        dir = join(&dir, triple);
    }
    let path = join(&dir, &format!("release/{name}"));
    if path.contains('$') {
        return None;
    }
    let dest = format!("/usr/local/bin/{name}");
    let musl = triple.as_deref().is_some_and(|t| t.contains("musl"));
    let variants = if facts.tag.contains("alpine") || musl {
        vec![variant("alpine", ALPINE, true)]
    } else {
        let release = debian_release(&facts.tag).unwrap_or(DEBIAN);
        let distroless = match release {
            "bookworm" => "gcr.io/distroless/cc-debian12",
            "bullseye" => "gcr.io/distroless/cc-debian11",
            _ => "gcr.io/distroless/cc-debian13",
        };
        vec![
            variant("slim", format!("debian:{release}-slim"), true),
            variant("distroless", distroless, false),
        ]
    };
    Some(Recipe {
        toolchain: "rust",
        variants,
        copies: vec![(path.clone(), dest.clone())],
        default_cmd: vec![dest.clone()],
        artifact_words: artifact_forms(&path, &facts.workdir, &dest),
        toolchain_runs: vec!["cargo run"],
        copy_workdir: true,
        ..Recipe::default()
    })
}

/// The binary name of a `Cargo.toml`: its first `[[bin]]` name, else the
/// package name.
fn cargo_bin_name(manifest: &str) -> Option<String> {
    let mut section = "";
    let mut package = None;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "name" {
            continue;
        }
        let value = value.trim().trim_matches('"').to_string();
        match section {
            "[[bin]]" => return Some(value),
            "[package]" if package.is_none() => package = Some(value),
            _ => {}
        }
    }
    package
}

/// The Java major version a JDK image tag names (`3.8-openjdk-17` → 17).
fn java_version(facts: &Facts) -> String {
    let tag = facts.tag.as_str();
    let leading = |t: &str| -> Option<String> {
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!digits.is_empty()).then_some(digits)
    };
    for marker in [
        "openjdk-",
        "openjdk",
        "jdk-",
        "jdk",
        "temurin-",
        "corretto-",
        "java",
    ] {
        if let Some(found) = tag.find(marker) {
            if let Some(v) = leading(&tag[found + marker.len()..]) {
                return v;
            }
        }
    }
    if matches!(
        facts.short.as_str(),
        "eclipse-temurin" | "openjdk" | "amazoncorretto" | "sapmachine" | "ibm-semeru-runtimes"
    ) {
        if let Some(v) = leading(tag) {
            return v;
        }
    }
    "21".to_string()
}

fn java(facts: &Facts, _: &Request<'_>) -> Option<Recipe> {
    const JDKS: &[&str] = &[
        "maven",
        "gradle",
        "eclipse-temurin",
        "openjdk",
        "amazoncorretto",
        "sapmachine",
        "ibm-semeru-runtimes",
    ];
    if !JDKS.contains(&facts.short.as_str()) || facts.tag.contains("jre") {
        return None;
    }
    let maven = facts.commands.iter().find(|c| {
        (c.starts("mvn") || c.starts("mvnw"))
            && ["package", "install", "verify"].iter().any(|g| c.has(g))
    });
    let gradle = facts.commands.iter().find(|c| {
        (c.starts("gradle") || c.starts("gradlew"))
            && ["build", "bootJar", "assemble", "jar", "shadowJar"]
                .iter()
                .any(|g| c.has(g))
    });
    let (dir, tool) = match (maven, gradle) {
        (Some(m), _) => {
            let project = m
                .flag(&["-f", "--file"])
                .map(|pom| join(&m.cwd, pom.trim_end_matches("pom.xml")))
                .unwrap_or_else(|| m.cwd.clone());
            (join(&project, "target"), "maven")
        }
        (None, Some(g)) => (join(&g.cwd, "build/libs"), "gradle"),
        (None, None) => return None,
    };
    let dest = "/app/app.jar".to_string();
    let version = java_version(facts);
    Some(Recipe {
        toolchain: tool,
        variants: vec![variant(
            "jre",
            format!("eclipse-temurin:{version}-jre"),
            true,
        )],
        copies: vec![(format!("{dir}/*.jar"), dest.clone())],
        default_cmd: vec!["java".into(), "-jar".into(), dest.clone()],
        artifact_suffix: Some((".jar".to_string(), dest)),
        toolchain_runs: vec!["mvn", "./mvnw", "mvnw", "gradle", "./gradlew", "gradlew"],
        copy_workdir: true,
        ..Recipe::default()
    })
}

fn dotnet(facts: &Facts, _: &Request<'_>) -> Option<Recipe> {
    let repository = facts.image.strip_suffix("/sdk")?;
    if !repository.ends_with("dotnet") && !repository.ends_with("dotnet/core") {
        return None;
    }
    let publish = facts.command(&["dotnet publish"])?;
    let out = join(&publish.cwd, &publish.flag(&["-o", "--output"])?);
    let dll = facts
        .run_word_list()
        .find(|w| w.ends_with(".dll"))
        .map(|w| basename(w).trim_end_matches(".dll").to_string())
        .or_else(|| {
            let mut projects: Vec<String> = publish
                .words
                .iter()
                .chain(
                    facts
                        .all_text
                        .split_whitespace()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .map(|w| w.trim_matches(['"', '\'', '[', ']', ',']).to_string())
                .filter(|w| w.ends_with(".csproj") || w.ends_with(".fsproj"))
                .map(|w| {
                    basename(&w)
                        .trim_end_matches(".csproj")
                        .trim_end_matches(".fsproj")
                        .to_string()
                })
                .collect();
            projects.sort();
            projects.dedup();
            match projects.as_slice() {
                [one] if !one.contains(['*', '$']) => Some(one.clone()),
                _ => None,
            }
        })?;
    if out.contains('$') {
        return None;
    }
    let dll_path = format!("/app/{dll}.dll");
    let tag = if facts.tag.is_empty() {
        "latest"
    } else {
        &facts.tag
    };
    Some(Recipe {
        toolchain: "dotnet",
        variants: vec![
            variant("aspnet", format!("{repository}/aspnet:{tag}"), true),
            variant("runtime", format!("{repository}/runtime:{tag}"), true),
        ],
        runtime_lines: vec!["WORKDIR /app".to_string()],
        copies: vec![(out, "/app".to_string())],
        default_cmd: vec!["dotnet".into(), dll_path.clone()],
        artifact_suffix: Some((".dll".to_string(), dll_path)),
        toolchain_runs: vec!["dotnet run"],
        copy_workdir: false,
        ..Recipe::default()
    })
}

/// npm/yarn/pnpm scripts that build a front end.
const SPA_BUILDS: &[&str] = &[
    "npm run build",
    "yarn build",
    "yarn run build",
    "pnpm build",
    "pnpm run build",
    "npx vite build",
    "vite build",
    "npx ng build",
    "ng build",
];

/// Packages that make a package.json a front-end app, and the folder its
/// build writes.
const FRONT_ENDS: &[(&str, &str)] = &[
    ("react-scripts", "build"),
    ("vite", "dist"),
    ("@vue/cli-service", "dist"),
    ("@angular/core", "dist"),
    ("parcel", "dist"),
    ("@sveltejs/vite-plugin-svelte", "dist"),
    ("webpack", "dist"),
];

/// Packages that make it a server instead.
const SERVERS: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "next",
    "nuxt",
    "@nestjs/core",
    "@hapi/hapi",
    "@remix-run/node",
    "@sveltejs/kit",
    "astro",
];

/// The front-end build folder of a package.json's dependencies; `None`
/// when it is a server (or not a front end).
fn front_end_of(package: &str) -> Option<Option<&'static str>> {
    let json: serde_json::Value = serde_json::from_str(package).ok()?;
    let has = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|k| json[k].get(name).is_some())
    };
    if SERVERS.iter().any(|s| has(s)) {
        return Some(None);
    }
    Some(FRONT_ENDS.iter().find(|(p, _)| has(p)).map(|(_, dir)| *dir))
}

fn node_spa(facts: &Facts, request: &Request<'_>) -> Option<Recipe> {
    if facts.short != "node" {
        return None;
    }
    let build = facts.command(SPA_BUILDS)?;
    let static_server = facts.run_word_list().any(|w| {
        matches!(
            w.as_str(),
            "serve" | "http-server" | "live-server" | "preview" | "vite" | "nginx"
        )
    });
    let mentioned = [
        "react-scripts",
        "vite",
        "vue-cli-service",
        "ng build",
        "@angular",
    ]
    .iter()
    .any(|w| facts.mentions(w));
    let dir = match request
        .read_context("package.json")
        .and_then(|p| front_end_of(&p))
    {
        Some(Some(dir)) => dir,
        Some(None) => return None,
        None if static_server || mentioned => {
            if facts.run_word_list().any(|w| w == "build") || facts.mentions("react-scripts") {
                "build"
            } else {
                "dist"
            }
        }
        None => return None,
    };
    Some(Recipe {
        toolchain: "node-spa",
        variants: vec![variant("nginx", "nginx:stable-alpine", true)],
        copies: vec![(join(&build.cwd, dir), "/usr/share/nginx/html".to_string())],
        replaces_command: Some((
            vec!["nginx".into(), "-g".into(), "daemon off;".into()],
            "80".to_string(),
        )),
        copy_workdir: false,
        ..Recipe::default()
    })
}

/// The `-slim` sibling of a full image tag (`3.12-bookworm` →
/// `3.12-slim-bookworm`); `None` when the tag is slim or alpine already.
fn slim_tag(tag: &str) -> Option<String> {
    if tag.contains("slim") || tag.contains("alpine") || tag.contains("windows") {
        return None;
    }
    if tag.is_empty() || tag == "latest" {
        return Some("slim".to_string());
    }
    Some(match tag.split_once('-') {
        Some((version, release)) => format!("{version}-slim-{release}"),
        None => format!("{tag}-slim"),
    })
}

fn node_server(facts: &Facts, _: &Request<'_>) -> Option<Recipe> {
    if facts.short != "node" || !facts.workdir_set || facts.workdir == "/" {
        return None;
    }
    let slim = slim_tag(&facts.tag)?;
    let slim = match slim.split_once(['.', '-']) {
        // `node:18.19.0` → `node:18-slim`
        Some((major, _)) if major.chars().all(|c| c.is_ascii_digit()) && slim.contains('.') => {
            format!("{major}-slim")
        }
        _ => slim,
    };
    facts.commands.iter().find(|c| {
        c.starts("npm ci")
            || c.starts("npm install")
            || c.starts("npm i")
            || c.words == ["yarn"]
            || c.starts("yarn install")
            || c.starts("pnpm install")
    })?;
    let runs_node = facts.run_words.iter().any(|words| {
        let joined = words.join(" ");
        [
            "node",
            "npm start",
            "npm run start",
            "yarn start",
            "pnpm start",
            "npx",
        ]
        .iter()
        .any(|p| joined == *p || joined.starts_with(&format!("{p} ")))
    });
    if !runs_node {
        return None;
    }
    Some(Recipe {
        toolchain: "node",
        variants: vec![variant("slim", format!("node:{slim}"), true)],
        copies: vec![(facts.workdir.clone(), facts.workdir.clone())],
        keeps_command: true,
        copy_workdir: true,
        ..Recipe::default()
    })
}

fn python(facts: &Facts, _: &Request<'_>) -> Option<Recipe> {
    if facts.short != "python" || !facts.workdir_set || facts.workdir == "/" {
        return None;
    }
    let slim = slim_tag(&facts.tag)?;
    let pips: Vec<&Command> = facts
        .commands
        .iter()
        .filter(|c| {
            c.starts("pip install")
                || c.starts("pip3 install")
                || c.starts("python -m pip install")
                || c.starts("python3 -m pip install")
        })
        .collect();
    if pips.is_empty()
        || pips.iter().any(|c| {
            ["--user", "--target", "-t", "--prefix", "--root"]
                .iter()
                .any(|f| {
                    c.words
                        .iter()
                        .any(|w| w == f || w.starts_with(&format!("{f}=")))
                })
        })
        || ["venv", "virtualenv", "poetry", "pipenv", "uv ", "conda"]
            .iter()
            .any(|w| facts.mentions(w))
    {
        return None;
    }
    let venv_path = "ENV PATH=\"/opt/venv/bin:$PATH\"".to_string();
    Some(Recipe {
        toolchain: "python",
        variants: vec![variant("slim", format!("python:{slim}"), true)],
        builder_lines: vec![
            "RUN python -m venv /opt/venv".to_string(),
            venv_path.clone(),
        ],
        runtime_lines: vec![venv_path],
        copies: vec![
            ("/opt/venv".to_string(), "/opt/venv".to_string()),
            (facts.workdir.clone(), facts.workdir.clone()),
        ],
        keeps_command: true,
        copy_workdir: true,
        ..Recipe::default()
    })
}

fn c_cpp(facts: &Facts, _: &Request<'_>) -> Option<Recipe> {
    const COMPILERS: &[&str] = &["gcc", "g++", "cc", "c++", "clang", "clang++"];
    let runtime = match facts.short.as_str() {
        "gcc" => format!(
            "debian:{}-slim",
            debian_release(&facts.tag).unwrap_or(DEBIAN)
        ),
        "debian" | "ubuntu" => {
            let installs_toolchain = ["build-essential", "gcc", "g++", "clang", "cmake"]
                .iter()
                .any(|p| facts.all_text.split_whitespace().any(|w| w == *p));
            if !installs_toolchain {
                return None;
            }
            let release = facts.tag.split('-').next().unwrap_or_default();
            if release.is_empty() || release == "latest" {
                format!("{}:latest", facts.short)
            } else if facts.short == "ubuntu" || facts.tag.contains("slim") {
                // a variable (a global ARG) stays as written
                format!("{}:{}", facts.short, facts.tag)
            } else if facts.short == "debian" {
                format!("debian:{release}-slim")
            } else {
                format!("ubuntu:{release}")
            }
        }
        _ => return None,
    };
    let compiled = facts
        .commands
        .iter()
        .filter(|c| COMPILERS.iter().any(|k| c.words[0] == *k))
        .filter_map(|c| c.flag(&["-o"]).map(|o| join(&c.cwd, &o)))
        .rfind(|o| !o.ends_with(".o") && !o.ends_with(".so") && !o.ends_with(".a"));
    let built = facts.command(&["make", "cmake", "ninja"]).is_some();
    let path = compiled.or_else(|| {
        if !built {
            return None;
        }
        let first = facts.run_words.first()?.first()?;
        (first.contains('/') && !first.starts_with("/usr/") && !first.starts_with("/bin/"))
            .then(|| join(&facts.workdir, first))
    })?;
    if path.contains('$') {
        return None;
    }
    let name = basename(&path);
    let dest = format!("/usr/local/bin/{name}");
    Some(Recipe {
        toolchain: "c",
        variants: vec![variant("slim", runtime, true)],
        copies: vec![(path.clone(), dest.clone())],
        default_cmd: vec![dest.clone()],
        artifact_words: artifact_forms(&path, &facts.workdir, &dest),
        copy_workdir: true,
        ..Recipe::default()
    })
}
