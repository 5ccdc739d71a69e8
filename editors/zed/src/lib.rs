//! Zed extension for dockerfile-ls: starts the `dockerfile-ls` language server
//! for Zed's "Dockerfile" language (defined by Zed's own Dockerfile extension).
//!
//! The decisions live in plain functions, unit-tested on the host with
//! `cargo test`: [`launch`] picks the command, [`settings`] builds the JSON
//! the server gets. The Zed glue in `extension.rs` only exists in the wasm
//! build (`cargo build --release --target wasm32-wasip2`), the only one that
//! links `zed_extension_api`.

pub mod launch;
pub mod settings;

#[cfg(target_arch = "wasm32")]
mod extension;
