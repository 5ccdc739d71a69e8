#!/usr/bin/env python3
"""Writes an OCI image layout whose layers have known sizes, for the
registry size test (tests/registry/run.sh).

Tags in the layout:
  v1     one linux/amd64 image, two gzip layers
  multi  an image index: an attestation-like unknown/unknown entry, then
         linux/amd64 (the v1 image) and linux/arm64/v8 (three other layers)

Prints shell assignments of the expected compressed sizes (the sum of each
manifest's layer sizes; config and manifest not counted):
  V1_BYTES=…  AMD64_BYTES=…  ARM64_BYTES=…
Everything is deterministic: gzip without timestamps, seeded random data.
"""

import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def blob(self, data, media_type, **extra):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.root, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        descriptor = {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}
        descriptor.update(extra)
        return descriptor

    def layer(self, files):
        """A gzip tar of `files` (name -> bytes): its descriptor and the
        digest of the uncompressed tar (the config's diff_id)."""
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, content in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mtime = 0
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(content))
        tar_bytes = raw.getvalue()
        packed = gzip.compress(tar_bytes, compresslevel=6, mtime=0)
        return self.blob(packed, OCI_LAYER_GZIP), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()

    def image(self, architecture, layers, variant=None):
        """A manifest for `layers` (lists of files); its descriptor with
        platform and the sum of its layers' compressed sizes."""
        built = [self.layer(files) for files in layers]
        platform = {"architecture": architecture, "os": "linux"}
        if variant:
            platform["variant"] = variant
        config = dict(platform)
        config["rootfs"] = {"type": "layers", "diff_ids": [diff_id for _, diff_id in built]}
        config["config"] = {"Cmd": ["/bin/true"]}
        config_descriptor = self.blob(json.dumps(config, sort_keys=True).encode(), OCI_CONFIG)
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config_descriptor,
            "layers": [descriptor for descriptor, _ in built],
        }
        descriptor = self.blob(json.dumps(manifest, indent=2).encode(), OCI_MANIFEST, platform=platform)
        return descriptor, sum(descriptor["size"] for descriptor, _ in built)


def main():
    root = sys.argv[1]
    layout = Layout(root)
    rng = random.Random(20261127)
    noise = lambda n: bytes(rng.getrandbits(8) for _ in range(n))  # does not compress

    amd64, amd64_bytes = layout.image(
        "amd64",
        [
            {"etc/hello.txt": b"hello, sizes\n" * 80},
            {"usr/lib/data.bin": noise(20_000)},
        ],
    )
    arm64, arm64_bytes = layout.image(
        "arm64",
        [
            {"etc/hello.txt": b"hello, arm\n" * 50},
            {"usr/lib/data.bin": noise(35_000)},
            {"usr/share/more.bin": noise(7_000)},
        ],
        variant="v8",
    )
    # An attestation-like entry, as BuildKit adds: skipped by platform picking.
    attestation_statement = layout.blob(b'{"_type":"https://in-toto.io/Statement/v0.1"}', "application/vnd.in-toto+json")
    attestation_config = layout.blob(b"{}", OCI_CONFIG)
    attestation = layout.blob(
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": attestation_config,
                "layers": [attestation_statement],
            }
        ).encode(),
        OCI_MANIFEST,
        platform={"architecture": "unknown", "os": "unknown"},
        annotations={
            "vnd.docker.reference.digest": amd64["digest"],
            "vnd.docker.reference.type": "attestation-manifest",
        },
    )
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [attestation, amd64, arm64]}
    index_descriptor = layout.blob(json.dumps(index, indent=2).encode(), OCI_INDEX)

    def tagged(descriptor, tag):
        entry = {k: v for k, v in descriptor.items() if k != "platform"}
        entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        return entry

    top = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [tagged(amd64, "v1"), tagged(index_descriptor, "multi")],
    }
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(top, f, indent=2)

    assert amd64_bytes != arm64_bytes
    print(f"V1_BYTES={amd64_bytes}")
    print(f"AMD64_BYTES={amd64_bytes}")
    print(f"ARM64_BYTES={arm64_bytes}")


if __name__ == "__main__":
    main()
