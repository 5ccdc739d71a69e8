//! What each instruction does, its forms and the rules worth knowing.

/// One way of writing an instruction.
#[derive(Debug, Clone, Copy)]
pub struct Form {
    pub syntax: &'static str,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct InstructionDoc {
    /// Lowercased, as the model stores keywords.
    pub keyword: &'static str,
    pub summary: &'static str,
    pub forms: &'static [Form],
    pub notes: &'static [&'static str],
}

const fn form(syntax: &'static str, doc: &'static str) -> Form {
    Form { syntax, doc }
}

const DOCS: &[InstructionDoc] = &[
    InstructionDoc {
        keyword: "from",
        summary: "Starts a build stage on top of a base: an image, a stage defined earlier in this file, or `scratch` (nothing at all).",
        forms: &[form(
            "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
            "Without a tag or digest the image's `latest` tag is used.",
        )],
        notes: &[
            "Only `ARG` may come before the first `FROM`; those global ARGs are what the image and `--platform` of every FROM line can expand (plus the automatic platform ARGs such as `$BUILDPLATFORM`).",
            "`AS <name>` lets `COPY --from`, `RUN --mount=from=`, a later `FROM <name>` and `docker build --target` refer to the stage. Names are lowercased and must start with a letter, then letters, digits, `-`, `_` or `.`.",
            "`FROM <name>` only means a stage when a stage of that exact (lowercase) name is defined *above*; otherwise BuildKit pulls an image called `<name>`.",
            "The last stage is the image `docker build` produces unless `--target` picks another; stages the target does not need are skipped.",
        ],
    },
    InstructionDoc {
        keyword: "run",
        summary: "Runs a command at build time and records the files it changes as a new layer.",
        forms: &[
            form(
                "RUN [flags] <command>",
                "Shell form: the rest of the line goes to the shell (`/bin/sh -c` on Linux, `cmd /S /C` on Windows, or whatever `SHELL` set), so pipes, `&&` and `$VAR` work.",
            ),
            form(
                "RUN [flags] [\"<executable>\", \"<arg>\", ...]",
                "Exec form: a JSON array of double-quoted strings, run without a shell; `$VAR` stays literal unless the command is itself a shell.",
            ),
            form(
                "RUN [flags] <<EOF",
                "Heredoc form (frontend 1.4): the lines below, up to a line reading `EOF`, are the script. A script starting with `#!` runs as an executable file with that interpreter.",
            ),
        ],
        notes: &[
            "BuildKit does not expand variables in RUN text: the shell does, when the command runs, from the ARG and ENV values in scope.",
            "An array that is not valid JSON (single quotes, a missing quote, text after `]`) is silently run in shell form.",
            "Flags: `--mount` (caches, secrets, SSH, bind mounts), `--network`, `--security`, and `--device` in labs.",
        ],
    },
    InstructionDoc {
        keyword: "cmd",
        summary: "Sets what a container started from the image runs by default, or the default arguments of an exec-form `ENTRYPOINT`. Nothing runs at build time.",
        forms: &[
            form(
                "CMD [\"<executable>\", \"<arg>\", ...]",
                "Exec form: runs the program directly, so it receives stop signals.",
            ),
            form(
                "CMD [\"<arg>\", ...]",
                "Default arguments appended to an exec-form `ENTRYPOINT`.",
            ),
            form(
                "CMD <command> <arg> ...",
                "Shell form: wrapped in the image's shell (`/bin/sh -c`), which receives the signals instead of your program.",
            ),
        ],
        notes: &[
            "Only the last `CMD` of a stage counts; `docker run IMAGE args…` replaces it.",
            "BuildKit recommends the JSON form (build check JSONArgsRecommended).",
        ],
    },
    InstructionDoc {
        keyword: "entrypoint",
        summary: "Sets the program a container runs; `CMD` and the arguments of `docker run` are appended to it in exec form.",
        forms: &[
            form(
                "ENTRYPOINT [\"<executable>\", \"<arg>\", ...]",
                "Exec form: the program runs as the container's main process and gets the `CMD` values as extra arguments.",
            ),
            form(
                "ENTRYPOINT <command> <arg> ...",
                "Shell form: runs under `/bin/sh -c`, ignores `CMD` and `docker run` arguments, and the program does not receive stop signals directly.",
            ),
        ],
        notes: &[
            "Only the last `ENTRYPOINT` of a stage counts; `docker run --entrypoint` replaces it.",
            "Setting `ENTRYPOINT` drops a `CMD` inherited from the base image; `ENTRYPOINT []` clears the entrypoint.",
        ],
    },
    InstructionDoc {
        keyword: "label",
        summary: "Adds metadata to the image as key/value pairs (`docker inspect` shows them).",
        forms: &[
            form(
                "LABEL <key>=<value> [<key>=<value> ...]",
                "Quote values with spaces: `LABEL description=\"my app\"`.",
            ),
            form(
                "LABEL <key> <value>",
                "Legacy form: one key, the rest of the line is the value (build check LegacyKeyValueFormat).",
            ),
        ],
        notes: &[
            "Labels of the base image are inherited; setting a key again overrides it.",
            "Keys and values are expanded with ARG and ENV values. The `org.opencontainers.image.*` keys are the common convention.",
        ],
    },
    InstructionDoc {
        keyword: "maintainer",
        summary: "Deprecated: records the image's author. Write `LABEL org.opencontainers.image.authors=\"…\"` instead.",
        forms: &[form(
            "MAINTAINER <name>",
            "The rest of the line is the author (build check MaintainerDeprecated).",
        )],
        notes: &[],
    },
    InstructionDoc {
        keyword: "expose",
        summary: "Documents the ports the container listens on. It publishes nothing: `docker run -p` or `-P` does that.",
        forms: &[form(
            "EXPOSE <port>[/<protocol>] ...",
            "The protocol is `tcp` (the default) or `udp`, in lower case; `8000-8010` is a range.",
        )],
        notes: &[
            "An IP address or a host-port mapping (`8080:80`) does not belong here (build check ExposeInvalidFormat).",
            "Ports are expanded with ARG and ENV values.",
        ],
    },
    InstructionDoc {
        keyword: "env",
        summary: "Sets environment variables for the rest of the stage, for stages built `FROM` it, and for containers run from the image.",
        forms: &[
            form(
                "ENV <key>=<value> [<key>=<value> ...]",
                "Quote or escape values with spaces.",
            ),
            form(
                "ENV <key> <value>",
                "Legacy form: one key, the rest of the line is the value (build check LegacyKeyValueFormat).",
            ),
        ],
        notes: &[
            "Values are expanded against the environment as it was *before* this instruction: `ENV a=1 b=$a` does not see the new `a`.",
            "An ENV wins over an ARG of the same name.",
            "ENV values are saved in the image; for build-time-only values use ARG, and for secrets `RUN --mount=type=secret`.",
        ],
    },
    InstructionDoc {
        keyword: "add",
        summary: "Copies files into the image like COPY, and also fetches URLs, clones Git repositories and unpacks local tar archives.",
        forms: &[
            form(
                "ADD [flags] <src>... <dest>",
                "Sources are paths in the build context (wildcards allowed), HTTP(S) URLs or Git URLs.",
            ),
            form(
                "ADD [flags] [\"<src>\", ..., \"<dest>\"]",
                "JSON form, for paths with spaces.",
            ),
            form(
                "ADD [flags] <<EOF <dest>",
                "Heredoc form (frontend 1.4): the lines up to `EOF` become a file named `EOF`.",
            ),
        ],
        notes: &[
            "Prefer COPY for plain local files: ADD's unpacking and downloading can surprise.",
            "A relative `<dest>` is relative to WORKDIR; with several sources `<dest>` must be a directory ending in `/`.",
            "Remote files are not unpacked unless `--unpack` says so; `--checksum` pins what is downloaded.",
        ],
    },
    InstructionDoc {
        keyword: "copy",
        summary: "Copies files and directories from the build context, from another stage or image (`--from`), or from a named build context into the image.",
        forms: &[
            form(
                "COPY [flags] <src>... <dest>",
                "Sources are relative to the build context (or to the root of `--from`) and may use wildcards (`*`, `?`, `[…]`).",
            ),
            form(
                "COPY [flags] [\"<src>\", ..., \"<dest>\"]",
                "JSON form, for paths with spaces.",
            ),
            form(
                "COPY [flags] <<EOF <dest>",
                "Heredoc form (frontend 1.4): the lines up to `EOF` become a file named `EOF`.",
            ),
        ],
        notes: &[
            "Files matched by `.dockerignore` are not in the context and cannot be copied.",
            "A relative `<dest>` is relative to WORKDIR; with several sources `<dest>` must be a directory ending in `/`.",
            "A directory source copies its *contents*, not the directory itself (see `--parents` to keep paths).",
        ],
    },
    InstructionDoc {
        keyword: "volume",
        summary: "Marks paths as mount points for volumes; a container gets an anonymous volume there unless one is mounted.",
        forms: &[
            form("VOLUME [\"<path>\", ...]", "JSON form."),
            form("VOLUME <path> ...", "Paths separated by whitespace."),
        ],
        notes: &[
            "The declaration is inherited by images built on this one and cannot be removed there.",
            "Paths are expanded with ARG and ENV values; an empty path is an error.",
        ],
    },
    InstructionDoc {
        keyword: "user",
        summary: "Sets the user (and optionally the group) that later RUN, CMD and ENTRYPOINT run as, and the container's default user.",
        forms: &[form(
            "USER <user>[:<group>]",
            "A name or a numeric ID for each; the rest of the line is the value.",
        )],
        notes: &[
            "A name must exist in the image (`/etc/passwd`, `/etc/group`) when it is used; numeric IDs need not.",
            "Giving a group replaces the user's supplementary groups.",
        ],
    },
    InstructionDoc {
        keyword: "workdir",
        summary: "Sets the directory that later RUN, CMD, ENTRYPOINT, COPY and ADD work in, creating it when missing.",
        forms: &[form(
            "WORKDIR <path>",
            "The rest of the line is the path; spaces are allowed.",
        )],
        notes: &[
            "A relative path is taken from the previous WORKDIR; make the first one absolute, since the base image's may change (build check WorkdirRelativePath).",
            "The path is expanded with ARG and ENV values.",
        ],
    },
    InstructionDoc {
        keyword: "arg",
        summary: "Declares a build argument that `docker build --build-arg NAME=value` can set, with an optional default.",
        forms: &[form(
            "ARG <name>[=<default>] [<name>[=<default>] ...]",
            "Several names per ARG since frontend 1.2.",
        )],
        notes: &[
            "Before the first FROM an ARG is *global*: only FROM lines see it. A stage uses it after a bare `ARG <name>`, which takes the global value.",
            "A stage ARG lasts until the end of its stage and is inherited by stages built `FROM` it. A `--build-arg` always beats the default; an ENV of the same name beats both.",
            "BuildKit sets platform ARGs (`TARGETARCH`, `BUILDPLATFORM`, …) for FROM lines; a stage needs `ARG TARGETARCH` to read one.",
            "ARG values show in the image history: pass secrets with `RUN --mount=type=secret` instead. Flags on ARG are silently ignored.",
        ],
    },
    InstructionDoc {
        keyword: "onbuild",
        summary: "Stores an instruction that runs later, in the build of any Dockerfile that uses this image as its base.",
        forms: &[form(
            "ONBUILD <INSTRUCTION> <arguments>",
            "The trigger runs right after the downstream `FROM`, in the order the triggers were added.",
        )],
        notes: &[
            "`ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER` are not allowed.",
            "Since frontend 1.11 a trigger's `COPY --from` and `--mount=from=` name stages of the *downstream* Dockerfile.",
            "Variables in the trigger expand in the downstream build.",
        ],
    },
    InstructionDoc {
        keyword: "stopsignal",
        summary: "Sets the signal sent to the container's main process to stop it (`SIGTERM` when unset).",
        forms: &[form(
            "STOPSIGNAL <signal>",
            "A name such as `SIGQUIT` or a number such as `9`.",
        )],
        notes: &[
            "Flags on STOPSIGNAL are silently ignored; Windows containers do not support it.",
        ],
    },
    InstructionDoc {
        keyword: "healthcheck",
        summary: "Tells the container runtime how to check that a running container still works; it marks the container healthy or unhealthy.",
        forms: &[
            form(
                "HEALTHCHECK [flags] CMD <command>",
                "The command (shell or JSON form) exits 0 when healthy and 1 when not.",
            ),
            form(
                "HEALTHCHECK NONE",
                "Turns off a check inherited from the base image.",
            ),
        ],
        notes: &[
            "Flags: `--interval` (30s), `--timeout` (30s), `--start-period` (0s), `--start-interval` (5s), `--retries` (3); durations are written like `30s` or `1m30s`.",
            "Only the last HEALTHCHECK of a stage counts.",
        ],
    },
    InstructionDoc {
        keyword: "shell",
        summary: "Replaces the shell used by the shell form of later RUN, CMD and ENTRYPOINT instructions.",
        forms: &[form(
            "SHELL [\"<executable>\", \"<param>\", ...]",
            "Must be a JSON array; the default is `[\"/bin/sh\", \"-c\"]` on Linux and `[\"cmd\", \"/S\", \"/C\"]` on Windows.",
        )],
        notes: &[
            "It applies from here on and may be changed again; useful for `bash -o pipefail -c` or PowerShell.",
        ],
    },
];

