import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileVersion } from "./change-set";
import type { LocalFile } from "./walk";

/** The folder (inside a synced folder) where a sync keeps its state; the walker never enters it. */
export const SYNC_STATE_DIR = ".hivesync";

/** The hash cache of a synced folder, inside {@link SYNC_STATE_DIR}. */
export const HASH_CACHE_FILE = "hashes.json";

const FORMAT = "hivesync-hashes/1";
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One file as hashed: `[size, mtimeMs, ctimeMs, ino, sha256]` (arrays keep 5,000 entries small). */
type Entry = [number, number, number, number, string];

/**
 * How recently a file may have changed before its hash is not worth remembering, in ms. A file
 * changed within one timestamp tick of being hashed could change again inside the same tick and
 * keep every stat field (the "racy git" problem); such a file is hashed again next time instead.
 * File systems with whole-second timestamps (FAT, HFS+, ext3) get two seconds, others 100 ms.
 *
 * @example
 * racyWindowMs(await stat("App.tsx")); // 100 on ext4, APFS or NTFS
 */
export function racyWindowMs(file: Pick<LocalFile, "mtimeMs" | "ctimeMs">): number {
  return file.mtimeMs % 1000 === 0 && file.ctimeMs % 1000 === 0 ? 2000 : 100;
}

/** The stat fields a cache compares: what `walkFolder` records of each file. */
export type FileStat = Pick<LocalFile, "size" | "mtimeMs" | "ctimeMs" | "ino">;

/** A {@link FileStat} as caches store it: `[size, mtimeMs, ctimeMs, ino]`. */
export type StatTuple = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

/**
 * `file`'s stat as a cache stores it, to be checked later with {@link unchangedSince}.
 *
 * @example
 * const entry = [...statTuple(file), scanned]; // [size, mtimeMs, ctimeMs, ino, scanned]
 */
export function statTuple(file: FileStat): StatTuple {
  return [file.size, file.mtimeMs, file.ctimeMs, file.ino];
}

/**
 * Whether `file` (as walked now) is unchanged since a cache recorded `recorded` (a
 * {@link statTuple}, possibly followed by the cached value): same size, mtime, ctime and inode.
 * Every cache of file contents (hashes, scanned imports) decides with this, so they agree.
 *
 * @example
 * if (entry && unchangedSince(entry, file)) return entry[4]; // not read again
 */
export function unchangedSince(recorded: readonly unknown[], file: FileStat): boolean {
  return (
    recorded[0] === file.size &&
    recorded[1] === file.mtimeMs &&
    recorded[2] === file.ctimeMs &&
    recorded[3] === file.ino
  );
}

/**
 * Whether `value` is a stored {@link statTuple} (four finite numbers): what a cache checks when it
 * reads its file back, so a corrupt entry is dropped rather than trusted.
 *
 * @example
 * isStatTuple(JSON.parse(text).files["App.tsx"].slice(0, 4)); // true
 */
export function isStatTuple(value: unknown): value is StatTuple {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((n) => typeof n === "number" && Number.isFinite(n))
  );
}

/**
 * Whether `file` changed too close to `since` (when the sync began, ms) for its stat to vouch for
 * its content: within {@link racyWindowMs} of it, or after. A cache does not remember such a file;
 * it is read again next time.
 *
 * @example
 * if (!changedTooRecently(file, startedAt)) remember(file, value);
 */
export function changedTooRecently(file: Pick<LocalFile, "mtimeMs" | "ctimeMs">, since: number): boolean {
  return Math.max(file.mtimeMs, file.ctimeMs) > since - racyWindowMs(file);
}

/** How a {@link HashCache} tells recent changes; tests move the clock. */
export type HashCacheOptions = {
  /** The clock compared with files' timestamps (default `Date.now`). */
  now?: () => number;
};

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
   * this moment, minus {@link racyWindowMs}, are not remembered by this sync.
   *
   * @example
   * const cache = await HashCache.load(dir);
   */
  static async load(dir: string, options: HashCacheOptions = {}): Promise<HashCache> {
    const since = (options.now ?? Date.now)();
    const file = path.join(dir, SYNC_STATE_DIR, HASH_CACHE_FILE);
    let old = new Map<string, Entry>();
    try {
      old = parseEntries(JSON.parse(await readFile(file, "utf8")));
    } catch {
      // none yet, unreadable or corrupt: start empty
    }
    return new HashCache(file, old, since);
  }

  /**
   * Entries read from disk (for reports and tests).
   *
   * @example
   * if ((await HashCache.load(dir)).size === 0) console.log("first push: every file is read");
   */
  get size(): number {
    return this.#old.size;
  }

  /**
   * The remembered version of `file`, or undefined when it must be read: never cached, or its
   * size, mtime, ctime or inode differ from when it was hashed.
   *
   * @example
   * const hit = cache.get(file); // { sha256, size } or undefined
   */
  get(file: LocalFile): FileVersion | undefined {
    const entry = this.#old.get(file.path);
    if (!entry || !unchangedSince(entry, file)) return undefined;
    this.#next.set(file.path, entry);
    return { sha256: entry[4], size: entry[0] };
  }

  /**
   * Remembers that `file`, as the walk saw it, has content `version`. Not remembered when the file
   * changed while it was read (the bytes read differ from the size seen) or changed too recently
   * to trust its timestamps (see {@link racyWindowMs}).
   *
   * @example
   * cache.set(file, await hashFile(file.absolutePath));
   */
  set(file: LocalFile, version: FileVersion): void {
    this.#dirty = true;
    if (version.size !== file.size || changedTooRecently(file, this.#since)) {
      this.#next.delete(file.path);
      return;
    }
    this.#next.set(file.path, [...statTuple(file), version.sha256]);
  }

  /**
   * Forgets `filePath` (its cached hash turned out wrong, e.g. the file changed during the sync).
   *
   * @example
   * cache.forget("src/App.tsx");
   */
  forget(filePath: string): void {
    this.#dirty = this.#next.delete(filePath) || this.#dirty;
  }

  /**
   * Writes what this sync saw (files looked up or hashed), atomically. Skipped when nothing changed
   * (every lookup hit and no file disappeared). A folder that cannot be written to only loses the
   * cache; the sync itself does not fail.
   *
   * @example
   * await cache.save();
   */
  async save(): Promise<void> {
    if (!this.#dirty && this.#next.size === this.#old.size) return;
    const files: Record<string, Entry> = {};
    for (const [p, entry] of [...this.#next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      files[p] = entry;
    const text = JSON.stringify({ format: FORMAT, files });
    try {
      await writeAtomically(this.#file, text);
      this.#old.clear();
      for (const [p, entry] of this.#next) this.#old.set(p, entry);
      this.#dirty = false;
    } catch {
      // a read-only folder: next time hashes again
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
      typeof entry[4] === "string" &&
      SHA256_HEX.test(entry[4])
    )
      entries.set(p, entry as Entry);
  }
  return entries;
}

/**
 * Writes `text` to `file` so that a reader sees the old content or the new, never a torn one: a
 * temporary file beside it, then a rename over it. Creates the folder when needed.
 *
 * @example
 * await writeAtomically("/home/ada/app/.hivesync/hashes.json", "{}");
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
