//! Code actions: quick fixes for our diagnostics and refactors between
//! stages (name a stage, split a single-stage build into a builder and a
//! small runtime stage).
//!
//! Every action has an id that is stable for a given text and range, so the
//! LSP layer can offer it without its edit and compute the edit only when
//! the user picks it (`codeAction/resolve`): [`code_actions`] returns cheap
//! actions with their edits and expensive ones without, [`resolve`] computes
//! the edit of one action by id.

mod edit;
mod extract;
mod fixes;
mod split;
mod stage_image;
mod stage_name;

use std::ops::Range;

use super::{Analysis, Diagnostic, TextEdit};
use crate::size::Bytes;

pub use edit::apply;
pub use split::format_size;

/// Dockerfile text → the unpacked size of its final image, if known.
pub type Estimator<'a> = &'a dyn Fn(&str) -> Option<Bytes>;

/// A path relative to the build context → the file's text, if readable.
pub type ContextReader<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The kinds editors filter on (`CodeActionKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    RefactorRewrite,
    RefactorExtract,
    RefactorInline,
}

impl ActionKind {
    /// The LSP spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::QuickFix => "quickfix",
            ActionKind::RefactorRewrite => "refactor.rewrite",
            ActionKind::RefactorExtract => "refactor.extract",
            ActionKind::RefactorInline => "refactor.inline",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Action {
    /// Stable for the same text and range: `fix.unknown-stage@57`,
    /// `name-stage@0`, `split.alpine`.
    pub id: String,
    pub title: String,
    pub kind: ActionKind,
    /// The one obvious fix for its diagnostic.
    pub preferred: bool,
    /// The diagnostic this action fixes: its range and code.
    pub fixes: Option<(Range<usize>, String)>,
    /// Byte-range edits of the document, in any order and disjoint; `None`
    /// when the edit is computed on [`resolve`].
    pub edits: Option<Vec<TextEdit>>,
}

/// What a code action request asks about.
pub struct Request<'a> {
    /// The selection (empty for a cursor), in bytes.
    pub range: Range<usize>,
    /// The document's diagnostics (as the user's settings filter them).
    pub diagnostics: &'a [Diagnostic],
    /// The final image's size for a Dockerfile text, for split titles.
    pub estimate: Option<Estimator<'a>>,
    /// Files of the build context (`go.mod`, `Cargo.toml`, `package.json`).
    pub context: Option<ContextReader<'a>>,
    /// The kinds wanted (the client's `only`); `None` for all.
    pub only: Option<Vec<ActionKind>>,
}

impl<'a> Request<'a> {
    /// A request at a range with nothing else known.
    pub fn at(range: Range<usize>, diagnostics: &'a [Diagnostic]) -> Request<'a> {
        Request {
            range,
            diagnostics,
            estimate: None,
            context: None,
            only: None,
        }
    }

    /// Whether actions of a kind are wanted.
    pub fn wants(&self, kind: ActionKind) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&kind))
    }

    pub(crate) fn read_context(&self, path: &str) -> Option<String> {
        self.context.and_then(|read| read(path))
    }
}

/// An action whose edit may be deferred.
pub(crate) struct Candidate<'a> {
    pub id: String,
    pub title: String,
    pub kind: ActionKind,
    pub preferred: bool,
    pub fixes: Option<(Range<usize>, String)>,
    /// Cheap edits are computed when offered, the others on resolve.
    pub eager: bool,
    pub edit: Box<dyn FnOnce() -> Option<Vec<TextEdit>> + 'a>,
}

fn candidates<'a>(
    analysis: &'a Analysis,
    text: &'a str,
    request: &Request<'a>,
    for_title: bool,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    if request.wants(ActionKind::QuickFix) {
        fixes::quick_fixes(analysis, text, request, &mut out);
    }
    if request.wants(ActionKind::RefactorRewrite) {
        stage_name::name_stage(analysis, text, request, &mut out);
        split::split(analysis, text, request, for_title, &mut out);
    }
    if request.wants(ActionKind::RefactorExtract) || request.wants(ActionKind::RefactorInline) {
        stage_image::stage_image(analysis, text, request, &mut out);
    }
    if request.wants(ActionKind::RefactorExtract) {
        extract::extract(analysis, text, request, &mut out);
    }
    out.retain(|c| request.wants(c.kind));
    out
}

/// The actions offered for a range. Quick fixes carry their edits; refactors
/// leave them to [`resolve`].
pub fn code_actions(analysis: &Analysis, text: &str, request: &Request<'_>) -> Vec<Action> {
    let mut out = Vec::new();
    for c in candidates(analysis, text, request, true) {
        let edits = if c.eager {
            match (c.edit)() {
                Some(edits) => Some(edits),
                None => continue,
            }
        } else {
            None
        };
        out.push(Action {
            id: c.id,
            title: c.title,
            kind: c.kind,
            preferred: c.preferred,
            fixes: c.fixes,
            edits,
        });
    }
    out
}

/// The edits of the action `id` offered for the same text and range;
/// `None` when it is no longer offered.
pub fn resolve(
    analysis: &Analysis,
    text: &str,
    request: &Request<'_>,
    id: &str,
) -> Option<Vec<TextEdit>> {
    let candidate = candidates(analysis, text, request, false)
        .into_iter()
        .find(|c| c.id == id)?;
    (candidate.edit)()
}

/// Every action with its edits computed (tests, the CLI).
pub fn code_actions_resolved(
    analysis: &Analysis,
    text: &str,
    request: &Request<'_>,
) -> Vec<Action> {
    let mut out = Vec::new();
    for c in candidates(analysis, text, request, true) {
        let Some(edits) = (c.edit)() else { continue };
        out.push(Action {
            id: c.id,
            title: c.title,
            kind: c.kind,
            preferred: c.preferred,
            fixes: c.fixes,
            edits: Some(edits),
        });
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, id: &str) -> Option<String> {
        let analysis = Analysis::of_text(text);
        let request = Request::at(0..0, &[]);
        let edits = resolve(&analysis, text, &request, id)?;
        Some(apply(text, &edits))
    }

    #[test]
    fn a_split_keeps_crlf_line_breaks_and_a_missing_final_newline() {
        let text = "FROM golang:1.22\r\nWORKDIR /src\r\nCOPY . .\r\nRUN go build -o app .\r\nCMD [\"./app\"]";
        let after = split(text, "split.go.alpine").expect("offered");
        assert_eq!(
            after,
            "FROM golang:1.22 AS build\r\nENV CGO_ENABLED=0\r\nWORKDIR /src\r\nCOPY . .\r\nRUN go build -o app .\r\n\r\nFROM alpine:3.22\r\nWORKDIR /src\r\nCOPY --from=build /src/app /usr/local/bin/app\r\nCMD [\"/usr/local/bin/app\"]\r\n"
        );
    }

    #[test]
    fn a_named_stage_keeps_its_name_and_a_cross_build_platform_stays_behind() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS compile\nRUN CGO_ENABLED=0 go build -o /bin/tool ./cmd/tool\nENTRYPOINT [\"tool\"]\n";
        let after = split(text, "split.go.alpine").expect("offered");
        assert_eq!(
            after,
            "FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS compile\nRUN CGO_ENABLED=0 go build -o /bin/tool ./cmd/tool\n\nFROM alpine:3.22\nCOPY --from=compile /bin/tool /usr/local/bin/tool\nENTRYPOINT [\"/usr/local/bin/tool\"]\n"
        );
    }

    #[test]
    fn shell_form_commands_become_exec_form_where_there_is_no_shell() {
        let text =
            "FROM golang:1.22\nWORKDIR /src\nRUN go build -o server .\nCMD ./server --port 80\n";
        let scratch = split(text, "split.go.scratch").expect("offered");
        assert!(
            scratch.ends_with("CMD [\"/usr/local/bin/server\", \"--port\", \"80\"]\n"),
            "{scratch}"
        );
        // a command that needs a shell is not carried to scratch
        let text =
            "FROM golang:1.22\nWORKDIR /src\nRUN go build -o server .\nCMD ./server --port $PORT\n";
        assert!(split(text, "split.go.scratch").is_none());
        let alpine = split(text, "split.go.alpine").expect("alpine has a shell");
        assert!(
            alpine.ends_with("CMD /usr/local/bin/server --port $PORT\n"),
            "{alpine}"
        );
    }

    #[test]
    fn a_go_run_command_becomes_the_binary_and_comments_move_with_their_lines() {
        let text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o bin/api ./cmd/api\n# metadata\nLABEL a=b\n\n# start it\nCMD go run ./cmd/api\n";
        let after = split(text, "split.go.alpine").expect("offered");
        assert_eq!(
            after,
            "FROM golang:1.22 AS build\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\nRUN go build -o bin/api ./cmd/api\n\nFROM alpine:3.22\nWORKDIR /src\nCOPY --from=build /src/bin/api /usr/local/bin/api\n# metadata\nLABEL a=b\n# start it\nCMD [\"/usr/local/bin/api\"]\n"
        );
    }

    #[test]
    fn an_unknown_command_or_a_second_stage_means_no_split() {
        let unknown = "FROM golang:1.22\nRUN go build -o /app .\nCMD [\"./start.sh\"]\n";
        assert!(split(unknown, "split.go.alpine").is_none());
        let two = "FROM golang:1.22\nRUN go build -o /app .\nFROM alpine\n";
        assert!(split(two, "split.go.alpine").is_none());
    }

    #[test]
    fn a_user_the_builder_created_comes_with_its_account_files() {
        let text = "FROM golang:1.22\nRUN useradd app\nWORKDIR /src\nRUN go build -o /out/svc .\nUSER app\nCMD [\"/out/svc\"]\n";
        let after = split(text, "split.go.distroless").expect("offered");
        assert!(
            after.ends_with("COPY --from=build /out/svc /usr/local/bin/svc\nCOPY --from=build /etc/passwd /etc/group /etc/\nUSER app\nCMD [\"/usr/local/bin/svc\"]\n"),
            "{after}"
        );
        let numeric = text.replace("USER app", "USER 1000:1000");
        let after = split(&numeric, "split.go.distroless").expect("offered");
        assert!(!after.contains("/etc/passwd"), "{after}");
    }

    #[test]
    fn stage_args_used_by_runtime_lines_come_along() {
        let text = "FROM rust:1.78\nARG VERSION=1\nWORKDIR /w\nRUN cargo build --release --bin svc\nLABEL version=$VERSION\nCMD [\"./target/release/svc\"]\n";
        let after = split(text, "split.rust.slim").expect("offered");
        assert!(
            after.contains("\nFROM debian:trixie-slim\nWORKDIR /w\nCOPY --from=build /w/target/release/svc /usr/local/bin/svc\nARG VERSION=1\nLABEL version=$VERSION\n"),
            "{after}"
        );
    }
}
