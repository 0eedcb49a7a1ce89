import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  changedTooRecently,
  type HashCacheOptions,
  isStatTuple,
  SYNC_STATE_DIR,
  statTuple,
  unchangedSince,
  writeAtomically,
} from "../hash-cache";
import type { LocalFile } from "../walk";

/** The imports cache of a synced folder, inside `.hivesync/`. */
export const IMPORTS_CACHE_FILE = "imports.json";

/**
 * The cache's format. Bump it when `scanImports` or `packageSpecifiers` change what they find, so
 * every file is scanned again with the new rules instead of keeping what the old ones found.
 */
const FORMAT = "hivesync-imports/1";

/** One file as scanned: `[size, mtimeMs, ctimeMs, ino, packageSpecifiers]`. */
type Entry = [number, number, number, number, string[]];

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
  readonly #file: string;
  readonly #old: Map<string, Entry>;
  readonly #next = new Map<string, Entry>();
  readonly #since: number;
  #dirty = false;

  private constructor(file: string, old: Map<string, Entry>, since: number) {
    this.#file = file;
    this.#old = old;
    this.#since = since;
  }

  /**
   * Reads the cache of folder `dir`; never fails (a bad cache is an empty one). Files changed after
   * this moment, minus `racyWindowMs`, are not remembered by this push.
   *
   * @example
   * const cache = await ImportsCache.load(dir);
   */
  static async load(dir: string, options: HashCacheOptions = {}): Promise<ImportsCache> {
    const since = (options.now ?? Date.now)();
    const file = path.join(dir, SYNC_STATE_DIR, IMPORTS_CACHE_FILE);
    let old = new Map<string, Entry>();
    try {
      old = parseEntries(JSON.parse(await readFile(file, "utf8")));
    } catch {
      // none yet, unreadable or corrupt: start empty
    }
    return new ImportsCache(file, old, since);
  }

  /**
   * Entries read from disk (for reports and tests).
   *
   * @example
   * if ((await ImportsCache.load(dir)).size === 0) console.log("every source file is scanned");
   */
  get size(): number {
    return this.#old.size;
  }

  /**
   * The package specifiers `file` imported when it was scanned, or undefined when it must be read
   * and scanned: never scanned, or its size, mtime, ctime or inode differ.
   *
   * @example
   * const specs = cache.get(file); // ["react-native-svg", "lodash/debounce"] or undefined
   */
  get(file: LocalFile): string[] | undefined {
    const entry = this.#old.get(file.path);
    if (!entry || !unchangedSince(entry, file)) return undefined;
    this.#next.set(file.path, entry);
    return [...entry[4]];
  }

  /**
   * Remembers that `file`, as the walk saw it, imports `specifiers` (its `packageSpecifiers`).
   * `bytesRead` is how many bytes the scan read: when it differs from the size the walk saw, the
   * file changed while it was read and is not remembered; nor is a file changed too recently.
   *
   * @example
   * cache.set(file, packageSpecifiers(scanImports(bytes.toString("utf8"))), bytes.length);
   */
  set(file: LocalFile, specifiers: readonly string[], bytesRead: number): void {
    this.#dirty = true;
    if (bytesRead !== file.size || changedTooRecently(file, this.#since)) {
      this.#next.delete(file.path);
      return;
    }
    this.#next.set(file.path, [...statTuple(file), [...specifiers]]);
  }

  /**
   * Writes what this push saw (files looked up or scanned), atomically. Skipped when nothing
   * changed (every lookup hit and no file disappeared). A folder that cannot be written to only
   * loses the cache; the push itself does not fail.
   *
   * @example
   * await cache.save();
   */
  async save(): Promise<void> {
    if (!this.#dirty && this.#next.size === this.#old.size) return;
    const files: Record<string, Entry> = {};
    for (const [p, entry] of [...this.#next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      files[p] = entry;
    try {
      await writeAtomically(this.#file, JSON.stringify({ format: FORMAT, files }));
      this.#old.clear();
      for (const [p, entry] of this.#next) this.#old.set(p, entry);
      this.#dirty = false;
    } catch {
      // a read-only folder: next time scans again
    }
  }
}

function parseEntries(data: unknown): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (!data || typeof data !== "object") return entries;
  const { format, files } = data as { format?: unknown; files?: unknown };
  if (format !== FORMAT || !files || typeof files !== "object") return entries;
  for (const [p, entry] of Object.entries(files as Record<string, unknown>)) {
    if (
      Array.isArray(entry) &&
      entry.length === 5 &&
      isStatTuple(entry.slice(0, 4)) &&
      Array.isArray(entry[4]) &&
      entry[4].every((s) => typeof s === "string" && s.length > 0 && s.length <= 512)
    )
      entries.set(p, entry as Entry);
  }
  return entries;
}
