#!/usr/bin/env python3
"""Extend server/data/image-sizes.csv (see server/data/README.md).

Idempotent steps, run from the repository root:

    python3 tools/catalog/extend_catalog.py [rows.tsv ...]

1. add the `distro` column (last) to rows that lack it, from `version_seen`
   and the image name (rules below, overridable per image);
2. append the rows of each TSV file (columns: image, tag, platform,
   compressed_bytes, as_of, repo-info commit, repo-info path, version_seen,
   distro, unit_note; `#` lines are comments) unless (image, tag, platform)
   is already present -- every such row is a `Total Size` read by hand from
   docker-library/repo-info at that commit;
3. add the PROXY rows and the distroless rows defined below;
4. fill `uncompressed_bytes` of every row that has none with
   compressed x family ratio (RATIOS below), rounded to 100 kB, and say so in
   `derived_rule`;
5. write the CSV back sorted by (image, tag, platform).

Nothing here fetches anything: numbers come from the TSV or the rows already
in the CSV.
"""

import csv
import sys

CSV_PATH = "server/data/image-sizes.csv"
COLUMNS = [
    "image", "tag", "platform", "compressed_bytes", "uncompressed_bytes",
    "as_of", "source", "uncompressed_source", "version_seen", "unit_note",
    "derived_rule", "distro",
]
DISTROS = {"debian", "ubuntu", "alpine", "rhel", "none"}

# Image-level distro overrides (checked before the version_seen keywords).
DISTRO_BY_IMAGE = {
    "busybox": "none",       # static busybox binaries, no package manager
    "archlinux": "none",     # pacman: none of apt/apk/dnf
    "almalinux": "rhel", "amazonlinux": "rhel", "fedora": "rhel",
    "oraclelinux": "rhel", "mysql": "rhel", "elasticsearch": "rhel",
}
KEYWORDS = [  # first match in version_seen (lower-cased) wins
    ("alpine", "alpine"), ("ubuntu", "ubuntu"), ("oraclelinux", "rhel"),
    ("oracle linux", "rhel"), ("amazon", "rhel"), ("ubi9", "rhel"),
    ("fedora", "rhel"), ("almalinux", "rhel"), ("trixie", "debian"),
    ("bookworm", "debian"), ("bullseye", "debian"), ("debian", "debian"),
]


def infer_distro(row):
    if row["image"] in DISTRO_BY_IMAGE:
        return DISTRO_BY_IMAGE[row["image"]]
    if row["image"].startswith("gcr.io/distroless/"):
        return "none"
    seen = row["version_seen"].lower()
    for word, distro in KEYWORDS:
        if word in seen:
            return distro
    if row["image"] in ("debian",):
        return "debian"
    if row["image"] in ("ubuntu",):
        return "ubuntu"
    if row["image"] == "alpine" or "alpine" in row["tag"]:
        return "alpine"
    raise SystemExit(f"no distro rule for {row['image']}:{row['tag']} ({row['version_seen']!r})")


# Ratio families (unpacked / compressed), measured on amd64; see README.
ALPINE = (2.169, "alpine/busybox base images: median of 4 pairs (alpine 3.21, 3.22, 3.24, busybox latest; 2.00-2.19)", 15)
OSBASE = (2.527, "Debian/Ubuntu OS base images: median of 2 debian pairs (bookworm 2.40, bookworm-slim 2.65); ubuntu extrapolated", 15)
SLIM = (2.890, "node/python slim & alpine: median of 4 pairs (node 22-slim, node 24-alpine, python 3.13-slim, python 3.13-alpine; 2.70-2.94)", 15)
SLIM_X = (2.890, "node/python slim & alpine median of 4 pairs (2.70-2.94), extrapolated: no pair for this image", 25)
GOALP = (3.343, "golang alpine: 1 pair (golang 1.25-alpine, same version and date)", 15)
JVM = (2.626, "JVM images: 1 pair (eclipse-temurin 21-jre, different build), extrapolated to JDK and JVM-application images", 25)
RUST = (2.967, "rust: 1 pair (rust slim, Jan 2023, 1.67.0 vs 1.66.1), extrapolated to the other rust tags", 25)
GENERIC = (2.65, "generic: median of all 13 measured pairs (range 2.00-3.34); no pair measured for this kind of image", 30)
JVM_IMAGES = {"eclipse-temurin", "maven", "gradle", "amazoncorretto", "sapmachine",
              "openjdk", "tomcat", "sonarqube", "elasticsearch", "neo4j"}


