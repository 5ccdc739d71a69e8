//! The vocabulary every size figure is written in: a byte range with a best
//! guess, and how the figure is known.

use std::fmt;

/// Unpacked bytes as a range: `low <= best <= high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bytes {
    pub low: u64,
    pub best: u64,
    pub high: u64,
}

impl Bytes {
    pub const ZERO: Bytes = Bytes {
        low: 0,
        best: 0,
        high: 0,
    };

    pub fn exact(bytes: u64) -> Bytes {
        Bytes {
            low: bytes,
            best: bytes,
            high: bytes,
        }
    }

    /// A range; the three figures are put in order so the invariant
    /// always holds.
    pub fn range(low: u64, best: u64, high: u64) -> Bytes {
        let mut figures = [low, best, high];
        figures.sort_unstable();
        let [low, best, high] = figures;
        Bytes { low, best, high }
    }

    /// `best` with `low` and `high` a fraction below and above it
    /// (`spread` 0.25 → ±25 %).
    pub fn around(best: u64, spread: f64) -> Bytes {
        let delta = (best as f64 * spread).round() as u64;
        Bytes {
            low: best.saturating_sub(delta),
            best,
            high: best.saturating_add(delta),
        }
    }

    pub fn scaled(self, factor: f64) -> Bytes {
        let scale = |n: u64| (n as f64 * factor).round() as u64;
        Bytes::range(scale(self.low), scale(self.best), scale(self.high))
    }
}

impl std::ops::Add for Bytes {
    type Output = Bytes;
    fn add(self, other: Bytes) -> Bytes {
        Bytes {
            low: self.low.saturating_add(other.low),
            best: self.best.saturating_add(other.best),
            high: self.high.saturating_add(other.high),
        }
    }
}

impl std::ops::AddAssign for Bytes {
    fn add_assign(&mut self, other: Bytes) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Bytes {
    fn sum<I: Iterator<Item = Bytes>>(parts: I) -> Bytes {
        parts.fold(Bytes::ZERO, |total, part| total + part)
    }
}

/// How a figure is known, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Known {
    /// From the embedded base-image catalog, a registry or the local engine.
    Catalog,
    /// Measured on disk (the build context).
    Measured,
    /// From a package or artifact size table.
    Table,
    /// A rule of thumb.
    Heuristic,
    /// Not understood: the range is wide and the best guess says nothing.
    Unknown,
}

impl Known {
    pub fn as_str(self) -> &'static str {
        match self {
            Known::Catalog => "catalog",
            Known::Measured => "measured",
            Known::Table => "table",
            Known::Heuristic => "heuristic",
            Known::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Known {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The package family of an image's distribution: which package manager's
/// table applies to a RUN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distro {
    /// Debian and images built on it (apt, dpkg).
    Debian,
    Ubuntu,
    /// Alpine and images built on it (apk).
    Alpine,
    /// Fedora, RHEL, CentOS, Alma, Rocky, Amazon Linux, Oracle Linux (dnf/yum/microdnf).
    Rhel,
    /// No package manager (scratch, distroless) or not known.
    Unknown,
}

/// One contribution to a stage's size: what it is, how much it adds, how
/// that is known and where the figure comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Short, for a table cell: `apt-get install curl git`, `go build -o /app`.
    pub what: String,
    pub unpacked: Bytes,
    pub known: Known,
    /// Where the figure comes from: a table row, a URL, a rule. Mostly
    /// fixed text, borrowed: a large file's estimate has thousands of parts.
    pub source: std::borrow::Cow<'static, str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_stay_ordered_when_added_and_scaled() {
        let total: Bytes = [
            Bytes::exact(10),
            Bytes::range(5, 1, 3),
            Bytes::around(100, 0.5),
        ]
        .into_iter()
        .sum();
        assert_eq!(
            total,
            Bytes {
                low: 61,
                best: 113,
                high: 165
            }
        );
        assert_eq!(
            Bytes::range(9, 1, 5).scaled(2.0),
            Bytes {
                low: 2,
                best: 10,
                high: 18
            }
        );
    }
}
