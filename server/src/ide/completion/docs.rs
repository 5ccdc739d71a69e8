//! What completion says about each keyword, directive, flag and value: our
//! own words, with the Dockerfile frontend version that brought the feature
//! (`reference/buildkit-syntax.md` §1–§5).

pub struct Keyword {
    /// Upper case, as the docs write it.
    pub name: &'static str,
    pub syntax: &'static str,
    pub doc: &'static str,
    /// After the keyword and a space; `None` when the keyword is all.
    pub snippet: &'static str,
    pub deprecated: bool,
}

const fn keyword(
    name: &'static str,
    syntax: &'static str,
    doc: &'static str,
    snippet: &'static str,
) -> Keyword {
    Keyword {
        name,
        syntax,
        doc,
        snippet,
        deprecated: false,
    }
}

/// Every instruction, in the order offered: the common ones first.
pub const KEYWORDS: &[Keyword] = &[
    keyword(
        "FROM",
        "FROM [--platform=<platform>] <image> [AS <name>]",
        "Starts a build stage from a base image or an earlier stage. `AS name` names the stage for later `FROM`, `COPY --from` and `RUN --mount=from=`.",
        "${1:image}",
    ),
    keyword(
        "RUN",
        "RUN [--mount=…] [--network=…] [--security=…] <command>",
        "Runs a command in a new layer, in the shell (shell form) or directly (`[\"exec\", \"form\"]`). Flags add mounts and choose the network and security mode.",
        "${1:command}",
    ),
    keyword(
        "COPY",
        "COPY [--from=<stage>] [--chown=…] [--chmod=…] [--link] <src>… <dest>",
        "Copies files from the build context, an earlier stage (`--from`) or an image into the image.",
        "${1:source} ${2:destination}",
    ),
    keyword(
        "ARG",
        "ARG <name>[=<default>]",
        "Declares a build argument, set with `--build-arg`. Before the first FROM it is global and only FROM lines see it; a stage gets it with a bare `ARG name`.",
        "${1:name}",
    ),
    keyword(
        "ENV",
        "ENV <key>=<value> …",
        "Sets environment variables for the following instructions and for the running container.",
        "${1:key}=${2:value}",
    ),
    keyword(
        "WORKDIR",
        "WORKDIR <path>",
        "Sets the working directory of the following instructions, creating it when missing. An absolute path avoids surprises (build check WorkdirRelativePath).",
        "${1:/app}",
    ),
    keyword(
        "CMD",
        "CMD [\"executable\", \"param\"…]",
        "The default command of the container, or the default arguments of ENTRYPOINT. Only the last CMD of a stage counts; the exec form (a JSON array) receives signals directly.",
        "[\"${1:executable}\"]",
    ),
    keyword(
        "ENTRYPOINT",
        "ENTRYPOINT [\"executable\", \"param\"…]",
        "The executable the container runs; CMD supplies its default arguments. The exec form (a JSON array) receives signals directly.",
        "[\"${1:executable}\"]",
    ),
    keyword(
        "ADD",
        "ADD [--chown=…] [--chmod=…] [--checksum=…] [--link] <src>… <dest>",
        "Adds files from the build context, URLs or Git repositories, extracting local archives. COPY is the plainer choice for local files.",
        "${1:source} ${2:destination}",
    ),
    keyword(
        "EXPOSE",
        "EXPOSE <port>[/<protocol>] …",
        "Documents the ports the container listens on (`80`, `53/udp`); it does not publish them.",
        "${1:port}",
    ),
    keyword(
        "LABEL",
        "LABEL <key>=<value> …",
        "Adds metadata to the image as key-value pairs, e.g. `org.opencontainers.image.source`.",
        "${1:key}=\"${2:value}\"",
    ),
    keyword(
        "USER",
        "USER <user>[:<group>]",
        "Sets the user (and group) for the following RUN instructions and for the container.",
        "${1:user}",
    ),
    keyword(
        "VOLUME",
        "VOLUME [\"<path>\"…]",
        "Declares mount points whose content lives outside the container's writable layer.",
        "[\"${1:/data}\"]",
    ),
    keyword(
        "HEALTHCHECK",
        "HEALTHCHECK [--interval=…] [--timeout=…] … CMD <command> | NONE",
        "How to tell that the running container still works (`CMD …`), or `NONE` to turn off a check inherited from the base image.",
        "CMD ${1:command}",
    ),
    keyword(
        "SHELL",
        "SHELL [\"executable\", \"param\"…]",
        "The shell that runs the shell form of RUN, CMD and ENTRYPOINT, as a JSON array.",
        "[\"${1:/bin/sh}\", \"-c\"]",
    ),
    keyword(
        "STOPSIGNAL",
        "STOPSIGNAL <signal>",
        "The signal sent to stop the container (`SIGTERM` unless set).",
        "${1:SIGTERM}",
    ),
    keyword(
        "ONBUILD",
        "ONBUILD <instruction>",
        "Stores an instruction that runs later, when another build uses this image as its base.",
        "${1:instruction}",
    ),
    Keyword {
        name: "MAINTAINER",
        syntax: "MAINTAINER <name>",
        doc: "Deprecated: sets the author field. Use `LABEL org.opencontainers.image.authors=\"…\"` instead (build check MaintainerDeprecated).",
        snippet: "${1:name}",
        deprecated: true,
    },
];

