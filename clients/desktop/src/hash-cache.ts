import path from "node:path";
import type { FileVersion } from "./change-set";
import { StatCache, type StatCacheOptions } from "./stat-cache";
import type { LocalFile } from "./walk";

export {
  changedTooRecently,
  type FileStat,
  isStatTuple,
  racyWindowMs,
  type StatTuple,
  statTuple,
  unchangedSince,
  writeAtomically,
} from "./stat-cache";

/** The folder (inside a synced folder) where a sync keeps its state; the walker never enters it. */
export const SYNC_STATE_DIR = ".hivesync";

/** The hash cache of a synced folder, inside {@link SYNC_STATE_DIR}. */
export const HASH_CACHE_FILE = "hashes.json";

const FORMAT = "hivesync-hashes/1";
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Entries are `[size, mtimeMs, ctimeMs, ino, sha256]` (arrays keep 5,000 entries small). */
const CODEC = {
  format: FORMAT,
  isValue: (v: unknown): v is string => typeof v === "string" && SHA256_HEX.test(v),
};

/** How a {@link HashCache} tells recent changes; tests move the clock. */
export type HashCacheOptions = StatCacheOptions;

/**
 * The SHA-256 of every file of a folder as of its last sync, keyed by mirror path and checked
 * against the file's size, modification time, status-change time (`ctime`) and inode. A file whose
 * stat is unchanged is not read again. `ctime` is what catches an edit that keeps the size and
 * puts the old modification time back (`touch -r`, `utimes`, tar and rsync do so): nothing but
 * the kernel sets it, and every write, rename or `utimes` moves it. The inode catches a file
 * replaced by another (editors that save by renaming a temporary file over the original).
 *
 * Kept in `<dir>/.hivesync/hashes.json`, written atomically (a temporary file, then a rename). A
 * missing, unreadable, corrupt or older-format cache is an empty one: everything is hashed again
 * and a good cache is written. Only files seen by the latest sync are kept, so deleted and renamed
 * files drop out.
 *
 * @example
 * const cache = await HashCache.load("/home/ada/hello-app");
 * const version = cache.get(file) ?? (await hashFile(file.absolutePath));
 * cache.set(file, version);
 * await cache.save();
 */
export class HashCache {
  readonly #cache: StatCache<string>;

  private constructor(cache: StatCache<string>) {
    this.#cache = cache;
  }

  /**
   * Reads the cache of folder `dir`; never fails (a bad cache is an empty one). Files changed after
   * this moment, minus `racyWindowMs`, are not remembered by this sync.
   *
   * @example
   * const cache = await HashCache.load(dir);
   */
  static async load(dir: string, options: HashCacheOptions = {}): Promise<HashCache> {
    return new HashCache(
      await StatCache.load(path.join(dir, SYNC_STATE_DIR, HASH_CACHE_FILE), CODEC, options),
    );
  }

  /**
   * Entries read from disk (for reports and tests).
   *
   * @example
   * if ((await HashCache.load(dir)).size === 0) console.log("first push: every file is read");
   */
  get size(): number {
    return this.#cache.size;
  }

  /**
   * The remembered version of `file`, or undefined when it must be read: never cached, or its
   * size, mtime, ctime or inode differ from when it was hashed.
   *
   * @example
   * const hit = cache.get(file); // { sha256, size } or undefined
   */
  get(file: LocalFile): FileVersion | undefined {
    const sha256 = this.#cache.lookup(file);
    return sha256 === undefined ? undefined : { sha256, size: file.size };
  }

  /**
   * Remembers that `file`, as the walk saw it, has content `version`. Not remembered when the file
   * changed while it was read (the bytes read differ from the size seen) or changed too recently
   * to trust its timestamps.
   *
   * @example
   * cache.set(file, await hashFile(file.absolutePath));
   */
  set(file: LocalFile, version: FileVersion): void {
    this.#cache.remember(file, version.sha256, version.size);
  }

  /**
   * Forgets `filePath` (its cached hash turned out wrong, e.g. the file changed during the sync).
   *
   * @example
   * cache.forget("src/App.tsx");
   */
  forget(filePath: string): void {
    this.#cache.forget(filePath);
  }

  /**
   * Writes what this sync saw (files looked up or hashed), atomically; skipped when nothing changed.
   *
   * @example
   * await cache.save();
   */
  save(): Promise<void> {
    return this.#cache.save();
  }
}
