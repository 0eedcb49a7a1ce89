// The desktop hash cache (issue 13 item 2): a file whose size, mtime, ctime and inode are unchanged
// since the last sync is never read again; anything else is, and a bad cache only costs a rehash.
import { mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HiveSyncClient, MemoryTokenStore } from "../../core/src";
import { FakeApi, sha256 } from "../../test-support/fake-api";
import { HASH_CACHE_FILE, HashCache, racyWindowMs, SYNC_STATE_DIR } from "./hash-cache";
import { hashFile } from "./hash-file";
import { forgetSyncState } from "./mirror-state";
import { syncFolder } from "./sync-folder";
import { walkFolder } from "./walk";

// Every file the sync reads to hash it goes through hashFile: count them.
vi.mock("./hash-file", async (importOriginal) => {
  const original = await importOriginal<typeof import("./hash-file")>();
  return { hashFile: vi.fn(original.hashFile) };
});
const hashed = () =>
  vi.mocked(hashFile).mock.calls.map(([file]) => path.relative(root, file).split(path.sep).join("/"));

const PROJECT = "prj_test000000000000";
let root: string;
let api: FakeApi;
let client: HiveSyncClient;
/** The cache's clock, 10 s ahead: files written by the test look old enough to remember. */
const later = { now: () => Date.now() + 10_000 };

async function write(files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}
const cacheFile = () => path.join(root, SYNC_STATE_DIR, HASH_CACHE_FILE);
const cached = async () => JSON.parse(await readFile(cacheFile(), "utf8")).files as Record<string, unknown[]>;
const withWrongHashes = async () =>
  Object.fromEntries(Object.entries(await cached()).map(([p, e]) => [p, [...e.slice(0, 4), sha256(p)]]));
