//! The embedded base-image catalog (`server/data/image-sizes.csv`): pull
//! and on-disk sizes per image, tag and platform, each with its date and
//! source, and the lookup of an image reference in it.
//!
//! Lookup never guesses across images: an image the catalog lacks, or a
//! reference pinned by digest alone, is unknown. Within an image it takes
//! the exact tag, else the nearest tag of the same family (same variant,
//! closest version) and says which tag the figure is for.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use super::amount::Distro;

const CSV: &str = include_str!("../../data/image-sizes.csv");

/// Used when a row has no unpacked size and no rule: the catalog's general
/// ratio (see `server/data/README.md`).
pub const GENERAL_UNPACK_RATIO: f64 = 2.7;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub image: String,
    pub tag: String,
    pub platform: String,
    pub compressed: Option<u64>,
    pub unpacked: Option<u64>,
    /// The build date of the tag the figure was read for.
    pub as_of: String,
    pub source: String,
    /// Where the unpacked figure comes from when not from `source`.
    pub unpacked_source: String,
    /// The version the tag pointed at (`1.22.5`).
    pub version_seen: String,
    /// Set when the unpacked figure is derived: the rule.
    pub derived_rule: String,
    pub distro: Distro,
}

impl Entry {
    /// The on-disk size, from the row or derived with the general ratio.
    pub fn unpacked_bytes(&self) -> Option<u64> {
        self.unpacked.or_else(|| {
            self.compressed
                .map(|c| (c as f64 * GENERAL_UNPACK_RATIO).round() as u64)
        })
    }

    /// Whether the unpacked figure is derived rather than read (rules
    /// starting `unpacked =`, or a whole row borrowed from a sibling tag).
    pub fn unpacked_is_derived(&self) -> bool {
        self.unpacked.is_none() || self.derived_rule.starts_with("unpacked") || self.is_proxy()
    }

    /// The row repeats a sibling tag's figures (`proxy of golang:1.25`):
    /// the tag itself was not found in the sources.
    pub fn is_proxy(&self) -> bool {
        self.derived_rule.starts_with("proxy of")
    }

    /// The tag whose figures a proxy row repeats.
    pub fn proxy_for(&self) -> Option<&str> {
        let rest = self.derived_rule.strip_prefix("proxy of")?.trim_start();
        rest.split(|c: char| c.is_whitespace() || c == ';' || c == ',' || c == '(')
            .next()
    }

    /// The ratio of unpacked to compressed bytes for this image, to turn
    /// what a build adds into a pull size.
    pub fn unpack_ratio(&self) -> f64 {
        match (self.compressed, self.unpacked_bytes()) {
            (Some(c), Some(u)) if c > 0 && u >= c => u as f64 / c as f64,
            _ => GENERAL_UNPACK_RATIO,
        }
    }
}

/// Every catalog row, parsed once.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| parse(CSV))
}

fn parse(text: &str) -> Vec<Entry> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        return Vec::new();
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let columns = [
        "image",
        "tag",
        "platform",
        "compressed_bytes",
        "uncompressed_bytes",
        "as_of",
        "source",
        "uncompressed_source",
        "version_seen",
        "derived_rule",
        "distro",
    ]
    .map(column);
    let mut out = Vec::new();
    for record in reader.records().flatten() {
        let field = |i: usize| {
            columns[i]
                .and_then(|c| record.get(c))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let image = field(0);
        let tag = field(1);
        let distro = match field(10).as_str() {
            "" => distro_from_names(&image, &tag),
            written => distro_named(written),
        };
        out.push(Entry {
            compressed: field(3).parse().ok(),
            unpacked: field(4).parse().ok(),
            platform: field(2),
            as_of: field(5),
            source: field(6),
            unpacked_source: field(7),
            version_seen: field(8),
            derived_rule: field(9),
            distro,
            image,
            tag,
        });
    }
    out
}

fn distro_named(name: &str) -> Distro {
    match name {
        "debian" => Distro::Debian,
        "ubuntu" => Distro::Ubuntu,
        "alpine" => Distro::Alpine,
        "rhel" => Distro::Rhel,
        _ => Distro::Unknown,
    }
}

/// The distribution an image is built on, from the naming conventions of
/// official images, for rows that do not say.
pub fn distro_from_names(image: &str, tag: &str) -> Distro {
    let last = image.rsplit('/').next().unwrap_or(image);
    if tag.contains("alpine") || last == "alpine" {
        return Distro::Alpine;
    }
    if last == "ubuntu" || tag.contains("jammy") || tag.contains("noble") || tag.contains("focal") {
        return Distro::Ubuntu;
    }
    if image.contains("distroless") || matches!(last, "busybox" | "scratch") {
        return Distro::Unknown;
    }
    if matches!(
        last,
        "fedora" | "almalinux" | "rockylinux" | "amazonlinux" | "oraclelinux" | "centos"
    ) || tag.contains("oraclelinux")
        || tag.contains("ubi")
    {
        return Distro::Rhel;
    }
    // official images default to Debian unless their tag says otherwise
    Distro::Debian
}

