//! Document links and code lenses in LSP's terms.

use ropey::Rope;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::encoding::{self, Encoding};
use crate::ide;

/// `None` for a target that is no valid URI (it never should be: the ide
/// builds them from image names that hold no spaces or variables).
pub fn document_link(
    rope: &Rope,
    encoding: Encoding,
    link: ide::Link,
) -> Option<lsp::DocumentLink> {
    let target = link.target.parse::<Uri>().ok()?;
    Some(lsp::DocumentLink {
        range: encoding::range(rope, link.range, encoding),
        target: Some(target),
        tooltip: None,
        data: None,
    })
}

/// A lens that only shows its title: a command with an empty id is what
/// clients render as plain text (VS Code, Neovim), and nothing is run.
pub fn code_lens(rope: &Rope, encoding: Encoding, lens: &ide::Lens) -> lsp::CodeLens {
    lsp::CodeLens {
        range: encoding::range(rope, lens.range.clone(), encoding),
        command: Some(lsp::Command {
            title: lens.title(),
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }
}
