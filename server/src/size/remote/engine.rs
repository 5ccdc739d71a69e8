//! Sizes of images the local Docker engine has, through the Engine API:
//! `GET /info` (which image store), then
//! `GET /images/{name}/json?manifests=1`.
//!
//! - Classic graphdriver store (overlay2): `Size` is the unpacked size.
//! - containerd image store: `Size` counts packed + unpacked content (moby
//!   #53426), so it is not used; per platform, `Manifests[]` (API ≥ 1.48)
//!   gives `Size.Content` (compressed) and `ImageData.Size.Unpacked` (or
//!   `Size.Total − Size.Content` where that is missing).
//!
//! Spoken over the unix socket (`unix://`, the default
//! `/var/run/docker.sock`) or plain TCP (`tcp://host:2375`) with the small
//! HTTP/1.1 client in `http1.rs`; TLS to the engine is not supported.

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::http1;
use super::platform::{self, Platform};
use super::reference::ImageRef;
use super::{now, Lookup, RemoteSize};

pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Where the engine listens: the setting, else `$DOCKER_HOST`, else the
/// default socket.
pub fn resolve_host(setting: Option<&str>) -> String {
    setting
        .map(str::to_string)
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::env::var("DOCKER_HOST")
                .ok()
                .filter(|h| !h.trim().is_empty())
        })
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
}

pub fn lookup(
    image: &ImageRef,
    platform: &Platform,
    docker_host: &str,
    deadline: Instant,
) -> Lookup {
    let mut engine = Engine {
        host: docker_host.trim().to_string(),
        deadline,
    };
    let info = match engine.get("/info") {
        Ok(response) if response.status == 200 => response.body,
        Ok(response) => {
            return Lookup::Failed(format!(
                "the local engine answered {} to /info",
                response.status
            ))
        }
        Err(e) => return Lookup::Failed(e),
    };
    let store = match store_of(&info) {
        Ok(store) => store,
        Err(e) => return Lookup::Failed(format!("the local engine's /info: {e}")),
    };
    let path = format!(
        "/images/{}/json?manifests=1",
        path_escape(&image.to_string())
    );
    match engine.get(&path) {
        Ok(response) if response.status == 200 => {
            interpret(&response.body, &store, image, platform)
        }
        Ok(response) if response.status == 404 => {
            Lookup::NotFound(format!("{image} is not in the local engine"))
        }
        Ok(response) => Lookup::Failed(format!(
            "the local engine answered {} for {image}: {}",
            response.status,
            engine_message(&response.body)
        )),
        Err(e) => Lookup::Failed(e),
    }
}

/// Which image store the engine uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    Containerd,
    /// The graphdriver's name (`overlay2`).
    Classic(String),
}

pub fn store_of(info: &[u8]) -> Result<Store, String> {
    #[derive(Deserialize)]
    struct Info {
        #[serde(rename = "Driver", default)]
        driver: String,
        #[serde(rename = "DriverStatus", default)]
        driver_status: Option<Vec<Vec<String>>>,
    }
    let info: Info = serde_json::from_slice(info).map_err(|e| e.to_string())?;
    let snapshotter = |s: &str| s.contains("io.containerd.snapshotter");
    let containerd = snapshotter(&info.driver)
        || info
            .driver_status
            .iter()
            .flatten()
            .flatten()
            .any(|s| snapshotter(s));
    Ok(if containerd {
        Store::Containerd
    } else {
        Store::Classic(info.driver)
    })
}

#[derive(Debug, Deserialize)]
struct Inspect {
    #[serde(rename = "Id", default)]
    id: String,
    #[serde(rename = "Size", default)]
    size: Option<u64>,
    #[serde(rename = "Os", default)]
    os: String,
    #[serde(rename = "Architecture", default)]
    architecture: String,
    #[serde(rename = "Variant", default)]
    variant: Option<String>,
    #[serde(rename = "Manifests", default)]
    manifests: Option<Vec<ManifestSummary>>,
}

#[derive(Debug, Deserialize)]
struct ManifestSummary {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(rename = "Descriptor", default)]
    descriptor: Option<DescriptorSummary>,
    #[serde(rename = "Available", default)]
    available: bool,
    #[serde(rename = "Size", default)]
    size: Option<ManifestSize>,
    #[serde(rename = "Kind", default)]
    kind: Option<String>,
    #[serde(rename = "ImageData", default)]
    image_data: Option<ImageData>,
}

#[derive(Debug, Deserialize, Default)]
struct DescriptorSummary {
    #[serde(default)]
    digest: String,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Debug, Deserialize)]
struct ManifestSize {
    #[serde(rename = "Total", default)]
    total: u64,
    #[serde(rename = "Content", default)]
    content: u64,
}

