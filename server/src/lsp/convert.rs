//! `ide` results as LSP types: byte ranges become positions here, at the
//! edge, in the negotiated encoding.

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::encoding::{self, Encoding};
use crate::ide;
use crate::model::Span;

pub const SOURCE: &str = "dockerfile-ls";

/// A document's diagnostics in LSP terms. The rule URLs repeat (one per
/// code), so each is parsed once.
pub fn diagnostics(
    rope: &Rope,
    uri: &Uri,
    encoding: Encoding,
    items: &[ide::Diagnostic],
) -> Vec<lsp::Diagnostic> {
    let mut urls: std::collections::HashMap<&str, Option<Uri>> = Default::default();
    let mut positions = encoding::Positions::new(rope, encoding);
    items
        .iter()
        .map(|d| {
            let href = d.url.as_deref().and_then(|url| {
                urls.entry(url)
                    .or_insert_with(|| url.parse::<Uri>().ok())
                    .clone()
            });
            with_href(&mut positions, uri, d, href)
        })
        .collect()
}

pub fn diagnostic(
    rope: &Rope,
    uri: &Uri,
    encoding: Encoding,
    diagnostic: &ide::Diagnostic,
) -> lsp::Diagnostic {
    // a URL that does not parse is dropped rather than failing the list
    let href = diagnostic
        .url
        .as_deref()
        .and_then(|url| url.parse::<Uri>().ok());
    let mut positions = encoding::Positions::new(rope, encoding);
    with_href(&mut positions, uri, diagnostic, href)
}

fn with_href(
    positions: &mut encoding::Positions<'_>,
    uri: &Uri,
    diagnostic: &ide::Diagnostic,
    href: Option<Uri>,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .map(|related| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), positions.range(related.range.clone())),
            message: related.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: positions.range(diagnostic.range.clone()),
        severity: Some(severity(diagnostic.severity)),
        code: Some(lsp::NumberOrString::String(diagnostic.code.clone())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: diagnostic
            .unnecessary
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn severity(severity: ide::Severity) -> lsp::DiagnosticSeverity {
    match severity {
        ide::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        ide::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        ide::Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        ide::Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

pub fn location(rope: &Rope, uri: &Uri, encoding: Encoding, span: Span) -> lsp::Location {
    lsp::Location::new(uri.clone(), encoding::range(rope, span, encoding))
}

/// The definition as a link when the client can show one (the whole FROM
/// or ARG line as context, the name selected), else as a plain location.
pub fn definition(
    rope: &Rope,
    uri: &Uri,
    encoding: Encoding,
    target: ide::NavigationTarget,
    origin: Option<lsp::Range>,
    link_support: bool,
) -> lsp::GotoDefinitionResponse {
    if link_support {
        lsp::GotoDefinitionResponse::Link(vec![lsp::LocationLink {
            origin_selection_range: origin,
            target_uri: uri.clone(),
            target_range: encoding::range(rope, target.full, encoding),
            target_selection_range: encoding::range(rope, target.focus, encoding),
        }])
    } else {
        lsp::GotoDefinitionResponse::Scalar(location(rope, uri, encoding, target.focus))
    }
}

pub fn highlight(
    rope: &Rope,
    encoding: Encoding,
    (span, access): (Span, ide::Access),
) -> lsp::DocumentHighlight {
    lsp::DocumentHighlight {
        range: encoding::range(rope, span, encoding),
        kind: Some(match access {
            ide::Access::Read => lsp::DocumentHighlightKind::READ,
            ide::Access::Write => lsp::DocumentHighlightKind::WRITE,
        }),
    }
}

pub fn symbol_kind(kind: ide::SymbolKind) -> lsp::SymbolKind {
    match kind {
        ide::SymbolKind::Stage => lsp::SymbolKind::CLASS,
        ide::SymbolKind::Instruction => lsp::SymbolKind::FUNCTION,
        ide::SymbolKind::Variable => lsp::SymbolKind::VARIABLE,
    }
}

/// The nested outline. Positions are converted in document order (a
/// symbol's start, its name, its children, its end), so one cursor serves
/// them all by scanning forward: converting each range afresh went through
/// the rope's line index twice a position.
pub fn document_symbols(
    rope: &Rope,
    encoding: Encoding,
    symbols: Vec<ide::Symbol>,
) -> Vec<lsp::DocumentSymbol> {
    fn convert(
        positions: &mut encoding::Positions<'_>,
        symbol: ide::Symbol,
    ) -> lsp::DocumentSymbol {
        let start = positions.at(symbol.range.start);
        let selection_range = positions.range(symbol.selection);
        let children: Vec<lsp::DocumentSymbol> = symbol
            .children
            .into_iter()
            .map(|child| convert(positions, child))
            .collect();
        let end = positions.at(symbol.range.end.max(symbol.range.start));
        #[allow(deprecated)] // `deprecated` is a required field of the struct
        lsp::DocumentSymbol {
            name: symbol.name,
            detail: symbol.detail,
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            range: lsp::Range::new(start, end),
            selection_range,
            children: (!children.is_empty()).then_some(children),
        }
    }
    let mut positions = encoding::Positions::new(rope, encoding);
    symbols
        .into_iter()
        .map(|symbol| convert(&mut positions, symbol))
        .collect()
}

/// The nested outline, written as JSON straight from the symbols: the
/// typed `DocumentSymbol`s would be another copy of every name and detail,
/// alive while the JSON is written (half a megabyte at 10,000 lines).
/// Serializes as [`document_symbols`] converts.
pub struct NestedOutline {
    pub rope: Rope,
    pub encoding: Encoding,
    /// The symbols are made from it one stage at a time, as they are written.
    pub analysis: std::sync::Arc<ide::Analysis>,
}

impl serde::Serialize for NestedOutline {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let positions =
            std::cell::RefCell::new(encoding::Positions::new(&self.rope, self.encoding));
        serializer.collect_seq(ide::symbols(&self.analysis).map(|symbol| OwnedSymbolJson {
            symbol,
            positions: &positions,
        }))
    }
}

struct OwnedSymbolJson<'a, 'r> {
    symbol: ide::Symbol,
    positions: &'a std::cell::RefCell<encoding::Positions<'r>>,
}

impl serde::Serialize for OwnedSymbolJson<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SymbolJson {
            symbol: &self.symbol,
            positions: self.positions,
        }
        .serialize(serializer)
    }
}

