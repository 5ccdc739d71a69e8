//! The forms of each instruction as signature help shows them. Labels are
//! ASCII so parameter offsets are the same in every position encoding.

/// A parameter: its text in the label (unique there) and what it is.
pub(super) type Param = (&'static str, &'static str);

#[derive(Debug, Clone, Copy)]
pub(super) struct FormDef {
    pub label: &'static str,
    pub doc: &'static str,
    pub params: &'static [Param],
}

/// Stands for the instruction's flags; documented from the flag table.
pub(super) const FLAGS: &str = "[flags]";

const fn form(label: &'static str, doc: &'static str, params: &'static [Param]) -> FormDef {
    FormDef { label, doc, params }
}

const FLAGS_PARAM: Param = (FLAGS, "");
const COMMAND: Param = (
    "<command>",
    "Shell text: the rest of the line, run by the shell.",
);
const EXECUTABLE: Param = (
    "\"<executable>\"",
    "The program to run, as a JSON string in double quotes.",
);
const ARGS: Param = (
    "\"<arg>\", ...",
    "Its arguments, each a JSON string. `$VAR` is not expanded: there is no shell.",
);

const FROM: &[FormDef] = &[form(
    "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
    "Starts a build stage on an image, an earlier stage or `scratch`.",
    &[
        (
            "[--platform=<platform>]",
            "The base image's platform, e.g. `linux/amd64` or `$BUILDPLATFORM`.",
        ),
        (
            "<image>[:<tag>|@<digest>]",
            "An image reference, a stage named above, or `scratch`. Global ARGs expand here.",
        ),
        (
            "[AS <name>]",
            "Names the stage for `COPY --from`, `--mount=from=`, `FROM <name>` and `--target`.",
        ),
    ],
)];

const RUN: &[FormDef] = &[
    form(
        "RUN [flags] <command>",
        "Shell form: the command runs in the shell (`/bin/sh -c` by default).",
        &[FLAGS_PARAM, COMMAND],
    ),
    form(
        "RUN [flags] [\"<executable>\", \"<arg>\", ...]",
        "Exec form: a JSON array, run without a shell.",
        &[FLAGS_PARAM, EXECUTABLE, ARGS],
    ),
    form(
        "RUN [flags] <<EOF",
        "Heredoc form: the lines below, up to `EOF`, are the script.",
        &[
            FLAGS_PARAM,
            (
                "<<EOF",
                "Starts the heredoc; `<<-EOF` strips leading tabs, a quoted word keeps the text literal.",
            ),
        ],
    ),
];

const CMD: &[FormDef] = &[
    form(
        "CMD [\"<executable>\", \"<arg>\", ...]",
        "Exec form (recommended): the program gets stop signals. With an exec-form ENTRYPOINT, only arguments: `CMD [\"<arg>\", ...]`.",
        &[EXECUTABLE, ARGS],
    ),
    form(
        "CMD <command> <arg>...",
        "Shell form: wrapped in `/bin/sh -c`.",
        &[
            ("<command>", "The program, run by the shell."),
            ("<arg>...", "Its arguments, shell text."),
        ],
    ),
];

const ENTRYPOINT: &[FormDef] = &[
    form(
        "ENTRYPOINT [\"<executable>\", \"<arg>\", ...]",
        "Exec form (recommended): CMD and `docker run` arguments are appended.",
        &[EXECUTABLE, ARGS],
    ),
    form(
        "ENTRYPOINT <command> <arg>...",
        "Shell form: wrapped in `/bin/sh -c`; CMD and `docker run` arguments are ignored.",
        &[
            ("<command>", "The program, run by the shell."),
            ("<arg>...", "Its arguments, shell text."),
        ],
    ),
];

const SRC: &str = "A path in the build context (or in the `--from` source); wildcards allowed.";
const DEST: Param = (
    "<dest>",
    "Where to copy to; relative to WORKDIR. End it with `/` when it is a directory.",
);

const COPY: &[FormDef] = &[
    form(
        "COPY [flags] <src>... <dest>",
        "Copies sources into the image; the last word is the destination.",
        &[FLAGS_PARAM, ("<src>...", SRC), DEST],
    ),
    form(
        "COPY [flags] [\"<src>\", ..., \"<dest>\"]",
        "JSON form, for paths with spaces.",
        &[
            FLAGS_PARAM,
            ("[\"<src>\", ...,", SRC),
            ("\"<dest>\"]", "The destination, last."),
        ],
    ),
    form(
        "COPY [flags] <<EOF <dest>",
        "Heredoc form: the lines up to `EOF` become a file named `EOF`.",
        &[
            FLAGS_PARAM,
            (
                "<<EOF",
                "Starts the heredoc; quote the word to copy the text literally.",
            ),
            DEST,
        ],
    ),
];

const ADD: &[FormDef] = &[
    form(
        "ADD [flags] <src>... <dest>",
        "Copies sources into the image, also from URLs and Git; local archives are unpacked.",
        &[
            FLAGS_PARAM,
            (
                "<src>...",
                "A path in the build context, a wildcard pattern, an HTTP(S) URL or a Git URL.",
            ),
            DEST,
        ],
    ),
    form(
        "ADD [flags] [\"<src>\", ..., \"<dest>\"]",
        "JSON form, for paths with spaces.",
        &[
            FLAGS_PARAM,
            ("[\"<src>\", ...,", "Sources, as JSON strings."),
            ("\"<dest>\"]", "The destination, last."),
        ],
    ),
    form(
        "ADD [flags] <<EOF <dest>",
        "Heredoc form: the lines up to `EOF` become a file named `EOF`.",
        &[
            FLAGS_PARAM,
            (
                "<<EOF",
                "Starts the heredoc; unquoted, `$VAR` in the text is expanded.",
            ),
            DEST,
        ],
    ),
];

