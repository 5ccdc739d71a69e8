#!/usr/bin/env python3
"""Debian package sizes for dockerfile-ls's RUN estimates.

Two steps, each runnable on its own:

  count  Count the packages installed with `apt-get install` / `apt install`
         across the Dockerfiles of a corpus (default ../shared/corpus/real)
         and write tools/package-sizes/corpus-counts.txt (committed), one
         `count<TAB>package` a line, most frequent first.

  sizes  Read corpus-counts.txt, take the TOP most frequent packages plus a
         fixed list of well-known ones, and for each compute from Debian's own
         package metadata (the Packages indexes apt has downloaded, read with
         `apt-get indextargets` + `apt-helper cat-file`, i.e. what
         `apt-cache show` prints):
           - its own Installed-Size,
           - the Installed-Size added by its Depends+Pre-Depends closure above
             the base image, and the same with Recommends followed (apt's
             default), with the number of new packages each time.
         Writes server/data/packages-debian.csv.

The base image is the `debootstrap --variant=minbase` set: every
`Priority: required` package plus its Depends/Pre-Depends closure. That is
what debuerreotype builds debian:bookworm and debian:bookworm-slim from (slim
additionally drops docs and man pages, so the figures here are an upper bound
for slim images by a few per cent).

Only stdlib and apt's own tools. No network: run `apt-get update` first if the
package lists are missing.
"""

import argparse
import datetime
import os
import re
import shlex
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
COUNTS = os.path.join(HERE, "corpus-counts.txt")
OUT = os.path.join(REPO, "server", "data", "packages-debian.csv")
TOP = 300

# Always in the table, whatever the corpus says.
WELL_KNOWN = """
build-essential git curl wget ca-certificates python3 python3-pip python3-venv
python3-dev default-jre-headless default-jdk-headless openjdk-17-jre-headless
openjdk-17-jdk-headless gcc g++ make cmake pkg-config libssl-dev openssh-client
gnupg unzip zip xz-utils jq vim nano less procps iputils-ping net-tools dnsutils
tzdata locales sudo gosu tini dumb-init nodejs npm golang-go rustc cargo
libpq-dev postgresql-client default-libmysqlclient-dev default-mysql-client
sqlite3 libsqlite3-dev nginx apache2 supervisor rsync file patch
autoconf automake libtool bison flex libffi-dev zlib1g-dev libxml2-dev
libyaml-dev libcurl4-openssl-dev libjpeg-dev libpng-dev imagemagick ffmpeg
fontconfig fonts-dejavu-core openssl bash-completion lsb-release
software-properties-common apt-transport-https gettext-base netcat-openbsd
""".split()

# ---------------------------------------------------------------- counting

INSTALL_FLAGS_WITH_VALUE = {"-o", "-c", "-t", "--target-release", "--option", "--config-file"}


def logical_lines(text):
    """Join backslash continuations; drop comment lines inside them."""
    out, cur = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if cur and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        out.append(cur)
        cur = ""
    if cur:
        out.append(cur)
    return out


def split_commands(shell):
    return [c for c in re.split(r"&&|\|\||;|\||\n", shell) if c.strip()]


def words(command):
    try:
        return shlex.split(command, comments=False)
    except ValueError:
        return command.split()


def installed_by(command):
    """Packages an `apt-get install` / `apt install` command names."""
    ws = words(command)
    # skip leading env assignments and sudo
    while ws and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", ws[0]) or ws[0] in ("sudo", "env", "-E")):
        ws = ws[1:]
    if not ws or os.path.basename(ws[0]) not in ("apt-get", "apt"):
        return []
    rest = ws[1:]
    # find the verb: first non-flag word (skipping values of -o etc.)
    i, verb = 0, None
    while i < len(rest):
        w = rest[i]
        if w in INSTALL_FLAGS_WITH_VALUE:
            i += 2
            continue
        if w.startswith("-"):
            i += 1
            continue
        verb = w
        break
    if verb != "install":
        return []
    pkgs = []
    j = i + 1
    while j < len(rest):
        w = rest[j]
        j += 1
        if w in INSTALL_FLAGS_WITH_VALUE:
            j += 1
            continue
        if w.startswith("-") or "$" in w or "`" in w or "*" in w or "/" in w:
            continue
        name = w.split("=", 1)[0].split(":", 1)[0].strip("'\"")
        if re.fullmatch(r"[a-z0-9][a-z0-9+.\-]+", name):
            pkgs.append(name)
    return pkgs


def count(corpus):
    counter, files = Counter(), 0
    for root, _dirs, names in os.walk(corpus):
        for name in sorted(names):
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            files += 1
            for line in logical_lines(text):
                m = re.match(r"\s*RUN\b(.*)", line, re.I)
                if not m:
                    continue
                for command in split_commands(m.group(1)):
                    for pkg in installed_by(command):
                        counter[pkg] += 1
    return counter, files


# ---------------------------------------------------------------- metadata


def debian_indexes():
    out = subprocess.run(
        ["apt-get", "indextargets", "--format", "$(FILENAME)\t$(SITE)\t$(RELEASE)",
         "Identifier: Packages"],
        check=True, capture_output=True, text=True).stdout
    rows = [l.split("\t") for l in out.splitlines() if l.strip()]
    rows = [r for r in rows if "debian.org" in r[1]]
    # main suite first, then -updates, then -security: later ones win.
    order = lambda r: (r[2].count("-security") * 2 + r[2].count("-updates"))
    return sorted(rows, key=order)


