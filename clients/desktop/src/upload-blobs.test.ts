// Batch upload (issue 13 item 1): small files travel in batches capped by count and bytes, large
// ones alone, a bounded number of requests at once, and a failed batch resumes without resending
// what landed.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HiveSyncClient, MemoryTokenStore } from "../../core/src";
import { errorResponse, FakeApi, type Recorded, sha256 } from "../../test-support/fake-api";
import { syncFolder } from "./sync-folder";
import { type BlobSource, LARGE_BLOB_BYTES, packBlobs, uploadBlobs } from "./upload-blobs";

const PROJECT = "prj_test000000000000";
let root: string;
let api: FakeApi;
let client: HiveSyncClient;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "hivesync-upload-"));
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

/** Writes `count` distinct files of `size` bytes (or the sizes given) and returns them as blobs. */
async function blobs(sizes: number[], prefix = "f"): Promise<BlobSource[]> {
  const out: BlobSource[] = [];
  for (const [i, size] of sizes.entries()) {
    const rel = `${prefix}${String(i).padStart(4, "0")}.txt`;
    const content = Buffer.alloc(size, `${prefix}${i}|`);
    const absolutePath = path.join(root, rel);
    await mkdir(path.dirname(absolutePath), { recursive: true });
    await writeFile(absolutePath, content);
    out.push({ path: rel, absolutePath, size, sha256: sha256(content) });
  }
  return out;
}

/** The blobs a batch request declared (its header line). */
const declared = (r: Recorded) =>
  JSON.parse(new TextDecoder().decode(r.body.subarray(0, r.body.indexOf(10)))).blobs as {
    sha256: string;
    size: number;
  }[];
const batchRequests = () =>
  api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/blobs/batch"));
const puts = () => api.requests.filter((r) => r.method === "PUT");
const stored = () => api.project(PROJECT).blobs;

describe("packBlobs", () => {
  const blob = (i: number, size: number): BlobSource => ({
    sha256: String(i).padStart(64, "0"),
    size,
    path: `f${i}`,
    absolutePath: `/f${i}`,
  });

  it("closes a batch at the count cap and at the byte cap, and keeps large blobs apart", () => {
    const list = [
      blob(1, 10),
      blob(2, 10),
      blob(3, 10),
      blob(4, 50),
      blob(5, 2_000_000),
      blob(6, 45),
      blob(7, 1),
    ];
    const { batches, singles } = packBlobs(list, { blobs: 2, bytes: 60 });
    expect(batches.map((b) => b.map((x) => x.path))).toEqual([
      ["f1", "f2"],
      ["f3", "f4"],
      ["f6", "f7"],
    ]);
    expect(singles.map((x) => x.path)).toEqual(["f5"]);
    const byBytes = packBlobs(list.slice(0, 4), { blobs: 10, bytes: 25 });
    expect(byBytes.batches.map((b) => b.map((x) => x.path))).toEqual([["f1", "f2"], ["f3"]]);
    // A blob over the batch byte cap cannot share a batch: it goes alone.
    expect(byBytes.singles.map((x) => x.path)).toEqual(["f4"]);
    // So does one of LARGE_BLOB_BYTES or more, however much room a batch has.
    const roomy = packBlobs([blob(1, LARGE_BLOB_BYTES), blob(2, 10)], {
      blobs: 256,
      bytes: 16 * 1024 * 1024,
    });
    expect([roomy.singles.map((x) => x.path), roomy.batches.map((b) => b.map((x) => x.path))]).toEqual([
      ["f1"],
      [["f2"]],
    ]);
  });
});

