//! Document links: image references to the page of their repository on
//! the registry's website.
//!
//! Which pages (a name is linked only where the page is known to exist):
//! - Docker Hub (`docker.io`, or no registry): official images, `alpine` or
//!   `library/alpine`, go to `https://hub.docker.com/_/alpine`, and only
//!   when the name is on our list of official images (any other bare name
//!   is most likely a local image or a build context, and its Hub page
//!   would not exist); `ns/name` goes to `https://hub.docker.com/r/ns/name`.
//! - `ghcr.io/owner/name`: `https://ghcr.io/owner/name`, which GitHub
//!   redirects to the package page whether the owner is a user or an
//!   organisation (the `github.com/orgs/…` and `github.com/users/…` forms
//!   would need to know which).
//! - `quay.io/ns/name`: `https://quay.io/repository/ns/name`.
//! - `mcr.microsoft.com/path`: `https://mcr.microsoft.com/artifact/mar/path`.
//! - `gcr.io/path` (and `us.`, `eu.`, `asia.gcr.io`): `https://gcr.io/path`
//!   on the host as written, which opens the repository in the console.
//! - `public.ecr.aws/ns/name`: `https://gallery.ecr.aws/ns/name`.
//! - Other registries have no page we know of: no link.
//!
//! What is linked: `FROM image` (not a stage, not `scratch`) and
//! `COPY --from=image` / `RUN --mount=from=image` when the value is clearly
//! an image (a tag, a digest, a path or an official name) rather than a
//! stage or a build context. The link covers the image name without its
//! tag. A name holding a variable is not linked; a variable in the tag or
//! the digest does not matter, since the page is the repository's.

use super::images::{is_clearly_an_image, is_official_image};
use super::Analysis;
use crate::model::{Base, RefKind, Span, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The image name in the document.
    pub range: Span,
    pub target: String,
}

pub fn document_links(analysis: &Analysis) -> Vec<Link> {
    let model = &analysis.model;
    let mut links = Vec::new();
    for stage in &model.stages {
        let Base::Image(image) = &stage.base else {
            continue;
        };
        // `FROM Builder` or a later stage's name: meant as a stage
        let meant_as_stage = model
            .stage_refs
            .iter()
            .any(|r| r.kind == RefKind::FromBase && r.from_stage == stage.index);
        if meant_as_stage {
            continue;
        }
        let Some(target) = registry_page(&image.name) else {
            continue;
        };
        links.push(Link {
            range: name_range(analysis, &image.range),
            target,
        });
    }
    for reference in &model.stage_refs {
        let is_image = reference.kind != RefKind::FromBase
            && reference.target == Target::NotAStage
            && is_clearly_an_image(&reference.value);
        if !is_image {
            continue;
        }
        let name = image_name(&reference.value);
        let Some(target) = registry_page(name) else {
            continue;
        };
        // the value as written, unless a continuation splits it
        let written = reference.range.len() == reference.value.len();
        let range = if written {
            reference.range.start..reference.range.start + name.len()
        } else {
            reference.range.clone()
        };
        links.push(Link { range, target });
    }
    links.sort_by_key(|l| l.range.start);
    links
}

/// The range of the name in an image reference (`golang` of `golang:1.22`).
fn name_range(analysis: &Analysis, reference: &Span) -> Span {
    let root = analysis.tree.root_node();
    let node = root.descendant_for_byte_range(reference.start, reference.end);
    let name = node.and_then(|node| match node.kind() {
        "image_name" => Some(node),
        "image_spec" => node.child_by_field_name("name"),
        _ => None,
    });
    name.map_or(reference.clone(), |n| n.byte_range())
}

/// The name part of a reference: without `@digest` and `:tag` (a colon
/// before the last `/` belongs to a registry's port).
fn image_name(reference: &str) -> &str {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].find(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    }
}

/// The web page of an image repository, by the rules in the module docs.
pub fn registry_page(name: &str) -> Option<String> {
    if name.is_empty() || name.contains(['$', ' ', '\t', '\\', '`']) {
        return None;
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("docker.io", name),
    };
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return None;
    }
    let namespaced = path.contains('/');
    match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            let path = path.strip_prefix("library/").unwrap_or(path);
            match path.split('/').count() {
                1 if is_official_image(path) => Some(format!("https://hub.docker.com/_/{path}")),
                2 => Some(format!("https://hub.docker.com/r/{path}")),
                _ => None,
            }
        }
        "ghcr.io" if namespaced => Some(format!("https://ghcr.io/{path}")),
        "quay.io" if namespaced => Some(format!("https://quay.io/repository/{path}")),
        "mcr.microsoft.com" => Some(format!("https://mcr.microsoft.com/artifact/mar/{path}")),
        "gcr.io" | "us.gcr.io" | "eu.gcr.io" | "asia.gcr.io" if namespaced => {
            Some(format!("https://{registry}/{path}"))
        }
        "public.ecr.aws" if namespaced => Some(format!("https://gallery.ecr.aws/{path}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_tag_and_digest_but_keep_a_registry_port() {
        assert_eq!(image_name("golang:1.22"), "golang");
        assert_eq!(image_name("a/b@sha256:00"), "a/b");
        assert_eq!(image_name("localhost:5000/app:1"), "localhost:5000/app");
        assert_eq!(image_name("localhost:5000/app"), "localhost:5000/app");
    }

    #[test]
    fn pages_by_registry() {
        let page = |name| registry_page(name);
        assert_eq!(
            page("alpine").as_deref(),
            Some("https://hub.docker.com/_/alpine")
        );
        assert_eq!(
            page("docker.io/library/node").as_deref(),
            Some("https://hub.docker.com/_/node")
        );
        assert_eq!(page("myapp"), None, "not an official image");
        assert_eq!(
            page("bitnami/redis").as_deref(),
            Some("https://hub.docker.com/r/bitnami/redis")
        );
        assert_eq!(page("a/b/c"), None, "Docker Hub has no nested repositories");
        assert_eq!(page("localhost:5000/app"), None);
        assert_eq!(page("registry.example.com/team/app"), None);
        assert_eq!(page("ghcr.io/owner"), None, "a user, not a package");
        assert_eq!(page("$BASE"), None);
    }
}