#[derive(Debug, Deserialize)]
struct ImageData {
    #[serde(rename = "Platform", default)]
    platform: Option<Platform>,
    #[serde(rename = "Size", default)]
    size: Option<UnpackedSize>,
}

#[derive(Debug, Deserialize)]
struct UnpackedSize {
    #[serde(rename = "Unpacked", default)]
    unpacked: Option<u64>,
}

/// Reads an image inspect answer.
pub fn interpret(body: &[u8], store: &Store, image: &ImageRef, wanted: &Platform) -> Lookup {
    let inspect: Inspect = match serde_json::from_slice(body) {
        Ok(inspect) => inspect,
        Err(e) => return Lookup::Failed(format!("the local engine's answer for {image}: {e}")),
    };
    if let Some(manifests) = inspect.manifests.as_ref().filter(|m| !m.is_empty()) {
        return per_platform(manifests, image, wanted);
    }
    match store {
        Store::Containerd => Lookup::NotFound(format!(
            "the local engine (containerd store) lists no per-platform sizes for {image} (API older than 1.48?)"
        )),
        Store::Classic(driver) => {
            let local = Platform {
                os: inspect.os.clone(),
                architecture: inspect.architecture.clone(),
                variant: inspect.variant.clone().filter(|v| !v.is_empty()),
            };
            if !local.os.is_empty() && platform::pick(wanted, &[Some(&local)]).is_none() {
                return Lookup::NotFound(format!("the local {image} is {local}, not {wanted}"));
            }
            let Some(size) = inspect.size else {
                return Lookup::Failed(format!("the local engine gave no size for {image}"));
            };
            let driver = if driver.is_empty() { "classic store".to_string() } else { format!("{driver} store") };
            Lookup::Found(RemoteSize {
                compressed: None,
                unpacked: Some(size),
                source: format!("local engine ({driver}), image {}", short_id(&inspect.id)),
                fetched: now(),
                from_cache: false,
            })
        }
    }
}

fn per_platform(manifests: &[ManifestSummary], image: &ImageRef, wanted: &Platform) -> Lookup {
    let usable = |m: &ManifestSummary| {
        m.available && m.kind.as_deref().is_none_or(|k| k == "image") && m.size.is_some()
    };
    let candidates: Vec<Option<&Platform>> = manifests
        .iter()
        .map(|m| if usable(m) { platform_of(m) } else { None })
        .collect();
    let Some(index) = platform::pick(wanted, &candidates) else {
        return Lookup::NotFound(format!(
            "the local engine has no {wanted} content for {image}"
        ));
    };
    let chosen = &manifests[index];
    let size = chosen.size.as_ref().expect("usable entries have a size");
    let unpacked = chosen
        .image_data
        .as_ref()
        .and_then(|d| d.size.as_ref())
        .and_then(|s| s.unpacked)
        .unwrap_or(size.total.saturating_sub(size.content));
    let digest = chosen
        .descriptor
        .as_ref()
        .map(|d| d.digest.as_str())
        .filter(|d| !d.is_empty())
        .unwrap_or(&chosen.id);
    Lookup::Found(RemoteSize {
        compressed: Some(size.content),
        unpacked: Some(unpacked),
        source: format!("local engine (containerd store), {wanted} manifest {digest}"),
        fetched: now(),
        from_cache: false,
    })
}

fn platform_of(m: &ManifestSummary) -> Option<&Platform> {
    m.image_data
        .as_ref()
        .and_then(|d| d.platform.as_ref())
        .or_else(|| m.descriptor.as_ref().and_then(|d| d.platform.as_ref()))
}

fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

/// The engine's `{"message": …}`.
fn engine_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    serde_json::from_slice::<Message>(body)
        .map(|m| m.message)
        .unwrap_or_else(|_| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}

/// Escapes what a path must not hold raw; `/`, `:` and `@` stay (the
/// engine's route takes the name with its slashes).
fn path_escape(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b':' | b'@' | b'.' | b'-' | b'_') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

struct Engine {
    host: String,
    deadline: Instant,
}