/// The documentation of an instruction, by keyword in any case.
pub fn instruction(keyword: &str) -> Option<&'static InstructionDoc> {
    let keyword = keyword.to_ascii_lowercase();
    DOCS.iter().find(|d| d.keyword == keyword)
}

/// The hover text of an instruction keyword.
pub fn instruction_markdown(keyword: &str) -> Option<String> {
    let doc = instruction(keyword)?;
    let mut out = format!(
        "**{}**: {}\n\n```dockerfile\n",
        doc.keyword.to_ascii_uppercase(),
        doc.summary
    );
    for form in doc.forms {
        out.push_str(form.syntax);
        out.push('\n');
    }
    out.push_str("```\n");
    let several = doc.forms.len() > 1;
    for form in doc.forms {
        if several {
            out.push_str(&format!("- `{}`: {}\n", form.syntax, form.doc));
        } else {
            out.push_str(&format!("\n{}\n", form.doc));
        }
    }
    for note in doc.notes {
        out.push_str(&format!("\n{note}\n"));
    }
    Some(out.trim_end().to_string())
}

/// The `CMD` and `NONE` words of HEALTHCHECK.
pub fn healthcheck_type(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "cmd" => Some("**HEALTHCHECK CMD**: the command that checks the container, in shell or JSON form. Exit status 0 means healthy, 1 unhealthy; it runs every `--interval` inside the container."),
        "none" => Some("**HEALTHCHECK NONE**: turns off any health check inherited from the base image. It takes no arguments, and flags before it are not checked."),
        _ => None,
    }
}