struct SymbolJson<'a, 'r> {
    symbol: &'a ide::Symbol,
    /// One cursor for the whole outline: positions are asked in document
    /// order (start, selection, children, end), as `document_symbols` asks.
    positions: &'a std::cell::RefCell<encoding::Positions<'r>>,
}

impl serde::Serialize for SymbolJson<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let symbol = self.symbol;
        let start = self.positions.borrow_mut().at(symbol.range.start);
        let selection = self.positions.borrow_mut().range(symbol.selection.clone());
        let mut out = serializer.serialize_struct("DocumentSymbol", 6)?;
        out.serialize_field("name", &symbol.name)?;
        if let Some(detail) = &symbol.detail {
            out.serialize_field("detail", detail)?;
        }
        out.serialize_field("kind", &symbol_kind(symbol.kind))?;
        out.serialize_field("selectionRange", &selection)?;
        if !symbol.children.is_empty() {
            let children = Children {
                symbols: &symbol.children,
                positions: self.positions,
            };
            out.serialize_field("children", &children)?;
        }
        let end = self
            .positions
            .borrow_mut()
            .at(symbol.range.end.max(symbol.range.start));
        out.serialize_field("range", &lsp::Range::new(start, end))?;
        out.end()
    }
}

struct Children<'a, 'r> {
    symbols: &'a [ide::Symbol],
    positions: &'a std::cell::RefCell<encoding::Positions<'r>>,
}

impl serde::Serialize for Children<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.symbols.iter().map(|symbol| SymbolJson {
            symbol,
            positions: self.positions,
        }))
    }
}

/// A `documentSymbol` result, serialized as the client asked for it.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum Outline {
    Nested(NestedOutline),
    Flat(Vec<lsp::SymbolInformation>),
}

/// The outline for clients without hierarchical symbols: every symbol with
/// its parent's name as container (positions in document order, as above).
pub fn flat_symbols(
    rope: &Rope,
    uri: &Uri,
    encoding: Encoding,
    symbols: Vec<ide::Symbol>,
) -> Vec<lsp::SymbolInformation> {
    fn walk(
        positions: &mut encoding::Positions<'_>,
        uri: &Uri,
        symbol: ide::Symbol,
        container: Option<&str>,
        out: &mut Vec<lsp::SymbolInformation>,
    ) {
        let start = positions.at(symbol.range.start);
        let at = out.len();
        #[allow(deprecated)] // `deprecated` is a required field of the struct
        out.push(lsp::SymbolInformation {
            name: symbol.name.clone(),
            kind: symbol_kind(symbol.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), lsp::Range::new(start, start)),
            container_name: container.map(str::to_string),
        });
        for child in symbol.children {
            walk(positions, uri, child, Some(&symbol.name), out);
        }
        out[at].location.range.end = positions.at(symbol.range.end.max(symbol.range.start));
    }
    let mut positions = encoding::Positions::new(rope, encoding);
    let mut out = Vec::new();
    for symbol in symbols {
        walk(&mut positions, uri, symbol, None, &mut out);
    }
    out
}

