import path from "node:path";
import { SYNC_STATE_DIR } from "../hash-cache";
import { StatCache, type StatCacheOptions } from "../stat-cache";
import type { LocalFile } from "../walk";

/** The imports cache of a synced folder, inside `.hivesync/`. */
export const IMPORTS_CACHE_FILE = "imports.json";

/**
 * Entries are `[size, mtimeMs, ctimeMs, ino, packageSpecifiers]`. Bump the format when
 * `scanImports` or `packageSpecifiers` change what they find, so every file is scanned again with
 * the new rules instead of keeping what the old ones found.
 */
const CODEC = {
  format: "hivesync-imports/1",
  isValue: (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0 && s.length <= 512),
};

/**
 * The package specifiers each source file of a folder imports, as of the last push, keyed by
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
 * let specs = cache.get(file);
 * if (!specs) {
 *   const bytes = await readFile(file.absolutePath);
 *   specs = packageSpecifiers(scanImports(bytes.toString("utf8")));
 *   cache.set(file, specs, bytes.length);
 * }
 * await cache.save();
 */
export class ImportsCache {
  readonly #cache: StatCache<string[]>;

  private constructor(cache: StatCache<string[]>) {
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
   * The package specifiers `file` imported when it was scanned, or undefined when it must be read
   * and scanned: never scanned, or its size, mtime, ctime or inode differ.
   *
   * @example
   * const specs = cache.get(file); // ["react-native-svg", "lodash/debounce"] or undefined
   */
  get(file: LocalFile): string[] | undefined {
    const specifiers = this.#cache.lookup(file);
    return specifiers && [...specifiers];
  }

  /**
   * Remembers that `file`, as the walk saw it, imports `specifiers` (its `packageSpecifiers`);
   * `bytesRead` is how many bytes the scan read.
   *
   * @example
   * cache.set(file, packageSpecifiers(scanImports(bytes.toString("utf8"))), bytes.length);
   */
  set(file: LocalFile, specifiers: readonly string[], bytesRead: number): void {
    this.#cache.remember(file, [...specifiers], bytesRead);
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
