import path from "node:path";
import { SYNC_STATE_DIR } from "../hash-cache";
import { StatCache, type StatCacheOptions } from "../stat-cache";
import type { LocalFile } from "../walk";
import type { FileImports } from "./scan-imports";

/** The imports cache of a synced folder, inside `.hivesync/`. */
export const IMPORTS_CACHE_FILE = "imports.json";

/**
 * Entries are `[size, mtimeMs, ctimeMs, ino, FileImports]`. Bump the format when
 * `scanFileImports` changes what it finds, so every file is scanned again with the new rules
 * instead of keeping what the old ones found (format 1 kept package specifiers only, not the
 * relative imports the scan now follows).
 */
const CODEC = {
  format: "hivesync-imports/2",
  isValue: (v: unknown): v is FileImports => {
    const value = v as Partial<FileImports> | null;
    return (
      typeof value === "object" &&
      value !== null &&
      Array.isArray(value.specifiers) &&
      value.specifiers.every(isText) &&
      Array.isArray(value.contexts) &&
      value.contexts.every((c) => isText(c?.dir) && typeof c.recursive === "boolean")
    );
  },
};

function isText(s: unknown): s is string {
  return typeof s === "string" && s.length > 0 && s.length <= 512;
}

/**
 * What each source file of a folder imports (its `scanFileImports`), as of the last push, keyed by
 * mirror path and checked against the file's size, mtime, ctime and inode exactly as the hash
 * cache checks them (`unchangedSince`): a file whose stat is unchanged is neither read nor scanned
 * again, so a push of an unchanged project reads no source file at all for its dependencies.
 *
 * Kept in `<dir>/.hivesync/imports.json`, written atomically. A missing, unreadable, corrupt or
 * older-format cache is an empty one: every source file is scanned again and a good cache is
 * written. Only files looked up or scanned by the latest push are kept, so deleted and renamed
 * files (and their imports) drop out. A file changed too recently to trust its timestamps (see
 * `racyWindowMs`), or changed while it was read, is not remembered.
 *
 * @example
 * const cache = await ImportsCache.load("/home/ada/hello-app");
 * let imports = cache.get(file);
 * if (!imports) {
 *   const bytes = await readFile(file.absolutePath);
 *   imports = scanFileImports(bytes.toString("utf8"));
 *   cache.set(file, imports, bytes.length);
 * }
 * await cache.save();
 */
export class ImportsCache {
  readonly #cache: StatCache<FileImports>;

  private constructor(cache: StatCache<FileImports>) {
    this.#cache = cache;
  }

  /**
   * Reads the cache of folder `dir`; never fails (a bad cache is an empty one). Files changed after
   * this moment, minus `racyWindowMs`, are not remembered by this push.
   *
   * @example
   * const cache = await ImportsCache.load(dir);
   */
  static async load(dir: string, options: StatCacheOptions = {}): Promise<ImportsCache> {
    return new ImportsCache(
      await StatCache.load(path.join(dir, SYNC_STATE_DIR, IMPORTS_CACHE_FILE), CODEC, options),
    );
  }

  /**
   * Entries read from disk (for reports and tests).
   *
   * @example
   * if ((await ImportsCache.load(dir)).size === 0) console.log("every source file is scanned");
   */
  get size(): number {
    return this.#cache.size;
  }

  /**
   * What `file` imported when it was scanned, or undefined when it must be read and scanned:
   * never scanned, or its size, mtime, ctime or inode differ.
   *
   * @example
   * cache.get(file); // { specifiers: ["./Button", "lodash/debounce"], contexts: [] } or undefined
   */
  get(file: LocalFile): FileImports | undefined {
    const found = this.#cache.lookup(file);
    return found && { specifiers: [...found.specifiers], contexts: found.contexts.map((c) => ({ ...c })) };
  }

  /**
   * Remembers that `file`, as the walk saw it, imports `imports` (its `scanFileImports`);
   * `bytesRead` is how many bytes the scan read.
   *
   * @example
   * cache.set(file, scanFileImports(bytes.toString("utf8")), bytes.length);
   */
  set(file: LocalFile, imports: FileImports, bytesRead: number): void {
    this.#cache.remember(
      file,
      { specifiers: [...imports.specifiers], contexts: imports.contexts.map((c) => ({ ...c })) },
      bytesRead,
    );
  }

  /**
   * Writes what this push saw (files looked up or scanned), atomically; skipped when nothing changed.
   *
   * @example
   * await cache.save();
   */
  save(): Promise<void> {
    return this.#cache.save();
  }
}