pub struct Directive {
    pub name: &'static str,
    pub doc: &'static str,
    /// The value offered in the snippet.
    pub default: &'static str,
    pub values: &'static [(&'static str, &'static str)],
}

pub const DIRECTIVES: &[Directive] = &[
    Directive {
        name: "syntax",
        doc: "Chooses the Dockerfile frontend the build runs with, e.g. `docker/dockerfile:1` for the newest stable 1.x, or `docker/dockerfile:1-labs` for labs features. Only read on the first lines, before any instruction or blank line.",
        default: "docker/dockerfile:1",
        values: &[
            ("docker/dockerfile:1", "The newest stable 1.x frontend, updated as releases come out."),
            ("docker/dockerfile:1-labs", "The newest 1.x frontend with labs features such as `RUN --device`."),
            ("docker/dockerfile:1.26", "Frontend 1.26 and its patch releases: pinned, so a new release changes nothing."),
        ],
    },
    Directive {
        name: "escape",
        doc: "The character that escapes and continues lines: `\\` (the default) or `` ` ``, which keeps Windows paths readable. Only read on the first lines.",
        default: "`",
        values: &[
            ("\\", "The default escape character."),
            ("`", "A backtick, so that `\\` in Windows paths stays literal."),
        ],
    },
    Directive {
        name: "check",
        doc: "Configures build checks (frontend 1.8): `skip=Rule1,Rule2` or `skip=all`, `error=true` to fail the build on a violation, `experimental=Rule|all` (1.10) for experimental rules. Parts are separated by `;`.",
        default: "error=true",
        values: &[
            ("error=true", "Fail the build when a check finds a problem."),
            ("skip=all", "Run no build checks."),
            ("skip=", "Skip the listed rules, separated by commas (e.g. `skip=JSONArgsRecommended`)."),
            ("experimental=all", "Also run the experimental rules (frontend 1.10)."),
        ],
    },
];

