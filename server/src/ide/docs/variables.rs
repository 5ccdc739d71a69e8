//! Build arguments BuildKit defines without an ARG line.

#[derive(Debug, Clone, Copy)]
pub struct AutomaticArg {
    pub name: &'static str,
    pub meaning: &'static str,
    /// First Dockerfile frontend that sets it ("pre" = always).
    pub since: &'static str,
}

const fn arg(name: &'static str, meaning: &'static str, since: &'static str) -> AutomaticArg {
    AutomaticArg {
        name,
        meaning,
        since,
    }
}

/// The platform ARGs (`dockerfile2llb/platform.go`): set for every FROM
/// line; inside a stage only after a bare `ARG NAME`.
pub const AUTOMATIC_ARGS: &[AutomaticArg] = &[
    arg(
        "BUILDPLATFORM",
        "the platform of the machine running the build, e.g. `linux/amd64`",
        "pre",
    ),
    arg(
        "BUILDOS",
        "the OS part of `BUILDPLATFORM`, e.g. `linux`",
        "pre",
    ),
    arg(
        "BUILDARCH",
        "the architecture part of `BUILDPLATFORM`, e.g. `amd64`",
        "pre",
    ),
    arg(
        "BUILDVARIANT",
        "the variant part of `BUILDPLATFORM`, e.g. `v7` (often empty)",
        "pre",
    ),
    arg(
        "TARGETPLATFORM",
        "the platform being built for (`docker build --platform`), e.g. `linux/arm64/v8`",
        "pre",
    ),
    arg(
        "TARGETOS",
        "the OS part of `TARGETPLATFORM`, e.g. `linux`",
        "pre",
    ),
    arg(
        "TARGETARCH",
        "the architecture part of `TARGETPLATFORM`, e.g. `amd64` or `arm64`",
        "pre",
    ),
    arg(
        "TARGETVARIANT",
        "the variant part of `TARGETPLATFORM`, e.g. `v8` (often empty)",
        "pre",
    ),
    arg(
        "TARGETSTAGE",
        "the name of the stage being built (`--target`), or `default`",
        "1.11",
    ),
    arg(
        "BUILDOSVERSION",
        "the OS version of the build platform (used for Windows)",
        "1.13",
    ),
    arg(
        "TARGETOSVERSION",
        "the OS version of the target platform (used for Windows)",
        "1.13",
    ),
];

/// Proxy build arguments: RUN sees them without an ARG line, and they stay
/// out of the image history unless declared.
pub const PROXY_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
];

pub fn automatic_arg(name: &str) -> Option<&'static AutomaticArg> {
    AUTOMATIC_ARGS.iter().find(|a| a.name == name)
}

/// Proxy names match in any case (`http_proxy` too).
pub fn is_proxy_arg(name: &str) -> bool {
    PROXY_ARGS.iter().any(|p| p.eq_ignore_ascii_case(name))
}
