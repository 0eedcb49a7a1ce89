import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BundledModule, PackageLookup } from "./bundle";

/** A cached bundle: what was made, and the files and package copies it was made from. */
type CacheEntry = {
  tool: string;
  module_id: string;
  sha256: string;
  size: number;
  requires: string[];
  inputs: Array<{ path: string; size: number; mtimeMs: number }>;
  packages: Record<string, string | null>;
};

/** A module as the cache hands it back: its body's hash and size, and where the body is. */
export type CachedModule = { sha256: string; size: number; requires: string[]; bodyPath: string };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Bundles cached on disk by module id (`npm:<name>@<version>[/<subpath>]`) and bundler (`tool`:
 * esbuild's version and the bundle format). A cached bundle is used only while every file it was
 * made from has the same size and modification time and every package it met resolves to the same
 * copy, so reinstalling, `patch-package` or `npm link` never serve a stale bundle. Bodies are kept
 * by content hash (`blobs/<sha256>.js`).
 *
 * @example
 * const cache = new BundleCache(".hivesync/dependencies", "esbuild@0.28.2;hs-deps-2");
 * const hit = await cache.get("npm:lodash@4.17.21", lookup);
 */
export class BundleCache {
  readonly #dir: string;
  readonly #tool: string;

  constructor(dir: string, tool: string) {
    this.#dir = dir;
    this.#tool = tool;
  }

  #entryPath(moduleId: string): string {
    return path.join(this.#dir, `${sha256(moduleId)}.json`);
  }

  /** Where the body of `hash` is kept. */
  bodyPath(hash: string): string {
    return path.join(this.#dir, "blobs", `${hash}.js`);
  }

  /** The cached bundle of `moduleId` if it is still right; null otherwise (or unreadable). */
  async get(moduleId: string, lookup: PackageLookup): Promise<CachedModule | null> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(this.#entryPath(moduleId), "utf8")) as CacheEntry;
    } catch {
      return null;
    }
    if (entry.tool !== this.#tool || entry.module_id !== moduleId) return null;
    for (const input of entry.inputs) {
      const info = await stat(input.path).catch(() => null);
      if (!info || info.size !== input.size || info.mtimeMs !== input.mtimeMs) return null;
    }
    for (const [name, dir] of Object.entries(entry.packages)) {
      if (((await lookup(name))?.dir ?? null) !== dir) return null;
    }
    const bodyPath = this.bodyPath(entry.sha256);
    const body = await stat(bodyPath).catch(() => null);
    if (!body || body.size !== entry.size) return null;
    return { sha256: entry.sha256, size: entry.size, requires: entry.requires, bodyPath };
  }

  /** Stores a fresh bundle (with its input files' sizes and times now) and returns it as `get` would. */
  async put(moduleId: string, bundled: BundledModule): Promise<CachedModule> {
    const bytes = Buffer.from(bundled.body, "utf8");
    const hash = createHash("sha256").update(bytes).digest("hex");
    const bodyPath = this.bodyPath(hash);
    const inputs: CacheEntry["inputs"] = [];
    for (const file of bundled.inputs) {
      const info = await stat(file).catch(() => null);
      // A file gone already: record an impossible size, so the entry is never used.
      inputs.push({ path: file, size: info?.size ?? -1, mtimeMs: info?.mtimeMs ?? 0 });
    }
    const entry: CacheEntry = {
      tool: this.#tool,
      module_id: moduleId,
      sha256: hash,
      size: bytes.length,
      requires: bundled.requires,
      inputs,
      packages: bundled.packages,
    };
    await mkdir(path.dirname(bodyPath), { recursive: true });
    await writeAtomically(bodyPath, bytes);
    await writeAtomically(this.#entryPath(moduleId), JSON.stringify(entry));
    return { sha256: hash, size: bytes.length, requires: bundled.requires, bodyPath };
  }
}

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}
