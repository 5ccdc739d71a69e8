//! `--format json`: one array, one diagnostic object a line.

use std::io::{self, Write};

use serde::Serialize;

use super::analyse::Checked;
use super::lines::Lines;
use crate::ide::Diagnostic;
use crate::model::Span;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'static str,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

fn located(lines: &Lines<'_>, span: &Span) -> [usize; 4] {
    let (start, end) = lines.range(span);
    [start.line, start.column, end.line, end.column]
}

fn to_json<'a>(file: &'a str, lines: &Lines<'_>, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let [line, column, end_line, end_column] = located(lines, &d.range);
    JsonDiagnostic {
        file,
        line,
        column,
        end_line,
        end_column,
        severity: d.severity.as_str(),
        code: &d.code,
        message: &d.message,
        url: d.url.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| {
                let [line, column, end_line, end_column] = located(lines, &r.range);
                JsonRelated {
                    file,
                    line,
                    column,
                    end_line,
                    end_column,
                    message: &r.message,
                }
            })
            .collect(),
    }
}

/// Every severity is written: filtering is the consumer's choice.
pub fn write_json(out: &mut impl Write, files: &[Checked]) -> io::Result<()> {
    let mut first = true;
    write!(out, "[")?;
    for file in files {
        let lines = Lines::new(&file.text);
        for d in &file.diagnostics {
            let object =
                serde_json::to_string(&to_json(&file.name, &lines, d)).map_err(io::Error::other)?;
            write!(out, "{}\n  {object}", if first { "" } else { "," })?;
            first = false;
        }
    }
    writeln!(out, "{}]", if first { "" } else { "\n" })
}