describe("uploadBlobs", () => {
  it("sends 600 small files as batches of at most 256, and nothing one by one", async () => {
    const list = await blobs(Array.from({ length: 600 }, () => 100));
    await uploadBlobs(client, PROJECT, list);
    expect(
      batchRequests()
        .map((r) => declared(r).length)
        .sort((a, b) => b - a),
    ).toEqual([256, 256, 88]);
    expect(puts()).toHaveLength(0);
    expect(stored().size).toBe(600);
  });

  it("respects the byte cap and sends a large file alone through PUT", async () => {
    const list = [
      ...(await blobs([3000, 3000, 3000, 3000, 3000])),
      ...(await blobs([LARGE_BLOB_BYTES], "big")),
    ];
    await uploadBlobs(client, PROJECT, list, { batchLimits: { bytes: 7000 } });
    for (const r of batchRequests())
      expect(declared(r).reduce((s, b) => s + b.size, 0)).toBeLessThanOrEqual(7000);
    expect(
      batchRequests()
        .map((r) => declared(r).length)
        .sort(),
    ).toEqual([1, 2, 2]);
    expect(puts().map((r) => r.path.split("/").at(-1))).toEqual([list[5]?.sha256]);
    expect(batchRequests().some((r) => declared(r).some((b) => b.size >= LARGE_BLOB_BYTES))).toBe(false);
    expect(stored().size).toBe(6);
  });

  it("resumes a batch that broke off without resending the blobs that landed", async () => {
    const list = await blobs(Array.from({ length: 10 }, () => 500));
    let failed = false;
    api.intercept = (req) => {
      if (failed || !req.path.endsWith("/blobs/batch")) return undefined;
      failed = true;
      // The connection drops after four blobs arrived whole: the server keeps those.
      const header = req.body.indexOf(10) + 1;
      api.route({ ...req, body: req.body.slice(0, header + 4 * 500 + 123) });
      return errorResponse(502, "BAD_GATEWAY");
    };
    const uploaded: string[] = [];
    await uploadBlobs(client, PROJECT, list, { onUploaded: (b) => uploaded.push(b.path) });
    const [first, second] = batchRequests();
    expect(declared(first as Recorded)).toHaveLength(10);
    // The retry asked which blobs are missing, then sent only the six that did not land.
    const missingCall = api.requests.findIndex((r) => r.path.endsWith("/blobs/missing"));
    expect(missingCall).toBeGreaterThan(api.requests.indexOf(first as Recorded));
    expect(missingCall).toBeLessThan(api.requests.indexOf(second as Recorded));
    expect(declared(second as Recorded).map((b) => b.sha256)).toEqual(list.slice(4).map((b) => b.sha256));
    expect(batchRequests()).toHaveLength(2);
    expect(uploaded.sort()).toEqual(list.map((b) => b.path).sort());
    expect(stored().size).toBe(10);
  });

  it("resends only the blobs a batch answer says were not received or garbled", async () => {
    const list = await blobs(Array.from({ length: 6 }, () => 400));
    let calls = 0;
    api.intercept = (req) => {
      if (!req.path.endsWith("/blobs/batch") || calls++ > 0) return undefined;
      const body = req.body.slice();
      const header = body.indexOf(10) + 1;
      body[header + 400 + 7] ^= 0xff; // the second blob garbled in transit
      return api.route({ ...req, body: body.slice(0, header + 4 * 400 + 10) }); // the last two cut off
    };
    await uploadBlobs(client, PROJECT, list);
    const [, again] = batchRequests();
    expect(declared(again as Recorded).map((b) => b.sha256)).toEqual(
      [list[1], list[4], list[5]].map((b) => b?.sha256),
    );
    expect(stored().size).toBe(6);
  });

  it("gives up, naming the files, when a blob never arrives intact", async () => {
    const list = await blobs([400, 400]);
    api.intercept = (req) => {
      if (!req.path.endsWith("/blobs/batch")) return undefined;
      const body = req.body.slice();
      body[body.indexOf(10) + 1] ^= 0xff; // the first blob is always garbled
      return api.route({ ...req, body });
    };
    await expect(uploadBlobs(client, PROJECT, list)).rejects.toMatchObject({
      code: "UPLOAD_INCOMPLETE",
      details: { paths: ["f0000.txt"] },
    });
    expect(batchRequests()).toHaveLength(3);
    expect(
      batchRequests()
        .slice(1)
        .every((r) => declared(r).length === 1),
    ).toBe(true);
  });

  it("packs smaller after a 413 that names lower limits, and keeps them for the rest", async () => {
    api.maxBatchBlobs = 3;
    const list = await blobs(Array.from({ length: 10 }, () => 50));
    await uploadBlobs(client, PROJECT, list, { concurrency: 1 });
    const sizes = batchRequests().map((r) => declared(r).length);
    expect(sizes).toEqual([10, 3, 3, 3, 1]);
    expect(stored().size).toBe(10);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const list = [
      ...(await blobs(Array.from({ length: 40 }, () => 100))),
      ...(await blobs([LARGE_BLOB_BYTES, LARGE_BLOB_BYTES + 1], "big")),
    ];
    let inFlight = 0;
    let most = 0;
    api.intercept = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return undefined;
    };
    await uploadBlobs(client, PROJECT, list, { concurrency: 3, batchLimits: { blobs: 5 } });
    expect(batchRequests()).toHaveLength(8);
    expect(puts()).toHaveLength(2);
    expect(most).toBe(3);
  });

  it("names a file the batch finds too large for the server", async () => {
    api.maxFileBytes = 300;
    const list = await blobs([100, 400]);
    await expect(uploadBlobs(client, PROJECT, list)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { path: "f0001.txt", size: 400 },
    });
  });

  it("names a large file the server refuses as too large", async () => {
    const list = await blobs([LARGE_BLOB_BYTES]);
    api.intercept = (req) => (req.method === "PUT" ? errorResponse(413, "PAYLOAD_TOO_LARGE") : undefined);
    await expect(uploadBlobs(client, PROJECT, list)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: `f0000.txt (${LARGE_BLOB_BYTES} bytes) is larger than this server accepts per file (MAX_FILE_BYTES); leave it out with .hivesyncignore.`,
    });
  });

  it("passes the project's upload allowance on as the server said it, not as a file too large", async () => {
    const [large] = await blobs([LARGE_BLOB_BYTES]);
    const details = { limit: 100, uncommitted_bytes: 90, bytes: LARGE_BLOB_BYTES };
    api.intercept = (req) =>
      req.method === "PUT" ? errorResponse(413, "PAYLOAD_TOO_LARGE", details) : undefined;
    await expect(uploadBlobs(client, PROJECT, [large as BlobSource])).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: "PAYLOAD_TOO_LARGE (fake)",
      details,
    });
  });
});

describe("a cold push of the 5,000-file limit", () => {
  it("takes a few dozen requests, far below the general rate limit, and reports what it sent", async () => {
    for (let d = 0; d < 50; d++) {
      await mkdir(path.join(root, `dir${d}`));
      for (let f = 0; f < 100; f++)
        await writeFile(path.join(root, `dir${d}`, `f${f}.ts`), `export const v = ${d * 100 + f};\n`);
    }
    let last = { files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0 };
    const result = await syncFolder(client, PROJECT, root, {
      onProgress: (p) => {
        if (p.phase === "uploading") last = p;
      },
    });
    expect(result).toMatchObject({ files: 5000, uploaded_files: 5000, committed: true });
    expect(last.files_done).toBe(5000);
    expect(last.bytes_done).toBe(result.uploaded_bytes);
    expect(last.bytes_done).toBe(last.bytes_total);
    // 1 listing, 5 blobs/missing (1,000 hashes each), 20 batches (≤ 256 blobs), 5 commits (≤ 1,000 changes).
    expect(api.requests).toHaveLength(31);
    expect(batchRequests()).toHaveLength(20);
    expect(puts()).toHaveLength(0);
  }, 30_000);
});
