//! `ide::completion` items as LSP completion items: byte ranges become
//! positions here, snippets only for clients that take them.

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use super::capabilities::Session;
use super::encoding;
use crate::ide::{CompletionItem, CompletionKind};

/// Typing one of these asks for completion: `-` starts a flag, `=` a flag
/// or mount value, `$` and `{` a variable, `,` the next mount field, `:` a
/// tag, a space the next word (an image after FROM, a trigger after ONBUILD).
pub const TRIGGER_CHARACTERS: &[&str] = &["-", "=", "$", "{", ",", ":", " "];

pub fn options() -> lsp::CompletionOptions {
    lsp::CompletionOptions {
        trigger_characters: Some(TRIGGER_CHARACTERS.iter().map(|c| c.to_string()).collect()),
        resolve_provider: Some(false),
        ..lsp::CompletionOptions::default()
    }
}

pub fn response(
    rope: &Rope,
    encoding: encoding::Encoding,
    session: &Session,
    items: Vec<CompletionItem>,
) -> lsp::CompletionResponse {
    // the order is ours (stages before images, common flags first): the
    // sort text keeps it, the client still filters by what was typed
    let width = items.len().to_string().len();
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(rope, encoding, session, item, format!("{i:0width$}")))
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    })
}

fn convert(
    rope: &Rope,
    encoding: encoding::Encoding,
    session: &Session,
    item: CompletionItem,
    sort_text: String,
) -> lsp::CompletionItem {
    let range = encoding::range(rope, item.range.clone(), encoding);
    let (new_text, format) = match item.snippet {
        Some(snippet) if session.completion_snippets => (snippet, lsp::InsertTextFormat::SNIPPET),
        _ => (item.insert, lsp::InsertTextFormat::PLAIN_TEXT),
    };
    let documentation = lsp::MarkupContent {
        kind: if session.completion_markdown {
            lsp::MarkupKind::Markdown
        } else {
            lsp::MarkupKind::PlainText
        },
        value: item.documentation,
    };
    let deprecated = item.deprecated;
    #[allow(deprecated)] // `deprecated` is the field older clients read
    lsp::CompletionItem {
        kind: Some(kind(item.kind)),
        detail: item.detail,
        documentation: Some(lsp::Documentation::MarkupContent(documentation)),
        sort_text: Some(sort_text),
        insert_text_format: Some(format),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range, new_text,
        ))),
        tags: (deprecated && session.completion_deprecated_tag)
            .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
        deprecated: (deprecated && !session.completion_deprecated_tag).then_some(true),
        label: item.label,
        ..lsp::CompletionItem::default()
    }
}

fn kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Directive => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Flag => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::MountKey => lsp::CompletionItemKind::FIELD,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        // stages are classes in the outline too
        CompletionKind::Stage => lsp::CompletionItemKind::CLASS,
        CompletionKind::Variable => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Image => lsp::CompletionItemKind::MODULE,
        CompletionKind::Tag => lsp::CompletionItemKind::CONSTANT,
    }
}
