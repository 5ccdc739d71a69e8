//! Package-size tables: Debian figures generated from Debian's package
//! metadata (`server/data/packages-debian.csv`, see `server/data/PACKAGES.md`),
//! apk/pip/npm figures from documented measurements
//! (`server/data/packages-other.csv`), and per-manager rules of thumb for
//! packages in neither.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::amount::{Bytes, Known};

/// Sizes are in MB of 10^6 bytes, as the Docker CLI prints them.
pub const MB: u64 = 1_000_000;
const KIB: u64 = 1024;

/// The Debian table as committed.
pub const DEBIAN_CSV: &str = include_str!("../../data/packages-debian.csv");
/// apk, pip and npm figures with their sources.
pub const OTHER_CSV: &str = include_str!("../../data/packages-other.csv");

pub const DEBIAN_SOURCE: &str =
    "Debian 12 Installed-Size of the Depends closure above the required set";
pub const APT_UNKNOWN_SOURCE: &str =
    "rule of thumb: median closure of the Debian table, 10th–90th percentile as the range";
pub const APK_UNKNOWN_SOURCE: &str =
    "rule of thumb: an Alpine package is 0.05–50 MB, 2 MB as a guess (estimate)";
pub const RPM_SOURCE: &str = "the Debian 12 figure of the package of the same name (heuristic)";
pub const RPM_UNKNOWN_SOURCE: &str =
    "rule of thumb: an RPM with dependencies is 0.1–150 MB, 10 MB as a guess (estimate)";
pub const PIP_UNKNOWN_SOURCE: &str =
    "rule of thumb: a PyPI package with dependencies is 0.1–800 MB, 5 MB as a guess (estimate)";
pub const NPM_UNKNOWN_SOURCE: &str =
    "rule of thumb: an npm package with dependencies is 0.05–100 MB, 3 MB as a guess (estimate)";
pub const NODE_PROJECT_SOURCE: &str =
    "image-sizes.md §2: node_modules is ~3 MB for an Express-size app, \
     50–300 MB for a typical full-stack app (estimate); dev dependencies ×2–3";
pub const GEM_SOURCE: &str =
    "rule of thumb: a gem with dependencies is 0.1–50 MB, 3 MB as a guess; docs +30 % (estimate)";

/// One package's figure.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageSize {
    pub name: String,
    /// Its own installed size, without dependencies.
    pub own: u64,
    /// What installing it adds to the base image, dependencies included.
    pub unpacked: Bytes,
    /// Packages the install adds (itself included); 0 when not known.
    pub packages: u32,
    pub known: Known,
    pub source: String,
}

/// One row of the Debian table (sizes in bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct DebianRow {
    pub package: String,
    pub corpus_count: u32,
    pub version: String,
    pub own: u64,
    pub closure: u64,
    pub closure_packages: u32,
    pub closure_recommends: u64,
    pub closure_recommends_packages: u32,
}

