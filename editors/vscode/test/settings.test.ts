// The settings sent to the server (src/settings.ts) and the manifest that
// declares them.

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { RESTART_SETTINGS, SECTION, serverSettings } from "../src/settings";
import { Configuration, manifest } from "./configuration";

describe("serverSettings", () => {
  it("defaults from package.json: nothing configured", () => {
    assert.deepEqual(serverSettings(new Configuration().section(SECTION)), {
      diagnostics: { disabled: [], severity: {} },
      buildContexts: [],
      target: null,
      format: { enable: true, uppercaseKeywords: true, indentContinuations: true },
      size: { inlayHints: "stage", platform: null, context: null, registry: false, engine: false, insecureRegistries: [] },
    });
  });

  it("user values, in the shape the server reads (lsp/config.rs)", () => {
    const config = new Configuration({
      "dockerfile-ls.diagnostics.disabled": ["unused-stage"],
      "dockerfile-ls.diagnostics.severity": { "unknown-stage": "error", StageNameCasing: "off" },
      "dockerfile-ls.buildContexts": ["assets"],
      "dockerfile-ls.target": " release ",
      "dockerfile-ls.server.path": "/somewhere",
      "dockerfile-ls.format.uppercaseKeywords": false,
      "dockerfile-ls.size.inlayHints": "instruction",
      "dockerfile-ls.size.platform": "linux/arm64",
      "dockerfile-ls.size.registry": true,
      "dockerfile-ls.size.insecureRegistries": ["127.0.0.1:5000"],
    });
    assert.deepEqual(serverSettings(config.section(SECTION)), {
      diagnostics: { disabled: ["unused-stage"], severity: { "unknown-stage": "error", StageNameCasing: "off" } },
      buildContexts: ["assets"],
      target: "release",
      format: { enable: true, uppercaseKeywords: false, indentContinuations: true },
      size: { inlayHints: "instruction", platform: "linux/arm64", context: null, registry: true, engine: false, insecureRegistries: ["127.0.0.1:5000"] },
    });
  });

  it("wrongly typed values are dropped, not sent", () => {
    const config = new Configuration({
      "dockerfile-ls.diagnostics.disabled": "unused-stage",
      "dockerfile-ls.diagnostics.severity": { a: 1, b: "hint" },
      "dockerfile-ls.buildContexts": ["x", 2],
      "dockerfile-ls.target": "",
      "dockerfile-ls.size.inlayHints": "everywhere",
      "dockerfile-ls.size.registry": "yes",
    });
    assert.deepEqual(serverSettings(config.section(SECTION)), {
      diagnostics: { disabled: [], severity: { b: "hint" } },
      buildContexts: ["x"],
      target: null,
      format: { enable: true, uppercaseKeywords: true, indentContinuations: true },
      size: { inlayHints: "stage", platform: null, context: null, registry: false, engine: false, insecureRegistries: [] },
    });
  });
});

describe("package.json", () => {
  const pkg = manifest() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("engines, entry point, activation", () => {
    assert.equal(pkg["engines"].vscode, "^1.91.0");
    assert.equal(pkg["main"], "./dist/extension.js");
    assert.deepEqual(pkg["activationEvents"], [], "activation comes from contributes.languages (onLanguage:dockerfile)");
  });

  it("adds the file names the built-in dockerfile language lacks, without a grammar", () => {
    const languages = pkg["contributes"].languages as Record<string, string[]>[];
    assert.equal(languages.length, 1);
    const language = languages[0]!;
    assert.equal(language["id"], "dockerfile");
    assert.deepEqual(language["filenames"], ["Dockerfile", "Containerfile"]);
    for (const pattern of ["Containerfile.*", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "*.containerfile"]) {
      assert.ok(language["filenamePatterns"]!.includes(pattern), pattern);
    }
    assert.equal(pkg["contributes"].grammars, undefined);
  });

  it("declares every setting the extension and the server read", () => {
    const properties = pkg["contributes"].configuration.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(properties).sort(), [
      "dockerfile-ls.buildContexts",
      "dockerfile-ls.diagnostics.disabled",
      "dockerfile-ls.diagnostics.severity",
      "dockerfile-ls.format.enable",
      "dockerfile-ls.format.indentContinuations",
      "dockerfile-ls.format.uppercaseKeywords",
      "dockerfile-ls.server.extraArgs",
      "dockerfile-ls.server.path",
      "dockerfile-ls.size.context",
      "dockerfile-ls.size.engine",
      "dockerfile-ls.size.inlayHints",
      "dockerfile-ls.size.insecureRegistries",
      "dockerfile-ls.size.platform",
      "dockerfile-ls.size.registry",
      "dockerfile-ls.target",
      "dockerfile-ls.trace.server",
    ]);
    assert.equal(properties["dockerfile-ls.server.path"]!["scope"], "machine-overridable");
    assert.deepEqual(properties["dockerfile-ls.trace.server"]!["enum"], ["off", "messages", "verbose"]);
    assert.deepEqual((properties["dockerfile-ls.diagnostics.severity"]!["additionalProperties"] as { enum: string[] }).enum, [
      "error",
      "warning",
      "information",
      "hint",
      "off",
    ]);
    for (const key of RESTART_SETTINGS) {
      assert.ok(key in properties, key);
    }
  });

  it("the restart command", () => {
    assert.deepEqual(pkg["contributes"].commands, [
      { command: "dockerfile-ls.restartServer", title: "Restart Server", category: "Dockerfile LS" },
    ]);
  });

  it("untrusted workspaces may not pick the binary", () => {
    assert.deepEqual(pkg["capabilities"].untrustedWorkspaces.restrictedConfigurations, RESTART_SETTINGS);
  });
});
