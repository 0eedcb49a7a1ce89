import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HiveSyncClient, MemoryTokenStore } from "../../core/src";
import { errorResponse, FakeApi, sha256 } from "../../test-support/fake-api";
import { type SyncProgress, syncFolder } from "./sync-folder";

const PROJECT = "prj_test000000000000";
let root: string;
let api: FakeApi;
let client: HiveSyncClient;

async function write(files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** The blobs sent, by hash: those declared in batch headers and those PUT alone. */
const sentHashes = () =>
  api.requests.flatMap((r) => {
    if (r.method === "PUT" && /\/blobs\//.test(r.path)) return [r.path.split("/").at(-1) as string];
    if (r.method !== "POST" || !r.path.endsWith("/blobs/batch")) return [];
    const header = new TextDecoder().decode(r.body.subarray(0, r.body.indexOf(10)));
    return (JSON.parse(header).blobs as { sha256: string }[]).map((b) => b.sha256);
  });

const mirrorOf = () =>
  Object.fromEntries([...api.project(PROJECT).files.entries()].map(([p, f]) => [p, f.sha256]).sort());
const expected = (files: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(files)
      .map(([p, c]) => [p, sha256(c)])
      .sort(),
  );

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hivesync-sync-"));
  api = new FakeApi();
  client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    retry: { sleep: async () => {}, random: () => 0 },
  });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const FILES = {
  "App.tsx": "export default function App() { return null; }\n",
  "package.json": '{"name":"hello"}',
  "assets/a.txt": "a".repeat(5000),
  "assets/copy-of-a.txt": "a".repeat(5000),
  "src/util.ts": "export const x = 1;\n",
};

