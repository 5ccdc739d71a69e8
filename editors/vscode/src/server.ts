// Finding the dockerfile-ls binary, the way rust-analyzer finds its server:
// the `dockerfile-ls.server.path` setting, else the binary bundled in a
// platform-specific .vsix, else `dockerfile-ls` on PATH.
//
// Pure: the file system and the environment come in through `Host`, so the
// lookup is unit-tested without VS Code and without touching the disk.

import * as path from "node:path";

export const BINARY = "dockerfile-ls";

/** What the lookup may ask of the machine. */
export interface Host {
  platform: NodeJS.Platform;
  /** The process environment (PATH, PATHEXT). */
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** True for a regular file this process may execute. */
  isExecutable(file: string): boolean;
}

export interface LookupInput {
  /** The `dockerfile-ls.server.path` setting, unexpanded. */
  configuredPath?: string | null;
  /** Where the extension is installed (a bundled binary is in `server/`). */
  extensionPath: string;
  /** File-system paths of the open workspace folders, first one first. */
  workspaceFolders: readonly string[];
}

export type Source = "setting" | "bundled" | "path";

export type Lookup =
  | { kind: "found"; path: string; source: Source }
  /** The setting is set but does not lead to an executable. */
  | { kind: "bad-setting"; configured: string; message: string }
  /** Nothing set, nothing bundled, nothing on PATH. */
  | { kind: "not-found"; searched: string[] };

/** `dockerfile-ls`, or `dockerfile-ls.exe` on Windows. */
export function executableName(platform: NodeJS.Platform, name: string = BINARY): string {
  return platform === "win32" && !/\.exe$/i.test(name) ? `${name}.exe` : name;
}

/** Where a platform-specific .vsix puts the server. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathFor(platform).join(extensionPath, "server", executableName(platform));
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** An environment variable; Windows names are case-insensitive (`Path`). */
function envVar(host: Pick<Host, "platform" | "env">, name: string): string | undefined {
  if (host.platform !== "win32") {
    return host.env[name];
  }
  const key = Object.keys(host.env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : host.env[key];
}

/**
 * Expands `~`, `~/…`, `${userHome}`, `${env:NAME}`, `${workspaceFolder}` and
 * `${workspaceFolderBasename}`. Returns an error message instead when a
 * variable cannot be expanded (no workspace folder open, unknown variable).
 */
export function expandPath(
  raw: string,
  host: Pick<Host, "homedir" | "platform" | "env">,
  workspaceFolders: readonly string[],
): { path: string } | { error: string } {
  let value = raw.trim();
  if (value === "~") {
    value = host.homedir;
  } else if (value.startsWith("~/") || (host.platform === "win32" && value.startsWith("~\\"))) {
    value = pathFor(host.platform).join(host.homedir, value.slice(2));
  }
  let error: string | undefined;
  value = value.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith("env:")) {
      return envVar(host, name.slice(4)) ?? "";
    }
    switch (name) {
      case "userHome":
        return host.homedir;
      case "workspaceFolder":
      case "workspaceFolderBasename": {
        const folder = workspaceFolders[0];
        if (folder === undefined) {
          error ??= `\${${name}} needs an open workspace folder`;
          return whole;
        }
        return name === "workspaceFolder" ? folder : pathFor(host.platform).basename(folder);
      }
      default:
        error ??= `unknown variable \${${name}} (supported: ~, \${userHome}, \${env:NAME}, \${workspaceFolder}, \${workspaceFolderBasename})`;
        return whole;
    }
  });
  return error === undefined ? { path: value } : { error };
}

/** Whether `value` names a file by path rather than a command to find on PATH. */
function hasSeparator(value: string, platform: NodeJS.Platform): boolean {
  return value.includes("/") || (platform === "win32" && value.includes("\\"));
}

/** The directories of PATH, in order, without empty (= current directory) entries. */
export function pathDirectories(host: Host): string[] {
  const value = envVar(host, "PATH") ?? "";
  const delimiter = host.platform === "win32" ? ";" : ":";
  return value
    .split(delimiter)
    .map((dir) => (host.platform === "win32" ? dir.replace(/^"(.*)"$/, "$1") : dir))
    .filter((dir) => dir !== "");
}

/**
 * Finds `command` on PATH like a shell would (with PATHEXT on Windows).
 * Returns the first executable match and every candidate looked at.
 */
export function searchPath(command: string, host: Host): { found?: string; searched: string[] } {
  const p = pathFor(host.platform);
  let names = [command];
  if (host.platform === "win32" && p.extname(command) === "") {
    const exts = (envVar(host, "PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "");
    names = exts.map((ext) => command + ext.toLowerCase());
  }
  const searched: string[] = [];
  for (const dir of pathDirectories(host)) {
    for (const name of names) {
      const candidate = p.join(dir, name);
      searched.push(candidate);
      if (host.isExecutable(candidate)) {
        return { found: candidate, searched };
      }
    }
  }
  return { searched };
}

/** Runs the lookup: setting, then bundled binary, then PATH. */
export function findServer(input: LookupInput, host: Host): Lookup {
  const p = pathFor(host.platform);
  const configured = input.configuredPath?.trim();
  if (configured) {
    const expanded = expandPath(configured, host, input.workspaceFolders);
    if ("error" in expanded) {
      return { kind: "bad-setting", configured, message: expanded.error };
    }
    let file = expanded.path;
    if (!hasSeparator(file, host.platform) && !p.isAbsolute(file)) {
      // a bare command name: look it up on PATH
      const result = searchPath(file, host);
      if (result.found !== undefined) {
        return { kind: "found", path: result.found, source: "setting" };
      }
      return { kind: "bad-setting", configured, message: `'${file}' was not found on PATH` };
    }
    if (!p.isAbsolute(file)) {
      const folder = input.workspaceFolders[0];
      if (folder === undefined) {
        return {
          kind: "bad-setting",
          configured,
          message: "a relative path needs an open workspace folder",
        };
      }
      file = p.resolve(folder, file);
    }
    if (!host.isExecutable(file)) {
      return { kind: "bad-setting", configured, message: `${file} is not an executable file` };
    }
    return { kind: "found", path: file, source: "setting" };
  }

  const bundled = bundledPath(input.extensionPath, host.platform);
  if (host.isExecutable(bundled)) {
    return { kind: "found", path: bundled, source: "bundled" };
  }

  const onPath = searchPath(BINARY, host);
  if (onPath.found !== undefined) {
    return { kind: "found", path: onPath.found, source: "path" };
  }
  return { kind: "not-found", searched: [bundled, ...onPath.searched] };
}

/** The arguments the server is started with: `--stdio` first, then the user's. */
export function serverArgs(extraArgs: unknown): string[] {
  const extra = Array.isArray(extraArgs) ? extraArgs.filter((a): a is string => typeof a === "string") : [];
  return ["--stdio", ...extra];
}