def family(row):
    image, tag = row["image"], row["tag"]
    small = "slim" in tag or "alpine" in tag
    if image in ("alpine", "busybox"):
        return ALPINE
    if image in ("debian", "ubuntu"):
        return OSBASE
    if image in ("node", "python") and small:
        return SLIM
    if image in ("ruby", "php", "perl") and small:
        return SLIM_X
    if image == "golang" and "alpine" in tag:
        return GOALP
    if image in JVM_IMAGES:
        return JVM
    if image == "rust":
        return RUST
    return GENERIC


def round100k(n):
    return int(round(n / 100_000.0)) * 100_000


PROXIES = [
    # (image, tag, target tag, why there is no figure of its own)
    ("golang", "1.22", "1.25", "the stored repo-info copy has no golang:1.22 file (its builds predate the stored history)"),
    ("golang", "1.23", "1.25", "the stored repo-info copy has no golang:1.23 file (its builds predate the stored history)"),
    ("golang", "1.24", "1.25", "the stored repo-info copy has no golang:1.24 file (its builds predate the stored history)"),
    ("golang", "1.22-alpine", "1.25-alpine", "the stored repo-info copy has no golang:1.22-alpine file"),
    ("golang", "1.23-alpine", "1.25-alpine", "the stored repo-info copy has no golang:1.23-alpine file"),
    ("golang", "1.24-alpine", "1.25-alpine", "the stored repo-info copy has no golang:1.24-alpine file"),
    ("node", "20", "22", "the stored repo-info copy has no node:20 file"),
    ("node", "20-slim", "22-slim", "the stored repo-info copy has no node:20-slim file"),
    ("node", "20-alpine", "22-alpine", "the stored repo-info copy has no node:20-alpine file"),
    ("maven", "3.8-openjdk-17", "3.8-eclipse-temurin-17",
     "the stored repo-info copy has no maven:3.8-openjdk-17 file; the figure is the Ubuntu-based "
     "maven:3.8-eclipse-temurin-17 of Jan 2023 (same Maven 3.8.7, JDK 17), while the openjdk variant "
     "used the Oracle Linux based openjdk image (cf. openjdk:latest, oraclelinux8-slim)"),
]
PROXY_DISTRO = {("maven", "3.8-openjdk-17"): "rhel"}

DISTROLESS_README = "GoogleContainerTools/distroless@00121b687b7663d006341f499294294f4edf6ece:README.md"
KEPTN = "https://github.com/keptn/lifecycle-toolkit/issues/1087"
DISTROLESS = [
    # image, tag, unpacked bytes, as_of, source, version_seen, note, ratio family
    ("gcr.io/distroless/static-debian11", "latest", 2 * 1024 * 1024, "2021-10-22", DISTROLESS_README,
     "Debian 11 static (ca-certificates, tzdata, base-files, netbase)",
     "unpacked = README 'The smallest distroless image, gcr.io/distroless/static-debian11, is around 2 MiB' "
     "(approximate; on-disk basis: the same sentence puts debian at 124 MiB, its unpacked size); platform not "
     "stated, taken as linux/amd64; as_of = PR #869 (2021-10-22) that introduced this sentence, the stored "
     "commit's own date was not looked up", ALPINE),
    ("gcr.io/distroless/static", "nonroot", 2_430_000, "2023-03-22", KEPTN,
     "static (untagged Debian version = debian11 in 2023), nonroot",
     "unpacked = 'docker images' SIZE '2.43MB' quoted in the issue (unpacked, decimal MB); platform not stated, "
     "taken as linux/amd64", ALPINE),
    ("gcr.io/distroless/base-debian11", "nonroot", 20_400_000, "2023-03-22", KEPTN,
     "Debian 11 base (glibc, libssl), nonroot",
     "unpacked = 'docker images' SIZE '20.4MB' quoted in the issue (unpacked, decimal MB); platform not stated, "
     "taken as linux/amd64", OSBASE),
]


