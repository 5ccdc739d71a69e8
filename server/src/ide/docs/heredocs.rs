//! Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`).

/// What a marker as written says about its heredoc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub delimiter: String,
    /// `<<-`: leading tabs are removed from the body and the end line.
    pub strip_tabs: bool,
    /// Any part of the word quoted: the body is taken literally.
    pub quoted: bool,
}

/// Reads `[digits]<<[-][spaces]WORD`, as BuildKit matches heredoc words.
pub fn parse_marker(text: &str) -> Option<Marker> {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(after) => (true, after),
        None => (false, rest),
    };
    let word = rest.trim_start();
    let quoted = word.contains(['"', '\'']);
    let delimiter: String = word.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
    (!delimiter.is_empty()).then_some(Marker {
        delimiter,
        strip_tabs,
        quoted,
    })
}

/// The hover text of a heredoc marker of an instruction (lowercased
/// keyword); `end_line` is the 1-based line that closes it, if any.
pub fn heredoc_markdown(marker_text: &str, keyword: &str, end_line: Option<usize>) -> String {
    let Some(marker) = parse_marker(marker_text) else {
        return "**Heredoc**: the lines below the instruction, up to a line holding only the delimiter word, are its content (frontend 1.4).".to_string();
    };
    let delimiter = &marker.delimiter;
    let mut out = format!(
        "**Heredoc `{delimiter}`** (frontend 1.4): the lines below this instruction, up to a line that is exactly `{delimiter}`, "
    );
    out.push_str(match keyword {
        "run" => "are the command. A lone heredoc starting with `#!` is saved as a file and run with that interpreter; otherwise the lines go to the shell.",
        "copy" | "add" => "become a file named after the delimiter, used as a source.",
        _ => "are its content.",
    });
    out.push_str("\n\n");
    out.push_str(&match end_line {
        Some(line) => format!("Ends on line {line}."),
        None => format!(
            "No line `{delimiter}` closes it: BuildKit fails with \"unterminated heredoc\"."
        ),
    });
    if marker.strip_tabs {
        out.push_str(
            " `<<-` removes leading tabs (not spaces) from each line and from the end line.",
        );
    }
    let expansion = match (keyword, marker.quoted) {
        ("copy" | "add", false) => {
            " BuildKit expands `$VAR` in the content with ARG and ENV values; quote the delimiter (`<<\"EOF\"`) to keep it literal."
        }
        ("copy" | "add", true) => " The delimiter is quoted: the content is copied literally.",
        (_, true) => " The delimiter is quoted: the shell takes the content literally.",
        _ => " BuildKit does not expand the content; the shell does when it runs.",
    };
    out.push_str(expansion);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_as_buildkit_matches_them() {
        let m = parse_marker("<<-\"EOF\"").expect("a marker");
        assert_eq!(m.delimiter, "EOF");
        assert!(m.strip_tabs && m.quoted);
        let m = parse_marker("3<<E'O'F").expect("a marker");
        assert_eq!(m.delimiter, "EOF");
        assert!(!m.strip_tabs && m.quoted);
        assert_eq!(parse_marker("<<"), None);
        assert_eq!(parse_marker("EOF"), None);
    }
}
