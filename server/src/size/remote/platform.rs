//! Platforms (`linux/arm64/v8`) and picking one out of an image index, with
//! containerd's defaults for variants.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// `linux/amd64`, `linux/arm/v7`; an empty string is `linux/amd64`.
    pub fn parse(text: &str) -> Result<Platform, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Platform {
                os: "linux".into(),
                architecture: "amd64".into(),
                variant: None,
            });
        }
        let parts: Vec<&str> = text.split('/').collect();
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(format!("`{text}` is not a platform (os/arch[/variant])"));
        }
        Ok(Platform {
            os: parts[0].to_ascii_lowercase(),
            architecture: parts[1].to_ascii_lowercase(),
            variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
        })
    }

    /// Architecture and variant as containerd compares them.
    fn normalized(&self) -> (String, String, String) {
        let (arch, default_variant) = match self.architecture.as_str() {
            "x86_64" | "x86-64" | "amd64" => ("amd64", ""),
            "aarch64" | "arm64" => ("arm64", "v8"),
            "armhf" => ("arm", "v7"),
            "armel" => ("arm", "v6"),
            "arm" => ("arm", "v7"),
            "i386" | "386" => ("386", ""),
            other => (other, ""),
        };
        let variant = self
            .variant
            .as_deref()
            .filter(|v| !v.is_empty())
            .unwrap_or(default_variant);
        // amd64 v1 is plain amd64.
        let variant = if arch == "amd64" && variant == "v1" {
            ""
        } else {
            variant
        };
        (
            self.os.to_ascii_lowercase(),
            arch.to_string(),
            variant.to_ascii_lowercase(),
        )
    }

    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" || self.architecture == "unknown"
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(v) if !v.is_empty() => write!(f, "/{v}"),
            _ => Ok(()),
        }
    }
}

/// The index of the entry for `wanted` among `candidates` (attestation
/// and `unknown/unknown` entries are passed as `None` or skipped by the
/// caller). An exact match (after normalization) wins; when `wanted` names
/// no variant, the first entry of the same os and architecture will do.
pub fn pick(wanted: &Platform, candidates: &[Option<&Platform>]) -> Option<usize> {
    let (os, arch, variant) = wanted.normalized();
    let usable = |p: &&Platform| !p.is_unknown();
    let exact = candidates.iter().position(|c| {
        c.filter(usable)
            .is_some_and(|p| p.normalized() == (os.clone(), arch.clone(), variant.clone()))
    });
    if exact.is_some() {
        return exact;
    }
    if wanted.variant.is_none() {
        return candidates.iter().position(|c| {
            c.filter(usable).is_some_and(|p| {
                let (o, a, _) = p.normalized();
                o == os && a == arch
            })
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Platform {
        Platform::parse(text).unwrap()
    }

    #[test]
    fn parsing_and_display() {
        assert_eq!(p("").to_string(), "linux/amd64");
        assert_eq!(p("linux/arm/v7").variant.as_deref(), Some("v7"));
        assert_eq!(p("Linux/ARM64").to_string(), "linux/arm64");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//v7").is_err());
    }

    #[test]
    fn picking_follows_containerd_defaults() {
        let list = [
            Some(p("unknown/unknown")),
            Some(p("linux/amd64")),
            Some(p("linux/arm/v6")),
            Some(p("linux/arm/v7")),
            Some(p("linux/arm64/v8")),
            None,
            Some(p("windows/amd64")),
        ];
        let refs: Vec<Option<&Platform>> = list.iter().map(Option::as_ref).collect();
        assert_eq!(pick(&p("linux/amd64"), &refs), Some(1));
        assert_eq!(pick(&p("linux/x86_64"), &refs), Some(1));
        assert_eq!(pick(&p("linux/arm64"), &refs), Some(4));
        assert_eq!(pick(&p("linux/aarch64"), &refs), Some(4));
        assert_eq!(pick(&p("linux/arm"), &refs), Some(3));
        assert_eq!(pick(&p("linux/arm/v6"), &refs), Some(2));
        assert_eq!(pick(&p("windows/amd64"), &refs), Some(6));
        assert_eq!(pick(&p("linux/s390x"), &refs), None);
        assert_eq!(pick(&p("unknown/unknown"), &refs), None);
        // No exact variant: any of the same os/arch when none was asked for.
        let only_v8 = [Some(p("linux/arm64/v8"))];
        let refs: Vec<Option<&Platform>> = only_v8.iter().map(Option::as_ref).collect();
        assert_eq!(pick(&p("linux/arm64"), &refs), Some(0));
        let amd64_v3 = [Some(p("linux/amd64/v3"))];
        let refs: Vec<Option<&Platform>> = amd64_v3.iter().map(Option::as_ref).collect();
        assert_eq!(pick(&p("linux/amd64"), &refs), Some(0));
        assert_eq!(pick(&p("linux/amd64/v2"), &refs), None);
    }
}
