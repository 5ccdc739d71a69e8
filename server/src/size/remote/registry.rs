//! Compressed image sizes from a registry, through the OCI distribution API:
//! `GET /v2/<name>/manifests/<ref>`, the anonymous bearer-token flow on a
//! 401, an index resolved to the platform's manifest, and the sum of its
//! layers' sizes.
//!
//! The figure is `Σ layers[].size`: the compressed bytes a pull downloads
//! for the filesystem. The config blob (a few KB) and the manifest are left
//! out, as Docker Hub's per-platform `size` and docker-library's repo-info
//! "Total Size" leave them out, so a registry figure and the catalog's
//! compressed figures count the same thing. The unpacked size is not in the
//! registry (the config lists `diff_ids`, not their sizes).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::platform::{self, Platform};
use super::reference::ImageRef;
use super::{now, Lookup, RemoteSize};

pub const INDEX_OCI: &str = "application/vnd.oci.image.index.v1+json";
pub const INDEX_DOCKER: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MANIFEST_OCI: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MANIFEST_DOCKER: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Manifests larger than this are refused (registries cap them at 4 MiB).
const MAX_MANIFEST: u64 = 4 << 20;
/// Index → (index →) manifest: more hops than this is a loop or nonsense.
const MAX_HOPS: usize = 3;
/// Per-call connect timeout, inside the lookup's deadline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Looks `image` up for `platform`. `insecure`: speak plain http to this
/// registry. Every request shares `deadline`.
pub fn lookup(image: &ImageRef, platform: &Platform, insecure: bool, deadline: Instant) -> Lookup {
    let mut client = Client::new(image, insecure, deadline);
    let mut reference = image.reference().to_string();
    let mut picked: Option<String> = None;
    for _ in 0..MAX_HOPS {
        let fetched = match client.manifest(&reference) {
            Ok(fetched) => fetched,
            Err(outcome) => return outcome,
        };
        match interpret(&fetched.body, fetched.content_type.as_deref()) {
            Ok(Parsed::Index(entries)) => match choose(&entries, platform) {
                Ok(entry) => {
                    picked = Some(entry.digest.clone());
                    reference = entry.digest.clone();
                }
                Err(message) => return Lookup::NotFound(format!("{image}: {message}")),
            },
            Ok(Parsed::Image {
                layers,
                layer_count,
            }) => {
                let digest = picked.or(fetched.digest).or_else(|| image.digest.clone());
                let mut source = format!("registry {}, {platform}", image.registry);
                match digest {
                    Some(digest) => source.push_str(&format!(" manifest {digest}")),
                    None => source.push_str(" manifest"),
                }
                source.push_str(&format!(" ({layer_count} layers, compressed)"));
                return Lookup::Found(RemoteSize {
                    compressed: Some(layers),
                    unpacked: None,
                    source,
                    fetched: now(),
                    from_cache: false,
                });
            }
            Err(message) => return Lookup::Failed(format!("{image}: {message}")),
        }
    }
    Lookup::Failed(format!(
        "{image}: image index nested more than {MAX_HOPS} deep"
    ))
}

struct Fetched {
    content_type: Option<String>,
    digest: Option<String>,
    body: Vec<u8>,
}

struct Client<'a> {
    agent: ureq::Agent,
    image: &'a ImageRef,
    base: String,
    deadline: Instant,
    token: Option<String>,
}

impl<'a> Client<'a> {
    fn new(image: &'a ImageRef, insecure: bool, deadline: Instant) -> Client<'a> {
        let scheme = if insecure { "http" } else { "https" };
        let host = image.endpoint();
        let loopback = is_loopback(host);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("dockerfile-ls/{}", env!("CARGO_PKG_VERSION")))
            .max_redirects(5)
            // Proxies from the environment, except for this machine.
            .proxy(if loopback {
                None
            } else {
                ureq::Proxy::try_from_env()
            })
            .build();
        Client {
            agent: config.into(),
            image,
            base: format!("{scheme}://{host}/v2/{}", image.repository),
            deadline,
            token: None,
        }
    }

