//! Parser directives: `# syntax=`, `# escape=`, `# check=`.

#[derive(Debug, Clone, Copy)]
pub struct DirectiveDoc {
    pub name: &'static str,
    pub syntax: &'static str,
    pub summary: &'static str,
    pub notes: &'static [&'static str],
}

/// Where every directive must be, said once for all three.
const PLACEMENT: &str = "Directives are read only at the very top of the file, before any instruction, blank line or ordinary comment; the key is case-insensitive and each may appear once.";

const DOCS: &[DirectiveDoc] = &[
    DirectiveDoc {
        name: "syntax",
        syntax: "# syntax=<frontend image>",
        summary: "Chooses the Dockerfile frontend (the parser and converter BuildKit runs) for this file, pulled as an image. Without it the builder's bundled frontend is used.",
        notes: &[
            "`docker/dockerfile:1` follows the newest 1.x release; `docker/dockerfile:1.7` pins a minor version; `docker/dockerfile:1-labs` adds the labs features (such as `RUN --device`).",
            "The build argument `BUILDKIT_SYNTAX` overrides it.",
            "It is still read after a `#!` first line.",
        ],
    },
    DirectiveDoc {
        name: "escape",
        syntax: "# escape=\\\n# escape=`",
        summary: "Sets the escape character, which escapes characters in words and continues an instruction on the next line: a backslash (the default) or a backtick, handy on Windows where `\\` separates paths.",
        notes: &[
            "Any other character is an error.",
            "Ignored after a `#!` first line.",
            "Inside RUN, CMD and ENTRYPOINT shell text it only matters at the end of a line.",
        ],
    },
    DirectiveDoc {
        name: "check",
        syntax: "# check=skip=<rules>|all;error=<bool>;experimental=<rules>|all",
        summary: "Configures BuildKit's build checks (frontend 1.8): options separated by `;`. Only the text up to the first space is read.",
        notes: &[
            "The build argument `BUILDKIT_DOCKERFILE_CHECK` replaces it.",
            "Since frontend 1.21 a `# check=skip=<rules>` comment right above an instruction applies to that instruction only.",
        ],
    },
];

/// The options of the `check` directive.
const CHECK_OPTIONS: &[(&str, &str)] = &[
    ("skip", "`skip=<Rule>,<Rule>` turns the named checks off (names in PascalCase, as BuildKit reports them); `skip=all` turns every check off. Experimental checks are unaffected."),
    ("error", "`error=true` makes the build fail when any check reports a problem (\"lint violation found for rules: …\"). Any Go boolean (`1`, `t`, `false`, …)."),
    ("experimental", "`experimental=<Rule>,<Rule>` or `experimental=all` turns on checks that are off by default, such as InvalidDefinitionDescription (frontend 1.10)."),
];

/// The documentation of a directive, by key in any case.
pub fn directive(name: &str) -> Option<&'static DirectiveDoc> {
    let name = name.to_ascii_lowercase();
    DOCS.iter().find(|d| d.name == name)
}

/// The documentation of one `check` option.
pub fn check_option(name: &str) -> Option<&'static str> {
    CHECK_OPTIONS
        .iter()
        .find(|(option, _)| option.eq_ignore_ascii_case(name))
        .map(|(_, doc)| *doc)
}

impl DirectiveDoc {
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "**`{}`** (parser directive): {}\n\n```dockerfile\n{}\n```",
            self.name, self.summary, self.syntax
        );
        if self.name == "check" {
            out.push('\n');
            for (option, doc) in CHECK_OPTIONS {
                out.push_str(&format!("\n- `{option}`: {doc}"));
            }
        }
        for note in self.notes {
            out.push_str(&format!("\n\n{note}"));
        }
        out.push_str(&format!("\n\n{PLACEMENT}"));
        out
    }
}