/// An image reference split and normalised the way Docker Hub names work:
/// `docker.io/library/` and `library/` are dropped, the tag defaults to
/// `latest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageName {
    /// `golang`, `gcr.io/distroless/static-debian12`, `bitnami/redis`.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageName {
    pub fn parse(reference: &str) -> Option<ImageName> {
        let reference = reference.trim();
        if reference.is_empty() || reference.contains(char::is_whitespace) {
            return None;
        }
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (reference, None),
        };
        // a colon after the last slash is a tag; before it, a registry port
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match rest[last_slash..].find(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        let mut path = path.to_ascii_lowercase();
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
            if let Some(stripped) = path.strip_prefix(prefix) {
                path = stripped.to_string();
                break;
            }
        }
        if let Some(stripped) = path.strip_prefix("library/") {
            path = stripped.to_string();
        }
        if path.is_empty() {
            return None;
        }
        Some(ImageName {
            name: path,
            tag: tag.filter(|t| !t.is_empty()),
            digest,
        })
    }

    /// The tag as Docker resolves it: `latest` when none is written.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

/// Why a reference has no catalog figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The catalog has no figures for this image.
    UnknownImage(String),
    /// Pinned by digest alone: which tag it is cannot be known offline.
    DigestOnly,
    /// Not an image reference we can read (an unexpanded variable).
    Unreadable(String),
}

/// A catalog figure for a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub entry: &'static Entry,
    /// The tag was found as written, for the asked platform.
    pub exact: bool,
    /// The platform asked for differs from the row's (no figure for it).
    pub other_platform: bool,
}

/// Looks a reference up for a platform (`linux/amd64`). Answers are
/// remembered: the catalog never changes while the program runs, and large
/// files name the same few images over and over.
pub fn lookup(reference: &str, platform: &str) -> Result<Match, Missing> {
    type Memo = HashMap<(String, String), Result<Match, Missing>>;
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    let key = (reference.to_string(), platform.to_string());
    if let Some(found) = memo
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return found.clone();
    }
    let found = lookup_uncached(reference, platform);
    let mut remembered = memo.lock().unwrap_or_else(PoisonError::into_inner);
    // references are few; a file made of distinct ones must not grow it forever
    if remembered.len() >= 10_000 {
        remembered.clear();
    }
    remembered.insert(key, found.clone());
    found
}

fn lookup_uncached(reference: &str, platform: &str) -> Result<Match, Missing> {
    if reference.contains('$') {
        return Err(Missing::Unreadable(reference.to_string()));
    }
    let Some(image) = ImageName::parse(reference) else {
        return Err(Missing::Unreadable(reference.to_string()));
    };
    if image.tag.is_none() && image.digest.is_some() {
        return Err(Missing::DigestOnly);
    }
    let rows: Vec<&'static Entry> = entries().iter().filter(|e| e.image == image.name).collect();
    if rows.is_empty() {
        return Err(Missing::UnknownImage(image.name));
    }
    let wanted = TagShape::of(image.tag_or_latest());
    let best = rows
        .iter()
        .filter_map(|entry| {
            let distance = wanted.distance_to(&TagShape::of(&entry.tag))?;
            let platform_penalty = u64::from(entry.platform != platform);
            Some(((distance, platform_penalty), *entry))
        })
        .min_by(|(a, _), (b, _)| a.cmp(b));
    match best {
        Some(((distance, platform_penalty), entry)) => Ok(Match {
            entry,
            exact: distance == 0 && entry.tag == image.tag_or_latest(),
            other_platform: platform_penalty > 0,
        }),
        None => Err(Missing::UnknownImage(format!(
            "{}:{}",
            image.name,
            image.tag_or_latest()
        ))),
    }
}

/// A tag read as version + variant: `1.22.5-alpine3.20` is version
/// `[1, 22, 5]` with variant `alpine`; `stable-alpine` has no version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TagShape {
    version: Vec<u64>,
    /// Variant words with distribution versions dropped (`alpine3.20` →
    /// `alpine`), Debian/Ubuntu release names kept apart.
    variant: Vec<String>,
    /// Release names (`bookworm`, `noble`): the default variant of a
    /// version tag is one of them, so they may be left out.
    releases: Vec<String>,
    /// Non-version words that name a line (`stable`, `mainline`, `lts`).
    channel: Vec<String>,
}

const RELEASES: &[&str] = &[
    "bookworm", "bullseye", "buster", "trixie", "stretch", "jammy", "noble", "focal", "bionic",
];
const CHANNELS: &[&str] = &["latest", "stable", "mainline", "lts", "current"];

