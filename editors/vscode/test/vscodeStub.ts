// A stand-in for the `vscode` module, just enough for vscode-languageclient to
// load and compute the capabilities it sends in `initialize`, and for
// dist/extension.js to activate. It is NOT VS Code: every API not set here
// is a do-nothing proxy. No VS Code can run on the test machine (see
// DEVELOPMENT.md).

import Module = require("node:module");

type Anything = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A value that answers any property access, call or `new` with another such value. */
export function anything(name: string): Anything {
  const target = function () {
    /* stub */
  };
  return new Proxy(target, {
    get(t, property) {
      if (property === "then" || property === Symbol.iterator || property === Symbol.asyncIterator) {
        return undefined; // not a promise, not iterable
      }
      if (property === Symbol.toPrimitive) {
        return () => `[stub ${name}]`;
      }
      if (property === "prototype") {
        return t.prototype;
      }
      return anything(`${name}.${String(property)}`);
    },
    apply() {
      return anything(`${name}()`);
    },
    construct() {
      return anything(`new ${name}`);
    },
  });
}

/**
 * A module object whose listed members are real and whose other members are
 * stubs; nested plain objects get the same treatment.
 */
export function withFallback(name: string, members: Record<string, unknown>): Anything {
  return new Proxy(members, {
    get(target, property) {
      if (typeof property === "string" && property in target) {
        const value = target[property];
        if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
          return withFallback(`${name}.${property}`, value as Record<string, unknown>);
        }
        return value;
      }
      if (property === "then" || typeof property === "symbol") {
        return undefined;
      }
      return anything(`${name}.${String(property)}`);
    },
  });
}

let installed: Anything | undefined;

/** Makes `require("vscode")` return `vscode` from now on (replacing an earlier stub). */
export function installVscode(vscode: Anything): void {
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  if (installed === undefined) {
    const original = mod._load;
    mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
      if (request === "vscode") {
        return installed;
      }
      return original.call(this, request, ...rest);
    };
  }
  installed = vscode;
}

/** The version the extension's `engines.vscode` floor names. */
export const VSCODE_VERSION = "1.91.0";

/**
 * The `capabilities` vscode-languageclient sends in `initialize`, computed by
 * the installed client library itself (so they follow its version).
 */
export function clientCapabilities(): Record<string, Anything> {
  installVscode(withFallback("vscode", { version: VSCODE_VERSION }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LanguageClient } = require("vscode-languageclient/node") as typeof import("vscode-languageclient/node");
  const client = new LanguageClient(
    "dockerfile-ls",
    "Dockerfile LS",
    { command: "dockerfile-ls" },
    {
      documentSelector: [
        { scheme: "file", language: "dockerfile" },
        { scheme: "untitled", language: "dockerfile" },
      ],
      synchronize: { configurationSection: "dockerfile-ls" },
    },
  );
  const compute = (client as unknown as { computeClientCapabilities(): Record<string, Anything> }).computeClientCapabilities;
  if (typeof compute !== "function") {
    throw new Error("vscode-languageclient no longer has computeClientCapabilities(): update test/vscodeStub.ts");
  }
  return JSON.parse(JSON.stringify(compute.call(client))) as Record<string, Anything>;
}
