//! What the split reads out of a single-stage Dockerfile: the base image,
//! the shell commands of its RUN lines with the directory each runs in, and
//! its CMD/ENTRYPOINT.

use crate::model::{Base, Instruction, Model, Stage};

/// One simple command of a RUN line.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    /// Words with quotes removed, leading `VAR=value` assignments dropped.
    pub words: Vec<String>,
    /// The directory it runs in (WORKDIR, then `cd` earlier in the line).
    pub cwd: String,
}

impl Command {
    /// Whether the words start with `prefix` (words separated by spaces).
    pub fn starts(&self, prefix: &str) -> bool {
        let wanted: Vec<&str> = prefix.split(' ').collect();
        self.words.len() >= wanted.len()
            && self
                .words
                .iter()
                .zip(&wanted)
                .all(|(w, p)| w == p || w.rsplit('/').next() == Some(p))
    }

    /// The value of a flag (`-o x`, `-o=x`, `--output x`).
    pub fn flag(&self, names: &[&str]) -> Option<String> {
        let mut words = self.words.iter();
        while let Some(w) = words.next() {
            for name in names {
                if w == name {
                    return words.next().cloned();
                }
                if let Some(value) = w.strip_prefix(&format!("{name}=")) {
                    return Some(value.to_string());
                }
            }
        }
        None
    }

    pub fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

pub(crate) struct Facts {
    /// The base image's name (`golang`, `mcr.microsoft.com/dotnet/sdk`).
    pub image: String,
    /// The last path component of the name (`sdk`, `golang`).
    pub short: String,
    pub tag: String,
    pub commands: Vec<Command>,
    /// The stage's working directory at its end.
    pub workdir: String,
    /// Whether a WORKDIR instruction set it.
    pub workdir_set: bool,
    /// CMD and ENTRYPOINT argument words (quotes removed), in order.
    pub run_words: Vec<Vec<String>>,
    /// All RUN, COPY and ADD argument text, for spotting words.
    pub all_text: String,
}

impl Facts {
    pub fn read(model: &Model, stage: &Stage, text: &str) -> Facts {
        let _ = model;
        let (image, tag) = match &stage.base {
            Base::Image(image) => (image.name.clone(), image.tag.clone().unwrap_or_default()),
            _ => (String::new(), String::new()),
        };
        let image = image
            .trim_start_matches("docker.io/")
            .trim_start_matches("index.docker.io/")
            .trim_start_matches("library/")
            .to_string();
        let short = image.rsplit('/').next().unwrap_or_default().to_string();
        let mut workdir = if short == "golang" { "/go" } else { "/" }.to_string();
        let mut workdir_set = false;
        let mut commands = Vec::new();
        let mut run_words = Vec::new();
        let mut all_text = String::new();
        for instruction in &stage.instructions {
            match instruction.keyword.as_str() {
                "workdir" => {
                    let dir = unquote(instruction.arguments.trim());
                    workdir = join(&workdir, &dir);
                    workdir_set = true;
                }
                "run" => {
                    let shell = shell_text(instruction, text);
                    all_text.push_str(&shell);
                    all_text.push('\n');
                    commands.extend(split_commands(&shell, &workdir));
                }
                "copy" | "add" | "env" => {
                    all_text.push_str(&instruction.arguments);
                    all_text.push('\n');
                }
                "cmd" | "entrypoint" => {
                    let words = if instruction.json_form {
                        serde_json::from_str::<Vec<String>>(&instruction.arguments)
                            .unwrap_or_default()
                    } else {
                        instruction
                            .arguments
                            .split_whitespace()
                            .map(unquote)
                            .collect()
                    };
                    run_words.push(words);
                }
                _ => {}
            }
        }
        Facts {
            image,
            short,
            tag,
            commands,
            workdir,
            workdir_set,
            run_words,
            all_text,
        }
    }

    /// The first command starting with one of the prefixes.
    pub fn command(&self, prefixes: &[&str]) -> Option<&Command> {
        self.commands
            .iter()
            .find(|c| prefixes.iter().any(|p| c.starts(p)))
    }

    /// Every CMD/ENTRYPOINT word.
    pub fn run_word_list(&self) -> impl Iterator<Item = &String> {
        self.run_words.iter().flatten()
    }

    /// Whether the stage's text mentions a word (RUN, COPY, ADD, CMD).
    pub fn mentions(&self, needle: &str) -> bool {
        self.all_text.contains(needle) || self.run_word_list().any(|w| w.contains(needle))
    }
}

/// The shell text of a RUN: its arguments (exec form joined) and heredocs.
fn shell_text(instruction: &Instruction, text: &str) -> String {
    let mut out = if instruction.json_form {
        serde_json::from_str::<Vec<String>>(&instruction.arguments)
            .map(|w| w.join(" "))
            .unwrap_or_default()
    } else {
        instruction.arguments.clone()
    };
    for heredoc in &instruction.heredocs {
        if let Some(body) = &heredoc.body_range {
            out.push('\n');
            out.push_str(text.get(body.clone()).unwrap_or_default());
        }
    }
    out
}

/// Splits shell text into simple commands, following `cd`.
fn split_commands(shell: &str, workdir: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut cwd = workdir.to_string();
    let normalized = shell
        .replace("&&", "\n")
        .replace("||", "\n")
        .replace([';', '|', '(', ')'], "\n");
    for line in normalized.lines() {
        let mut words: Vec<String> = line.split_whitespace().map(unquote).collect();
        while words
            .first()
            .is_some_and(|w| w.contains('=') && !w.starts_with('-') && !w.starts_with('='))
        {
            words.remove(0);
        }
        if words.first().is_some_and(|w| w == "sudo" || w == "exec") {
            words.remove(0);
        }
        if words.is_empty() {
            continue;
        }
        if words[0] == "cd" {
            if let Some(dir) = words.get(1) {
                cwd = join(&cwd, dir);
            }
            continue;
        }
        out.push(Command {
            words,
            cwd: cwd.clone(),
        });
    }
    out
}

pub(crate) fn unquote(word: &str) -> String {
    word.trim_matches(['"', '\'']).to_string()
}

/// `base` joined with `path` (absolute paths win), `.` and `..` resolved.
pub(crate) fn join(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.ends_with('/') && out.len() > 1 {
        out.push('/');
    }
    out
}
