//! Reading and analysing the inputs, in parallel.

use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use super::discover::Input;
use crate::ide::{Analysis, Diagnostic, DiagnosticSettings};

/// One analysed file.
pub struct Checked {
    pub name: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// `--target` names no stage of this file.
    pub target_missing: bool,
}

/// Invalid UTF-8 is replaced rather than refused: the rest of the file is
/// still worth checking. The BOM is dropped as BuildKit drops it, so it
/// shifts no column.
pub fn decode(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()
}

/// Results in the order of `inputs`; an error is a message for stderr.
/// `stdin` is read beforehand, once, however often `-` was given.
pub fn check_all(
    inputs: &[Input],
    stdin: Option<&Result<String, String>>,
    settings: &DiagnosticSettings,
) -> Vec<Result<Checked, String>> {
    let slots: Vec<OnceLock<Result<Checked, String>>> =
        inputs.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(input) = inputs.get(i) else { break };
        let _ = slots[i].set(check_one(input, stdin, settings));
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(inputs.len());
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            for handle in handles {
                // a panic is caught per file in check_one; a slot left
                // empty is reported below instead of aborting the run
                let _ = handle.join();
            }
        });
    }
    slots
        .into_iter()
        .zip(inputs)
        .map(|(slot, input)| {
            slot.into_inner().unwrap_or_else(|| {
                Err(format!(
                    "internal error: '{}' was not analysed",
                    input.display()
                ))
            })
        })
        .collect()
}

fn check_one(
    input: &Input,
    stdin: Option<&Result<String, String>>,
    settings: &DiagnosticSettings,
) -> Result<Checked, String> {
    let name = input.display();
    let text = match input {
        Input::Stdin => match stdin {
            Some(read) => read.clone()?,
            None => return Err("stdin was not read".to_string()),
        },
        Input::File(path) => match std::fs::read(path) {
            Ok(bytes) => decode(&bytes),
            Err(err) => return Err(format!("cannot read '{name}': {err}")),
        },
    };
    // one file hitting an analysis bug must not cost the report on the others
    let analysed = catch_unwind(AssertUnwindSafe(|| {
        let analysis = Analysis::of_text(&text);
        let target_missing = settings
            .target
            .as_deref()
            .is_some_and(|target| analysis.model.stage_named(target).is_none());
        (
            analysis.diagnostics(text.as_str(), settings),
            target_missing,
        )
    }));
    match analysed {
        Ok((diagnostics, target_missing)) => Ok(Checked {
            name,
            text,
            diagnostics,
            target_missing,
        }),
        Err(_) => Err(format!(
            "internal error while analysing '{name}' (a bug in dockerfile-ls: please report it with this file)"
        )),
    }
}