/// What a flag does: our own words, and a hint of its value.
pub fn flag(keyword: &str, name: &str) -> (&'static str, &'static str) {
    match (keyword, name) {
        ("from", "platform") => (
            "--platform=<os/arch>",
            "Pulls the base image for another platform than the target, e.g. `$BUILDPLATFORM` for a stage that cross-compiles.",
        ),
        ("run", "mount") => (
            "--mount=type=<type>,…",
            "Mounts a cache, a bind source, a tmpfs, a secret or the SSH agent for this command only; repeatable.",
        ),
        ("run", "network") => (
            "--network=default|none|host",
            "The network the command runs in: `default`, `none`, or `host` (which needs the `network.host` entitlement).",
        ),
        ("run", "security") => (
            "--security=sandbox|insecure",
            "`insecure` runs the command without the sandbox, like a privileged container (needs the `security.insecure` entitlement); `sandbox` is the default.",
        ),
        ("run", "device") => (
            "--device=<name>[,required]",
            "Gives the command a CDI device by name (needs the `device` entitlement); repeatable.",
        ),
        (_, "chown") => (
            "--chown=<user>[:<group>]",
            "Sets the owner of the copied files, by name or numeric id; variables are expanded.",
        ),
        (_, "chmod") => (
            "--chmod=<mode>",
            "Sets the permissions of the copied files: octal (`755`) or, since frontend 1.14, symbolic (`u=rwX,go=rX`).",
        ),
        (_, "link") => (
            "--link[=<bool>]",
            "Copies into a layer of its own that does not depend on the layers before it, so it survives changes to them and can be rebased.",
        ),
        (_, "exclude") => (
            "--exclude=<pattern>",
            "Leaves out the paths that match the pattern; repeatable. The pattern is not expanded with variables.",
        ),
        ("copy", "from") => (
            "--from=<stage|index|image>",
            "Copies from an earlier stage (by name or index), an image or a named build context instead of the build context. Variables are not allowed.",
        ),
        ("copy", "parents") => (
            "--parents[=<bool>]",
            "Keeps the parent directories of each source below the destination.",
        ),
        ("add", "keep-git-dir") => (
            "--keep-git-dir[=<bool>]",
            "Keeps the `.git` directory when adding a Git repository.",
        ),
        ("add", "checksum") => (
            "--checksum=<sha256:…|commit>",
            "Verifies a remote source: `sha256:…` of an HTTP(S) file, or a commit of a Git repository (frontend 1.16).",
        ),
        ("add", "unpack") => (
            "--unpack[=<bool>]",
            "Whether to extract an archive source; without it, local archives are extracted and remote ones are not.",
        ),
        ("healthcheck", "interval") => (
            "--interval=<duration>",
            "Time between two checks (`30s` unless set).",
        ),
        ("healthcheck", "timeout") => (
            "--timeout=<duration>",
            "How long a check may run before it counts as failed (`30s` unless set).",
        ),
        ("healthcheck", "start-period") => (
            "--start-period=<duration>",
            "Time the container gets to start, during which failed checks do not count (`0s` unless set).",
        ),
        ("healthcheck", "start-interval") => (
            "--start-interval=<duration>",
            "Time between checks during the start period (`5s` unless set).",
        ),
        ("healthcheck", "retries") => (
            "--retries=<n>",
            "How many failures in a row make the container unhealthy (`3` unless set).",
        ),
        _ => ("", "A flag of this instruction."),
    }
}

pub struct Value {
    pub name: &'static str,
    pub doc: &'static str,
}

const fn value(name: &'static str, doc: &'static str) -> Value {
    Value { name, doc }
}

pub const MOUNT_TYPES: &[Value] = &[
    value("cache", "A cache directory kept between builds, for package managers and compilers; read-write."),
    value("bind", "Files from the build context, a stage or an image (`from=`), read-only unless `rw`. The default type."),
    value("secret", "A build secret (`docker build --secret id=…`) as a file in `/run/secrets`, or as an environment variable with `env=` (frontend 1.10); never stored in the image."),
    value("ssh", "The SSH agent socket (`docker build --ssh default`), e.g. for `git clone` over SSH."),
    value("tmpfs", "An in-memory file system for this command."),
];

pub const SHARING: &[Value] = &[
    value("shared", "Concurrent builds use the cache at the same time (the default)."),
    value("private", "A concurrent build gets a new cache of its own."),
    value("locked", "A concurrent build waits until the cache is free; the safe choice for apt and similar tools."),
];

pub const NETWORKS: &[Value] = &[
    value("default", "The build's own network (the default)."),
    value("none", "No network access, only the loopback interface."),
    value(
        "host",
        "The host's network; needs the `network.host` entitlement (`--allow network.host`).",
    ),
];