def read_packages():
    pkgs, release = {}, None
    for filename, _site, rel in debian_indexes():
        release = release or rel
        text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", filename],
                              check=True, capture_output=True, text=True).stdout
        for stanza in text.split("\n\n"):
            fields, key = {}, None
            for line in stanza.splitlines():
                if line.startswith((" ", "\t")):
                    continue
                if ":" in line:
                    key, value = line.split(":", 1)
                    fields[key] = value.strip()
            if "Package" in fields:
                pkgs[fields["Package"]] = fields
    if not pkgs:
        sys.exit("no Debian package lists: run `apt-get update`")
    return pkgs, release


def parse_deps(value):
    groups = []
    for group in (value or "").split(","):
        alts = []
        for alt in group.split("|"):
            name = alt.strip().split(" ", 1)[0].split("(", 1)[0].split(":", 1)[0]
            if name:
                alts.append(name)
        if alts:
            groups.append(alts)
    return groups


class Resolver:
    def __init__(self, pkgs):
        self.pkgs = pkgs
        self.providers = {}
        for name, f in pkgs.items():
            for prov in parse_deps(f.get("Provides")):
                self.providers.setdefault(prov[0], []).append(name)
        for v in self.providers.values():
            v.sort()

    def satisfied(self, alts, have):
        for a in alts:
            if a in have or any(p in have for p in self.providers.get(a, ())):
                return True
        return False

    def choose(self, alts):
        for a in alts:
            if a in self.pkgs:
                return a
            if self.providers.get(a):
                return self.providers[a][0]
        return None

    def closure(self, roots, have, recommends):
        have = set(have)
        new = []
        todo = [r for r in roots]
        while todo:
            name = todo.pop()
            if name in have or name not in self.pkgs:
                continue
            have.add(name)
            new.append(name)
            f = self.pkgs[name]
            fields = ["Pre-Depends", "Depends"] + (["Recommends"] if recommends else [])
            for field in fields:
                for alts in parse_deps(f.get(field)):
                    if self.satisfied(alts, have):
                        continue
                    pick = self.choose(alts)
                    if pick:
                        todo.append(pick)
        return new

    def kib(self, names):
        return sum(int(self.pkgs[n].get("Installed-Size", "0") or 0) for n in names)


def sizes():
    counts, counts_date = [], "unknown"
    with open(COUNTS) as f:
        for line in f:
            if line.startswith("#"):
                counts_date = line[1:].strip().split(":", 1)[0]
                continue
            if not line.strip():
                continue
            n, name = line.split()
            counts.append((name, int(n)))
    count_of = dict(counts)
    pkgs, release = read_packages()
    r = Resolver(pkgs)
    required = sorted(n for n, f in pkgs.items() if f.get("Priority") == "required")
    base = set(r.closure(required, set(), recommends=False))
    wanted = [n for n, _ in counts[:TOP]]
    for n in WELL_KNOWN:
        if n not in wanted:
            wanted.append(n)
    rows, missing = [], []
    for name in wanted:
        real = name if name in pkgs else r.choose([name])
        if real is None:
            missing.append(name)
            continue
        own = int(pkgs[real].get("Installed-Size", "0") or 0)
        dep = r.closure([real], base, recommends=False)
        rec = r.closure([real], base, recommends=True)
        rows.append((name, count_of.get(name, 0), pkgs[real].get("Version", ""), own,
                     r.kib(dep), len(dep), r.kib(rec), len(rec)))
    today = datetime.date.today().isoformat()
    with open(OUT, "w") as f:
        f.write(f"# generated {today} by tools/package-sizes/apt_sizes.py from Debian {release} amd64 "
                f"Packages indexes (apt-cache show fields); base = Priority: required closure "
                f"({len(base)} packages, {r.kib(base)} KiB); rows = {len(rows)}; sizes in KiB "
                f"(Installed-Size); corpus_count = install commands naming the package in "
                f"../shared/corpus/real (corpus counts of {counts_date})\n")
        f.write("package,corpus_count,version,own_kib,closure_kib,closure_packages,"
                "closure_recommends_kib,closure_recommends_packages\n")
        for row in rows:
            f.write(",".join(str(x) for x in row) + "\n")
    print(f"wrote {OUT}: {len(rows)} rows; base {len(base)} packages", file=sys.stderr)
    if missing:
        print("not in Debian " + str(release) + ": " + " ".join(missing), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["count", "sizes", "all"])
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(REPO, "..", "shared", "corpus", "real")))
    args = ap.parse_args()
    if args.step in ("count", "all"):
        counter, files = count(args.corpus)
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        with open(COUNTS, "w") as f:
            f.write(f"# {datetime.date.today().isoformat()}: packages named by apt-get/apt install "
                    f"commands in {files} Dockerfiles of ../shared/corpus/real; "
                    f"{len(ranked)} distinct, {sum(counter.values())} mentions\n")
            for name, n in ranked:
                f.write(f"{n}\t{name}\n")
        print(f"wrote {COUNTS}: {len(ranked)} packages from {files} files", file=sys.stderr)
    if args.step in ("sizes", "all"):
        sizes()


if __name__ == "__main__":
    main()
