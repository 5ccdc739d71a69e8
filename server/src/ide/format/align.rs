//! Hand-aligned columns: a wide gap between an instruction's keyword,
//! flags and arguments is kept when it lines the item after it up with an
//! item of the line above or below, as in
//!
//! ```dockerfile
//! COPY --from=runc       /build/ /
//! COPY --from=containerd /build/ /
//! USER       nobody
//! ENTRYPOINT [ "/bin/prometheus" ]
//! ```
//!
//! A column is the run of adjacent first lines with an item starting at the
//! same place. Columns are compared as they will be after formatting, and a
//! gap that is squeezed can break the alignment another gap relied on, so
//! the decision is repeated until nothing changes. Gaps are only ever
//! dropped from the kept set, so this ends; and every gap kept at the end is
//! aligned in the result, which is what makes formatting twice change
//! nothing.

use std::collections::HashMap;
use std::ops::Range;

use super::lines::Line;
use super::TextEdit;

/// A gap wider than one space: alignment, or to be squeezed.
pub(super) struct Candidate {
    pub line: usize,
    pub gap: Range<usize>,
    /// Right after the instruction keyword. `RUN  x` under `FROM a` lines
    /// up by accident (the keywords differ by one letter); a real table of
    /// keywords pads more than one of its lines.
    pub after_keyword: bool,
}

/// An item after the keyword on an instruction's first line.
pub(super) struct Item {
    pub start: usize,
    /// The candidate gap before it, if any.
    pub gap: Option<usize>,
}

pub(super) struct HeadItems {
    pub line: usize,
    pub items: Vec<Item>,
}

/// Squeezes the candidate gaps that align nothing to one space.
pub(super) fn resolve(
    text: &str,
    lines: &[Line],
    heads: &[HeadItems],
    candidates: &[Candidate],
    edits: &mut Vec<TextEdit>,
) {
    if candidates.is_empty() {
        return;
    }
    let items: HashMap<usize, &[Item]> =
        heads.iter().map(|h| (h.line, h.items.as_slice())).collect();
    let mut on_line: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, candidate) in candidates.iter().enumerate() {
        on_line.entry(candidate.line).or_default().push(k);
    }
    // how much each edit shifts the columns after it, by line
    let mut shifts: HashMap<usize, Vec<(usize, isize)>> = HashMap::new();
    for edit in edits.iter() {
        let line = super::lines::line_of(lines, edit.range.start);
        let old = chars(text, edit.range.clone());
        let delta = edit.new_text.chars().count() as isize - old as isize;
        if delta != 0 {
            shifts
                .entry(line)
                .or_default()
                .push((edit.range.end, delta));
        }
    }
    let mut kept = vec![true; candidates.len()];
    // the column of `offset` once the line is formatted
    let column = |kept: &[bool], line: usize, offset: usize| -> isize {
        let mut column = chars(text, lines[line].start..offset) as isize;
        for (end, delta) in shifts.get(&line).into_iter().flatten() {
            if *end <= offset {
                column += delta;
            }
        }
        for &k in on_line.get(&line).into_iter().flatten() {
            let gap = &candidates[k].gap;
            if !kept[k] && gap.end <= offset {
                column += 1 - chars(text, gap.clone()) as isize;
            }
        }
        column
    };
    let aligned = |kept: &[bool], candidate: &Candidate| -> bool {
        let at = column(kept, candidate.line, candidate.gap.end);
        // walk the column up and down from the candidate's line
        let mut padded = 1;
        for step in [-1isize, 1] {
            let mut line = candidate.line as isize + step;
            while let Some(row) = usize::try_from(line).ok().and_then(|l| items.get(&l)) {
                let Some(item) = row
                    .iter()
                    .find(|item| column(kept, line as usize, item.start) == at)
                else {
                    break;
                };
                if !candidate.after_keyword {
                    return true;
                }
                if item.gap.is_some_and(|g| kept[g]) {
                    padded += 1;
                    if padded >= 2 {
                        return true;
                    }
                }
                line += step;
            }
        }
        false
    };
    // Each round drops at least one gap; a long cascade is cut short by
    // dropping them all, which is as stable (no gap left to decide).
    let mut rounds = 0;
    loop {
        let dropped: Vec<usize> = (0..candidates.len())
            .filter(|&k| kept[k] && !aligned(&kept, &candidates[k]))
            .collect();
        if dropped.is_empty() {
            break;
        }
        rounds += 1;
        if rounds > 32 {
            kept.iter_mut().for_each(|k| *k = false);
            break;
        }
        for k in dropped {
            kept[k] = false;
        }
    }
    for (candidate, kept) in candidates.iter().zip(kept) {
        if !kept {
            edits.push(TextEdit {
                range: candidate.gap.clone(),
                new_text: " ".to_string(),
            });
        }
    }
}

fn chars(text: &str, range: Range<usize>) -> usize {
    text.get(range).map_or(0, |s| s.chars().count())
}