def main(argv):
    with open(CSV_PATH, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if not row.get("distro"):
            row["distro"] = infer_distro(row)
    keys = {(r["image"], r["tag"], r["platform"]) for r in rows}

    for path in argv:
        with open(path) as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split("\t")
                parts += [""] * (10 - len(parts))
                image, tag, platform, size, as_of, commit, rpath, seen, distro, note = parts[:10]
                if (image, tag, platform) in keys:
                    continue
                assert distro in DISTROS, (image, tag, distro)
                rows.append({
                    "image": image, "tag": tag, "platform": platform,
                    "compressed_bytes": size, "uncompressed_bytes": "", "as_of": as_of,
                    "source": f"docker-library/repo-info@{commit}:{rpath}",
                    "uncompressed_source": "", "version_seen": seen, "unit_note": note,
                    "derived_rule": "", "distro": distro,
                })
                keys.add((image, tag, platform))

    # Derive unpacked sizes before the proxies copy them.
    def derive(row):
        if row["uncompressed_bytes"]:
            return
        ratio, basis, tol = family(row)
        row["uncompressed_bytes"] = str(round100k(int(row["compressed_bytes"]) * ratio))
        arm = "; ratio measured on amd64, applied to arm64" if row["platform"] == "linux/arm64" else ""
        row["derived_rule"] = (
            f"unpacked = compressed x {ratio} rounded to 100 kB ({basis}{arm}); estimate, expect +-{tol}%"
        )

    for row in rows:
        derive(row)

    by_key = {(r["image"], r["tag"], r["platform"]): r for r in rows}
    for image, tag, target, why in PROXIES:
        for platform in ("linux/amd64", "linux/arm64"):
            src = by_key.get((image, target, platform))
            if src is None or (image, tag, platform) in keys:
                continue
            rows.append({
                "image": image, "tag": tag, "platform": platform,
                "compressed_bytes": src["compressed_bytes"],
                "uncompressed_bytes": src["uncompressed_bytes"],
                "as_of": src["as_of"], "source": src["source"], "uncompressed_source": "",
                "version_seen": f"no figure of its own; values of {image}:{target} ({src['version_seen']})",
                "unit_note": f"PROXY row: {why}. Show as an estimate.",
                "derived_rule": (
                    f"proxy of {image}:{target}: compressed_bytes, uncompressed_bytes and as_of copied from "
                    f"that row ({platform}); same image family and layer structure, different version; rough "
                    f"estimate, not a measurement"
                ),
                "distro": PROXY_DISTRO.get((image, tag), src["distro"]),
            })
            keys.add((image, tag, platform))

    for image, tag, unpacked, as_of, source, seen, note, fam in DISTROLESS:
        if (image, tag, "linux/amd64") in keys:
            continue
        ratio, basis, tol = fam
        rows.append({
            "image": image, "tag": tag, "platform": "linux/amd64",
            "compressed_bytes": str(round100k(unpacked / ratio)),
            "uncompressed_bytes": str(unpacked), "as_of": as_of, "source": source,
            "uncompressed_source": source, "version_seen": seen, "unit_note": note,
            "derived_rule": (
                f"compressed = unpacked / {ratio} rounded to 100 kB ({basis}); only the unpacked size is "
                f"published; estimate, expect +-{max(tol, 25)}%"
            ),
            "distro": "none",
        })
        keys.add((image, tag, "linux/amd64"))

    rows.sort(key=lambda r: (r["image"], r["tag"], r["platform"]))
    with open(CSV_PATH, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    print(f"{len(rows)} rows, {len({r['image'] for r in rows})} images")


if __name__ == "__main__":
    main(sys.argv[1:])
