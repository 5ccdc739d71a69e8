//! Which files `check` reads: the paths given, and Dockerfiles found in
//! folders.

use std::fs;
use std::path::{Path, PathBuf};

/// What to analyse. Stdin sorts first, files by path component by component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

pub struct Discovered {
    /// Sorted, without duplicates.
    pub inputs: Vec<Input>,
    /// Paths that could not be read, as messages for stderr.
    pub errors: Vec<String>,
    /// Folders given that hold no Dockerfile.
    pub empty_folders: Vec<String>,
}

const SKIPPED_FOLDERS: &[&str] = &[".git", "node_modules", "target"];

/// Whether a folder search picks a file of this name.
pub fn is_dockerfile_name(name: &str) -> bool {
    let suffixed = |suffix: &str| name.len() > suffix.len() && name.ends_with(suffix);
    let prefixed = |prefix: &str| name.len() > prefix.len() && name.starts_with(prefix);
    // `Dockerfile.dockerignore` is the ignore file of `Dockerfile`, not a Dockerfile
    if name.ends_with(".dockerignore") {
        return false;
    }
    matches!(name, "Dockerfile" | "Containerfile")
        || suffixed(".Dockerfile")
        || suffixed(".dockerfile")
        || prefixed("Dockerfile.")
        || prefixed("Containerfile.")
}

pub fn discover(paths: &[String]) -> Discovered {
    let mut found = Discovered {
        inputs: Vec::new(),
        errors: Vec::new(),
        empty_folders: Vec::new(),
    };
    if paths.is_empty() {
        walk(Path::new("."), &mut found);
        // like ripgrep: no `./` in front of what was found without a path
        for input in &mut found.inputs {
            if let Input::File(path) = input {
                if let Ok(relative) = path.strip_prefix(".") {
                    *path = relative.to_path_buf();
                }
            }
        }
        if found.inputs.is_empty() {
            found.empty_folders.push(".".to_string());
        }
    }
    for given in paths {
        if given == "-" {
            found.inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(given);
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let before = found.inputs.len();
                walk(path, &mut found);
                if found.inputs.len() == before {
                    found.empty_folders.push(given.clone());
                }
            }
            Ok(_) => found.inputs.push(Input::File(path.to_path_buf())),
            Err(err) => found.errors.push(format!("cannot read '{given}': {err}")),
        }
    }
    found.inputs.sort();
    found.inputs.dedup();
    found
}

/// Depth-first over `root`; folder symlinks are not followed, so a link
/// cycle cannot make the search endless.
fn walk(root: &Path, found: &mut Discovered) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                found
                    .errors
                    .push(format!("cannot read folder '{}': {err}", dir.display()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found
                        .errors
                        .push(format!("cannot read folder '{}': {err}", dir.display()));
                    continue;
                }
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if !SKIPPED_FOLDERS.contains(&name) {
                    stack.push(path);
                }
            } else if is_dockerfile_name(name) && (kind.is_file() || path.is_file()) {
                found.inputs.push(Input::File(path));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_dockerfile_name;

    #[test]
    fn names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "app.Dockerfile",
            "app.dockerfile",
            "Dockerfile.dev",
            "Containerfile.arm64",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "dockerfile",
            "Dockerfile.",
            ".Dockerfile",
            "Dockerfile.dockerignore",
            "app.Dockerfile.dockerignore",
            "MyDockerfile",
            "Dockerfiles",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
