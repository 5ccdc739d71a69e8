// Drives the real dockerfile-ls binary the way the extension's LanguageClient
// does: the same protocol library (vscode-languageserver-protocol), the
// capabilities vscode-languageclient computes, the same arguments, the
// initializationOptions the extension sends, and VS Code's answers to
// workspace/configuration.
//
// DOCKERFILE_LS_BIN picks the binary (default ../../target/debug/dockerfile-ls).

import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

import {
  ConfigurationRequest,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticReportKind,
  DocumentDiagnosticRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  SetTraceNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type Location,
  type LocationLink,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type ServerCapabilities,
} from "vscode-languageserver-protocol/node";

import { serverArgs } from "../src/server";
import { SECTION, serverSettings } from "../src/settings";
import { Configuration, EXTENSION_DIR } from "./configuration";
import { clientCapabilities, VSCODE_VERSION } from "./vscodeStub";

const BIN = path.resolve(
  EXTENSION_DIR,
  process.env["DOCKERFILE_LS_BIN"] ?? path.join("..", "..", "target", "debug", "dockerfile-ls"),
);
const TIMEOUT_MS = 10_000;

const DOCKERFILE = [
  "FROM alpine:3.20 AS builder", // 0
  "RUN echo hi > /out", // 1
  "", // 2
  "FROM alpine:3.20", // 3
  "COPY --from=buidler /out /out", // 4: typo
  "COPY --from=builder /out /out2", // 5
  "",
].join("\n");
const TYPO: Range = { start: { line: 4, character: 12 }, end: { line: 4, character: 19 } };
const USE_OF_BUILDER = { line: 5, character: 14 };
const STAGE_NAME: Range = { start: { line: 0, character: 20 }, end: { line: 0, character: 27 } };

/** The same temporary folder the documents live in, as VS Code would have it open. */
const WORKSPACE = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "dockerfile-ls-vscode-"));
const DOC_URI = `file://${WORKSPACE}/Dockerfile`;