impl TagShape {
    fn of(tag: &str) -> TagShape {
        let tag = tag.to_ascii_lowercase();
        let mut words = tag.split('-').peekable();
        let mut version = Vec::new();
        if let Some(first) = words.peek() {
            let digits = first.strip_prefix('v').unwrap_or(first);
            let parts: Option<Vec<u64>> = digits.split('.').map(|p| p.parse().ok()).collect();
            if let Some(parts) = parts.filter(|p| !p.is_empty()) {
                version = parts;
                words.next();
            }
        }
        let mut shape = TagShape {
            version,
            variant: Vec::new(),
            releases: Vec::new(),
            channel: Vec::new(),
        };
        for word in words {
            let bare = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            if RELEASES.contains(&word) {
                shape.releases.push(word.to_string());
            } else if CHANNELS.contains(&word) {
                shape.channel.push(word.to_string());
            } else if !bare.is_empty()
                && matches!(bare, "alpine" | "windowsservercore" | "nanoserver")
            {
                shape.variant.push(bare.to_string());
            } else {
                shape.variant.push(word.to_string());
            }
        }
        shape
    }

    /// How far a catalog tag is from this one; `None` when it is of another
    /// family (another variant), which is never substituted.
    fn distance_to(&self, other: &TagShape) -> Option<u64> {
        if self.variant != other.variant {
            return None;
        }
        let mut distance = 0;
        if self.channel != other.channel {
            // `latest`/`stable` against a version: allowed, but far
            if !(self.channel.is_empty() || self.channel == ["latest"])
                || !(other.channel.is_empty() || other.channel == ["latest"])
            {
                return None;
            }
            distance += 1;
        }
        if self.releases != other.releases {
            if !self.releases.is_empty() && !other.releases.is_empty() {
                return None;
            }
            distance += 2;
        }
        distance += version_distance(&self.version, &other.version);
        Some(distance)
    }
}

/// 0 for the same version; small when one refines the other (`1.22` and
/// `1.22.5`); larger the further apart the first differing component is.
fn version_distance(wanted: &[u64], have: &[u64]) -> u64 {
    if wanted == have {
        return 0;
    }
    if wanted.is_empty() || have.is_empty() {
        // a bare variant (`alpine`) stands for the newest version
        return 1_000 + have.first().map_or(0, |v| 100u64.saturating_sub(*v));
    }
    let common = wanted.iter().zip(have).take_while(|(a, b)| a == b).count();
    if common == wanted.len().min(have.len()) {
        return 4 + (wanted.len().abs_diff(have.len()) as u64);
    }
    let a = wanted[common];
    let b = have[common];
    // differing in the major version is worse than in a minor one
    let weight = match common {
        0 => 100_000,
        1 => 1_000,
        _ => 10,
    };
    weight + a.abs_diff(b).min(99) * 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_normalised() {
        let name = ImageName::parse("docker.io/library/golang:1.22-alpine").unwrap();
        assert_eq!(name.name, "golang");
        assert_eq!(name.tag.as_deref(), Some("1.22-alpine"));
        let name = ImageName::parse("localhost:5000/team/app").unwrap();
        assert_eq!(name.name, "localhost:5000/team/app");
        assert_eq!(name.tag_or_latest(), "latest");
        let pinned = ImageName::parse("alpine@sha256:abc").unwrap();
        assert_eq!(
            (pinned.tag, pinned.digest.as_deref()),
            (None, Some("sha256:abc"))
        );
    }

    #[test]
    fn tags_are_read_as_version_and_variant() {
        let shape = TagShape::of("1.22.5-alpine3.20");
        assert_eq!(shape.version, [1, 22, 5]);
        assert_eq!(shape.variant, ["alpine"]);
        let shape = TagShape::of("stable-alpine");
        assert!(shape.version.is_empty());
        assert_eq!(
            (shape.channel.as_slice(), shape.variant.as_slice()),
            (&["stable".to_string()][..], &["alpine".to_string()][..])
        );
        assert_eq!(TagShape::of("3.12-slim-bookworm").releases, ["bookworm"]);
    }

    #[test]
    fn nearer_versions_are_closer() {
        let wanted = TagShape::of("1.22");
        let refined = TagShape::of("1.22.5");
        let sibling = TagShape::of("1.23");
        let other_major = TagShape::of("2.0");
        let alpine = TagShape::of("1.22-alpine");
        let d = |t: &TagShape| wanted.distance_to(t);
        assert!(d(&refined) < d(&sibling));
        assert!(d(&sibling) < d(&other_major));
        assert_eq!(d(&alpine), None);
    }

    #[test]
    fn unknown_images_and_bare_digests_are_not_guessed() {
        assert_eq!(
            lookup("example.com/nobody/nothing:1", "linux/amd64"),
            Err(Missing::UnknownImage("example.com/nobody/nothing".into()))
        );
        assert_eq!(
            lookup("alpine@sha256:0123", "linux/amd64"),
            Err(Missing::DigestOnly)
        );
        assert!(matches!(
            lookup("golang:${V}", "linux/amd64"),
            Err(Missing::Unreadable(_))
        ));
    }
}
