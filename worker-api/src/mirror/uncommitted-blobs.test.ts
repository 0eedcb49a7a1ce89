// Uploads that no commit names (issue 20, item 7): they count toward the project's allowance of
// uncommitted bytes (MAX_PROJECT_BYTES), and the daily clean-up deletes them once they are
// UNCOMMITTED_BLOB_TTL_HOURS old — never a blob a revision or a dependency set names.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BLOB_BATCH_CONTENT_TYPE } from "../../../schema/api/mirror";
import { UNCOMMITTED_BLOB_TTL_HOURS } from "../../../schema/limits";
import { r2Keys } from "../../../schema/storage-keys";
import {
  call,
  createProject,
  expectError,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";
import { batchBody } from "../../test/push-files";
import { createApp } from "../app";
import { database } from "../db";
import { purgeExpired } from "../maintenance";
import { applyChangeSet } from "./mirror-store";

const app = createApp();
const encoder = new TextEncoder();

/** A blob of exactly `size` bytes, distinct from every other. */
async function blobOf(size: number) {
  const bytes = encoder.encode(
    crypto
      .randomUUID()
      .repeat(Math.ceil(size / 36))
      .slice(0, size),
  );
  return { sha256: await sha256Of(bytes), bytes };
}
type Blob = Awaited<ReturnType<typeof blobOf>>;

/** worker-api with MAX_PROJECT_BYTES set to `limit`, called as `user`. */
function limitedTo(limit: number, user: TestUser) {
  const send = (path: string, init: { method: string; body: BodyInit; type: string }) =>
    app.request(
      path,
      {
        method: init.method,
        headers: { authorization: `Bearer ${user.access}`, "content-type": init.type },
        body: init.body,
      },
      { ...env, MAX_PROJECT_BYTES: String(limit) },
    );
  return {
    put: (projectId: string, blob: Blob) =>
      send(`/api/v1/projects/${projectId}/blobs/${blob.sha256}`, {
        method: "PUT",
        body: blob.bytes,
        type: "application/octet-stream",
      }),
    batch: (projectId: string, blobs: Blob[]) =>
      send(`/api/v1/projects/${projectId}/blobs/batch`, {
        method: "POST",
        body: batchBody(blobs),
        type: BLOB_BATCH_CONTENT_TYPE,
      }),
    commit: (projectId: string, base: number, files: Record<string, Blob>) =>
      send(`/api/v1/projects/${projectId}/mirror/changes`, {
        method: "POST",
        type: "application/json",
        body: JSON.stringify({
          base_revision: base,
          changes: Object.entries(files).map(([path, b]) => ({
            op: "put",
            path,
            sha256: b.sha256,
            size: b.bytes.byteLength,
          })),
        }),
      }),
  };
}

const missing = async (user: TestUser, projectId: string, blobs: (Blob | string)[]) =>
  (
    await json<{ missing: string[] }>(
      await call(`/api/v1/projects/${projectId}/blobs/missing`, {
        token: user.access,
        body: { hashes: blobs.map((b) => (typeof b === "string" ? b : b.sha256)) },
      }),
    )
  ).missing;
const objectsOf = async (projectId: string) =>
  (await env.BLOBS.list({ prefix: r2Keys.projectPrefix(projectId) })).objects.map((o) => o.key).sort();

describe("uploads no commit names count toward the project's allowance", () => {
  it("refuses an upload past MAX_PROJECT_BYTES with 413 in the error envelope, storing nothing", async () => {
    const user = await registerUser();
    const { id } = await createProject(user);
    const api = limitedTo(100, user);
    const [a, b, c, d, e] = await Promise.all([blobOf(60), blobOf(40), blobOf(1), blobOf(30), blobOf(20)]);
    expect((await api.put(id, a)).status).toBe(201);
    expect((await api.put(id, b)).status).toBe(201); // exactly the allowance
    const before = await objectsOf(id);

    const single = await expectError(await api.put(id, c), 413, "PAYLOAD_TOO_LARGE");
    expect(single.details).toEqual({ limit: 100, uncommitted_bytes: 100, bytes: 1 });
    expect(single.message).toContain(`deleted ${UNCOMMITTED_BLOB_TTL_HOURS} hours after`);
    const batch = await expectError(await api.batch(id, [d, e]), 413, "PAYLOAD_TOO_LARGE");
    expect(batch.details).toEqual({ limit: 100, uncommitted_bytes: 100, bytes: 50 });
    // Nothing of the refused uploads is kept: no object, no pack, still missing.
    expect(await objectsOf(id)).toEqual(before);
    expect(await missing(user, id, [a, b, c, d, e])).toEqual([c, d, e].map((x) => x.sha256));

    // Bytes stored already add nothing: uploading them again at the limit is the usual cheap 200.
    const again = await api.put(id, a);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ created: false });
  });

  it("are freed by a commit, and a full project can still replace every file", async () => {
    const user = await registerUser();
    const { id } = await createProject(user);
    const api = limitedTo(100, user);
    const [v1, v2, extra] = await Promise.all([blobOf(90), blobOf(90), blobOf(20)]);
    expect((await api.put(id, v1)).status).toBe(201);
    expect((await api.commit(id, 0, { "assets/big.bin": v1 })).status).toBe(202);
    // 90 committed + 90 uploaded is over 100, but the revision it is for holds 90: accepted.
    expect((await api.put(id, v2)).status).toBe(201);
    await expectError(await api.put(id, extra), 413, "PAYLOAD_TOO_LARGE");
    expect((await api.commit(id, 1, { "assets/big.bin": v2 })).status).toBe(202);
    expect((await api.put(id, extra)).status).toBe(201);
  });

  it("cannot be overshot by uploads running at once", async () => {
    const user = await registerUser();
    const { id } = await createProject(user);
    const api = limitedTo(100, user);
    const blobs = await Promise.all(Array.from({ length: 8 }, () => blobOf(30)));
    const statuses = await Promise.all(blobs.map(async (b) => (await api.put(id, b)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 413)).toHaveLength(5);
    const batches = await Promise.all(
      [0, 1, 2].map(async () => (await api.batch(id, [await blobOf(5), await blobOf(4)])).status),
    );
    expect(batches.filter((s) => s === 200)).toHaveLength(1);
    const row = await env.DB.prepare("SELECT sum(size) AS bytes FROM mirror_blobs WHERE project_id = ?")
      .bind(id)
      .first<{ bytes: number }>();
    expect(row?.bytes).toBe(99);
  });
});

