//! dockerfile-ls: a language server for Dockerfiles.
//!
//! Layers (see ARCHITECTURE.md): `syntax` (parse trees over our grammar) is
//! the base everything else stands on.

pub mod ide;
pub mod model;
pub mod syntax;