impl Engine {
    fn left(&self) -> Result<Duration, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err("the local engine did not answer in time".into())
        } else {
            Ok(left)
        }
    }

    fn get(&mut self, path: &str) -> Result<http1::Response, String> {
        let left = self.left()?;
        if let Some(socket) = self.host.strip_prefix("unix://") {
            return get_unix(socket, path, left, self.deadline);
        }
        if let Some(address) = self
            .host
            .strip_prefix("tcp://")
            .or_else(|| self.host.strip_prefix("http://"))
        {
            let address = address.trim_end_matches('/');
            let resolved = std::net::ToSocketAddrs::to_socket_addrs(address)
                .map_err(|e| format!("the local engine at {address}: {e}"))?
                .next()
                .ok_or_else(|| format!("the local engine at {address}: no address"))?;
            let mut stream = std::net::TcpStream::connect_timeout(&resolved, left)
                .map_err(|e| format!("no Docker engine at {address}: {e}"))?;
            prepare(&stream, left, |s, t| {
                s.set_read_timeout(t)?;
                s.set_write_timeout(t)
            })?;
            return http1::get(&mut stream, "docker", path, self.deadline)
                .map_err(|e| format!("the local engine at {address}: {e}"));
        }
        Err(format!(
            "the Docker host `{}` is not supported (unix:// and tcp:// without TLS are)",
            self.host
        ))
    }
}

fn prepare<S>(
    stream: &S,
    left: Duration,
    set: impl Fn(&S, Option<Duration>) -> std::io::Result<()>,
) -> Result<(), String> {
    set(stream, Some(left)).map_err(|e| format!("the local engine: {e}"))
}

#[cfg(unix)]
fn get_unix(
    socket: &str,
    path: &str,
    left: Duration,
    deadline: Instant,
) -> Result<http1::Response, String> {
    let mut stream = std::os::unix::net::UnixStream::connect(socket)
        .map_err(|e| format!("no Docker engine at {socket}: {e}"))?;
    prepare(&stream, left, |s, t| {
        s.set_read_timeout(t)?;
        s.set_write_timeout(t)
    })?;
    http1::get(&mut stream, "docker", path, deadline)
        .map_err(|e| format!("the local engine at {socket}: {e}"))
}

