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
  format: {
    enable: boolean;
    uppercaseKeywords: boolean;
    indentContinuations: boolean;
  };
  size: {
    inlayHints: "off" | "stage" | "instruction";
    platform: string | null;
    context: string | null;
    registry: boolean;
    engine: boolean;
    insecureRegistries: string[];
  };
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

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

const INLAY_MODES = ["off", "stage", "instruction"] as const;

export function serverSettings(config: ConfigurationReader): ServerSettings {
  const target = config.get<unknown>("target");
  const inlay = config.get<unknown>("size.inlayHints");
  return {
    diagnostics: {
      disabled: strings(config.get("diagnostics.disabled")),
      severity: stringMap(config.get("diagnostics.severity")),
    },
    buildContexts: strings(config.get("buildContexts")),
    target: text(target),
    format: {
      enable: flag(config.get("format.enable"), true),
      uppercaseKeywords: flag(config.get("format.uppercaseKeywords"), true),
      indentContinuations: flag(config.get("format.indentContinuations"), true),
    },
    size: {
      inlayHints: INLAY_MODES.find((mode) => mode === inlay) ?? "stage",
      platform: text(config.get("size.platform")),
      context: text(config.get("size.context")),
      registry: flag(config.get("size.registry"), false),
      engine: flag(config.get("size.engine"), false),
      insecureRegistries: strings(config.get("size.insecureRegistries")),
    },
  };
}

/** Settings whose change needs a new server process rather than a notification. */
export const RESTART_SETTINGS = [`${SECTION}.server.path`, `${SECTION}.server.extraArgs`];
