//! Reference documentation shown on hover and in signature help, written
//! for this project from BuildKit's behaviour (`shared/reference/
//! buildkit-syntax.md`). It is data: adding a flag to `ide/flags.rs`
//! without a doc here fails `tests/hover.rs`.

mod directives;
mod flags;
mod heredocs;
mod instructions;
mod mounts;
mod variables;

pub use directives::{check_option, directive, DirectiveDoc};
pub use flags::{flag, flag_markdown, FlagDoc};
pub use heredocs::{heredoc_markdown, parse_marker, Marker};
pub use instructions::{healthcheck_type, instruction, instruction_markdown, InstructionDoc};
pub use mounts::{
    mount_key, mount_key_markdown, mount_type, mount_type_markdown, MountKeyDoc, MountTypeDoc,
};
pub use variables::{automatic_arg, is_proxy_arg, AutomaticArg, AUTOMATIC_ARGS, PROXY_ARGS};