    fn remaining(&self) -> Result<Duration, Lookup> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(Lookup::Failed(format!("{}: timed out", self.image)))
        } else {
            Ok(left)
        }
    }

    fn get(
        &self,
        url: &str,
        accept: &str,
        bearer: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, Lookup> {
        let left = self.remaining()?;
        let mut request = self.agent.get(url).header("Accept", accept);
        if let Some(token) = bearer {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request
            .config()
            .timeout_global(Some(left))
            .timeout_connect(Some(left.min(CONNECT_TIMEOUT)))
            .build()
            .call()
            .map_err(|e| Lookup::Failed(format!("{}: {}", self.image, describe(&e))))
    }

    fn manifest(&mut self, reference: &str) -> Result<Fetched, Lookup> {
        let url = format!("{}/manifests/{reference}", self.base);
        let accept = [INDEX_OCI, INDEX_DOCKER, MANIFEST_OCI, MANIFEST_DOCKER].join(", ");
        let mut response = self.get(&url, &accept, self.token.as_deref())?;
        if response.status() == 401 && self.token.is_none() {
            let challenge = header(&response, "www-authenticate").unwrap_or_default();
            self.token = Some(self.fetch_token(&challenge)?);
            response = self.get(&url, &accept, self.token.as_deref())?;
        }
        let status = response.status().as_u16();
        let content_type = header(&response, "content-type");
        let digest = header(&response, "docker-content-digest");
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_MANIFEST)
            .read_to_vec()
            .map_err(|e| {
                Lookup::Failed(format!(
                    "{}: reading the manifest: {}",
                    self.image,
                    describe(&e)
                ))
            })?;
        match status {
            200 => Ok(Fetched {
                content_type,
                digest,
                body,
            }),
            404 => Err(Lookup::NotFound(format!(
                "{}: {} (registry answered 404)",
                self.image,
                error_code(&body).unwrap_or_else(|| "not found".into())
            ))),
            // Docker Hub answers a name that does not exist like a private one.
            401 | 403 => Err(Lookup::NotFound(format!(
                "{}: not found, or private (registry answered {status} to an anonymous pull{})",
                self.image,
                error_code(&body)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            ))),
            429 => Err(Lookup::Failed(format!(
                "{}: the registry's rate limit was reached (429)",
                self.image
            ))),
            _ => Err(Lookup::Failed(format!(
                "{}: registry answered {status}{}",
                self.image,
                error_code(&body)
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            ))),
        }
    }

    fn fetch_token(&self, challenge: &str) -> Result<String, Lookup> {
        let challenges = parse_challenges(challenge);
        let Some(bearer) = challenges
            .iter()
            .find(|c| c.scheme.eq_ignore_ascii_case("bearer"))
        else {
            let schemes: Vec<&str> = challenges.iter().map(|c| c.scheme.as_str()).collect();
            return Err(Lookup::Failed(format!(
                "{}: the registry wants credentials ({}); only anonymous pulls are supported",
                self.image,
                if schemes.is_empty() {
                    "no challenge".to_string()
                } else {
                    schemes.join(", ")
                }
            )));
        };
        let url = token_url(bearer, &self.image.repository)
            .map_err(|e| Lookup::Failed(format!("{}: {e}", self.image)))?;
        let mut response = self.get(&url, "application/json", None)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| {
                Lookup::Failed(format!(
                    "{}: reading the token: {}",
                    self.image,
                    describe(&e)
                ))
            })?;
        if status != 200 {
            return Err(Lookup::Failed(format!(
                "{}: the token service answered {status}",
                self.image
            )));
        }
        #[derive(Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let token: Token = serde_json::from_slice(&body).map_err(|e| {
            Lookup::Failed(format!(
                "{}: the token service sent no token: {e}",
                self.image
            ))
        })?;
        token
            .token
            .or(token.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Lookup::Failed(format!("{}: the token service sent no token", self.image))
            })
    }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found (offline?)".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::BodyExceedsLimit(limit) => format!("response larger than {limit} bytes"),
        other => other.to_string(),
    }
}

fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The first error code of a distribution-API error body.
fn error_code(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(Deserialize)]
    struct ErrorEntry {
        code: Option<String>,
        message: Option<String>,
    }
    let errors: Errors = serde_json::from_slice(body).ok()?;
    let first = errors.errors.into_iter().next()?;
    match (first.code, first.message) {
        (Some(code), Some(message)) => Some(format!("{code} ({message})")),
        (code, message) => code.or(message),
    }
}

/// One challenge of a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    /// Parameter names lower-cased.
    pub params: HashMap<String, String>,
}

