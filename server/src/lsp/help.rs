//! Hover and signature help as LSP types, in markdown or plain text as the
//! client asked.

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use super::encoding::{self, Encoding};
use crate::ide;

fn markup(text: String, markdown: bool) -> lsp::MarkupContent {
    if markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: text,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: plain_text(&text),
        }
    }
}

pub fn hover(rope: &Rope, encoding: Encoding, hover: ide::Hover, markdown: bool) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markup(hover.markdown(), markdown)),
        range: Some(encoding::range(rope, hover.range, encoding)),
    }
}

/// Parameters as label offsets when the client takes them (our labels are
/// ASCII, so byte offsets are UTF-16 offsets too), else as label text.
pub fn signature_help(
    help: ide::SignatureHelp,
    markdown: bool,
    label_offsets: bool,
) -> lsp::SignatureHelp {
    let signatures = help
        .signatures
        .into_iter()
        .map(|signature| {
            let parameters = signature
                .parameters
                .into_iter()
                .map(|p| lsp::ParameterInformation {
                    label: if label_offsets {
                        let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
                        lsp::ParameterLabel::LabelOffsets([
                            offset(p.range.start),
                            offset(p.range.end),
                        ])
                    } else {
                        lsp::ParameterLabel::Simple(
                            signature
                                .label
                                .get(p.range.clone())
                                .unwrap_or_default()
                                .to_string(),
                        )
                    },
                    documentation: Some(lsp::Documentation::MarkupContent(markup(
                        p.documentation,
                        markdown,
                    ))),
                })
                .collect();
            lsp::SignatureInformation {
                label: signature.label,
                documentation: Some(lsp::Documentation::MarkupContent(markup(
                    signature.documentation,
                    markdown,
                ))),
                parameters: Some(parameters),
                active_parameter: None,
            }
        })
        .collect();
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    lsp::SignatureHelp {
        signatures,
        active_signature: Some(index(help.active_signature)),
        active_parameter: help.active_parameter.map(index),
    }
}

/// Our markdown read as plain text: fences, emphasis and code marks go,
/// the words stay.
pub fn plain_text(markdown: &str) -> String {
    markdown
        .lines()
        .filter(|line| !line.trim_start().starts_with("```"))
        .map(|line| line.replace("**", "").replace('`', ""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup_only() {
        let text =
            plain_text("**RUN**: runs `sh`\n\n```dockerfile\nRUN <command>\n```\n- `--mount`");
        assert_eq!(text, "RUN: runs sh\n\nRUN <command>\n- --mount");
    }
}
