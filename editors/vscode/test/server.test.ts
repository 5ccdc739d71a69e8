// Unit tests of the server lookup (src/server.ts) with a fake file system.

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  bundledPath,
  expandPath,
  findServer,
  pathDirectories,
  searchPath,
  serverArgs,
  type Host,
  type LookupInput,
} from "../src/server";

const EXT = "/home/me/.vscode/extensions/dockerfile-ls.dockerfile-ls-0.1.0-linux-x64";

function host(executables: string[], env: Record<string, string> = {}, platform: NodeJS.Platform = "linux"): Host & { asked: string[] } {
  const asked: string[] = [];
  return {
    platform,
    env: { PATH: "/usr/local/bin:/usr/bin", ...env },
    homedir: platform === "win32" ? "C:\\Users\\me" : "/home/me",
    asked,
    isExecutable(file) {
      asked.push(file);
      return executables.includes(file);
    },
  };
}

function input(configuredPath?: string | null, workspaceFolders: string[] = ["/work/app"]): LookupInput {
  return { configuredPath, extensionPath: EXT, workspaceFolders };
}

describe("findServer: the order setting → bundled → PATH", () => {
  const everywhere = ["/opt/dls/dockerfile-ls", `${EXT}/server/dockerfile-ls`, "/usr/bin/dockerfile-ls"];

  it("the setting wins over everything", () => {
    assert.deepEqual(findServer(input("/opt/dls/dockerfile-ls"), host(everywhere)), {
      kind: "found",
      path: "/opt/dls/dockerfile-ls",
      source: "setting",
    });
  });

  it("then the binary bundled in the platform .vsix", () => {
    assert.deepEqual(findServer(input(null), host(everywhere)), {
      kind: "found",
      path: `${EXT}/server/dockerfile-ls`,
      source: "bundled",
    });
  });

  it("then PATH, in order", () => {
    const h = host(["/usr/bin/dockerfile-ls", "/usr/local/bin/dockerfile-ls"]);
    assert.deepEqual(findServer(input(undefined), h), {
      kind: "found",
      path: "/usr/local/bin/dockerfile-ls",
      source: "path",
    });
  });

  it("an empty or blank setting counts as unset", () => {
    for (const configured of ["", "   "]) {
      assert.equal(findServer(input(configured), host(["/usr/bin/dockerfile-ls"])).kind, "found");
    }
  });

  it("nothing found: every place looked at is reported", () => {
    assert.deepEqual(findServer(input(null), host([])), {
      kind: "not-found",
      searched: [`${EXT}/server/dockerfile-ls`, "/usr/local/bin/dockerfile-ls", "/usr/bin/dockerfile-ls"],
    });
  });

  it("a setting that leads nowhere is an error, not a silent fallback", () => {
    const result = findServer(input("/nope/dockerfile-ls"), host(everywhere));
    assert.equal(result.kind, "bad-setting");
    assert.match(result.kind === "bad-setting" ? result.message : "", /\/nope\/dockerfile-ls is not an executable file/);
  });
});

