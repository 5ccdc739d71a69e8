//! Image-size estimates: what each stage and the final image will weigh,
//! part by part, with how each figure is known. Byte figures are unpacked
//! (on disk) unless a name says compressed.

pub mod amount;
pub mod artifacts;
pub mod catalog;
pub mod context;
pub mod dockerignore;
pub mod estimate;
pub mod packages;
pub mod present;
pub mod remote;
pub mod run;
pub mod sources;

pub use amount::{Bytes, Distro, Known, Part};
