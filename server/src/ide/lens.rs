//! Code lenses above each FROM: which stages use this one, or that the
//! build target never needs it, or that it is the final image.
//!
//! A lens title is a list of parts, so that other facts (an image-size
//! estimate) can be added to the same line without reformatting the others.

use std::fmt;

use super::Analysis;
use crate::model::{Span, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    pub stage: usize,
    /// The FROM keyword: one line, where the editor shows the lens above.
    pub range: Span,
    pub parts: Vec<LensPart>,
}

impl Lens {
    /// The parts, joined as one line.
    pub fn title(&self) -> String {
        let mut title = String::new();
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                title.push_str(" · ");
            }
            title.push_str(&part.to_string());
        }
        title
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LensPart {
    /// The stage the build produces (the last one, or the target).
    FinalImage,
    /// Stages built FROM this one or copying or mounting from it, by name
    /// (`stage-N` for unnamed ones), in file order.
    UsedBy(Vec<String>),
    /// The final image needs neither this stage nor any stage using it, so
    /// BuildKit skips it.
    NotUsedByFinalImage,
    /// A fact another feature adds.
    Text(String),
}

impl fmt::Display for LensPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LensPart::FinalImage => f.write_str("final image"),
            LensPart::UsedBy(names) => write!(f, "used by: {}", names.join(", ")),
            LensPart::NotUsedByFinalImage => f.write_str("not used by the final image"),
            LensPart::Text(text) => f.write_str(text),
        }
    }
}

/// One lens per stage that has something to say. `target` is the stage
/// built (`--target`); without one, the last stage. A target naming no
/// stage leaves out what depends on it (final, unused): the build fails.
pub fn code_lenses(analysis: &Analysis, target: Option<&str>) -> Vec<Lens> {
    let model = &analysis.model;
    let final_stage = model.target_stage(target);
    let reached = final_stage.map(|t| model.reachable_from(t));
    model
        .stages
        .iter()
        .filter_map(|stage| {
            let mut parts = Vec::new();
            if final_stage == Some(stage.index) {
                parts.push(LensPart::FinalImage);
            }
            let users = users_of(analysis, stage.index);
            if !users.is_empty() {
                parts.push(LensPart::UsedBy(users));
            }
            let unused = reached
                .as_ref()
                .is_some_and(|r| !r.get(stage.index).copied().unwrap_or(true));
            if unused {
                parts.push(LensPart::NotUsedByFinalImage);
            }
            (!parts.is_empty()).then(|| Lens {
                stage: stage.index,
                range: stage.from.keyword_range.clone(),
                parts,
            })
        })
        .collect()
}

/// Names of the stages whose references (FROM, `--from`, `from=`) resolve
/// to `stage` as BuildKit resolves them, each once, in file order.
fn users_of(analysis: &Analysis, stage: usize) -> Vec<String> {
    let model = &analysis.model;
    let mut users: Vec<usize> = model
        .stage_refs
        .iter()
        .filter(|r| r.target == Target::Stage(stage) && r.from_stage != stage)
        .map(|r| r.from_stage)
        .collect();
    users.sort_unstable();
    users.dedup();
    users
        .into_iter()
        .filter_map(|i| model.stages.get(i))
        .map(|s| s.display_name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_join_their_parts() {
        let lens = Lens {
            stage: 0,
            range: 0..4,
            parts: vec![
                LensPart::FinalImage,
                LensPart::UsedBy(vec!["test".into(), "docs".into()]),
                LensPart::Text("≈ 12 MB compressed".into()),
            ],
        };
        assert_eq!(
            lens.title(),
            "final image · used by: test, docs · ≈ 12 MB compressed"
        );
    }
}
