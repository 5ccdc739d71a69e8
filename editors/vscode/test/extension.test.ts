// Activates the bundled extension (dist/extension.js) against a stand-in
// `vscode` module (test/vscodeStub.ts) and the real server binary: the
// lookup, the messages, the LanguageClient start/stop and the restart
// command run for real; VS Code itself does not (none can run here).

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, afterEach, describe, it } from "node:test";

import { Configuration, EXTENSION_DIR } from "./configuration";
import { installVscode, VSCODE_VERSION, withFallback } from "./vscodeStub";

const BIN = path.resolve(
  EXTENSION_DIR,
  process.env["DOCKERFILE_LS_BIN"] ?? path.join("..", "..", "target", "debug", "dockerfile-ls"),
);
const BUNDLE = path.join(EXTENSION_DIR, "dist", "extension.js");
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), "dockerfile-ls-ext-"));

interface Extension {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
}

function until(what: string, test: () => boolean, ms = 10_000, every = 20): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (test()) {
        resolve();
      } else if (Date.now() > deadline) {
        reject(new Error(`timed out waiting for ${what}`));
      } else {
        setTimeout(poll, every);
      }
    };
    poll();
  });
}

/**
 * Resolves once the client has logged nothing for `ms` (trace on): the
 * server's answers to `initialized` and to the first didChangeConfiguration
 * are done. Stopping earlier races the server, which may still send requests
 * after its shutdown response (reported as a server issue).
 */
async function quiet(fake: FakeVscode, ms = 300): Promise<void> {
  let length = -1;
  await until(`${ms} ms without client traffic`, () => {
    const settled = fake.log.length === length;
    length = fake.log.length;
    return settled;
  }, 10_000, ms);
}

/** A `vscode` module that records what the extension does with it. */
class FakeVscode {
  readonly log: string[] = [];
  readonly errors: { message: string; items: string[] }[] = [];
  readonly commands = new Map<string, (...args: unknown[]) => unknown>();
  readonly executed: unknown[][] = [];
  /** Sections the client read to answer the server's workspace/configuration. */
  readonly configurationReads: string[] = [];
  /** What the user clicks on the next error message. */
  choice: string | undefined;
  readonly module: unknown;

  constructor(readonly configuration: Configuration) {
    const channel = (name: string) => {
      const line = (level: string) => (message: unknown) => void this.log.push(`[${level}] ${String(message)}`);
      return withFallback(`channel ${name}`, {
        name,
        logLevel: 1, // Trace: the client logs the LSP traffic it traces
        info: line("info"),
        warn: line("warn"),
        error: line("error"),
        debug: line("debug"),
        trace: line("trace"),
        append: line("append"),
        appendLine: line("line"),
        show: () => undefined,
        dispose: () => undefined,
      });
    };
    const disposable = { dispose: () => undefined };
    this.module = withFallback("vscode", {
      version: VSCODE_VERSION,
      env: { appName: "Visual Studio Code", language: "en", machineId: "test" },
      LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
      workspace: {
        workspaceFolders: undefined,
        textDocuments: [],
        notebookDocuments: [],
        getConfiguration: (section?: string) => ({
          get: (key: string, fallback?: unknown) => {
            const full = section ? `${section}.${key}` : key;
            if (section === undefined) {
              this.configurationReads.push(key);
            }
            return this.configuration.get(full) ?? fallback;
          },
          has: (key: string) => this.configuration.get(section ? `${section}.${key}` : key) !== undefined,
        }),
        onDidChangeConfiguration: () => disposable,
      },
      window: {
        createOutputChannel: channel,
        showErrorMessage: (message: string, ...items: string[]) => {
          this.errors.push({ message, items });
          return Promise.resolve(this.choice);
        },
        visibleTextEditors: [],
        visibleNotebookEditors: [],
        tabGroups: { all: [] },
      },
      commands: {
        registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
          this.commands.set(id, handler);
          return disposable;
        },
        executeCommand: (...args: unknown[]) => {
          this.executed.push(args);
          return Promise.resolve(undefined);
        },
      },
    });
  }
}

/** A fresh copy of the bundle (its module state is per activation). */
function loadExtension(fake: FakeVscode): Extension {
  installVscode(fake.module);
  delete require.cache[require.resolve(BUNDLE)];
  return require(BUNDLE) as Extension; // eslint-disable-line @typescript-eslint/no-require-imports
}

function context(extensionPath: string): unknown {
  return withFallback("context", { extensionPath, subscriptions: [] });
}

function withPath<T>(value: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env["PATH"];
  process.env["PATH"] = value;
  return body().finally(() => {
    process.env["PATH"] = saved;
  });
}

let running: Extension | undefined;

afterEach(async () => {
  await running?.deactivate();
  running = undefined;
});

