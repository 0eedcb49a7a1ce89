import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { LocalFile } from "./walk";

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

/** How a stat-keyed cache tells recent changes; tests move the clock. */
export type StatCacheOptions = {
  /** The clock compared with files' timestamps (default `Date.now`). */
  now?: () => number;
};

/** What a {@link StatCache} stores per file beside its stat, and the file format it is kept in. */
export type StatCacheCodec<V> = {
  /** Written into the file; a file of another format is an empty cache. Bump it when values change meaning. */
  format: string;
  /** Whether a value read back from disk is well-formed (a corrupt entry is dropped, never trusted). */
  isValue(value: unknown): value is V;
};

type Entry<V> = [...StatTuple, V];

/**
 * A value per file of a folder (its hash, its scanned imports), keyed by mirror path and trusted
 * only while the file's size, mtime, ctime and inode are unchanged ({@link unchangedSince}), so an
 * unchanged file is never read again. Kept as one JSON file, written atomically; a missing,
 * unreadable, corrupt or other-format file is an empty cache. Only files looked up or remembered
 * since `load` are kept, so deleted and renamed files drop out. A file changed while it was read,
 * or too recently to trust its timestamps ({@link racyWindowMs}), is not remembered.
 *
 * @example
 * const cache = await StatCache.load("/home/ada/app/.hivesync/x.json", { format: "x/1", isValue: (v): v is number => typeof v === "number" });
 * const value = cache.lookup(file) ?? compute(file);
 * cache.remember(file, value, bytesRead);
 * await cache.save();
 */
export class StatCache<V> {
  readonly #file: string;
  readonly #codec: StatCacheCodec<V>;
  readonly #old: Map<string, Entry<V>>;
  readonly #next = new Map<string, Entry<V>>();
  readonly #since: number;
  #dirty = false;

  private constructor(file: string, codec: StatCacheCodec<V>, old: Map<string, Entry<V>>, since: number) {
    this.#file = file;
    this.#codec = codec;
    this.#old = old;
    this.#since = since;
  }

  /**
   * Reads the cache kept in `file`; never fails (a bad cache is an empty one). Files changed after
   * this moment, minus {@link racyWindowMs}, are not remembered.
   *
   * @example
   * const cache = await StatCache.load(file, codec);
   */
  static async load<V>(
    file: string,
    codec: StatCacheCodec<V>,
    options: StatCacheOptions = {},
  ): Promise<StatCache<V>> {
    const since = (options.now ?? Date.now)();
    let old = new Map<string, Entry<V>>();
    try {
      old = parseEntries(JSON.parse(await readFile(file, "utf8")), codec);
    } catch {
      // none yet, unreadable or corrupt: start empty
    }
    return new StatCache(file, codec, old, since);
  }

  /**
   * Entries read from disk (for reports and tests).
   *
   * @example
   * if (cache.size === 0) console.log("every file is read");
   */
  get size(): number {
    return this.#old.size;
  }

  /**
   * The remembered value of `file`, or undefined when it must be read: never remembered, or its
   * size, mtime, ctime or inode differ from then.
   *
   * @example
   * const hit = cache.lookup(file);
   */
  lookup(file: LocalFile): V | undefined {
    const entry = this.#old.get(file.path);
    if (!entry || !unchangedSince(entry, file)) return undefined;
    this.#next.set(file.path, entry);
    return entry[4];
  }

  /**
   * Remembers `value` for `file` as the walk saw it; `bytesRead` is how much the reader read (a
   * different size means the file changed while it was read).
   *
   * @example
   * cache.remember(file, value, bytes.length);
   */
  remember(file: LocalFile, value: V, bytesRead: number): void {
    this.#dirty = true;
    if (bytesRead !== file.size || changedTooRecently(file, this.#since)) {
      this.#next.delete(file.path);
      return;
    }
    this.#next.set(file.path, [...statTuple(file), value]);
  }

  /**
   * Forgets `filePath` (its remembered value turned out wrong).
   *
   * @example
   * cache.forget("src/App.tsx");
   */
  forget(filePath: string): void {
    this.#dirty = this.#next.delete(filePath) || this.#dirty;
  }

  /**
   * Writes what was looked up or remembered since `load`, atomically. Skipped when nothing changed
   * (every lookup hit and no file disappeared). A folder that cannot be written to only loses the
   * cache; the caller does not fail.
   *
   * @example
   * await cache.save();
   */
  async save(): Promise<void> {
    if (!this.#dirty && this.#next.size === this.#old.size) return;
    const files: Record<string, Entry<V>> = {};
    for (const [p, entry] of [...this.#next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      files[p] = entry;
    try {
      await writeAtomically(this.#file, JSON.stringify({ format: this.#codec.format, files }));
      this.#old.clear();
      for (const [p, entry] of this.#next) this.#old.set(p, entry);
      this.#dirty = false;
    } catch {
      // a read-only folder: next time reads again
    }
  }
}

function parseEntries<V>(data: unknown, codec: StatCacheCodec<V>): Map<string, Entry<V>> {
  const entries = new Map<string, Entry<V>>();
  if (!data || typeof data !== "object") return entries;
  const { format, files } = data as { format?: unknown; files?: unknown };
  if (format !== codec.format || !files || typeof files !== "object") return entries;
  for (const [p, entry] of Object.entries(files as Record<string, unknown>)) {
    if (
      Array.isArray(entry) &&
      entry.length === 5 &&
      isStatTuple(entry.slice(0, 4)) &&
      codec.isValue(entry[4])
    )
      entries.set(p, entry as Entry<V>);
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