pub fn folding_range(fold: ide::Fold) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: u32::try_from(fold.start_line).unwrap_or(u32::MAX),
        start_character: None,
        end_line: u32::try_from(fold.end_line).unwrap_or(u32::MAX),
        end_character: None,
        kind: Some(match fold.kind {
            ide::FoldKind::Region => lsp::FoldingRangeKind::Region,
            ide::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
        }),
        collapsed_text: None,
    }
}

pub fn text_edit(
    rope: &Rope,
    encoding: Encoding,
    (span, new_text): (Span, String),
) -> lsp::TextEdit {
    lsp::TextEdit::new(encoding::range(rope, span, encoding), new_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::Analysis;

    /// Outlines converted in one forward pass carry the positions each
    /// range converted on its own would: multi-byte text, CRLF and CR line
    /// ends, long lines, heredocs, in every encoding, nested and flat.
    #[test]
    fn outline_positions_equal_positions_converted_one_by_one() {
        let long = "x".repeat(3000);
        let texts = [
            "FROM golang:1.22 AS builder\nRUN go build -o /app\nFROM alpine\nCOPY --from=builder /app /app\n".to_string(),
            format!("# syntax=docker/dockerfile:1\r\nFROM alpine AS é🐳\r\nRUN echo {long} \\\r\n  && true\r\nLABEL a=\"ü\"\rFROM scratch\rCOPY --from=é🐳 / /\r"),
            "FROM debian\nRUN <<EOF\napt-get update\nEOF\nENV A=1 \\\n    B=2\nFROM debian AS two\nWORKDIR /ü\n".repeat(40),
        ];
        for text in &texts {
            let rope = Rope::from_str(text);
            let analysis =
                std::sync::Arc::new(Analysis::from_tree(crate::syntax::parse(text), &rope));
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let symbols = ide::document_symbols(&analysis);
                let mut expected = Vec::new();
                fn walk(
                    rope: &Rope,
                    encoding: Encoding,
                    symbol: &ide::Symbol,
                    out: &mut Vec<(lsp::Range, lsp::Range)>,
                ) {
                    out.push((
                        encoding::range(rope, symbol.range.clone(), encoding),
                        encoding::range(rope, symbol.selection.clone(), encoding),
                    ));
                    for child in &symbol.children {
                        walk(rope, encoding, child, out);
                    }
                }
                for symbol in &symbols {
                    walk(&rope, encoding, symbol, &mut expected);
                }
                assert!(expected.len() > 2, "{text:?}");

                let mut nested = Vec::new();
                fn flatten(symbol: &lsp::DocumentSymbol, out: &mut Vec<(lsp::Range, lsp::Range)>) {
                    out.push((symbol.range, symbol.selection_range));
                    for child in symbol.children.iter().flatten() {
                        flatten(child, out);
                    }
                }
                for symbol in document_symbols(&rope, encoding, symbols.clone()) {
                    flatten(&symbol, &mut nested);
                }
                assert_eq!(nested, expected, "{encoding:?} {text:?}");

                // the routed outline writes the same JSON the typed one does
                let typed =
                    serde_json::to_value(document_symbols(&rope, encoding, symbols.clone()))
                        .unwrap();
                let written = serde_json::to_value(Outline::Nested(NestedOutline {
                    rope: rope.clone(),
                    encoding,
                    analysis: analysis.clone(),
                }))
                .unwrap();
                assert_eq!(written, typed, "{encoding:?} {text:?}");

                let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
                let flat: Vec<lsp::Range> = flat_symbols(&rope, &uri, encoding, symbols)
                    .into_iter()
                    .map(|s| s.location.range)
                    .collect();
                let ranges: Vec<lsp::Range> = expected.iter().map(|(range, _)| *range).collect();
                assert_eq!(flat, ranges, "{encoding:?} {text:?}");
            }
        }
    }
}
