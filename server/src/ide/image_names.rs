//! Image names and tags offered after `FROM `, until a size catalog exists:
//! popular images with a few words each and the tags people pin most, then
//! the rest of Docker Hub's official images (`images::official_images`).

/// A popular image: its name as written after FROM, what it is, and common
/// tags, newest first.
pub struct PopularImage {
    pub name: &'static str,
    pub about: &'static str,
    pub tags: &'static [&'static str],
}

const fn image(
    name: &'static str,
    about: &'static str,
    tags: &'static [&'static str],
) -> PopularImage {
    PopularImage { name, about, tags }
}

/// Offered first, in this order.
pub const POPULAR_IMAGES: &[PopularImage] = &[
    image(
        "alpine",
        "A minimal Linux distribution (about 4 MB compressed) with the apk package manager and musl libc.",
        &["latest", "3", "3.22", "3.21", "3.20", "edge"],
    ),
    image(
        "debian",
        "Debian GNU/Linux with apt; the `-slim` tags leave out documentation and rarely used files.",
        &["bookworm-slim", "bookworm", "trixie-slim", "trixie", "bullseye-slim", "12-slim", "13-slim", "latest"],
    ),
    image(
        "ubuntu",
        "Ubuntu with apt; the LTS releases get five years of updates.",
        &["24.04", "22.04", "noble", "jammy", "latest", "rolling"],
    ),
    image(
        "golang",
        "The Go toolchain on Debian or Alpine, for build stages.",
        &["1", "1-alpine", "1.25", "1.25-alpine", "1.24", "1.24-alpine", "1-bookworm", "alpine"],
    ),
    image(
        "node",
        "Node.js with npm and yarn; `lts` follows the current long-term support line.",
        &["lts", "lts-alpine", "lts-slim", "24", "24-alpine", "24-slim", "22", "22-alpine", "22-slim", "20-alpine"],
    ),
    image(
        "python",
        "CPython with pip; `-slim` is Debian without build tools, `-alpine` the smallest.",
        &["3", "3-slim", "3-alpine", "3.13", "3.13-slim", "3.13-alpine", "3.12", "3.12-slim", "3.11-slim"],
    ),
    image(
        "rust",
        "The Rust toolchain (rustup, cargo) for build stages.",
        &["1", "1-slim", "1-alpine", "1-bookworm", "1-slim-bookworm", "slim", "alpine", "latest"],
    ),
    image(
        "nginx",
        "The nginx web server and reverse proxy.",
        &["stable", "stable-alpine", "mainline", "alpine", "1.28", "1.28-alpine", "1.29", "latest"],
    ),
    image(
        "postgres",
        "The PostgreSQL database server.",
        &["18", "18-alpine", "17", "17-alpine", "16", "16-alpine", "alpine", "latest"],
    ),
    image(
        "redis",
        "The Redis in-memory data store.",
        &["8", "8-alpine", "7", "7-alpine", "alpine", "latest"],
    ),
    image(
        "mysql",
        "The MySQL database server.",
        &["8.4", "8.0", "9", "lts", "latest"],
    ),
    image(
        "mariadb",
        "The MariaDB database server, a MySQL fork.",
        &["11", "lts", "10.11", "latest"],
    ),
    image(
        "mongo",
        "The MongoDB document database.",
        &["8", "7", "latest"],
    ),
    image(
        "eclipse-temurin",
        "OpenJDK builds from Eclipse Adoptium; `-jre` tags hold only the runtime.",
        &["21", "21-jre", "21-jdk", "21-jre-alpine", "25", "25-jre", "17", "17-jre"],
    ),
    image(
        "amazoncorretto",
        "Amazon's OpenJDK distribution.",
        &["21", "21-alpine", "17", "17-alpine", "25"],
    ),
    image(
        "maven",
        "Apache Maven with a JDK, for Java build stages.",
        &["3-eclipse-temurin-21", "3-eclipse-temurin-17", "3-amazoncorretto-21", "3"],
    ),
    image(
        "gradle",
        "Gradle with a JDK, for JVM build stages.",
        &["jdk21", "jdk17", "8-jdk21", "latest"],
    ),
    image(
        "php",
        "PHP as CLI, FPM or with Apache.",
        &["8.4-fpm", "8.4-apache", "8.4-cli", "8.3-fpm", "8-fpm-alpine", "fpm", "apache", "cli"],
    ),
    image(
        "ruby",
        "Ruby with bundler.",
        &["3.4", "3.4-slim", "3.4-alpine", "3.3", "3-slim", "latest"],
    ),
    image(
        "httpd",
        "The Apache HTTP server.",
        &["2.4", "2.4-alpine", "alpine", "latest"],
    ),
    image(
        "busybox",
        "Many Unix tools in one tiny binary; handy as a minimal base or debug stage.",
        &["latest", "stable", "musl", "glibc", "uclibc"],
    ),
    image(
        "docker",
        "The Docker CLI and engine, e.g. for Docker-in-Docker (`dind`).",
        &["cli", "dind", "latest"],
    ),
    image(
        "gcc",
        "The GNU compiler collection on Debian.",
        &["15", "14", "13", "latest"],
    ),
    image(
        "fedora",
        "Fedora Linux with dnf.",
        &["latest", "42", "41", "rawhide"],
    ),
    image(
        "almalinux",
        "AlmaLinux, a RHEL-compatible distribution.",
        &["10", "9", "9-minimal", "8"],
    ),
    image(
        "amazonlinux",
        "Amazon Linux, the distribution of AWS.",
        &["2023", "2", "latest"],
    ),
    image(
        "caddy",
        "The Caddy web server with automatic HTTPS; `builder` tags build custom modules.",
        &["2", "2-alpine", "2-builder", "alpine", "builder", "latest"],
    ),
    image(
        "traefik",
        "The Traefik reverse proxy.",
        &["v3", "v2", "latest"],
    ),
    image(
        "bash",
        "GNU Bash on Alpine.",
        &["5", "latest"],
    ),
    // not official images, but common final stages
    image(
        "gcr.io/distroless/static-debian12",
        "Google's distroless base for static binaries: no shell, no package manager.",
        &["latest", "nonroot", "debug"],
    ),
    image(
        "gcr.io/distroless/base-debian12",
        "Google's distroless base with glibc and OpenSSL: no shell, no package manager.",
        &["latest", "nonroot", "debug"],
    ),
    image(
        "gcr.io/distroless/cc-debian12",
        "Google's distroless base with glibc and libgcc, for C, C++ and Rust binaries.",
        &["latest", "nonroot", "debug"],
    ),
    image(
        "mcr.microsoft.com/dotnet/sdk",
        "The .NET SDK from Microsoft's registry, for build stages.",
        &["9.0", "8.0", "9.0-alpine"],
    ),
    image(
        "mcr.microsoft.com/dotnet/aspnet",
        "The ASP.NET Core runtime from Microsoft's registry.",
        &["9.0", "8.0", "9.0-alpine"],
    ),
];

/// The popular image of a name as written after FROM (`library/` and
/// `docker.io/` prefixes removed).
pub fn popular_image(name: &str) -> Option<&'static PopularImage> {
    let short = name
        .strip_prefix("docker.io/")
        .unwrap_or(name)
        .strip_prefix("library/")
        .unwrap_or(name.strip_prefix("docker.io/").unwrap_or(name));
    POPULAR_IMAGES.iter().find(|i| i.name == short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_image_has_tags() {
        for (i, image) in POPULAR_IMAGES.iter().enumerate() {
            assert!(!image.tags.is_empty(), "{}", image.name);
            assert!(
                POPULAR_IMAGES[..i].iter().all(|o| o.name != image.name),
                "{} twice",
                image.name
            );
        }
    }

    #[test]
    fn registry_prefixes_of_official_images_are_ignored() {
        assert_eq!(
            popular_image("library/alpine").map(|i| i.name),
            Some("alpine")
        );
        assert_eq!(
            popular_image("docker.io/library/node").map(|i| i.name),
            Some("node")
        );
        assert!(popular_image("me/alpine").is_none());
    }
}