function withTimeout<T>(promise: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Something that happens later, awaited with a timeout. */
class Waiter<T> {
  private waiting: { test: (value: T) => boolean; resolve: (value: T) => void }[] = [];
  readonly seen: T[] = [];

  push(value: T): void {
    this.seen.push(value);
    this.waiting = this.waiting.filter((w) => {
      if (w.test(value)) {
        w.resolve(value);
        return false;
      }
      return true;
    });
  }

  /** The first value (already seen or still to come) that passes `test`. */
  next(what: string, test: (value: T) => boolean = () => true, since = 0): Promise<T> {
    const earlier = this.seen.slice(since).find(test);
    if (earlier !== undefined) {
      return Promise.resolve(earlier);
    }
    return withTimeout(new Promise<T>((resolve) => this.waiting.push({ test, resolve })), what);
  }
}

/** One server process and the client half of the connection. */
class Session {
  readonly process: ChildProcessWithoutNullStreams;
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Waiter<PublishDiagnosticsParams>();
  readonly configurationRequests = new Waiter<(string | null | undefined)[]>();
  readonly registrations = new Waiter<Registration>();
  readonly refreshes = new Waiter<string>();
  readonly logs: string[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(readonly configuration: Configuration) {
    // exactly what the extension spawns: the binary with `--stdio`
    this.process = spawn(BIN, serverArgs([]), { stdio: "pipe" });
    this.process.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on("exit", (code) => resolve(code)));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.process.stdout),
      new StreamMessageWriter(this.process.stdin),
    );
    const c = this.connection;
    c.onNotification(PublishDiagnosticsNotification.type, (params) => this.diagnostics.push(params));
    c.onNotification(LogMessageNotification.type, (params) => void this.logs.push(text(params.message)));
    c.onNotification(ShowMessageNotification.type, (params) => void this.logs.push(text(params.message)));
    // what vscode-languageclient's ConfigurationFeature answers: for a section
    // without a dot, getConfiguration(undefined).get(section)
    c.onRequest(ConfigurationRequest.type, (params) => {
      this.configurationRequests.push(params.items.map((item) => item.section));
      return params.items.map((item) => (item.section ? (this.configuration.get(item.section) ?? null) : null));
    });
    c.onRequest(RegistrationRequest.type, (params) => {
      params.registrations.forEach((r) => this.registrations.push(r));
    });
    c.onRequest(UnregistrationRequest.type, () => undefined);
    c.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
    c.onRequest("workspace/diagnostic/refresh", () => {
      this.refreshes.push("diagnostic");
      return null;
    });
    for (const refresh of ["workspace/semanticTokens/refresh", "workspace/inlayHint/refresh", "workspace/codeLens/refresh", "workspace/foldingRange/refresh", "workspace/inlineValue/refresh"]) {
      c.onRequest(refresh, () => null);
    }
    c.listen();
  }

  /** initialize + initialized, as vscode-languageclient sends them. */
  async initialize(capabilities: ClientCapabilities): Promise<InitializeResult> {
    const result = await withTimeout(
      this.connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: "Visual Studio Code", version: VSCODE_VERSION },
        locale: "en",
        rootPath: WORKSPACE,
        rootUri: `file://${WORKSPACE}`,
        capabilities,
        initializationOptions: serverSettings(this.configuration.section(SECTION)),
        trace: "off",
        workspaceFolders: [{ uri: `file://${WORKSPACE}`, name: path.basename(WORKSPACE) }],
      }),
      "the initialize result",
    );
    await this.connection.sendNotification(InitializedNotification.type, {});
    // SyncConfigurationFeature (synchronize.configurationSection) sends the
    // section once at start
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: this.configuration.get(SECTION) },
    });
    return result;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "dockerfile", version, text },
    });
  }

  /** textDocument/diagnostic, as the client's pull model asks it. */
  async pull(uri: string): Promise<Diagnostic[]> {
    const report = await withTimeout(
      this.connection.sendRequest(DocumentDiagnosticRequest.type, {
        textDocument: { uri },
        identifier: undefined,
        previousResultId: undefined,
      }),
      `textDocument/diagnostic for ${uri}`,
    );
    assert.equal(report.kind, DocumentDiagnosticReportKind.Full, "a first pull gets a full report");
    return report.kind === DocumentDiagnosticReportKind.Full ? report.items : [];
  }

  /** Changes the user settings and notifies the server like the client does. */
  async changeSettings(user: Record<string, unknown>): Promise<void> {
    this.configuration.set(user);
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: this.configuration.get(SECTION) },
    });
  }

  /** shutdown + exit; resolves with the exit code. */
  async close(): Promise<number | null> {
    await withTimeout(this.connection.sendRequest(ShutdownRequest.type), "the shutdown response");
    await this.connection.sendNotification(ExitNotification.type);
    const code = await withTimeout(this.exited, "the server to exit");
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.connection.dispose();
    if (this.process.exitCode === null) {
      this.process.kill();
    }
  }

  /** Context for a failed assertion. */
  describe(): string {
    return `\n--- server stderr ---\n${this.stderr}\n--- server log messages ---\n${this.logs.join("\n")}`;
  }
}

/** LSP 3.18 lets messages be markup. */
function text(message: string | MarkupContent): string {
  return typeof message === "string" ? message : message.value;
}

function unknownStage(diagnostics: Diagnostic[]): Diagnostic | undefined {
  return diagnostics.find((d) => d.code === "unknown-stage");
}

function targetRange(result: Location | Location[] | LocationLink[] | null): { uri: string; range: Range } | undefined {
  if (result === null) {
    return undefined;
  }
  const first = Array.isArray(result) ? result[0] : result;
  if (first === undefined) {
    return undefined;
  }
  return "targetUri" in first ? { uri: first.targetUri, range: first.targetSelectionRange } : first;
}

before(() => {
  assert.ok(
    fs.existsSync(BIN),
    `no server binary at ${BIN}: run \`cargo build\` in the repository root, or set DOCKERFILE_LS_BIN`,
  );
});

after(() => fs.rmSync(WORKSPACE, { recursive: true, force: true }));