pub const SECURITY: &[Value] = &[
    value("sandbox", "The default sandbox."),
    value("insecure", "No sandbox, like a privileged container; needs the `security.insecure` entitlement (`--allow security.insecure`)."),
];

pub const BOOLEANS: &[Value] = &[value("true", "Turn it on."), value("false", "Turn it off.")];

const CONSTANT_PLATFORM: &str = " A constant platform in FROM is flagged by the build check FromPlatformFlagConstDisallowed unless the stage must run on that platform.";

pub const PLATFORMS: &[(&str, &str)] = &[
    ("$BUILDPLATFORM", "The platform of the machine running the build: for stages that compile for other platforms."),
    ("$TARGETPLATFORM", "The platform being built. That is already the default, so BuildKit's check RedundantTargetPlatform flags it."),
    ("linux/amd64", "64-bit x86."),
    ("linux/arm64", "64-bit ARM (Apple silicon, AWS Graviton, Raspberry Pi with a 64-bit OS)."),
    ("linux/arm/v7", "32-bit ARMv7."),
    ("linux/arm/v6", "32-bit ARMv6 (Raspberry Pi Zero and 1)."),
    ("linux/386", "32-bit x86."),
    ("linux/ppc64le", "64-bit POWER, little-endian."),
    ("linux/s390x", "IBM Z."),
    ("linux/riscv64", "64-bit RISC-V."),
    ("windows/amd64", "Windows containers on 64-bit x86."),
];

/// The note added to a constant platform's documentation.
pub fn platform_doc(name: &str, doc: &str) -> String {
    if name.starts_with('$') {
        doc.to_string()
    } else {
        format!("{doc}{CONSTANT_PLATFORM}")
    }
}

/// BuildKit's automatic platform ARGs (`dockerfile2llb/platform.go`): FROM
/// lines see them without a declaration.
pub const AUTOMATIC_ARGS: &[(&str, &str)] = &[
    (
        "BUILDPLATFORM",
        "The platform of the machine running the build, e.g. `linux/amd64`.",
    ),
    ("BUILDOS", "The OS part of BUILDPLATFORM, e.g. `linux`."),
    (
        "BUILDARCH",
        "The architecture part of BUILDPLATFORM, e.g. `amd64`.",
    ),
    (
        "BUILDVARIANT",
        "The variant part of BUILDPLATFORM, e.g. `v7`; often empty.",
    ),
    (
        "TARGETPLATFORM",
        "The platform being built, e.g. `linux/arm64`.",
    ),
    ("TARGETOS", "The OS part of TARGETPLATFORM, e.g. `linux`."),
    (
        "TARGETARCH",
        "The architecture part of TARGETPLATFORM, e.g. `arm64`.",
    ),
    (
        "TARGETVARIANT",
        "The variant part of TARGETPLATFORM, e.g. `v7`; often empty.",
    ),
    (
        "TARGETSTAGE",
        "The name of the stage being built, or `default` (frontend 1.11).",
    ),
    (
        "BUILDOSVERSION",
        "The OS version of the build platform, for Windows builds (frontend 1.13).",
    ),
    (
        "TARGETOSVERSION",
        "The OS version of the target platform, for Windows builds (frontend 1.13).",
    ),
];

pub struct MountKey {
    pub name: &'static str,
    /// The mount types that take the key.
    pub types: &'static [&'static str],
    /// Written bare (`ro`) rather than `key=value`.
    pub bare: bool,
    pub doc: &'static str,
}

const ALL: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

const fn mount_key(
    name: &'static str,
    types: &'static [&'static str],
    doc: &'static str,
) -> MountKey {
    MountKey {
        name,
        types,
        bare: false,
        doc,
    }
}