/// The Debian table's header comment (date, release, base) and its rows;
/// `Err` names the first line that does not parse.
pub fn parse_debian(csv: &str) -> Result<(String, Vec<DebianRow>), String> {
    let mut comment = String::new();
    let mut rows = Vec::new();
    let mut header = false;
    for (n, line) in csv.lines().enumerate() {
        if let Some(c) = line.strip_prefix('#') {
            comment.push_str(c.trim());
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if !header {
            header = true;
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let bad = || format!("line {}: {line}", n + 1);
        if f.len() != 8 {
            return Err(bad());
        }
        let int = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
        rows.push(DebianRow {
            package: f[0].to_string(),
            corpus_count: int(f[1])? as u32,
            version: f[2].to_string(),
            own: int(f[3])? * KIB,
            closure: int(f[4])? * KIB,
            closure_packages: int(f[5])? as u32,
            closure_recommends: int(f[6])? * KIB,
            closure_recommends_packages: int(f[7])? as u32,
        });
    }
    Ok((comment, rows))
}

struct Debian {
    date: String,
    rows: HashMap<String, DebianRow>,
    unknown: Bytes,
    unknown_recommends: Bytes,
}

fn debian() -> &'static Debian {
    static TABLE: OnceLock<Debian> = OnceLock::new();
    TABLE.get_or_init(|| {
        let (comment, rows) = parse_debian(DEBIAN_CSV).unwrap_or_default();
        let date = comment
            .split_whitespace()
            .skip_while(|w| *w != "generated")
            .nth(1)
            .unwrap_or("")
            .to_string();
        let spread = |pick: fn(&DebianRow) -> u64| {
            let mut sizes: Vec<u64> = rows.iter().map(pick).collect();
            sizes.sort_unstable();
            if sizes.is_empty() {
                return Bytes::range(0, 5 * MB, 100 * MB);
            }
            let at = |q: f64| sizes[((sizes.len() - 1) as f64 * q).round() as usize];
            Bytes::range(at(0.1), at(0.5), at(0.9))
        };
        let unknown = spread(|r| r.closure);
        let unknown_recommends = spread(|r| r.closure_recommends);
        Debian {
            date,
            rows: rows.into_iter().map(|r| (r.package.clone(), r)).collect(),
            unknown,
            unknown_recommends,
        }
    })
}

/// The date the Debian table was generated (`YYYY-MM-DD`).
pub fn debian_table_date() -> &'static str {
    &debian().date
}

/// What `apt-get install NAME` adds on Debian 12 above the base image:
/// the closure of Depends (and Recommends unless `--no-install-recommends`).
/// The range runs from 85 % (slim images drop docs; some dependencies may
/// already be there) to the full closure.
pub fn apt_package(name: &str, no_install_recommends: bool) -> Option<PackageSize> {
    let row = debian().rows.get(name)?;
    let (bytes, packages) = if no_install_recommends {
        (row.closure, row.closure_packages)
    } else {
        (row.closure_recommends, row.closure_recommends_packages)
    };
    let low = (bytes as f64 * 0.85) as u64;
    Some(PackageSize {
        name: row.package.clone(),
        own: row.own.min(bytes),
        unpacked: Bytes::range(low.max(row.own.min(bytes)), bytes, bytes),
        packages,
        known: Known::Table,
        source: format!(
            "{DEBIAN_SOURCE}, {} {}: {} packages{} (packages-debian.csv, {})",
            row.package,
            row.version,
            packages,
            if no_install_recommends {
                ""
            } else {
                " with Recommends"
            },
            debian().date
        ),
    })
}

/// An apt package not in the table.
pub fn apt_unknown(no_install_recommends: bool) -> Bytes {
    if no_install_recommends {
        debian().unknown
    } else {
        debian().unknown_recommends
    }
}

/// The Debian figure for an RPM of the same name, as a heuristic.
pub fn rpm_package(name: &str) -> Option<PackageSize> {
    let mut size = apt_package(name, true)?;
    size.known = Known::Heuristic;
    size.unpacked = Bytes::range(
        size.unpacked.low / 2,
        size.unpacked.best,
        size.unpacked.high * 3 / 2,
    );
    size.source = format!("{RPM_SOURCE}: {}", size.source);
    Some(size)
}

pub fn rpm_unknown() -> Bytes {
    Bytes::range(MB / 10, 10 * MB, 150 * MB)
}

// ------------------------------------------------------------- apk, pip, npm

/// A row of `packages-other.csv`: figures measured for a set of packages.
#[derive(Debug, Clone, PartialEq)]
pub struct SetRow {
    pub manager: String,
    pub names: Vec<String>,
    pub unpacked: Bytes,
    pub known: Known,
    pub status: String,
    pub source: String,
}