describe("dockerfile-ls with the VS Code client's capabilities (pull diagnostics)", () => {
  const capabilities = clientCapabilities() as ClientCapabilities;
  const configuration = new Configuration();
  let session: Session;
  let result: InitializeResult;
  let caps: ServerCapabilities;

  before(async () => {
    session = new Session(configuration);
    result = await session.initialize(capabilities);
    caps = result.capabilities;
  });

  after(() => session?.kill());

  it("the capabilities come from vscode-languageclient", () => {
    // guards the stub: these are what decide the server's behaviour below
    assert.ok(capabilities.textDocument?.diagnostic, "the client pulls diagnostics");
    assert.equal(capabilities.workspace?.configuration, true);
    assert.equal(capabilities.workspace?.didChangeConfiguration?.dynamicRegistration, true);
    assert.deepEqual(capabilities.general?.positionEncodings, ["utf-16"]);
    assert.equal(capabilities.textDocument?.definition?.linkSupport, true);
  });

  it("initialize: serverInfo and capabilities the client can use", () => {
    const version = spawnSync(BIN, ["--version"], { encoding: "utf8" }).stdout.trim();
    assert.equal(result.serverInfo?.name, "dockerfile-ls");
    assert.equal(`dockerfile-ls ${result.serverInfo?.version}`, version, "serverInfo.version is the --version");
    // vscode-languageclient refuses to start with anything but utf-16
    assert.ok(
      caps.positionEncoding === undefined || caps.positionEncoding === "utf-16",
      `positionEncoding ${caps.positionEncoding}`,
    );
    const sync = caps.textDocumentSync;
    assert.ok(typeof sync === "object" && sync !== null, "textDocumentSync options");
    assert.equal(sync.openClose, true);
    assert.equal(sync.change, 2, "incremental sync");
    assert.ok(caps.diagnosticProvider, "diagnosticProvider (the client pulls)");
    assert.ok(caps.definitionProvider, "definitionProvider");
    assert.ok(caps.referencesProvider, "referencesProvider");
    assert.ok(caps.documentHighlightProvider, "documentHighlightProvider");
    assert.ok(caps.documentSymbolProvider, "documentSymbolProvider");
    assert.ok(caps.foldingRangeProvider, "foldingRangeProvider");
    assert.deepEqual(caps.renameProvider, { prepareProvider: true }, "rename with prepareRename (the client supports it)");
  });

  it("registers for configuration changes and reads the dockerfile-ls section", async () => {
    const registration = await session.registrations.next(
      "client/registerCapability for workspace/didChangeConfiguration",
      (r) => r.method === DidChangeConfigurationNotification.method,
    );
    assert.equal(registration.method, "workspace/didChangeConfiguration");
    const sections = await session.configurationRequests.next("a workspace/configuration request");
    assert.deepEqual(sections, [SECTION]);
  });

  it("didOpen then pull: unknown-stage on the typo", async () => {
    await session.open(DOC_URI, DOCKERFILE);
    const items = await session.pull(DOC_URI);
    const diagnostic = unknownStage(items);
    assert.ok(diagnostic, `unknown-stage in ${JSON.stringify(items)}${session.describe()}`);
    assert.deepEqual(diagnostic.range, TYPO);
    assert.equal(diagnostic.severity, 2, "a warning by default");
    assert.match(text(diagnostic.message), /buidler/);
    assert.match(text(diagnostic.message), /did you mean 'builder'/);
    assert.equal(
      items.filter((d) => d.code === "unknown-stage").length,
      1,
      "`COPY --from=builder` is not flagged",
    );
  });

  it("untitled documents are served too", async () => {
    const uri = "untitled:Untitled-1";
    await session.open(uri, DOCKERFILE);
    assert.ok(unknownStage(await session.pull(uri)), `unknown-stage for ${uri}${session.describe()}`);
    await session.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it("definition: --from=builder goes to `AS builder`", async () => {
    const response = await withTimeout(
      session.connection.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: DOC_URI },
        position: USE_OF_BUILDER,
      }),
      "textDocument/definition",
    );
    const target = targetRange(response);
    assert.ok(target, `a definition for --from=builder, got ${JSON.stringify(response)}${session.describe()}`);
    assert.equal(target.uri, DOC_URI);
    assert.deepEqual(target.range, STAGE_NAME);
  });

  it("hover, if the server offers it", async (t) => {
    if (!caps.hoverProvider) {
      assert.equal(caps.hoverProvider, undefined, "hoverProvider is absent, not false");
      t.diagnostic("the server does not advertise hoverProvider: hover not tested");
      return;
    }
    const hover = await withTimeout(
      session.connection.sendRequest(HoverRequest.type, { textDocument: { uri: DOC_URI }, position: USE_OF_BUILDER }),
      "textDocument/hover",
    );
    assert.ok(hover, `a hover on --from=builder${session.describe()}`);
    const contents = JSON.stringify(hover.contents);
    assert.match(contents, /builder/);
  });

  it("settings changes reach the server (workspace/configuration after didChangeConfiguration)", async () => {
    const since = session.configurationRequests.seen.length;
    const refreshesSince = session.refreshes.seen.length;
    await session.changeSettings({ "dockerfile-ls.diagnostics.severity": { "unknown-stage": "error" } });
    await session.configurationRequests.next("workspace/configuration after the change", () => true, since);
    await session.refreshes.next("workspace/diagnostic/refresh after the change", () => true, refreshesSince);
    assert.equal(unknownStage(await session.pull(DOC_URI))?.severity, 1, "unknown-stage is now an error");

    await session.changeSettings({ "dockerfile-ls.diagnostics.disabled": ["unknown-stage"] });
    await session.refreshes.next("workspace/diagnostic/refresh after the second change", () => true, refreshesSince + 1);
    assert.equal(unknownStage(await session.pull(DOC_URI)), undefined, "unknown-stage is disabled");

    await session.changeSettings({});
    await session.refreshes.next("workspace/diagnostic/refresh after the reset", () => true, refreshesSince + 2);
    assert.ok(unknownStage(await session.pull(DOC_URI)), "unknown-stage is back");
  });

  it("$/setTrace (sent when dockerfile-ls.trace.server changes) is accepted", async () => {
    await session.connection.sendNotification(SetTraceNotification.type, { value: "verbose" });
    await session.connection.sendNotification(SetTraceNotification.type, { value: "off" });
    assert.ok(unknownStage(await session.pull(DOC_URI)), `the server still answers${session.describe()}`);
  });

  it("the settings VS Code sends draw no complaints", () => {
    // the server logs each setting it cannot read as `dockerfile-ls.<key>: …`
    assert.deepEqual(session.logs.filter((m) => m.startsWith(`${SECTION}.`)), []);
    assert.equal(session.stderr, "", "nothing on stderr");
  });

  it("does not also push diagnostics (VS Code would show them twice)", () => {
    const pushed = session.diagnostics.seen.filter((p) => p.diagnostics.length > 0);
    assert.deepEqual(pushed, []);
  });

  it("shutdown and exit: status 0", async () => {
    assert.equal(await session.close(), 0, session.describe());
  });
});