/** Makes the project's blobs (all but `young`) look uploaded `hours` ago. */
async function age(projectId: string, hours: number, young: string[] = []) {
  const then = new Date(Date.now() - hours * 3600 * 1000).toISOString();
  await env.DB.prepare(
    `UPDATE mirror_blobs SET created_at = ? WHERE project_id = ? AND sha256 NOT IN (${young.map(() => "?").join(", ") || "''"})`,
  )
    .bind(then, projectId, ...young)
    .run();
}

const rowsOf = async (projectId: string) =>
  (
    await env.DB.prepare("SELECT sha256, state FROM mirror_blobs WHERE project_id = ? ORDER BY sha256")
      .bind(projectId)
      .all<{ sha256: string; state: string }>()
  ).results;

describe("the daily clean-up", () => {
  it("deletes uploads no commit named within the age, from R2 and the index, and keeps every named one", async () => {
    const user = await registerUser();
    const { id } = await createProject(user);
    const api = limitedTo(10_000, user);
    // Revision 1, then revision 2 replacing its file: the old blob stays named by revision 1.
    await pushFiles(user, id, { "App.js": "v1" });
    await pushFiles(user, id, { "App.js": "v2" }, 1);
    // A batch never committed (its pack goes), a batch half committed (its pack stays), a single
    // upload never committed, one uploaded just now, and one a dependency set names.
    const [lost1, lost2, used, unused, single, young, dep] = await Promise.all([
      blobOf(11),
      blobOf(12),
      blobOf(13),
      blobOf(14),
      blobOf(15),
      blobOf(16),
      blobOf(17),
    ]);
    expect((await api.batch(id, [lost1, lost2])).status).toBe(200);
    expect((await api.batch(id, [used, unused])).status).toBe(200);
    expect((await api.commit(id, 2, { "used.txt": used })).status).toBe(202);
    expect((await api.put(id, single)).status).toBe(201);
    expect((await api.put(id, dep)).status).toBe(201);
    const deps = await call(`/api/v1/projects/${id}/dependencies`, {
      method: "PUT",
      token: user.access,
      body: {
        items: [
          {
            name: "dep",
            version: "1.0.0",
            module_id: "npm:dep@1.0.0",
            sha256: dep.sha256,
            size: 17,
            requires: [],
          },
        ],
      },
    });
    expect(deps.status).toBe(200);
    expect((await api.put(id, young)).status).toBe(201);
    const packsBefore = (await objectsOf(id)).filter((k) => k.includes("/packs/"));
    await age(id, UNCOMMITTED_BLOB_TTL_HOURS + 1, [young.sha256]);

    const result = await purgeExpired(env);
    expect(result.uncommitted_blobs).toBeGreaterThanOrEqual(4);
    expect(result.unused_packs).toBeGreaterThanOrEqual(1);

    const gone = [lost1, lost2, unused, single];
    expect(await missing(user, id, [...gone, used, young, dep])).toEqual(gone.map((b) => b.sha256));
    const rows = new Set((await rowsOf(id)).map((r) => r.sha256));
    expect(gone.filter((b) => rows.has(b.sha256))).toEqual([]);
    const objects = await objectsOf(id);
    expect(objects).not.toContain(r2Keys.blob(id, single.sha256));
    // Of the batches' packs, only the never-committed one went.
    expect(packsBefore.filter((k) => !objects.includes(k))).toHaveLength(1);
    // Every revision still reads back, the old one included.
    const v1 = await call(`/api/v1/projects/${id}/mirror/files?revision=1`, { token: user.access });
    const [old] = (await json<{ items: { sha256: string }[] }>(v1)).items;
    expect(await missing(user, id, [old?.sha256 ?? ""])).toEqual([]);
    for (const path of ["App.js", "used.txt"]) {
      const res = await call(`/api/v1/projects/${id}/mirror/file?path=${path}`, { token: user.access });
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
    // The young upload counts until it is old enough.
    expect((await rowsOf(id)).find((r) => r.sha256 === young.sha256)?.state).toBe("uncommitted");
    await purgeExpired(env);
    expect(await missing(user, id, [young])).toEqual([]);
  });

  it("leaves a blob being collected out of every commit, even one checked before the collection began", async () => {
    const user = await registerUser();
    const { id } = await createProject(user);
    const api = limitedTo(10_000, user);
    const blob = await blobOf(10);
    expect((await api.put(id, blob)).status).toBe(201);
    await env.DB.prepare("UPDATE mirror_blobs SET state = 'collecting' WHERE project_id = ?").bind(id).run();

    const refused = await expectError(await api.commit(id, 0, { "a.txt": blob }), 422, "BLOB_MISSING");
    expect(refused.details.hashes).toEqual([blob.sha256]);
    // The write itself re-reads the blob: a commit whose check passed just before is refused too.
    const outcome = await applyChangeSet(database(env), {
      projectId: id,
      baseRevision: 0,
      revision: 1,
      syncId: "syn_raced",
      branch: null,
      commit: null,
      message: null,
      fileCount: 1,
      totalBytes: 10,
      replaced: [],
      puts: [{ path: "a.txt", sha256: blob.sha256, size: 10 }],
      now: new Date().toISOString(),
    });
    expect(outcome).toBe("blob_gone");
    const summary = await json(await call(`/api/v1/projects/${id}/mirror`, { token: user.access }));
    expect(summary).toMatchObject({ revision: 0, file_count: 0 });
  });
});
