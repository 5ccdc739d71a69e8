// VS Code's view of the settings, built from package.json the way VS Code
// builds it: every contributed setting at its default, user values on top.

import * as fs from "node:fs";
import * as path from "node:path";

import type { ConfigurationReader } from "../src/settings";

export const EXTENSION_DIR = path.resolve(__dirname, "..", "..");

interface Manifest {
  name: string;
  version: string;
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
  [key: string]: unknown;
}

export function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(EXTENSION_DIR, "package.json"), "utf8")) as Manifest;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let current = target;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      current[key] = {};
    }
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1]!] = value;
}

function getPath(source: unknown, keys: string[]): unknown {
  let current = source;
  for (const key of keys) {
    if (current === null || typeof current !== "object") {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Settings as VS Code holds them: a tree of all contributed settings. */
export class Configuration {
  private tree: Record<string, unknown> = {};

  constructor(user: Record<string, unknown> = {}) {
    this.set(user);
  }

  /** Replaces the user values (dotted full keys like `dockerfile-ls.target`). */
  set(user: Record<string, unknown>): void {
    this.tree = {};
    for (const [key, schema] of Object.entries(manifest().contributes.configuration.properties)) {
      setPath(this.tree, key.split("."), structuredClone(schema.default ?? null));
    }
    for (const [key, value] of Object.entries(user)) {
      setPath(this.tree, key.split("."), structuredClone(value));
    }
  }

  /** `workspace.getConfiguration(undefined).get(key)`. */
  get(key: string): unknown {
    return structuredClone(getPath(this.tree, key.split(".")));
  }

  /** `workspace.getConfiguration(section)`. */
  section(section: string): ConfigurationReader {
    return {
      get: <T>(key: string) => this.get(`${section}.${key}`) as T | undefined,
    };
  }
}
