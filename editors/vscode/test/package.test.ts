// Runs scripts/package.sh and checks what the two .vsix files hold.
//
// By default package.sh builds the release server with cargo. With
// DOCKERFILE_LS_SERVER_BIN set (test.sh sets it to the debug build), it packs
// that binary instead: the file lists are the same.

import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";

import { EXTENSION_DIR, manifest } from "./configuration";

const pkg = manifest();
const OUT = path.join(EXTENSION_DIR, "dist-vsix");
const UNIVERSAL = path.join(OUT, `${pkg.name}-${pkg.version}.vsix`);
const LINUX = path.join(OUT, `${pkg.name}-linux-x64-${pkg.version}.vsix`);

/** `unzip -l`, as entry names. */
function entries(vsix: string): string[] {
  const listing = execFileSync("unzip", ["-Z1", vsix], { encoding: "utf8" });
  return listing.split("\n").filter((line) => line !== "").sort();
}

function entry(vsix: string, name: string): string {
  return execFileSync("unzip", ["-p", vsix, name], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

const COMMON = [
  "[Content_Types].xml",
  "extension.vsixmanifest",
  "extension/LICENSE.txt",
  "extension/changelog.md",
  "extension/dist/extension.js",
  "extension/package.json",
  "extension/readme.md",
];

describe("scripts/package.sh", () => {
  before(() => {
    const run = spawnSync("bash", [path.join(EXTENSION_DIR, "scripts", "package.sh")], {
      cwd: EXTENSION_DIR,
      encoding: "utf8",
      timeout: 20 * 60_000,
    });
    assert.equal(run.status, 0, `package.sh failed:\n${run.stdout}\n${run.stderr}`);
  });

  it("leaves no server/ folder behind", () => {
    assert.equal(fs.existsSync(path.join(EXTENSION_DIR, "server")), false);
  });

  it("the universal .vsix: the bundle, the manifest and docs, no server", () => {
    assert.deepEqual(entries(UNIVERSAL), COMMON.slice().sort());
    assert.doesNotMatch(entry(UNIVERSAL, "extension.vsixmanifest"), /TargetPlatform=/);
  });

  it("the linux-x64 .vsix: the same plus extension/server/dockerfile-ls, executable", () => {
    assert.deepEqual(entries(LINUX), [...COMMON, "extension/server/dockerfile-ls"].sort());
    assert.match(entry(LINUX, "extension.vsixmanifest"), /TargetPlatform="linux-x64"/);
    const info = execFileSync("zipinfo", [LINUX, "extension/server/dockerfile-ls"], { encoding: "utf8" });
    assert.match(info, /^-rwxr-xr-x/, info);
  });

  it("neither holds node_modules, sources, tests or maps", () => {
    for (const vsix of [UNIVERSAL, LINUX]) {
      for (const name of entries(vsix)) {
        assert.doesNotMatch(name, /node_modules|(^|\/)(src|test|out|scripts)\/|\.ts$|\.map$|tsconfig|\.vsix$/, `${vsix}: ${name}`);
      }
    }
  });

  it("the packaged bundle is self-contained: it requires only vscode and node built-ins", () => {
    const bundle = entry(UNIVERSAL, "extension/dist/extension.js");
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set(require("node:module").builtinModules as string[]);
    const foreign = [...required].filter((name) => name !== "vscode" && !builtins.has(name.replace(/^node:/, "")));
    assert.deepEqual(foreign, []);
    assert.ok(required.has("vscode"));
  });

  it("the packaged manifest is package.json", () => {
    const packed = JSON.parse(entry(LINUX, "extension/package.json")) as Record<string, unknown>;
    const source = manifest() as unknown as Record<string, unknown>;
    assert.deepEqual(packed["contributes"], source["contributes"]);
    assert.equal(packed["main"], "./dist/extension.js");
  });
});
