//! dockerfile-ls: a language server for Dockerfiles.
//!
//! Layers (see ARCHITECTURE.md): `syntax` (parse trees over our grammar) is
//! the base everything else stands on.

pub mod cli;
pub mod ide;
pub mod lsp;
pub mod model;
pub mod size;
pub mod syntax;
