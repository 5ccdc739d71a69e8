//! What each flag does and the values it takes. Versions and labs marks
//! come from the flag table (`ide/flags.rs`), so they cannot drift apart.

use crate::ide::flags::{flags_of, FlagKind, FlagSpec};

#[derive(Debug, Clone, Copy)]
pub struct FlagDoc {
    /// Lowercased keywords of the instructions that take the flag.
    pub instructions: &'static [&'static str],
    pub name: &'static str,
    pub summary: &'static str,
    /// How the value is written.
    pub values: &'static str,
    /// Channel history the flag table cannot express (labs periods).
    pub history: &'static str,
}

const fn doc(
    instructions: &'static [&'static str],
    name: &'static str,
    summary: &'static str,
    values: &'static str,
    history: &'static str,
) -> FlagDoc {
    FlagDoc {
        instructions,
        name,
        summary,
        values,
        history,
    }
}

const COPY_ADD: &[&str] = &["copy", "add"];

const DOCS: &[FlagDoc] = &[
    doc(
        &["from"],
        "platform",
        "Picks the platform of the base image, for multi-platform images and cross-compilation. `--platform=$BUILDPLATFORM` runs a stage natively on the build machine.",
        "`os/arch[/variant]`, e.g. `linux/amd64` or `linux/arm64/v8`. Expanded with global ARGs and the automatic platform ARGs only. A constant value draws the build check FromPlatformFlagConstDisallowed, and `$TARGETPLATFORM` is the default anyway (RedundantTargetPlatform).",
        "",
    ),
    doc(
        &["run"],
        "mount",
        "Mounts a filesystem into the command's container for this RUN only; what is mounted does not end up in the layer. Use it for package caches, secrets, SSH agents and files from other stages.",
        "A comma-separated list of `key=value` fields and bare words, e.g. `type=cache,target=/root/.cache`. `type` is `bind` (the default), `cache`, `tmpfs`, `secret` or `ssh`; write it first. Values are expanded, except `from`. May be given several times.",
        "Before 1.2 it existed only in the experimental channel.",
    ),
    doc(
        &["run"],
        "network",
        "Chooses the network the command runs in.",
        "`default` (the build's normal network), `none` (no network at all) or `host` (the host's network; the builder must allow the `network.host` entitlement). Not expanded.",
        "Labs only in 1.2.",
    ),
    doc(
        &["run"],
        "security",
        "Chooses the sandbox the command runs in.",
        "`sandbox` (the default) or `insecure`, which runs it with full privileges, like `docker run --privileged` (needs the `security.insecure` entitlement). Not expanded.",
        "Labs only from 1.2 to 1.19.",
    ),
    doc(
        &["run"],
        "device",
        "Gives the command access to a device through the Container Device Interface (CDI), e.g. a GPU.",
        "`<name>[,required[=<bool>]]`: the CDI device name, optionally marked required so the build fails without it. Needs the `device` entitlement. May be given several times.",
        "On the stable channel the flag is accepted but the build fails when it is converted.",
    ),
    doc(
        COPY_ADD,
        "chown",
        "Sets the owner of the copied files (otherwise root, `0:0`).",
        "`<user>[:<group>]` as names or numeric IDs; names are looked up in the image's `/etc/passwd` and `/etc/group`. Expanded with ARG and ENV values.",
        "",
    ),
    doc(
        COPY_ADD,
        "chmod",
        "Sets the permission bits of the copied files.",
        "An octal mode up to `7777` (`755`, `0644`), or since 1.14 a symbolic mode as chmod(1) takes it (`+x`, `u=rwX,go=rX`). Expanded with ARG and ENV values. Not supported for Windows containers.",
        "Symbolic modes: labs in 1.13, stable in 1.14.",
    ),
    doc(
        COPY_ADD,
        "link",
        "Copies into a layer of its own that does not depend on the files below it, so the layer is reused when earlier layers change and can be rebased onto a new base without a rebuild.",
        "Bare `--link`, or `--link=true` / `--link=false`.",
        "",
    ),
    doc(
        &["copy"],
        "from",
        "Copies from somewhere other than the build context.",
        "A stage name (any case), a stage index (`0` is the first stage), an image reference (`nginx:1.27`) or the name of a build context given with `--build-context`. Not expanded: a variable here is an error since 1.18.",
        "",
    ),
    doc(
        &["copy"],
        "parents",
        "Keeps the sources' parent directories below the destination: `COPY --parents a/b/c.txt /out/` writes `/out/a/b/c.txt`. A `/./` in a source marks where the kept part starts.",
        "Bare `--parents`, or `--parents=true` / `--parents=false`.",
        "Labs only from 1.7 to 1.19.",
    ),
    doc(
        COPY_ADD,
        "exclude",
        "Leaves out the sources that match a pattern.",
        "A pattern in `.dockerignore` syntax (`*.md`, `**/test`); give the flag once per pattern. Not expanded.",
        "Labs only from 1.7 to 1.18.",
    ),
    doc(
        &["add"],
        "keep-git-dir",
        "Keeps the `.git` directory when the source is a Git repository (it is left out by default).",
        "Bare `--keep-git-dir`, or `=true` / `=false`. Must agree with a `keep-git-dir=` in the Git URL.",
        "Labs only in 1.5.",
    ),
    doc(
        &["add"],
        "checksum",
        "Verifies a remote source before using it; the build fails on a mismatch.",
        "For an HTTP(S) source `sha256:<hex digest>`; for a Git source (since 1.16) the commit SHA, whole or a prefix. One source only. Expanded with ARG and ENV values.",
        "Labs only in 1.5.",
    ),
    doc(
        &["add"],
        "unpack",
        "Says whether an archive source is extracted. Left out, local archives are extracted and downloaded ones are not.",
        "Bare `--unpack`, or `--unpack=true` / `--unpack=false`.",
        "",
    ),
    doc(
        &["healthcheck"],
        "interval",
        "Time between two checks, counted from the end of the previous one. Default 30s.",
        "A duration such as `30s`, `1m30s` or `500ms`; `0` means the default.",
        "",
    ),
    doc(
        &["healthcheck"],
        "timeout",
        "How long one check may take before it counts as failed. Default 30s.",
        "A duration such as `10s`; `0` means the default.",
        "",
    ),
    doc(
        &["healthcheck"],
        "start-period",
        "Time the container gets to start up: failures during it do not count towards `--retries`, and the first success ends it. Default 0s.",
        "A duration such as `1m`; `0` means none.",
        "",
    ),
    doc(
        &["healthcheck"],
        "start-interval",
        "Time between checks during the start period. Default 5s. Needs Docker Engine 25 or later.",
        "A duration such as `2s`; `0` means the default.",
        "",
    ),
    doc(
        &["healthcheck"],
        "retries",
        "How many failed checks in a row make the container unhealthy. Default 3.",
        "A non-negative whole number.",
        "",
    ),
];

