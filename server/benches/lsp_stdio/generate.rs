//! Deterministic synthetic Dockerfiles of an exact number of lines.
//!
//! Many stages (`FROM image AS name`, some `FROM earlier-stage`), global and
//! stage ARGs, ENV with continuations, RUN with `\` continuations, cache and
//! bind mounts (`--mount=type=cache,…`, `--mount=from=stage`), heredocs,
//! `COPY --from=<earlier stage>`, and a few typos per stage group so both
//! servers have diagnostics to report. ASCII only, so UTF-16 columns equal
//! byte columns.

/// xorshift64*: tiny, seeded, the same sequence on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const IMAGES: &[&str] = &[
    "golang:1.22-alpine",
    "node:20-bookworm-slim",
    "python:3.12-slim",
    "alpine:3.20",
    "debian:bookworm-slim",
    "ubuntu:24.04",
    "rust:1.80-slim",
    "ghcr.io/example/toolchain:2.4.1",
];
const ROLES: &[&str] = &["base", "deps", "build", "test", "tools", "assets", "app"];
const PACKAGES: &[&str] = &[
    "ca-certificates",
    "curl",
    "git",
    "make",
    "gcc",
    "libc6-dev",
    "pkg-config",
    "openssh-client",
    "tzdata",
    "unzip",
];

/// A Dockerfile of exactly `lines` lines (newline-terminated), seeded.
pub fn dockerfile(lines: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ lines as u64);
    let mut out: Vec<String> = vec![
        "# syntax=docker/dockerfile:1".into(),
        format!("# generated: {lines} lines, seed {seed}"),
        "ARG GO_VERSION=1.22".into(),
        "ARG BASE_IMAGE=alpine:3.20".into(),
    ];
    // roughly one stage per 40 lines, as in large monorepo Dockerfiles
    let mut stages: Vec<String> = Vec::new();
    let mut k = 0usize;
    // the largest block is 16 lines; below that, fill with one-liners
    while out.len() + 40 < lines {
        let name = format!("{}-{k}", rng.pick(ROLES));
        let room = lines - out.len() - 1;
        stage(&mut rng, &mut out, &stages, &name, k, room);
        stages.push(name);
        k += 1;
    }
    if stages.is_empty() {
        out.push(format!("FROM {} AS app-0", rng.pick(IMAGES)));
        stages.push("app-0".into());
    }
    let mut step = 0usize;
    while out.len() < lines {
        out.push(one_liner(&mut rng, &stages, step));
        step += 1;
    }
    out.truncate(lines);
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn one_liner(rng: &mut Rng, stages: &[String], step: usize) -> String {
    match rng.below(6) {
        0 => format!("ENV LOG_LEVEL_{step}=info"),
        1 => format!("EXPOSE {}", 8000 + step % 1000),
        2 => format!("LABEL org.example.step=\"{step}\""),
        3 => format!(
            "COPY --from={} /out/{step} /opt/extra/",
            stages[rng.below(stages.len())]
        ),
        _ => format!("RUN echo \"step {step}\" > /tmp/step-{step}.txt"),
    }
}

/// One stage of about 40 lines, never more than `room`.
fn stage(
    rng: &mut Rng,
    out: &mut Vec<String>,
    earlier: &[String],
    name: &str,
    k: usize,
    room: usize,
) {
    let start = out.len();
    let from = if !earlier.is_empty() && rng.below(4) == 0 {
        earlier[rng.below(earlier.len())].clone()
    } else if rng.below(8) == 0 {
        "${BASE_IMAGE}".into()
    } else {
        rng.pick(IMAGES).into()
    };
    out.push(String::new());
    out.push(format!("# stage {k}: {name}"));
    out.push(format!("FROM {from} AS {name}"));
    out.push(format!("ARG VERSION_{k}=1.{}.{}", k % 10, rng.below(20)));
    out.push(format!("WORKDIR /src/{name}"));
    // a few typos, so there is something to report (hadolint and both
    // servers flag most of these)
    let typo = k % 10 == 7;
    while out.len() - start < 36 && out.len() - start + 16 < room {
        match rng.below(9) {
            0 => {
                out.push(format!("ENV APP_HOME=/opt/{name} \\"));
                out.push(format!("    PATH=/opt/{name}/bin:$PATH \\"));
                out.push(format!("    VERSION=${{VERSION_{k}}}"));
            }
            1 => {
                let cache = if typo { "cahce" } else { "cache" };
                out.push(format!(
                    "RUN --mount=type={cache},target=/var/cache/apt,sharing=locked \\"
                ));
                out.push("    apt-get update && \\".into());
                out.push("    apt-get install -y --no-install-recommends \\".into());
                let a = rng.pick(PACKAGES);
                let b = rng.pick(PACKAGES);
                out.push(format!("        {a} {b} && \\"));
                out.push("    rm -rf /var/lib/apt/lists/*".into());
            }
            2 if !earlier.is_empty() => {
                let from = &earlier[rng.below(earlier.len())];
                out.push(format!(
                    "RUN --mount=type=bind,from={from},source=/out,target=/in \\"
                ));
                out.push(format!(
                    "    --mount=type=cache,target=/root/.cache/{name} \\"
                ));
                out.push(format!("    cp -r /in/. /opt/{name}/ && ls /opt/{name}"));
            }
            3 => {
                out.push("RUN <<EOF".into());
                out.push("set -eux".into());
                out.push(format!("echo \"building {name}\""));
                out.push(format!("make -C /src/{name} -j2 all"));
                out.push("EOF".into());
            }
            4 => {
                out.push(format!("COPY <<EOF /etc/{name}.conf"));
                out.push(format!("name = {name}"));
                out.push(format!("version = {k}"));
                out.push("EOF".into());
            }
            5 if !earlier.is_empty() => {
                let from = &earlier[rng.below(earlier.len())];
                let flag = if typo { "--form" } else { "--from" };
                out.push(format!("COPY {flag}={from} /out/bin/ /usr/local/bin/"));
            }
            6 => {
                out.push("RUN set -eux; \\".into());
                out.push("    for f in a b c; do \\".into());
                out.push("        echo \"$f\" >> /tmp/list.txt; \\".into());
                out.push("    done".into());
            }
            7 => {
                out.push(format!("COPY --chown=app:app --chmod=0755 . /src/{name}"));
                out.push(format!("RUN echo \"step {k}\" > /tmp/step-{k}.txt"));
            }
            _ => {
                out.push(format!(
                    "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/bin/{name} ./cmd/{name}"
                ));
            }
        }
    }
    if typo {
        out.push("EXPSOE 8080".into());
        out.push(format!("COPY --from=missing-{k} /out /out"));
    }
    out.push(format!("EXPOSE {}", 8000 + k % 1000));
}