/// Parses `Bearer realm="…",service="…",scope="…"`, several challenges in
/// one header included (`Basic realm="x", Bearer realm="y"`).
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut challenges: Vec<Challenge> = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    // Right after a scheme, before any comma: a word there is a token68.
    let mut after_scheme = false;
    let is_token = |c: u8| !c.is_ascii_whitespace() && c != b',' && c != b'=' && c != b'"';
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
            if bytes[i] == b',' {
                after_scheme = false;
            }
            i += 1;
        }
        let start = i;
        while i < bytes.len() && is_token(bytes[i]) {
            i += 1;
        }
        if start == i {
            // A stray character: skip it.
            i += 1;
            continue;
        }
        let word = &header[start..i];
        let mut j = i;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let param = j < bytes.len() && bytes[j] == b'=' && bytes.get(j + 1) != Some(&b'=');
        if param && !challenges.is_empty() {
            j += 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'"' {
                j += 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' && j + 1 < bytes.len() {
                        j += 1;
                    }
                    let end = next_char_end(header, j);
                    value.push_str(&header[j..end]);
                    j = end;
                }
                j += 1;
            } else {
                let value_start = j;
                while j < bytes.len() && bytes[j] != b',' && !bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                value.push_str(&header[value_start..j]);
            }
            if let Some(current) = challenges.last_mut() {
                current.params.insert(word.to_ascii_lowercase(), value);
            }
            after_scheme = false;
            i = j;
        } else if after_scheme {
            // `Basic dXNlcjpwYXNz==`: a token68, skipped with its padding.
            while j < bytes.len() && bytes[j] == b'=' {
                j += 1;
            }
            after_scheme = false;
            i = j;
        } else {
            challenges.push(Challenge {
                scheme: word.to_string(),
                params: HashMap::new(),
            });
            after_scheme = true;
        }
    }
    challenges
}