const sync = () => syncFolder(client, PROJECT, root, { cache: later });

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hivesync-cache-"));
  api = new FakeApi();
  client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    retry: { sleep: async () => {}, random: () => 0 },
  });
  await write({
    "App.tsx": "export default function App() { return null; }\n",
    "src/util.ts": "export const x = 1;\n",
    "src/other.ts": "export const other = 2;\n",
  });
  await sync();
  vi.mocked(hashFile).mockClear();
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the hash cache", () => {
  it("never opens an unchanged file, and is itself never synced", async () => {
    const result = await sync();
    expect(hashed()).toEqual([]);
    expect(result).toMatchObject({ hashed_files: 0, files: 3, committed: false });
    expect(Object.keys(await cached())).toEqual(["App.tsx", "src/other.ts", "src/util.ts"]);
    expect([...api.project(PROJECT).files.keys()].some((p) => p.startsWith(".hivesync"))).toBe(false);
  });

  it("rereads a file whose size changed", async () => {
    await write({ "src/util.ts": "export const x = 12345;\n" });
    const result = await sync();
    expect(hashed()).toEqual(["src/util.ts"]);
    expect(result).toMatchObject({ committed: true, changes: { put: 1, delete: 0 } });
    expect((await cached())["src/util.ts"]?.[4]).toBe(sha256("export const x = 12345;\n"));
  });

  it("rereads a file whose modification time changed (and commits nothing if its content did not)", async () => {
    const file = path.join(root, "src/util.ts");
    await utimes(file, new Date(), new Date(Date.now() - 60_000));
    const result = await sync();
    expect(hashed()).toEqual(["src/util.ts"]);
    expect(result).toMatchObject({ committed: false, hashed_files: 1 });
  });

  it("catches an edit that keeps the size and puts the old mtime back, by its ctime", async () => {
    const file = path.join(root, "src/util.ts");
    const before = await stat(file);
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the ctime clock move on
    await writeFile(file, "export const y = 2;\n"); // same length
    await utimes(file, before.atimeMs / 1000, before.mtimeMs / 1000); // exactly (a Date keeps only ms)
    const after = await stat(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);

    const result = await sync();
    expect(hashed()).toEqual(["src/util.ts"]);
    expect(result).toMatchObject({ committed: true, changes: { put: 1, delete: 0 } });
    expect(api.project(PROJECT).files.get("src/util.ts")?.sha256).toBe(sha256("export const y = 2;\n"));
  });

  it("drops a deleted file, and treats a renamed one as new (its blob is not sent again)", async () => {
    await rm(path.join(root, "src/other.ts"));
    await rename(path.join(root, "src/util.ts"), path.join(root, "src/renamed.ts"));
    const result = await sync();
    expect(hashed()).toEqual(["src/renamed.ts"]);
    expect(result).toMatchObject({ committed: true, uploaded_files: 0, changes: { put: 1, delete: 2 } });
    expect(Object.keys(await cached())).toEqual(["App.tsx", "src/renamed.ts"]);
  });

  for (const [what, content] of [
    ["corrupt", async () => '{"format":"hivesync-hashes/1","files":{"App.tsx":[1,2'],
    [
      "of another format",
      // Entries that match every stat but carry a wrong hash: trusting them would be wrong.
      async () => JSON.stringify({ format: "hivesync-hashes/0", files: await withWrongHashes() }),
    ],
    [
      "full of wrong-shaped entries",
      async () =>
        JSON.stringify({ format: "hivesync-hashes/1", files: { "App.tsx": [1], "src/util.ts": "x" } }),
    ],
  ] as const) {
    it(`rebuilds a cache that is ${what}`, async () => {
      await writeFile(cacheFile(), await content());
      const result = await sync();
      expect(hashed().sort()).toEqual(["App.tsx", "src/other.ts", "src/util.ts"]);
      expect(result).toMatchObject({ committed: false, hashed_files: 3 });
      expect(Object.keys(await cached())).toEqual(["App.tsx", "src/other.ts", "src/util.ts"]);
      vi.mocked(hashFile).mockClear();
      await sync();
      expect(hashed()).toEqual([]);
    });
  }

  it("does not remember files changed too recently to trust their timestamps", async () => {
    await write({ "src/util.ts": "export const x = 99;\n" });
    // The real clock: the file changed just now, within its timestamps' racy window.
    await syncFolder(client, PROJECT, root);
    expect(Object.keys(await cached())).toEqual(["App.tsx", "src/other.ts"]);
    vi.mocked(hashFile).mockClear();
    await syncFolder(client, PROJECT, root);
    expect(hashed()).toEqual(["src/util.ts"]);
  });

  it("forgets a cached hash that proves wrong, so the next sync heals", async () => {
    // A cache entry that matches the file's stat but not its bytes (what a racy edit would leave).
    const files = await cached();
    const wrong = sha256("something else");
    files["src/util.ts"] = [...(files["src/util.ts"] as unknown[]).slice(0, 4), wrong];
    await writeFile(cacheFile(), JSON.stringify({ format: "hivesync-hashes/1", files }));
    await expect(sync()).rejects.toMatchObject({ code: "FILE_CHANGED", details: { path: "src/util.ts" } });
    expect(Object.keys(await cached())).not.toContain("src/util.ts");
    await expect(sync()).resolves.toMatchObject({ committed: false });
  });

  it("is forgotten with the rest of the folder's sync state", async () => {
    await forgetSyncState(root);
    await sync();
    expect(hashed().sort()).toEqual(["App.tsx", "src/other.ts", "src/util.ts"]);
  });
});

describe("HashCache", () => {
  it("misses when any of size, mtime, ctime or inode differs", async () => {
    const cache = await HashCache.load(root, later);
    const [file] = (await walkFolder(root)).files;
    if (!file) throw new Error("no file");
    expect(cache.get(file)).toEqual({
      sha256: sha256("export default function App() { return null; }\n"),
      size: file.size,
    });
    for (const changed of [
      { size: file.size + 1 },
      { mtimeMs: file.mtimeMs + 0.001 },
      { ctimeMs: file.ctimeMs + 0.001 },
      { ino: file.ino + 1 },
    ])
      expect(cache.get({ ...file, ...changed })).toBeUndefined();
  });

  it("gives whole-second file systems a two-second racy window", () => {
    expect(racyWindowMs({ mtimeMs: 1_700_000_000_000, ctimeMs: 1_700_000_001_000 })).toBe(2000);
    expect(racyWindowMs({ mtimeMs: 1_700_000_000_123.25, ctimeMs: 1_700_000_000_123.25 })).toBe(100);
  });

  it("does not rewrite the cache when every lookup hit", async () => {
    const before = (await stat(cacheFile())).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cache = await HashCache.load(root, later);
    for (const file of (await walkFolder(root)).files) expect(cache.get(file)).toBeDefined();
    await cache.save();
    expect((await stat(cacheFile())).mtimeMs).toBe(before);
  });

  it("writes atomically: no temporary file is left behind", async () => {
    await write({ "new.ts": "x" });
    await sync();
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(path.join(root, SYNC_STATE_DIR))).sort()).toEqual(["hashes.json", "mirror.json"]);
  });
});
