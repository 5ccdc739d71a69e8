//! Image references as Docker normalizes them (distribution/reference):
//! `alpine` is `docker.io/library/alpine:latest`, a first component with a
//! `.` or `:` (or `localhost`, or upper case) is a registry host.

use std::fmt;

/// The registry Docker means when a reference names none.
pub const DOCKER_HUB: &str = "docker.io";
/// Where Docker Hub's distribution API is served.
pub const DOCKER_HUB_ENDPOINT: &str = "registry-1.docker.io";

/// A parsed, normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`.
    pub registry: String,
    /// `library/alpine`, `sizetest`.
    pub repository: String,
    /// The tag, `latest` when the reference has neither tag nor digest.
    pub tag: Option<String>,
    /// `sha256:…`; when present it wins over the tag, as in Docker.
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(reference: &str) -> Result<ImageRef, String> {
        let text = reference.trim();
        if text.is_empty() {
            return Err("empty image reference".into());
        }
        if text.contains('$') {
            return Err(format!("`{text}` has an unresolved variable"));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => {
                check_digest(digest)?;
                (rest, Some(digest.to_string()))
            }
            None => (text, None),
        };
        // A tag is after the last `:` of the last path component (a `:`
        // before a `/` is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let tag = &rest[last_slash + i + 1..];
                check_tag(tag)?;
                (&rest[..last_slash + i], Some(tag.to_string()))
            }
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, remainder))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_string(), remainder.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            registry
        };
        check_host(&registry)?;
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        check_repository(&repository)?;
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host (and port) the distribution API is spoken to.
    pub fn endpoint(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_ENDPOINT
        } else {
            &self.registry
        }
    }

    /// What goes after `/manifests/`: the digest if there is one, else the tag.
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

/// Fully qualified: `docker.io/library/alpine:3.21`,
/// `ghcr.io/o/r:v1@sha256:…`.
impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn check_host(host: &str) -> Result<(), String> {
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!("`{host}` is not a registry host"))
    }
}

/// Path components: lower-case letters and digits, separated by `.`, `_`,
/// `__` or dashes.
fn check_repository(repository: &str) -> Result<(), String> {
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.ends_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            && c.chars().all(|ch| {
                ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '.' | '_' | '-')
            })
    };
    if repository.split('/').all(component_ok) {
        Ok(())
    } else {
        Err(format!(
            "`{repository}` is not a repository name (lower case, digits, `._-`, `/`)"
        ))
    }
}

fn check_tag(tag: &str) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!("`{tag}` is not a tag"))
    }
}

fn check_digest(digest: &str) -> Result<(), String> {
    let ok = match digest.split_once(':') {
        Some((algorithm, hex)) => {
            !algorithm.is_empty()
                && algorithm.chars().all(|c| {
                    c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || matches!(c, '+' | '.' | '_' | '-')
                })
                && hex.len() >= 32
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("`{digest}` is not a digest"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        ImageRef::parse(text).unwrap().to_string()
    }

    #[test]
    fn docker_hub_names_are_normalized() {
        assert_eq!(parsed("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(parsed("alpine:3.21"), "docker.io/library/alpine:3.21");
        assert_eq!(parsed("bitnami/redis:7"), "docker.io/bitnami/redis:7");
        assert_eq!(
            parsed("docker.io/alpine"),
            "docker.io/library/alpine:latest"
        );
        assert_eq!(
            parsed("index.docker.io/library/alpine:3"),
            "docker.io/library/alpine:3"
        );
        let alpine = ImageRef::parse("alpine").unwrap();
        assert_eq!(alpine.endpoint(), "registry-1.docker.io");
        assert_eq!(alpine.repository, "library/alpine");
        assert_eq!(alpine.reference(), "latest");
    }

    #[test]
    fn hosts_ports_and_digests() {
        let local = ImageRef::parse("127.0.0.1:5000/sizetest:v1").unwrap();
        assert_eq!(local.registry, "127.0.0.1:5000");
        assert_eq!(local.endpoint(), "127.0.0.1:5000");
        assert_eq!(local.repository, "sizetest");
        assert_eq!(local.tag.as_deref(), Some("v1"));
        // A port without a tag is not a tag.
        let no_tag = ImageRef::parse("localhost:5000/a/b").unwrap();
        assert_eq!(
            (no_tag.registry.as_str(), no_tag.repository.as_str()),
            ("localhost:5000", "a/b")
        );
        assert_eq!(no_tag.tag.as_deref(), Some("latest"));
        assert_eq!(parsed("localhost/x"), "localhost/x:latest");
        assert_eq!(parsed("ghcr.io/owner/repo:1.0"), "ghcr.io/owner/repo:1.0");

        let digest = format!("sha256:{}", "ab".repeat(32));
        let pinned = ImageRef::parse(&format!("node:22@{digest}")).unwrap();
        assert_eq!(pinned.tag.as_deref(), Some("22"));
        assert_eq!(pinned.reference(), digest);
        let bare = ImageRef::parse(&format!("gcr.io/distroless/static@{digest}")).unwrap();
        assert_eq!(bare.tag, None);
        assert_eq!(
            bare.to_string(),
            format!("gcr.io/distroless/static@{digest}")
        );
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in [
            "",
            "Alpine",
            "alpine:",
            "alpine@sha256:xyz",
            "${BASE}:1",
            "a//b",
            "ghcr.io/",
            "x:-y",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