/// Splits one CSV line; double quotes group, `""` is a quote.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// Parses `packages-other.csv`; `Err` names the first bad line.
pub fn parse_other(csv: &str) -> Result<Vec<SetRow>, String> {
    let mut rows = Vec::new();
    for (n, line) in csv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
    {
        let f = csv_fields(line);
        let bad = || format!("line {}: {line}", n + 1);
        if f.len() != 8 {
            return Err(bad());
        }
        let mb = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map(|v| (v * MB as f64) as u64)
                .map_err(|_| bad())
        };
        let known = match f[5].as_str() {
            "table" => Known::Table,
            "heuristic" => Known::Heuristic,
            _ => return Err(bad()),
        };
        let (low, best, high) = (mb(&f[2])?, mb(&f[3])?, mb(&f[4])?);
        if !(low <= best && best <= high) {
            return Err(bad());
        }
        rows.push(SetRow {
            manager: f[0].clone(),
            names: f[1].split_whitespace().map(str::to_string).collect(),
            unpacked: Bytes { low, best, high },
            known,
            status: f[6].clone(),
            source: format!("{} ({}; packages-other.csv)", f[7], f[6]),
        });
    }
    Ok(rows)
}

fn other() -> &'static [SetRow] {
    static ROWS: OnceLock<Vec<SetRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut rows = parse_other(OTHER_CSV).unwrap_or_default();
        // Bigger sets first: a figure measured together wins.
        rows.sort_by_key(|r| std::cmp::Reverse(r.names.len()));
        rows
    })
}

/// The table rows a list of packages matches, and the names no row covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    pub rows: Vec<SetRow>,
    pub unknown: Vec<String>,
}

fn match_sets(manager: &str, names: &[String]) -> Found {
    let mut left: Vec<String> = names.to_vec();
    let mut found = Found::default();
    for row in other().iter().filter(|r| r.manager == manager) {
        if row.names.iter().all(|n| left.contains(n)) {
            left.retain(|n| !row.names.contains(n));
            found.rows.push(row.clone());
        }
    }
    found.unknown = left;
    found
}

fn single(manager: &str, name: &str) -> Option<PackageSize> {
    let row = other()
        .iter()
        .find(|r| r.manager == manager && r.names.len() == 1 && r.names[0] == name)?;
    Some(PackageSize {
        name: name.to_string(),
        own: row.unpacked.best,
        unpacked: row.unpacked,
        packages: 0,
        known: row.known,
        source: row.source.clone(),
    })
}

/// One Alpine package, from documented figures.
pub fn apk_package(name: &str) -> Option<PackageSize> {
    single("apk", name)
}

/// An `apk add` list: rows measured together, then single rows.
pub fn apk_packages(names: &[String]) -> Found {
    match_sets("apk", names)
}

pub fn apk_unknown() -> Bytes {
    Bytes::range(MB / 20, 2 * MB, 50 * MB)
}

pub fn pip_package(name: &str) -> Option<PackageSize> {
    single("pip", name)
}

pub fn pip_packages(names: &[String]) -> Found {
    match_sets("pip", names)
}

pub fn pip_unknown() -> Bytes {
    Bytes::range(MB / 10, 5 * MB, 800 * MB)
}

pub fn npm_package(name: &str) -> Option<PackageSize> {
    single("npm", name)
}

pub fn npm_packages(names: &[String]) -> Found {
    match_sets("npm", names)
}

pub fn npm_unknown() -> Bytes {
    Bytes::range(MB / 20, 3 * MB, 100 * MB)
}

/// `npm ci` / `yarn install` / `pnpm install` of a package.json we cannot see.
pub fn node_project(production: bool) -> Bytes {
    if production {
        Bytes::range(3 * MB, 50 * MB, 300 * MB)
    } else {
        Bytes::range(10 * MB, 150 * MB, 800 * MB)
    }
}

pub fn gem_unknown() -> Bytes {
    Bytes::range(MB / 10, 3 * MB, 50 * MB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let (comment, rows) = parse_debian(DEBIAN_CSV).unwrap();
        assert!(comment.contains("generated"), "{comment}");
        assert!(rows.len() > 100);
        assert!(parse_other(OTHER_CSV).unwrap().len() > 10);
        assert!(!debian_table_date().is_empty());
    }

    #[test]
    fn measured_sets_win_over_single_rows() {
        let names: Vec<String> = ["fastapi", "uvicorn", "flask"].map(String::from).to_vec();
        let found = pip_packages(&names);
        assert_eq!(found.rows.len(), 2);
        assert!(found.unknown.is_empty());
        let found = pip_packages(&["fastapi".to_string()]);
        assert_eq!(found.unknown, ["fastapi"]);
    }
}
