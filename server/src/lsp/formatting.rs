//! `textDocument/formatting` and `rangeFormatting`: the client's
//! `FormattingOptions` and our `format.*` settings in, LSP edits out.

use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::documents::Snapshot;
use super::encoding::{self, Encoding};
use crate::ide::{self, FormatOptions, FormatSettings, Indent};

/// The options of one request: indentation from the client (its editor
/// knows the file's tab settings), the rest from our settings.
pub fn options(client: &lsp::FormattingOptions, settings: &FormatSettings) -> FormatOptions {
    let tab_size = usize::try_from(client.tab_size).unwrap_or(4).clamp(1, 16);
    FormatOptions {
        indent: if client.insert_spaces {
            Indent::Spaces(tab_size)
        } else {
            Indent::Tab
        },
        tab_width: tab_size,
        uppercase_keywords: settings.uppercase_keywords,
        indent_continuations: settings.indent_continuations,
        ..FormatOptions::default()
    }
}

/// The edits for the whole document, or for the lines `range` touches.
pub fn edits(
    snapshot: &Snapshot,
    encoding: Encoding,
    options: &FormatOptions,
    range: Option<lsp::Range>,
) -> Vec<lsp::TextEdit> {
    let span = range.map(|range| {
        let start = encoding::offset(&snapshot.rope, range.start, encoding);
        let end = encoding::offset(&snapshot.rope, range.end, encoding);
        start.min(end)..end.max(start)
    });
    ide::format(&snapshot.analysis, &snapshot.rope, options, span)
        .into_iter()
        .map(|edit| convert::text_edit(&snapshot.rope, encoding, (edit.range, edit.new_text)))
        .collect()
}