/// The documentation of `--name` on an instruction (keyword in any case).
pub fn flag(keyword: &str, name: &str) -> Option<&'static FlagDoc> {
    let keyword = keyword.to_ascii_lowercase();
    DOCS.iter()
        .find(|d| d.name == name && d.instructions.contains(&keyword.as_str()))
}

/// "Since" line for a flag of the table.
fn availability(spec: &FlagSpec) -> String {
    if spec.labs {
        format!(
            "Labs only: needs `# syntax=docker/dockerfile:1-labs` (since {}).",
            spec.since
        )
    } else if spec.since == "pre" {
        "Available in every Dockerfile frontend.".to_string()
    } else {
        format!("Since Dockerfile frontend {}.", spec.since)
    }
}

/// The hover text of `--name` on an instruction.
pub fn flag_markdown(keyword: &str, name: &str) -> Option<String> {
    let doc = flag(keyword, name)?;
    let keyword = keyword.to_ascii_lowercase();
    let spec = flags_of(&keyword).iter().find(|s| s.name == name)?;
    let mut out = format!(
        "**`--{}`** ({}): {}\n\nValue: {}\n\n{}",
        doc.name,
        keyword.to_ascii_uppercase(),
        doc.summary,
        doc.values,
        availability(spec)
    );
    if !doc.history.is_empty() {
        out.push(' ');
        out.push_str(doc.history);
    }
    if spec.kind == FlagKind::Strings {
        out.push_str(" Repeatable.");
    }
    Some(out)
}
