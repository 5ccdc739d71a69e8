//! Where whitespace in an instruction's joined text is free: outside every
//! quote, so that changing how much of it there is cannot change a word.
//!
//! The shell (or BuildKit's own word splitter) behind an instruction is not
//! known for sure: `/bin/sh`, `cmd.exe` or PowerShell after a `SHELL`, with
//! `\` or a backtick escaping. So the text is read two ways, as POSIX `sh`
//! quoting and as bare double quotes with no escapes, and whitespace counts
//! as free only when both readings put it outside quotes and no escape
//! character sits right before its run.

/// For each byte of `text` (and the end), whether it is free whitespace.
pub fn free_whitespace(text: &str) -> Vec<bool> {
    let posix = posix_quoted(text);
    let plain = plain_quoted(text);
    let bytes = text.as_bytes();
    let mut free = vec![false; bytes.len() + 1];
    let mut escaped_run = false;
    for (i, &byte) in bytes.iter().enumerate() {
        if !matches!(byte, b' ' | b'\t') {
            escaped_run = false;
            continue;
        }
        // `a\ ` escapes the first space of a run, which makes the run's
        // length matter (`a\ b` is one word, `a\  b` two)
        if i == 0 || !matches!(bytes[i - 1], b' ' | b'\t') {
            escaped_run = i > 0 && matches!(bytes[i - 1], b'\\' | b'`');
        }
        free[i] = !escaped_run && !posix[i] && !plain[i];
    }
    free
}

/// Whitespace runs that are free collapsed to one space, the ends trimmed:
/// two texts with the same canonical form split into the same words under
/// every reading.
pub fn canonical(text: &str) -> String {
    let free = free_whitespace(text);
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for (i, c) in text.char_indices() {
        if free[i] {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Single,
    /// `$'…'`: backslash escapes inside.
    AnsiC,
    Double,
    Backtick,
    /// `${…}`
    Parameter,
    /// `$(…)` with its count of open parentheses: unquoted inside, so its
    /// whitespace is only free when nothing around it quotes.
    Substitution(u32),
}

/// POSIX `sh` quoting, nested through `$(…)`, `${…}` and backticks. A byte
/// is quoted when any context around it (but a bare `$(…)`) is a quote; an
/// escaped byte is quoted too.
fn posix_quoted(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut quoted = vec![false; bytes.len() + 1];
    let mut stack: Vec<Context> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let inside = stack.iter().any(|c| !matches!(c, Context::Substitution(_)));
        quoted[i] = inside;
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        let top = stack.last().copied();
        let mut step = 1;
        match top {
            Some(Context::Single) => {
                if byte == b'\'' {
                    stack.pop();
                }
            }
            Some(Context::AnsiC) => match byte {
                b'\\' => step = 2,
                b'\'' => {
                    stack.pop();
                }
                _ => {}
            },
            Some(Context::Double) => match (byte, next) {
                (b'\\', _) => step = 2,
                (b'"', _) => {
                    stack.pop();
                }
                (b'`', _) => stack.push(Context::Backtick),
                (b'$', Some(b'(')) => {
                    stack.push(Context::Substitution(0));
                    step = 2;
                }
                (b'$', Some(b'{')) => {
                    stack.push(Context::Parameter);
                    step = 2;
                }
                _ => {}
            },
            Some(Context::Backtick) => match byte {
                b'\\' => step = 2,
                b'`' => {
                    stack.pop();
                }
                _ => {}
            },
            Some(Context::Parameter) if byte == b'}' => {
                stack.pop();
            }
            Some(Context::Substitution(depth)) if byte == b')' => {
                stack.pop();
                if depth > 0 {
                    stack.push(Context::Substitution(depth - 1));
                }
            }
            Some(Context::Substitution(depth)) if byte == b'(' => {
                stack.pop();
                stack.push(Context::Substitution(depth + 1));
            }
            // unquoted text, and what `${…}` and `$(…)` hold
            _ => match (byte, next) {
                (b'\\', _) => step = 2,
                (b'\'', _) => stack.push(Context::Single),
                (b'"', _) => stack.push(Context::Double),
                (b'`', _) => stack.push(Context::Backtick),
                (b'$', Some(b'\'')) => {
                    stack.push(Context::AnsiC);
                    step = 2;
                }
                (b'$', Some(b'(')) => {
                    stack.push(Context::Substitution(0));
                    step = 2;
                }
                (b'$', Some(b'{')) => {
                    stack.push(Context::Parameter);
                    step = 2;
                }
                _ => {}
            },
        }
        if step == 2 && i + 1 < bytes.len() {
            // the escaped byte, or the second byte of `$(`, `${`, `$'`
            quoted[i + 1] = true;
        }
        i += step;
    }
    quoted[bytes.len()] = !stack.is_empty();
    quoted
}

/// `cmd.exe`-like: double quotes only, no escape character.
fn plain_quoted(text: &str) -> Vec<bool> {
    let mut quoted = Vec::with_capacity(text.len() + 1);
    let mut inside = false;
    for byte in text.bytes() {
        quoted.push(inside);
        if byte == b'"' {
            inside = !inside;
        }
    }
    quoted.push(inside);
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free_at(text: &str, needle: &str) -> bool {
        free_whitespace(text)[text.find(needle).expect("needle")]
    }

    #[test]
    fn whitespace_outside_quotes_is_free() {
        assert!(free_at("RUN a   b", "   b"));
        assert!(!free_at("RUN echo \"a   b\"", "   b"));
        assert!(!free_at("RUN echo 'a   b'", "   b"));
        assert!(!free_at("RUN echo $'a\\'   b'", "   b"));
        assert!(!free_at("RUN echo a\\   b", "   b"));
        assert!(!free_at("RUN echo \"$(x)   b\"", "   b"));
        assert!(free_at("RUN echo $(x   y)", "   y"));
        assert!(!free_at("RUN echo \"$(x   y)\"", "   y"));
        assert!(!free_at("RUN echo ${A:-x   y}", "   y"));
        // after an unbalanced quote nothing is free
        assert!(!free_at("RUN echo don't   stop", "   stop"));
    }

    #[test]
    fn canonical_collapses_free_runs_only() {
        assert_eq!(canonical("  a \t b  \"c  d\"  "), "a b \"c  d\"");
        assert_eq!(canonical("a\\  b"), "a\\  b");
    }
}