describe("findServer: expanding the setting", () => {
  it("~/ is the home directory", () => {
    const result = findServer(input("~/.cargo/bin/dockerfile-ls"), host(["/home/me/.cargo/bin/dockerfile-ls"]));
    assert.deepEqual(result, { kind: "found", path: "/home/me/.cargo/bin/dockerfile-ls", source: "setting" });
  });

  it("${workspaceFolder} is the first workspace folder", () => {
    const result = findServer(
      input("${workspaceFolder}/target/debug/dockerfile-ls", ["/work/app", "/work/other"]),
      host(["/work/app/target/debug/dockerfile-ls"]),
    );
    assert.deepEqual(result, { kind: "found", path: "/work/app/target/debug/dockerfile-ls", source: "setting" });
  });

  it("${workspaceFolder} without a folder open is an error", () => {
    const result = findServer(input("${workspaceFolder}/dockerfile-ls", []), host([]));
    assert.equal(result.kind, "bad-setting");
    assert.match(result.kind === "bad-setting" ? result.message : "", /needs an open workspace folder/);
  });

  it("a relative path is relative to the first workspace folder", () => {
    const result = findServer(input("./bin/dockerfile-ls"), host(["/work/app/bin/dockerfile-ls"]));
    assert.deepEqual(result, { kind: "found", path: "/work/app/bin/dockerfile-ls", source: "setting" });
  });

  it("a bare command name is looked up on PATH", () => {
    const result = findServer(input("dockerfile-ls-nightly"), host(["/usr/bin/dockerfile-ls-nightly"]));
    assert.deepEqual(result, { kind: "found", path: "/usr/bin/dockerfile-ls-nightly", source: "setting" });
    const missing = findServer(input("dockerfile-ls-nightly"), host([]));
    assert.deepEqual(missing, {
      kind: "bad-setting",
      configured: "dockerfile-ls-nightly",
      message: "'dockerfile-ls-nightly' was not found on PATH",
    });
  });

  const unix = { homedir: "/home/me", platform: "linux" as const, env: { CARGO_HOME: "/opt/cargo" } };

  it("unknown variables are reported", () => {
    assert.deepEqual(expandPath("${config:x}/dockerfile-ls", unix, []), {
      error:
        "unknown variable ${config:x} (supported: ~, ${userHome}, ${env:NAME}, ${workspaceFolder}, ${workspaceFolderBasename})",
    });
  });

  it("${userHome}, ${env:NAME} and ${workspaceFolderBasename}", () => {
    assert.deepEqual(expandPath("${userHome}/bin/${workspaceFolderBasename}", unix, ["/work/app"]), {
      path: "/home/me/bin/app",
    });
    assert.deepEqual(expandPath("${env:CARGO_HOME}/bin/dockerfile-ls", unix, []), { path: "/opt/cargo/bin/dockerfile-ls" });
  });
});

describe("PATH search", () => {
  it("skips empty entries (they would mean the current directory)", () => {
    assert.deepEqual(pathDirectories(host([], { PATH: ":/a::/b:" })), ["/a", "/b"]);
  });

  it("an unset PATH finds nothing", () => {
    const h = host([]);
    delete (h.env as Record<string, string | undefined>)["PATH"];
    assert.deepEqual(searchPath("dockerfile-ls", h), { searched: [] });
  });

  it("Windows: Path in any case, PATHEXT, .exe when bundled", () => {
    const h = host(
      ["C:\\tools\\dockerfile-ls.exe"],
      { PATH: "", Path: "C:\\bin;\"C:\\tools\"", PATHEXT: ".COM;.EXE" },
      "win32",
    );
    delete (h.env as Record<string, string | undefined>)["PATH"];
    assert.deepEqual(searchPath("dockerfile-ls", h), {
      found: "C:\\tools\\dockerfile-ls.exe",
      searched: ["C:\\bin\\dockerfile-ls.com", "C:\\bin\\dockerfile-ls.exe", "C:\\tools\\dockerfile-ls.com", "C:\\tools\\dockerfile-ls.exe"],
    });
    assert.equal(bundledPath("C:\\ext", "win32"), "C:\\ext\\server\\dockerfile-ls.exe");
    assert.deepEqual(findServer({ configuredPath: "~\\bin\\dockerfile-ls.exe", extensionPath: "C:\\ext", workspaceFolders: [] }, host(["C:\\Users\\me\\bin\\dockerfile-ls.exe"], {}, "win32")), {
      kind: "found",
      path: "C:\\Users\\me\\bin\\dockerfile-ls.exe",
      source: "setting",
    });
  });
});

describe("serverArgs", () => {
  it("--stdio first, then the extra arguments", () => {
    assert.deepEqual(serverArgs(undefined), ["--stdio"]);
    assert.deepEqual(serverArgs(["--log", "debug"]), ["--stdio", "--log", "debug"]);
    assert.deepEqual(serverArgs(["a", 3, null]), ["--stdio", "a"]);
  });
});