const HEALTHCHECK: &[FormDef] = &[
    form(
        "HEALTHCHECK [flags] CMD <command>",
        "Checks the running container; exit 0 is healthy, 1 unhealthy.",
        &[
            FLAGS_PARAM,
            ("CMD", "Introduces the check command."),
            ("<command>", "The check, in shell or JSON form."),
        ],
    ),
    form(
        "HEALTHCHECK NONE",
        "Turns off a check inherited from the base image.",
        &[("NONE", "Takes no arguments.")],
    ),
];

const KEY_VALUE: &str = "A name; quote it when it has spaces.";

const ENV: &[FormDef] = &[
    form(
        "ENV <key>=<value> ...",
        "Sets environment variables, kept in the image.",
        &[
            ("<key>", KEY_VALUE),
            (
                "<value>",
                "The value; quote or escape spaces. `$VAR` expands with what was set before this line.",
            ),
        ],
    ),
    form(
        "ENV <key> <value>",
        "Legacy form: one variable, the rest of the line is the value.",
        &[("<key>", KEY_VALUE), ("<value>", "The rest of the line.")],
    ),
];

const LABEL: &[FormDef] = &[
    form(
        "LABEL <key>=<value> ...",
        "Adds metadata to the image.",
        &[
            (
                "<key>",
                "A label key, e.g. `org.opencontainers.image.source`.",
            ),
            ("<value>", "The value; quote it when it has spaces."),
        ],
    ),
    form(
        "LABEL <key> <value>",
        "Legacy form: one label, the rest of the line is the value.",
        &[
            ("<key>", "A label key."),
            ("<value>", "The rest of the line."),
        ],
    ),
];

const ARG: &[FormDef] = &[form(
    "ARG <name>[=<default>] ...",
    "Declares build arguments that `--build-arg` can set.",
    &[
        ("<name>", "The argument's name: letters, digits and `_`."),
        (
            "[=<default>]",
            "The value when no `--build-arg` is given; without it a stage ARG takes the global one.",
        ),
    ],
)];

const EXPOSE: &[FormDef] = &[form(
    "EXPOSE <port>[/<protocol>] ...",
    "Documents the ports the container listens on.",
    &[
        ("<port>", "A port number or a range such as `8000-8010`."),
        (
            "[/<protocol>]",
            "`tcp` (the default) or `udp`, in lower case.",
        ),
    ],
)];

const USER: &[FormDef] = &[form(
    "USER <user>[:<group>]",
    "Sets the user later instructions and the container run as.",
    &[
        ("<user>", "A user name or numeric UID."),
        ("[:<group>]", "A group name or numeric GID."),
    ],
)];

const SHELL: &[FormDef] = &[form(
    "SHELL [\"<executable>\", \"<param>\", ...]",
    "Sets the shell for shell-form RUN, CMD and ENTRYPOINT; must be JSON.",
    &[
        (
            "\"<executable>\"",
            "The shell program, e.g. `\"/bin/bash\"`.",
        ),
        (
            "\"<param>\", ...",
            "Its options before the command, e.g. `\"-o\", \"pipefail\", \"-c\"`.",
        ),
    ],
)];

const WORKDIR: &[FormDef] = &[form(
    "WORKDIR <path>",
    "Sets the working directory, creating it when missing.",
    &[(
        "<path>",
        "Absolute, or relative to the previous WORKDIR; the rest of the line.",
    )],
)];

const VOLUME: &[FormDef] = &[
    form(
        "VOLUME [\"<path>\", ...]",
        "Declares volume mount points (JSON form).",
        &[(
            "\"<path>\", ...",
            "Paths in the container, as JSON strings.",
        )],
    ),
    form(
        "VOLUME <path> ...",
        "Declares volume mount points.",
        &[("<path> ...", "Paths in the container, separated by spaces.")],
    ),
];

const STOPSIGNAL: &[FormDef] = &[form(
    "STOPSIGNAL <signal>",
    "Sets the signal that stops the container.",
    &[(
        "<signal>",
        "A name such as `SIGQUIT` or a number such as `9`.",
    )],
)];

const MAINTAINER: &[FormDef] = &[form(
    "MAINTAINER <name>",
    "Deprecated: use `LABEL org.opencontainers.image.authors=...`.",
    &[("<name>", "The author; the rest of the line.")],
)];

const ONBUILD: &[FormDef] = &[form(
    "ONBUILD <INSTRUCTION> <arguments>",
    "Stores an instruction that runs when another build uses this image as its base.",
    &[
        (
            "<INSTRUCTION>",
            "Any instruction but FROM, MAINTAINER and ONBUILD.",
        ),
        ("<arguments>", "The trigger's arguments."),
    ],
)];

/// The forms of an instruction (lowercased keyword).
pub(super) fn forms(keyword: &str) -> &'static [FormDef] {
    match keyword {
        "from" => FROM,
        "run" => RUN,
        "cmd" => CMD,
        "entrypoint" => ENTRYPOINT,
        "copy" => COPY,
        "add" => ADD,
        "healthcheck" => HEALTHCHECK,
        "env" => ENV,
        "label" => LABEL,
        "arg" => ARG,
        "expose" => EXPOSE,
        "user" => USER,
        "shell" => SHELL,
        "workdir" => WORKDIR,
        "volume" => VOLUME,
        "stopsignal" => STOPSIGNAL,
        "maintainer" => MAINTAINER,
        "onbuild" => ONBUILD,
        _ => &[],
    }
}