after(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

describe("dist/extension.js activated with a stand-in vscode module", () => {
  it("starts the server from the setting; the client answers workspace/configuration", async () => {
    assert.ok(fs.existsSync(BUNDLE), "run `npm run bundle` first");
    const fake = new FakeVscode(
      new Configuration({
        "dockerfile-ls.server.path": BIN,
        "dockerfile-ls.diagnostics.severity": { "unknown-stage": "error" },
        "dockerfile-ls.trace.server": "messages",
      }),
    );
    running = loadExtension(fake);
    await running.activate(context(SCRATCH));
    assert.deepEqual(fake.errors, [], fake.log.join("\n"));
    assert.ok(
      fake.log.some((l) => /^\[info\] using dockerfile-ls \S+ at /.test(l) && l.endsWith(`at ${BIN} (from setting)`)),
      fake.log.join("\n"),
    );
    // the server asks for our section after `initialized`
    await until("the server's workspace/configuration request", () => fake.configurationReads.includes("dockerfile-ls"));
    assert.ok(fake.commands.has("dockerfile-ls.restartServer"));
    assert.ok(fake.log.some((l) => l.startsWith("[trace] Sending request 'initialize")), "the trace setting is read");
    await quiet(fake);

    const reads = fake.configurationReads.length;
    await fake.commands.get("dockerfile-ls.restartServer")!();
    await until("workspace/configuration from the restarted server", () => fake.configurationReads.length > reads);
    assert.deepEqual(fake.errors, [], fake.log.join("\n"));
    await quiet(fake);

    await running.deactivate();
    running = undefined;
    assert.deepEqual(fake.log.filter((l) => l.startsWith("[warn]") || l.startsWith("[error]")), []);
  });

  it("uses a bundled server/dockerfile-ls, restoring its executable bit", async () => {
    const extensionPath = path.join(SCRATCH, "bundled");
    const bundled = path.join(extensionPath, "server", "dockerfile-ls");
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.writeFileSync(bundled, `#!/bin/sh\nexec '${BIN}' "$@"\n`, { mode: 0o644 });
    const fake = new FakeVscode(new Configuration());
    running = loadExtension(fake);
    await withPath("", () => running!.activate(context(extensionPath)));
    assert.deepEqual(fake.errors, []);
    assert.ok(fake.log.some((l) => l.endsWith(`at ${bundled} (from bundled)`)), fake.log.join("\n"));
    assert.equal(fs.statSync(bundled).mode & 0o111, 0o111);
    await until("workspace/configuration", () => fake.configurationReads.includes("dockerfile-ls"));
  });

  it("finds dockerfile-ls on PATH", async () => {
    const dir = path.join(SCRATCH, "bin");
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(BIN, path.join(dir, "dockerfile-ls"));
    const fake = new FakeVscode(new Configuration());
    running = loadExtension(fake);
    await withPath(`/nonexistent:${dir}`, () => running!.activate(context(SCRATCH)));
    assert.deepEqual(fake.errors, []);
    assert.ok(fake.log.some((l) => l.endsWith(`at ${path.join(dir, "dockerfile-ls")} (from path)`)), fake.log.join("\n"));
  });

  it("no server anywhere: an error naming `cargo install --path server`, with a button to the setting", async () => {
    const fake = new FakeVscode(new Configuration());
    fake.choice = "Open Setting";
    running = loadExtension(fake);
    await withPath("/nonexistent", () => running!.activate(context(SCRATCH)));
    assert.equal(fake.errors.length, 1);
    const [error] = fake.errors;
    assert.match(error!.message, /cannot find the `dockerfile-ls` server/);
    assert.match(error!.message, /cargo install --path server/);
    assert.match(error!.message, /release binary/);
    assert.deepEqual(error!.items, ["Open Setting", "Show Log"]);
    await until("the settings editor to open", () => fake.executed.length > 0);
    assert.deepEqual(fake.executed, [["workbench.action.openSettings", "dockerfile-ls.server.path"]]);
    assert.ok(fake.log.some((l) => l.includes("/nonexistent/dockerfile-ls")), "the log lists where it looked");
  });

  it("a setting that leads nowhere is reported as such", async () => {
    const fake = new FakeVscode(new Configuration({ "dockerfile-ls.server.path": "/nope/dockerfile-ls" }));
    running = loadExtension(fake);
    await running.activate(context(SCRATCH));
    assert.equal(fake.errors.length, 1);
    assert.match(fake.errors[0]!.message, /`dockerfile-ls.server.path` \(\/nope\/dockerfile-ls\): \/nope\/dockerfile-ls is not an executable file/);
  });

  it("a binary that is not a working dockerfile-ls is reported", async () => {
    const broken = path.join(SCRATCH, "broken-dockerfile-ls");
    fs.writeFileSync(broken, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const fake = new FakeVscode(new Configuration({ "dockerfile-ls.server.path": broken }));
    running = loadExtension(fake);
    await running.activate(context(SCRATCH));
    assert.equal(fake.errors.length, 1);
    assert.match(fake.errors[0]!.message, /does not run/);
  });
});
