import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import { BINARY, bundledPath, findServer, serverArgs, type Host, type Lookup } from "./server";
import { RESTART_SETTINGS, SECTION, serverSettings } from "./settings";

const NAME = "Dockerfile LS";
const INSTALL_HINT =
  "Install it with `cargo install --path server` from a dockerfile-ls checkout (or put a release binary on PATH), " +
  `or set \`${SECTION}.server.path\`.`;

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
/** Serialises start/stop: a restart while starting waits for the start. */
let pending: Promise<void> = Promise.resolve();

const host: Host = {
  platform: process.platform,
  env: process.env,
  homedir: os.homedir(),
  isExecutable(file) {
    try {
      if (!fs.statSync(file).isFile()) {
        return false;
      }
      if (process.platform !== "win32") {
        fs.accessSync(file, fs.constants.X_OK);
      }
      return true;
    } catch {
      return false;
    }
  },
};

function log(): vscode.LogOutputChannel {
  output ??= vscode.window.createOutputChannel(NAME, { log: true });
  return output;
}

/** A bundled binary unpacked without its executable bit gets it back. */
function repairBundledBinary(extensionPath: string): void {
  if (process.platform === "win32") {
    return;
  }
  const bundled = bundledPath(extensionPath, process.platform);
  try {
    const mode = fs.statSync(bundled).mode;
    if ((mode & 0o111) === 0) {
      fs.chmodSync(bundled, mode | 0o755);
    }
  } catch {
    // not bundled (the universal .vsix), or not ours to change
  }
}

function lookupServer(context: vscode.ExtensionContext): Lookup {
  repairBundledBinary(context.extensionPath);
  const config = vscode.workspace.getConfiguration(SECTION);
  return findServer(
    {
      configuredPath: config.get<string | null>("server.path"),
      extensionPath: context.extensionPath,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? [])
        .filter((folder) => folder.uri.scheme === "file")
        .map((folder) => folder.uri.fsPath),
    },
    host,
  );
}

/** `dockerfile-ls --version`, or the reason it failed. */
function probeVersion(binary: string): Promise<{ version: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(binary, ["--version"], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        resolve({ error: `${error.message}${stderr ? `\n${stderr}` : ""}` });
      } else {
        resolve({ version: stdout.trim() });
      }
    });
  });
}

/** Shows the error without waiting for the user (activation must not block on it). */
function showSettingError(message: string): void {
  const open = "Open Setting";
  void vscode.window.showErrorMessage(message, open, "Show Log").then((choice) => {
    if (choice === open) {
      void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.path`);
    } else if (choice === "Show Log") {
      log().show();
    }
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const lookup = lookupServer(context);
  if (lookup.kind === "not-found") {
    log().error(`cannot find ${BINARY}; looked at:\n  ${lookup.searched.join("\n  ")}`);
    showSettingError(`${NAME}: cannot find the \`${BINARY}\` server. ${INSTALL_HINT}`);
    return;
  }
  if (lookup.kind === "bad-setting") {
    log().error(`${SECTION}.server.path = ${JSON.stringify(lookup.configured)}: ${lookup.message}`);
    showSettingError(
      `${NAME}: \`${SECTION}.server.path\` (${lookup.configured}): ${lookup.message}. ${INSTALL_HINT}`,
    );
    return;
  }

  const probe = await probeVersion(lookup.path);
  if ("error" in probe) {
    log().error(`${lookup.path} --version failed: ${probe.error}`);
    showSettingError(`${NAME}: ${lookup.path} does not run (${probe.error.split("\n")[0]}). ${INSTALL_HINT}`);
    return;
  }
  log().info(`using ${probe.version} at ${lookup.path} (from ${lookup.source})`);

  const config = vscode.workspace.getConfiguration(SECTION);
  const executable = { command: lookup.path, args: serverArgs(config.get("server.extraArgs")) };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
    ],
    // read once per start: a restart picks up new values
    initializationOptions: serverSettings(config),
    // sends workspace/didChangeConfiguration when our section changes; the
    // client also answers the server's workspace/configuration requests
    synchronize: { configurationSection: SECTION },
    outputChannel: log(),
  };
  // the client id makes vscode-languageclient read `dockerfile-ls.trace.server`
  const next = new LanguageClient(SECTION, NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (error) {
    client = undefined;
    log().error(`the server failed to start: ${String(error)}`);
    void vscode.window.showErrorMessage(`${NAME}: the server failed to start (${String(error)}).`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    try {
      await running.stop();
    } catch (error) {
      log().warn(`stopping the server: ${String(error)}`);
    }
  }
}

function enqueue(task: () => Promise<void>): Promise<void> {
  pending = pending.then(task, task);
  return pending;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand(`${SECTION}.restartServer`, () =>
      enqueue(async () => {
        await stop();
        await start(context);
      }),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        log().info("server settings changed: restarting");
        void enqueue(async () => {
          await stop();
          await start(context);
        });
      }
    }),
  );
  await enqueue(() => start(context));
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}
