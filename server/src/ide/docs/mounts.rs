//! `RUN --mount` keys and types, with the defaults each type applies.

#[derive(Debug, Clone, Copy)]
pub struct MountKeyDoc {
    /// The canonical key, then its aliases.
    pub keys: &'static [&'static str],
    pub summary: &'static str,
    /// What the key means or defaults to per mount type, where that differs.
    pub per_type: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Clone, Copy)]
pub struct MountTypeDoc {
    pub name: &'static str,
    pub summary: &'static str,
    pub keys: &'static str,
    pub defaults: &'static str,
}

const KEYS: &[MountKeyDoc] = &[
    MountKeyDoc {
        keys: &["type"],
        summary: "The kind of mount: `bind` (the default), `cache`, `tmpfs`, `secret` or `ssh`. Any case. Write it first: `required` and `size` are checked against the type known when they are read.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["from"],
        summary: "Where the mounted files come from: a stage name, an image or a named build context. Only names, not stage indexes, and no variables.",
        per_type: &[
            ("bind", "defaults to the build context"),
            ("cache", "seeds a new cache with that content; an empty directory by default"),
            ("secret", "not allowed"),
        ],
    },
    MountKeyDoc {
        keys: &["source", "src"],
        summary: "The path inside `from` to mount.",
        per_type: &[
            ("bind", "defaults to the root of `from`"),
            ("cache", "a subpath of `from`; with it set, `mode`, `uid` and `gid` do not apply"),
            ("secret", "another name for `id` (giving both is an error)"),
            ("ssh", "not allowed"),
        ],
    },
    MountKeyDoc {
        keys: &["target", "dst", "destination"],
        summary: "Where the mount appears in the command's container. A relative path is joined to WORKDIR; `/` is rejected.",
        per_type: &[
            ("secret", "defaults to `/run/secrets/<id>` (not set when only `env` is given)"),
            ("ssh", "defaults to `/run/buildkit/ssh_agent.<N>`; `SSH_AUTH_SOCK` points there"),
        ],
    },
    MountKeyDoc {
        keys: &["readonly", "ro"],
        summary: "Makes the mount read-only. Written bare or as `ro=<bool>`.",
        per_type: &[("bind", "already the default")],
    },
    MountKeyDoc {
        keys: &["readwrite", "rw"],
        summary: "Makes the mount writable. Written bare or as `rw=<bool>`.",
        per_type: &[
            ("bind", "writes are thrown away after the command"),
            ("cache", "already the default"),
        ],
    },
    MountKeyDoc {
        keys: &["id"],
        summary: "Names what is mounted.",
        per_type: &[
            ("cache", "the cache's identity; defaults to the target path, so two mounts with one id share a cache"),
            ("secret", "the secret given with `docker build --secret id=…`; defaults to the target's file name"),
            ("ssh", "the key or agent given with `docker build --ssh`; defaults to `default`"),
        ],
    },
    MountKeyDoc {
        keys: &["sharing"],
        summary: "Cache mounts only: what happens when several builds use the cache at once. `shared` (the default) lets them all write, `private` gives each concurrent writer a fresh cache, `locked` makes them wait for each other.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["required"],
        summary: "Secret and SSH mounts only: fail the build when the secret or SSH key was not provided, instead of skipping the mount. Written bare or as `required=<bool>`; off by default.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["size"],
        summary: "Tmpfs mounts only: the size limit, e.g. `64m` or `1g`.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["mode"],
        summary: "File mode, in octal. Secret, SSH and cache mounts only.",
        per_type: &[
            ("secret", "`0400` when any of `mode`, `uid`, `gid` is given"),
            ("ssh", "`0600`"),
            ("cache", "`0755` for a new cache directory, when no `source` is set"),
        ],
    },
    MountKeyDoc {
        keys: &["uid"],
        summary: "Numeric user ID that owns the mount (default `0`). Secret, SSH and cache mounts only.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["gid"],
        summary: "Numeric group ID that owns the mount (default `0`). Secret, SSH and cache mounts only.",
        per_type: &[],
    },
    MountKeyDoc {
        keys: &["env"],
        summary: "Secret mounts only (frontend 1.10): also expose the secret as an environment variable of that name. With `env` alone no file is mounted; with `target` too, both.",
        per_type: &[],
    },
];

const TYPES: &[MountTypeDoc] = &[
    MountTypeDoc {
        name: "bind",
        summary: "Mounts files from the build context, a stage or an image, read-only, for this command only: no `COPY` layer needed.",
        keys: "`target`, `source`, `from`, `ro`/`rw`",
        defaults: "read-only (a `rw` mount's writes are thrown away); `from` is the build context, `source` its root",
    },
    MountTypeDoc {
        name: "cache",
        summary: "A directory kept between builds, for compiler and package-manager caches. Its content never becomes part of the image.",
        keys: "`target`, `id`, `sharing`, `from`, `source`, `mode`, `uid`, `gid`, `ro`/`rw`",
        defaults: "read-write; `id` is the target path; `sharing=shared`; starts empty; mode `0755`, owned by `0:0`",
    },
    MountTypeDoc {
        name: "tmpfs",
        summary: "An in-memory filesystem that exists only while the command runs.",
        keys: "`target`, `size`",
        defaults: "read-write; without `size` the kernel's default limit applies",
    },
    MountTypeDoc {
        name: "secret",
        summary: "Makes a secret given with `docker build --secret` readable by this command without storing it in the image or its history.",
        keys: "`id`, `target`, `env`, `required`, `mode`, `uid`, `gid`",
        defaults: "`id` is the target's file name; mounted at `/run/secrets/<id>`; mode `0400`; skipped when the secret is missing unless `required`",
    },
    MountTypeDoc {
        name: "ssh",
        summary: "Forwards an SSH agent or keys given with `docker build --ssh`, e.g. for `git clone` of private repositories.",
        keys: "`id`, `target`, `required`, `mode`, `uid`, `gid`",
        defaults: "`id=default`; socket at `/run/buildkit/ssh_agent.<N>` with `SSH_AUTH_SOCK` set; mode `0600`",
    },
];

/// The documentation of a mount key or alias (any case).
pub fn mount_key(key: &str) -> Option<&'static MountKeyDoc> {
    let key = key.to_ascii_lowercase();
    KEYS.iter().find(|d| d.keys.contains(&key.as_str()))
}

pub fn mount_key_markdown(key: &str) -> Option<String> {
    let doc = mount_key(key)?;
    let mut out = format!("**`{}`** (mount key)", doc.keys[0]);
    if doc.keys.len() > 1 {
        let aliases: Vec<String> = doc.keys[1..].iter().map(|k| format!("`{k}`")).collect();
        out.push_str(&format!(", also written {}", aliases.join(" or ")));
    }
    out.push_str(&format!(": {}", doc.summary));
    if !doc.per_type.is_empty() {
        out.push('\n');
        for (kind, text) in doc.per_type {
            out.push_str(&format!("\n- `type={kind}`: {text}"));
        }
    }
    Some(out)
}

/// The documentation of a mount type (any case).
pub fn mount_type(name: &str) -> Option<&'static MountTypeDoc> {
    let name = name.to_ascii_lowercase();
    TYPES.iter().find(|d| d.name == name)
}

pub fn mount_type_markdown(name: &str) -> Option<String> {
    let doc = mount_type(name)?;
    Some(format!(
        "**`type={}`** (mount type): {}\n\nKeys: {}\n\nDefaults: {}",
        doc.name, doc.summary, doc.keys, doc.defaults
    ))
}