describe("syncFolder", () => {
  it("uploads each missing blob once, commits one change set, and reports progress", async () => {
    await write({
      ...FILES,
      "node_modules/x/index.js": "ignored",
      ".gitignore": "*.log\n",
      "debug.log": "ignored",
    });
    const phases = new Set<string>();
    let last: SyncProgress | undefined;
    const result = await syncFolder(client, PROJECT, root, {
      concurrency: 2,
      onProgress: (p) => {
        phases.add(p.phase);
        last = p;
      },
    });

    const all = { ...FILES, ".gitignore": "*.log\n" };
    expect(mirrorOf()).toEqual(expected(all));
    expect(result).toMatchObject({
      project_id: PROJECT,
      revision: 1,
      files: 6,
      uploaded_files: 5, // the two identical assets share one blob
      uploaded_bytes: Object.values(all).reduce((s, c) => s + c.length, 0) - 5000,
      skipped_files: 0,
      committed: true,
      changes: { put: 6, delete: 0 },
    });
    expect(result.sync_id).toMatch(/^syn_/);
    // Five small blobs: one batch, no single uploads.
    expect(api.countRequests("POST", /\/blobs\/batch$/)).toBe(1);
    expect(api.countRequests("PUT", /\/blobs\//)).toBe(0);
    expect(sentHashes()).toHaveLength(5);
    expect(api.countRequests("POST", /\/mirror\/changes$/)).toBe(1);
    expect([...phases]).toEqual(["scanning", "hashing", "comparing", "uploading", "committing", "done"]);
    expect(last?.phase).toBe("done");
  });

  it("uploads and commits nothing the second time round, and asks the server one question", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    const before = api.requests.length;
    const again = await syncFolder(client, PROJECT, root);
    const after = api.requests.slice(before);
    expect(again).toMatchObject({
      committed: false,
      uploaded_files: 0,
      uploaded_bytes: 0,
      revision: 1,
      skipped_files: 5,
    });
    expect(again.sync_id).toBeUndefined();
    // No listing, no blobs/missing, no commit: one GET /mirror confirms the revision it left.
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /projects/${PROJECT}/mirror`]);
  });

  it("without the cache, reads every file and lists the mirror each time, and writes nothing", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root, { cache: false });
    const before = api.requests.length;
    const again = await syncFolder(client, PROJECT, root, { cache: false });
    expect(again).toMatchObject({ committed: false, hashed_files: 5 });
    expect(api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /projects/${PROJECT}/mirror/files`,
    ]);
    await expect(stat(path.join(root, ".hivesync"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("detects an edit that keeps the size and the modification time", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    const file = path.join(root, "src/util.ts");
    const before = await stat(file);
    await write({ "src/util.ts": "export const y = 2;\n" }); // same length as "export const x = 1;\n"
    await utimes(file, before.atime, before.mtime);
    expect((await stat(file)).size).toBe(before.size);
    expect(Math.round((await stat(file)).mtimeMs)).toBe(Math.round(before.mtimeMs));

    const result = await syncFolder(client, PROJECT, root);
    expect(result).toMatchObject({
      committed: true,
      revision: 2,
      uploaded_files: 1,
      changes: { put: 1, delete: 0 },
    });
    expect(mirrorOf()["src/util.ts"]).toBe(sha256("export const y = 2;\n"));
  });

  it("reports what it left out: secret-looking files and files over the size limit", async () => {
    await write({ ...FILES, ".env": "API_KEY=secret", "big.bin": "x".repeat(6000) });
    const result = await syncFolder(client, PROJECT, root, { maxFileBytes: 5000 });
    expect(result.withheld).toEqual([".env"]);
    expect(result.excluded.map((e) => e.path)).toEqual(["big.bin"]);
    expect(Object.keys(mirrorOf())).not.toContain(".env");
  });

  it("names the file when the server refuses it as too large", async () => {
    await write(FILES);
    api.maxFileBytes = 4000; // the batch answers too_large for it
    await expect(syncFolder(client, PROJECT, root)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message:
        "assets/a.txt (5000 bytes) is larger than this server accepts per file (MAX_FILE_BYTES); leave it out with .hivesyncignore.",
      details: { path: "assets/a.txt", size: 5000 },
    });
  });

  it("sends only what the server lacks, and deletes files removed locally", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    await rm(path.join(root, "src/util.ts"));
    await write({ "App.tsx": "changed\n", "new.txt": "a".repeat(5000) }); // new.txt's bytes are already on the server
    const sent = sentHashes().length;
    const result = await syncFolder(client, PROJECT, root);

    expect(result).toMatchObject({
      committed: true,
      revision: 2,
      uploaded_files: 1,
      changes: { put: 2, delete: 1 },
    });
    expect(sentHashes().slice(sent)).toEqual([sha256("changed\n")]);
    const { "src/util.ts": _gone, ...rest } = FILES;
    expect(mirrorOf()).toEqual(expected({ ...rest, "App.tsx": "changed\n", "new.txt": "a".repeat(5000) }));
  });

  it("re-reads the mirror and retries once on REVISION_CONFLICT", async () => {
    await write(FILES);
    let commits = 0;
    api.intercept = (req) => {
      if (req.method === "POST" && req.path.endsWith("/mirror/changes") && commits++ === 0) {
        api.commitElsewhere(PROJECT, { "theirs.txt": "from another machine" });
      }
      return undefined;
    };
    const result = await syncFolder(client, PROJECT, root);
    expect(commits).toBe(2);
    expect(result).toMatchObject({ committed: true, revision: 2 });
    // The folder is the source of truth: the other machine's file is deleted by the retried commit.
    expect(mirrorOf()).toEqual(expected(FILES));
    const lists = api.requests.filter((r) => r.path.endsWith("/mirror/files"));
    expect(lists).toHaveLength(2);
  });

  it("gives up after a second conflict", async () => {
    await write(FILES);
    api.intercept = (req) =>
      req.method === "POST" && req.path.endsWith("/mirror/changes")
        ? errorResponse(409, "REVISION_CONFLICT", { current_revision: 9 })
        : undefined;
    await expect(syncFolder(client, PROJECT, root)).rejects.toMatchObject({ code: "REVISION_CONFLICT" });
    expect(api.countRequests("POST", /\/mirror\/changes$/)).toBe(2);
  });

  it("reads a paginated mirror listing pinned to one revision", async () => {
    api.filesPageSize = 2;
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    await rm(path.join(root, ".hivesync/mirror.json")); // no snapshot: the mirror is listed
    const before = api.requests.length;
    const again = await syncFolder(client, PROJECT, root);
    expect(again.committed).toBe(false);
    const lists = api.requests.slice(before).filter((r) => r.path.endsWith("/mirror/files"));
    expect(lists).toHaveLength(3);
    expect(lists[0]?.search.has("revision")).toBe(false);
    expect(lists.slice(1).every((r) => r.search.get("revision") === "1" && r.search.has("cursor"))).toBe(
      true,
    );
  });

  it("asks about at most 1,000 hashes per /blobs/missing call", async () => {
    const hashes = Array.from({ length: 2500 }, (_, i) => sha256(String(i)));
    const missing = await client.blobs.missing(PROJECT, hashes);
    expect(missing).toHaveLength(2500);
    const calls = api.requests.filter((r) => r.path.endsWith("/blobs/missing"));
    expect(calls.map((c) => JSON.parse(new TextDecoder().decode(c.body)).hashes.length)).toEqual([
      1000, 1000, 500,
    ]);
  });
});

describe("the mirror snapshot (.hivesync/mirror.json)", () => {
  const snapshotFile = () => path.join(root, ".hivesync/mirror.json");
  const calls = (from: number) => api.requests.slice(from).map((r) => `${r.method} ${r.path}`);

  it("is checked against the server's revision: another machine's commit makes the sync list again", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    // Same paths, same sizes, other content: only the revision tells.
    api.commitElsewhere(PROJECT, { "src/util.ts": "export const z = 3;\n" });
    const before = api.requests.length;
    const result = await syncFolder(client, PROJECT, root);
    expect(calls(before)).toEqual([
      `GET /projects/${PROJECT}/mirror`,
      `GET /projects/${PROJECT}/mirror/files`,
      `POST /projects/${PROJECT}/blobs/missing`, // the server has the bytes already: nothing sent
      `POST /projects/${PROJECT}/mirror/changes`,
    ]);
    expect(result).toMatchObject({
      committed: true,
      revision: 3,
      uploaded_files: 0,
      changes: { put: 1, delete: 0 },
    });
    expect(mirrorOf()).toEqual(expected(FILES));
    expect(JSON.parse(await readFile(snapshotFile(), "utf8"))).toMatchObject({
      project_id: PROJECT,
      revision: 3,
    });
  });

  it("is ignored when it is another project's, unreadable, or disagrees with the server's totals", async () => {
    await write(FILES);
    await syncFolder(client, PROJECT, root);
    const good = JSON.parse(await readFile(snapshotFile(), "utf8"));
    // One file short, with the total bytes kept: only the file count tells.
    const { "App.tsx": dropped, ...fewer } = good.files as Record<string, [string, number]>;
    fewer["package.json"] = [
      fewer["package.json"]?.[0] as string,
      (fewer["package.json"]?.[1] ?? 0) + (dropped?.[1] ?? 0),
    ];
    for (const bad of [
      JSON.stringify({ ...good, project_id: "prj_other0000000000000" }),
      "{not json",
      JSON.stringify({ ...good, files: fewer }),
      // Every path there, one size off: only the total bytes tell.
      JSON.stringify({
        ...good,
        files: { ...good.files, "App.tsx": [dropped?.[0], (dropped?.[1] ?? 0) + 1] },
      }),
    ]) {
      await writeFile(snapshotFile(), bad);
      const before = api.requests.length;
      const again = await syncFolder(client, PROJECT, root);
      expect(again).toMatchObject({ committed: false, revision: 1 });
      expect(calls(before).at(-1)).toBe(`GET /projects/${PROJECT}/mirror/files`);
    }
  });
});
