// The settings the server reads, picked out of the `dockerfile-ls` section.
// Pure: no `vscode` import, so it is unit-tested without VS Code.

export const SECTION = "dockerfile-ls";

/** The part of `vscode.WorkspaceConfiguration` that is read here. */
export interface ConfigurationReader {
  get<T>(key: string): T | undefined;
}

/**
 * What the server reads (see the server's `lsp/config.rs`): sent as
 * `initializationOptions`. The same object later arrives through
 * `workspace/configuration` and `workspace/didChangeConfiguration`, with the
 * client-only keys (`server`, `trace`) besides, which the server ignores.
 */
export interface ServerSettings {
  diagnostics: {
    disabled: string[];
    severity: Record<string, string>;
  };
  buildContexts: string[];
  target: string | null;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "string") {
        out[key] = v;
      }
    }
  }
  return out;
}

export function serverSettings(config: ConfigurationReader): ServerSettings {
  const target = config.get<unknown>("target");
  return {
    diagnostics: {
      disabled: strings(config.get("diagnostics.disabled")),
      severity: stringMap(config.get("diagnostics.severity")),
    },
    buildContexts: strings(config.get("buildContexts")),
    target: typeof target === "string" && target.trim() !== "" ? target.trim() : null,
  };
}

/** Settings whose change needs a new server process rather than a notification. */
export const RESTART_SETTINGS = [`${SECTION}.server.path`, `${SECTION}.server.extraArgs`];