fn next_char_end(text: &str, at: usize) -> usize {
    let mut end = at + 1;
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

/// The anonymous token URL for a bearer challenge: `realm?service=…&scope=…`
/// (the challenge's scope, else pull on `repository`).
pub fn token_url(challenge: &Challenge, repository: &str) -> Result<String, String> {
    let realm = challenge
        .params
        .get("realm")
        .ok_or("the registry's bearer challenge names no realm")?;
    if !(realm.starts_with("https://") || realm.starts_with("http://")) {
        return Err(format!("the token realm `{realm}` is not an http(s) URL"));
    }
    let mut url = realm.clone();
    let mut separator = if url.contains('?') { '&' } else { '?' };
    if let Some(service) = challenge.params.get("service") {
        url.push(separator);
        url.push_str("service=");
        url.push_str(&encode(service));
        separator = '&';
    }
    let scope = challenge
        .params
        .get("scope")
        .cloned()
        .unwrap_or_else(|| format!("repository:{repository}:pull"));
    url.push(separator);
    url.push_str("scope=");
    url.push_str(&encode(&scope));
    Ok(url)
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: Option<HashMap<String, String>>,
}

impl Descriptor {
    fn is_attestation(&self) -> bool {
        self.annotations
            .as_ref()
            .and_then(|a| a.get("vnd.docker.reference.type"))
            .is_some_and(|t| t == "attestation-manifest")
    }
}

#[derive(Debug, Deserialize)]
struct RawManifest {
    #[serde(rename = "schemaVersion", default)]
    schema_version: Option<u32>,
    #[serde(rename = "mediaType", default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

#[derive(Debug)]
pub enum Parsed {
    Index(Vec<Descriptor>),
    /// Σ layers' sizes (compressed) and how many layers.
    Image {
        layers: u64,
        layer_count: usize,
    },
}

/// What a manifest body is, by its Content-Type or else its own
/// `mediaType` and shape.
pub fn interpret(body: &[u8], content_type: Option<&str>) -> Result<Parsed, String> {
    let raw: RawManifest =
        serde_json::from_slice(body).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let header_type = content_type.map(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let media_type = raw.media_type.clone().or(header_type).unwrap_or_default();
    if raw.schema_version == Some(1)
        || media_type.starts_with("application/vnd.docker.distribution.manifest.v1")
    {
        return Err("the registry serves a schema 1 manifest, which has no sizes".into());
    }
    let is_index = media_type == INDEX_OCI
        || media_type == INDEX_DOCKER
        || (raw.manifests.is_some() && raw.layers.is_none());
    if is_index {
        return Ok(Parsed::Index(raw.manifests.unwrap_or_default()));
    }
    match raw.layers {
        Some(layers) => Ok(Parsed::Image {
            layers: layers.iter().map(|l| l.size).sum(),
            layer_count: layers.len(),
        }),
        None => Err(format!("unexpected manifest type `{media_type}`")),
    }
}

/// The index entry for `platform`, attestations and `unknown/unknown`
/// entries skipped.
pub fn choose<'d>(entries: &'d [Descriptor], wanted: &Platform) -> Result<&'d Descriptor, String> {
    let candidates: Vec<Option<&Platform>> = entries
        .iter()
        .map(|e| {
            if e.is_attestation() || e.digest.is_empty() {
                None
            } else {
                e.platform.as_ref()
            }
        })
        .collect();
    match platform::pick(wanted, &candidates) {
        Some(index) => Ok(&entries[index]),
        None => {
            let offered: Vec<String> = candidates
                .iter()
                .flatten()
                .filter(|p| !p.is_unknown())
                .map(|p| p.to_string())
                .collect();
            Err(if offered.is_empty() {
                format!("no {wanted} image (the index lists no platforms)")
            } else {
                format!("no {wanted} image (the index has {})", offered.join(", "))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    #[test]
    fn www_authenticate_headers_are_parsed() {
        let hub = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#;
        let parsed = parse_challenges(hub);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].scheme, "Bearer");
        assert_eq!(parsed[0].params["realm"], "https://auth.docker.io/token");
        assert_eq!(parsed[0].params["scope"], "repository:library/alpine:pull");
        assert_eq!(
            token_url(&parsed[0], "library/alpine").unwrap(),
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull"
        );

        let several = r#"Basic realm="Registry Realm", Bearer Realm = "https://ghcr.io/token?x=1" , service=ghcr.io,error="insufficient_scope,\"x\"""#;
        let parsed = parse_challenges(several);
        assert_eq!(
            parsed.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>(),
            ["Basic", "Bearer"]
        );
        assert_eq!(parsed[0].params["realm"], "Registry Realm");
        assert_eq!(parsed[1].params["service"], "ghcr.io");
        assert_eq!(parsed[1].params["error"], "insufficient_scope,\"x\"");
        // No scope in the challenge: pull on the repository; `&` after an existing query.
        assert_eq!(
            token_url(&parsed[1], "o/r").unwrap(),
            "https://ghcr.io/token?x=1&service=ghcr.io&scope=repository%3Ao%2Fr%3Apull"
        );
        assert!(token_url(
            &parse_challenges(r#"Bearer realm="file:///etc/passwd""#)[0],
            "x"
        )
        .is_err());
        assert!(token_url(&parse_challenges("Bearer service=x")[0], "x").is_err());
        let token68 = parse_challenges("Basic dXNlcjpwYXNz==, Bearer realm=\"http://x/t\"");
        assert_eq!(
            token68
                .iter()
                .map(|c| c.scheme.as_str())
                .collect::<Vec<_>>(),
            ["Basic", "Bearer"]
        );
        assert_eq!(parse_challenges("Basic, Bearer").len(), 2);
        assert!(parse_challenges("").is_empty());
    }

    const INDEX: &str = r#"{
      "schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:aaaa", "size": 1000,
         "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:bbbb", "size": 1000,
         "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:cccc", "size": 800,
         "platform": {"architecture": "unknown", "os": "unknown"},
         "annotations": {"vnd.docker.reference.digest": "sha256:aaaa", "vnd.docker.reference.type": "attestation-manifest"}}
      ]
    }"#;

    const MANIFEST: &str = r#"{
      "schemaVersion": 2,
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1472, "digest": "sha256:c0"},
      "layers": [
        {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3623807, "digest": "sha256:l1"},
        {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1000, "digest": "sha256:l2"}
      ]
    }"#;

    #[test]
    fn indexes_and_manifests_are_told_apart_and_summed() {
        let Ok(Parsed::Index(entries)) = interpret(INDEX.as_bytes(), None) else {
            panic!("an index")
        };
        let pick =
            |p: &str| choose(&entries, &Platform::parse(p).unwrap()).map(|e| e.digest.as_str());
        assert_eq!(pick("linux/amd64"), Ok("sha256:aaaa"));
        assert_eq!(pick("linux/arm64"), Ok("sha256:bbbb"));
        assert_eq!(
            pick("linux/s390x").unwrap_err(),
            "no linux/s390x image (the index has linux/amd64, linux/arm64/v8)"
        );
        assert!(pick("unknown/unknown").is_err());

        // The config's 1472 bytes are not counted.
        let Ok(Parsed::Image {
            layers,
            layer_count,
        }) = interpret(MANIFEST.as_bytes(), None)
        else {
            panic!("a manifest")
        };
        assert_eq!((layers, layer_count), (3_624_807, 2));
        let oci = MANIFEST.replace(MANIFEST_DOCKER, MANIFEST_OCI);
        let Ok(Parsed::Image { layers, .. }) = interpret(oci.as_bytes(), Some(MANIFEST_OCI)) else {
            panic!("an OCI manifest")
        };
        assert_eq!(layers, 3_624_807);

        // A manifest list without mediaType in the body: the header says.
        let list = r#"{"schemaVersion":2,"manifests":[]}"#;
        assert!(
            matches!(interpret(list.as_bytes(), Some("application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8")), Ok(Parsed::Index(e)) if e.is_empty())
        );
        let v1 = r#"{"schemaVersion":1,"name":"x","fsLayers":[{"blobSum":"sha256:1"}]}"#;
        assert!(interpret(v1.as_bytes(), None)
            .unwrap_err()
            .contains("schema 1"));
        assert!(interpret(b"<html>", Some("text/html")).is_err());
    }

    #[test]
    fn loopback_hosts_skip_proxies() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry-1.docker.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    /// A registry on loopback that wants a token and serves an index, with
    /// the token service on the same port.
    #[test]
    fn the_whole_flow_against_a_fake_registry() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for stream in listener.incoming().take(11) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut authorized = false;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line
                        .to_ascii_lowercase()
                        .starts_with("authorization: bearer t0k3n")
                    {
                        authorized = true;
                    }
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                seen.push(path.clone());
                let (status, extra, body): (&str, String, String) = if path.starts_with("/token?") {
                    (
                        "200 OK",
                        String::new(),
                        r#"{"token":"t0k3n","expires_in":300}"#.into(),
                    )
                } else if !authorized {
                    (
                        "401 Unauthorized",
                        format!("WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake\",scope=\"repository:team/app:pull\"\r\n"),
                        r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.into(),
                    )
                } else if path == "/v2/team/app/manifests/1.0" {
                    (
                        "200 OK",
                        format!("Content-Type: {INDEX_OCI}\r\n"),
                        INDEX.into(),
                    )
                } else if path == "/v2/team/app/manifests/sha256:aaaa"
                    || path == "/v2/team/app/manifests/sha256:bbbb"
                {
                    let body = if path.ends_with("aaaa") {
                        MANIFEST.to_string()
                    } else {
                        MANIFEST.replace("3623807", "5")
                    };
                    (
                        "200 OK",
                        format!("Content-Type: {MANIFEST_DOCKER}\r\n"),
                        body,
                    )
                } else {
                    (
                        "404 Not Found",
                        String::new(),
                        r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#
                            .into(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes()).unwrap();
            }
            seen
        });
        let deadline = || Instant::now() + Duration::from_secs(10);
        let image = ImageRef::parse(&format!("127.0.0.1:{port}/team/app:1.0")).unwrap();
        let amd64 = lookup(
            &image,
            &Platform::parse("linux/amd64").unwrap(),
            true,
            deadline(),
        );
        let Lookup::Found(found) = amd64 else {
            panic!("{amd64:?}")
        };
        assert_eq!((found.compressed, found.unpacked), (Some(3_624_807), None));
        assert_eq!(found.source, format!("registry 127.0.0.1:{port}, linux/amd64 manifest sha256:aaaa (2 layers, compressed)"));
        let arm64 = lookup(
            &image,
            &Platform::parse("linux/arm64").unwrap(),
            true,
            deadline(),
        );
        assert!(
            matches!(&arm64, Lookup::Found(f) if f.compressed == Some(1005)),
            "{arm64:?}"
        );
        let missing = ImageRef::parse(&format!("127.0.0.1:{port}/team/app:2.0")).unwrap();
        let result = lookup(
            &missing,
            &Platform::parse("linux/amd64").unwrap(),
            true,
            deadline(),
        );
        assert!(
            matches!(&result, Lookup::NotFound(m) if m.contains("MANIFEST_UNKNOWN")),
            "{result:?}"
        );
        let seen = server.join().unwrap();
        assert_eq!(
            seen,
            [
                "/v2/team/app/manifests/1.0",
                "/token?service=fake&scope=repository%3Ateam%2Fapp%3Apull",
                "/v2/team/app/manifests/1.0",
                "/v2/team/app/manifests/sha256:aaaa",
                "/v2/team/app/manifests/1.0",
                "/token?service=fake&scope=repository%3Ateam%2Fapp%3Apull",
                "/v2/team/app/manifests/1.0",
                "/v2/team/app/manifests/sha256:bbbb",
                "/v2/team/app/manifests/2.0",
                "/token?service=fake&scope=repository%3Ateam%2Fapp%3Apull",
                "/v2/team/app/manifests/2.0",
            ]
        );
    }

    #[test]
    fn an_unreachable_registry_fails_within_the_deadline() {
        // A port nothing listens on: bind, learn the port, close.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let image = ImageRef::parse(&format!("127.0.0.1:{port}/x:1")).unwrap();
        let started = Instant::now();
        let result = lookup(
            &image,
            &Platform::parse("").unwrap(),
            true,
            Instant::now() + Duration::from_secs(2),
        );
        assert!(matches!(result, Lookup::Failed(_)), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
