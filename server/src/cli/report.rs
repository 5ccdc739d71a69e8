//! Compiler-style text output.

use std::io::{self, Write};

use super::analyse::Checked;
use super::lines::Lines;
use crate::ide::{Diagnostic, Severity};

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity_code(severity: Severity) -> &'static str {
        match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information => "1;36",
            Severity::Hint => "1;32",
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub hidden_hints: usize,
}

/// Prints every file's diagnostics (hints only when asked) and the summary
/// line.
pub fn write_text(
    out: &mut impl Write,
    files: &[Checked],
    hints: bool,
    style: Style,
) -> io::Result<()> {
    let mut counts = Counts::default();
    for file in files {
        let lines = Lines::new(&file.text);
        for d in &file.diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Hint if !hints => {
                    counts.hidden_hints += 1;
                    continue;
                }
                _ => {}
            }
            write_block(out, &file.name, &lines, d, style)?;
        }
    }
    writeln!(out, "{}", summary(counts, files.len(), style))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(counts: Counts, files: usize, style: Style) -> String {
    let mut line = format!(
        "{}, {} in {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(files, "file")
    );
    if counts.hidden_hints > 0 {
        line.push_str(&format!(
            " ({} not shown: --hints shows them)",
            plural(counts.hidden_hints, "hint")
        ));
    }
    let code = if counts.errors > 0 { "1;31" } else { "1" };
    style.paint(code, &line)
}

/// A file's own control characters would move the cursor or recolor the
/// terminal; shown as their Unicode pictures they keep one column each.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Tabs become four spaces in the source line, so the carets must count
/// them the same way.
fn width(text: &str) -> usize {
    text.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

fn write_block(
    out: &mut impl Write,
    path: &str,
    lines: &Lines<'_>,
    d: &Diagnostic,
    style: Style,
) -> io::Result<()> {
    let (start, end) = lines.range(&d.range);
    let severity = Style::severity_code(d.severity);
    writeln!(
        out,
        "{}: {}: {}",
        style.paint("1", &format!("{path}:{}:{}", start.line, start.column)),
        style.paint(severity, &format!("{}[{}]", d.severity.as_str(), d.code)),
        style.paint("1", &printable(&d.message)),
    )?;
    let source = printable(lines.line_text(start.line));
    let before: String = source.chars().take(start.column - 1).collect();
    let underlined: String = if end.line == start.line {
        source
            .chars()
            .skip(start.column - 1)
            .take(end.column.saturating_sub(start.column))
            .collect()
    } else {
        source.chars().skip(start.column - 1).collect()
    };
    let number = start.line.to_string();
    let gutter = " ".repeat(number.len());
    let bar = style.paint("1;34", "|");
    writeln!(
        out,
        " {} {bar} {}",
        style.paint("1;34", &number),
        source.replace('\t', "    ")
    )?;
    writeln!(
        out,
        " {gutter} {bar} {}{}",
        " ".repeat(width(&before)),
        style.paint(severity, &"^".repeat(width(&underlined).max(1)))
    )?;
    for related in &d.related {
        let at = lines.position(related.range.start);
        writeln!(
            out,
            " {gutter} {} {path}:{}:{}: {}",
            style.paint("1;34", "= note:"),
            at.line,
            at.column,
            printable(&related.message)
        )?;
    }
    if let Some(url) = &d.url {
        writeln!(
            out,
            " {gutter} {} see {url}",
            style.paint("1;34", "= help:")
        )?;
    }
    writeln!(out)
}