describe("dockerfile-ls with a client that does not pull (push diagnostics)", () => {
  const capabilities = clientCapabilities() as ClientCapabilities;
  delete capabilities.textDocument?.diagnostic;
  let session: Session;

  before(async () => {
    session = new Session(new Configuration({ "dockerfile-ls.buildContexts": ["assets"] }));
    await session.initialize(capabilities);
  });

  after(() => session?.kill());

  it("publishDiagnostics with unknown-stage after didOpen", async () => {
    await session.open(DOC_URI, DOCKERFILE + "COPY --from=assets /a /a\n", 1);
    const published = await session.diagnostics.next(
      "publishDiagnostics with unknown-stage",
      (p) => p.uri === DOC_URI && unknownStage(p.diagnostics) !== undefined,
    );
    assert.deepEqual(unknownStage(published.diagnostics)?.range, TYPO);
    assert.equal(
      published.diagnostics.filter((d) => d.code === "unknown-stage").length,
      1,
      `buildContexts from the settings: --from=assets is not flagged ${JSON.stringify(published.diagnostics)}`,
    );
  });

  it("an incremental change that fixes the typo clears it", async () => {
    const since = session.diagnostics.seen.length;
    await session.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: DOC_URI, version: 2 },
      contentChanges: [{ range: TYPO, rangeLength: 7, text: "builder" }],
    });
    // a republish of version 1 (after the settings arrived) may come first
    const published = await session.diagnostics.next(
      "publishDiagnostics without unknown-stage after the change",
      (p) => p.uri === DOC_URI && unknownStage(p.diagnostics) === undefined,
      since,
    );
    if (published.version !== undefined) {
      assert.equal(published.version, 2);
    }
  });

  it("shutdown and exit: status 0", async () => {
    assert.equal(await session.close(), 0, session.describe());
  });
});