/// The keys offered, per type (`commands_runmount.go`); the aliases `src`,
/// `dst`, `destination` and `readwrite` are accepted but not offered.
pub const MOUNT_KEYS: &[MountKey] = &[
    mount_key(
        "type",
        ALL,
        "The kind of mount: `bind` (the default), `cache`, `tmpfs`, `secret` or `ssh`. Write it first: BuildKit checks `required` and `size` against the type known at that point.",
    ),
    mount_key(
        "target",
        ALL,
        "Where the mount appears for the command (alias `dst`). Secrets default to `/run/secrets/<id>`.",
    ),
    mount_key(
        "id",
        &["cache", "secret", "ssh"],
        "Names the cache (default: the target path), the secret (`--secret id=…`) or the SSH agent (`default`).",
    ),
    mount_key(
        "source",
        &["bind", "cache"],
        "The path inside `from` to mount (alias `src`); its root unless set.",
    ),
    mount_key(
        "from",
        &["bind", "cache"],
        "An earlier stage or an image to mount from (by name only, no index), instead of the build context; for a cache, its initial content.",
    ),
    mount_key(
        "sharing",
        &["cache"],
        "How concurrent builds share the cache: `shared` (the default), `private` or `locked`.",
    ),
    mount_key(
        "env",
        &["secret"],
        "Also exposes the secret as this environment variable (frontend 1.10); without `target` it is not mounted as a file.",
    ),
    MountKey {
        name: "required",
        types: &["secret", "ssh"],
        bare: true,
        doc: "Fails the build when the secret or SSH agent is not provided (not required unless set).",
    },
    mount_key(
        "mode",
        &["cache", "secret", "ssh"],
        "File mode of the mount, in octal (`0755` for a cache, `0400` for a secret, `0600` for SSH).",
    ),
    mount_key(
        "uid",
        &["cache", "secret", "ssh"],
        "The user id that owns the mount (`0` unless set).",
    ),
    mount_key(
        "gid",
        &["cache", "secret", "ssh"],
        "The group id that owns the mount (`0` unless set).",
    ),
    mount_key(
        "size",
        &["tmpfs"],
        "Size limit of the tmpfs, e.g. `64m` or `1g`.",
    ),
    MountKey {
        name: "readonly",
        types: ALL,
        bare: true,
        doc: "Mounts read-only (alias `ro`); bind mounts are read-only unless `rw`.",
    },
    MountKey {
        name: "ro",
        types: ALL,
        bare: true,
        doc: "Mounts read-only (alias `readonly`).",
    },
    MountKey {
        name: "rw",
        types: ALL,
        bare: true,
        doc: "Mounts read-write (alias `readwrite`); for a bind mount, the writes are thrown away after the command.",
    },
];

/// Keys that name the same field, for "already given".
pub fn mount_key_canonical(key: &str) -> &str {
    match key {
        "src" => "source",
        "dst" | "destination" => "target",
        "readwrite" => "rw",
        _ => key,
    }
}

/// Common `target=` paths of cache mounts.
pub const CACHE_TARGETS: &[(&str, &str)] = &[
    (
        "/var/cache/apt",
        "apt's downloaded packages (pair with `sharing=locked` and `/var/lib/apt`).",
    ),
    (
        "/var/lib/apt",
        "apt's package lists (pair with `sharing=locked`).",
    ),
    ("/root/.cache/pip", "pip's download and wheel cache."),
    ("/root/.npm", "npm's package cache."),
    (
        "/usr/local/share/.cache/yarn",
        "Yarn's package cache in the node images.",
    ),
    ("/root/.cache/go-build", "Go's build cache."),
    ("/go/pkg/mod", "Go's module cache in the golang images."),
    (
        "/usr/local/cargo/registry",
        "Cargo's registry cache in the rust images.",
    ),
    ("/root/.m2", "Maven's local repository."),
    ("/root/.gradle", "Gradle's caches."),
];

/// The Markdown sentence that says since when a flag exists.
pub fn since(since: &str, labs: bool) -> String {
    if labs {
        format!("Labs only: needs `# syntax=docker/dockerfile:1-labs` (since frontend {since}).")
    } else if since == "pre" {
        "Available in every Dockerfile frontend.".to_string()
    } else {
        format!("Since Dockerfile frontend {since}.")
    }
}