#[cfg(not(unix))]
fn get_unix(
    socket: &str,
    _path: &str,
    _left: Duration,
    _deadline: Instant,
) -> Result<http1::Response, String> {
    Err(format!(
        "unix sockets ({socket}) are not supported on this system"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn alpine() -> ImageRef {
        ImageRef::parse("alpine:3.21").unwrap()
    }

    fn amd64() -> Platform {
        Platform::parse("linux/amd64").unwrap()
    }

    #[test]
    fn the_store_is_read_from_info() {
        let classic = br#"{"Driver":"overlay2","DriverStatus":[["Backing Filesystem","extfs"],["Supports d_type","true"]]}"#;
        assert_eq!(store_of(classic), Ok(Store::Classic("overlay2".into())));
        let containerd = br#"{"Driver":"overlayfs","DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]}"#;
        assert_eq!(store_of(containerd), Ok(Store::Containerd));
        assert_eq!(
            store_of(br#"{"DriverStatus":null}"#),
            Ok(Store::Classic(String::new()))
        );
    }

    #[test]
    fn classic_store_size_is_unpacked() {
        let body =
            br#"{"Id":"sha256:4048db5d36726e313ab8f7ffccf2362a34cba69e4cdd49119713483a68641fce",
            "RepoTags":["alpine:3.21"],"Size":7833994,"Os":"linux","Architecture":"amd64"}"#;
        let found = interpret(
            body,
            &Store::Classic("overlay2".into()),
            &alpine(),
            &amd64(),
        );
        let Lookup::Found(size) = found else {
            panic!("{found:?}")
        };
        assert_eq!((size.compressed, size.unpacked), (None, Some(7_833_994)));
        assert_eq!(
            size.source,
            "local engine (overlay2 store), image 4048db5d3672"
        );
        // An image of another platform is not the one asked for.
        let arm = interpret(
            body,
            &Store::Classic("overlay2".into()),
            &alpine(),
            &Platform::parse("linux/arm64").unwrap(),
        );
        assert!(
            matches!(&arm, Lookup::NotFound(m) if m.contains("is linux/amd64, not linux/arm64")),
            "{arm:?}"
        );
    }

    /// The shape moby documents for API 1.48 (`docker image inspect` of a
    /// multi-platform image with only amd64 pulled, plus its attestation).
    const CONTAINERD: &[u8] = br#"{
      "Id": "sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c",
      "Size": 18446744,
      "Os": "linux", "Architecture": "amd64",
      "Manifests": [
        {"ID": "sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474",
         "Descriptor": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": "sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474", "size": 1043,
                        "platform": {"architecture": "amd64", "os": "linux"}},
         "Available": true,
         "Size": {"Total": 12255232, "Content": 3653716},
         "Kind": "image",
         "ImageData": {"Platform": {"architecture": "amd64", "os": "linux"}, "Containers": [], "Size": {"Unpacked": 8601516}}},
        {"ID": "sha256:2222", "Descriptor": {"digest": "sha256:2222", "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
         "Available": false, "Size": {"Total": 0, "Content": 0}, "Kind": "image",
         "ImageData": {"Platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}, "Containers": [], "Size": {"Unpacked": 0}}},
        {"ID": "sha256:3333", "Descriptor": {"digest": "sha256:3333", "platform": {"architecture": "unknown", "os": "unknown"}},
         "Available": true, "Size": {"Total": 1500, "Content": 1500}, "Kind": "attestation",
         "AttestationData": {"For": "sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474"}}
      ]
    }"#;

    #[test]
    fn containerd_store_sizes_per_platform() {
        let found = interpret(CONTAINERD, &Store::Containerd, &alpine(), &amd64());
        let Lookup::Found(size) = found else {
            panic!("{found:?}")
        };
        // Not `Size` (packed + unpacked): content and unpacked, separately.
        assert_eq!(
            (size.compressed, size.unpacked),
            (Some(3_653_716), Some(8_601_516))
        );
        assert_eq!(
            size.source,
            "local engine (containerd store), linux/amd64 manifest sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474"
        );
        // arm64 is listed but not pulled.
        let arm = interpret(
            CONTAINERD,
            &Store::Containerd,
            &alpine(),
            &Platform::parse("linux/arm64").unwrap(),
        );
        assert!(matches!(arm, Lookup::NotFound(_)), "{arm:?}");
        // Without ImageData.Size: Total − Content.
        let older = String::from_utf8(CONTAINERD.to_vec())
            .unwrap()
            .replace(r#", "Size": {"Unpacked": 8601516}"#, "");
        let Lookup::Found(size) =
            interpret(older.as_bytes(), &Store::Containerd, &alpine(), &amd64())
        else {
            panic!()
        };
        assert_eq!(size.unpacked, Some(12_255_232 - 3_653_716));
        // containerd store, API without Manifests: Size mixes the two, so no answer.
        let bare = br#"{"Id":"sha256:1","Size":18446744,"Os":"linux","Architecture":"amd64"}"#;
        assert!(matches!(
            interpret(bare, &Store::Containerd, &alpine(), &amd64()),
            Lookup::NotFound(_)
        ));
    }

    #[test]
    fn hosts_and_paths() {
        assert_eq!(
            resolve_host(Some("unix:///run/user/1000/docker.sock")),
            "unix:///run/user/1000/docker.sock"
        );
        assert_eq!(
            path_escape("docker.io/library/alpine:3.21"),
            "docker.io/library/alpine:3.21"
        );
        assert_eq!(path_escape("a b"), "a%20b");
        let deadline = Instant::now() + Duration::from_secs(2);
        let missing = lookup(
            &alpine(),
            &amd64(),
            "unix:///nonexistent/docker.sock",
            deadline,
        );
        assert!(
            matches!(&missing, Lookup::Failed(m) if m.contains("no Docker engine at /nonexistent/docker.sock")),
            "{missing:?}"
        );
        let npipe = lookup(
            &alpine(),
            &amd64(),
            "npipe:////./pipe/docker_engine",
            deadline,
        );
        assert!(
            matches!(&npipe, Lookup::Failed(m) if m.contains("not supported")),
            "{npipe:?}"
        );
    }

    /// A fake engine on a unix socket: /info, then the inspect, chunked.
    #[cfg(unix)]
    #[test]
    fn a_fake_engine_on_a_unix_socket() {
        use std::io::{BufRead, BufReader};
        let dir = std::env::temp_dir().join(format!("dockerfile-ls-engine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("docker.sock");
        let _ = std::fs::remove_file(&socket);
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let server = std::thread::spawn(move || {
            let mut paths = Vec::new();
            for stream in listener.incoming().take(2) {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap().to_string();
                let body: &[u8] = if path == "/info" {
                    br#"{"Driver":"overlayfs","DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]}"#
                } else {
                    CONTAINERD
                };
                let (first, rest) = body.split_at(body.len() / 3);
                let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for chunk in [first, rest] {
                    response.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    response.extend_from_slice(chunk);
                    response.extend_from_slice(b"\r\n");
                }
                response.extend_from_slice(b"0\r\n\r\n");
                stream.write_all(&response).unwrap();
                paths.push(path);
            }
            paths
        });
        let host = format!("unix://{}", socket.display());
        let found = lookup(
            &alpine(),
            &amd64(),
            &host,
            Instant::now() + Duration::from_secs(5),
        );
        assert!(
            matches!(&found, Lookup::Found(s) if s.compressed == Some(3_653_716)),
            "{found:?}"
        );
        assert_eq!(
            server.join().unwrap(),
            [
                "/info",
                "/images/docker.io/library/alpine:3.21/json?manifests=1"
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
