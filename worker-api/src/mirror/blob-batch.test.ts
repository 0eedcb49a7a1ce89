// Batch upload (issue 13 item 1): many blobs in one framed request, each verified, the new ones
// written as one R2 object (a pack) and recorded with their places in one D1 write per request —
// and what each route costs.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BLOB_BATCH_CONTENT_TYPE } from "../../../schema/api/mirror";
import { readBlob } from "../../../schema/blob-location";
import { r2Keys } from "../../../schema/storage-keys";
import { countedBindings } from "../../test/counted-bindings";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";
import { createApp } from "../app";

const encoder = new TextEncoder();
type Blob = { sha256: string; size: number; bytes: Uint8Array };
type Result = { sha256: string; size: number; status: string; actual?: string };

async function blob(content: string | Uint8Array): Promise<Blob> {
  const bytes = typeof content === "string" ? encoder.encode(content) : content;
  return { sha256: await sha256Of(bytes), size: bytes.byteLength, bytes };
}

/** Distinct small blobs: `prefix-0`, `prefix-1`, … */
function blobs(count: number, prefix = crypto.randomUUID()): Promise<Blob[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => blob(`${prefix}-${i} ${"x".repeat(i % 50)}`)));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** The wire format: a JSON header line, then the blobs' bytes back to back. */
function frame(list: Blob[], header = { blobs: list.map(({ sha256, size }) => ({ sha256, size })) }) {
  return concat([encoder.encode(`${JSON.stringify(header)}\n`), ...list.map((b) => b.bytes)]);
}

const batchPath = (projectId: string) => `/api/v1/projects/${projectId}/blobs/batch`;

function headers(token: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    "content-type": BLOB_BATCH_CONTENT_TYPE,
    "cf-connecting-ip": freshIp(),
  };
}

function sendBatch(token: string, projectId: string, body: Uint8Array | ReadableStream<Uint8Array>) {
  return SELF.fetch(`${BASE}${batchPath(projectId)}`, { method: "POST", headers: headers(token), body });
}

/** The same request to the app in-process, with some vars (or bindings) replaced. */
function sendBatchWith(
  vars: Record<string, unknown>,
  token: string,
  projectId: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
) {
  return createApp().request(
    batchPath(projectId),
    { method: "POST", headers: headers(token), body },
    { ...env, ...vars },
  );
}

async function results(res: Response): Promise<Result[]> {
  if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  return (await json<{ results: Result[] }>(res)).results;
}

async function missing(user: TestUser, projectId: string, hashes: string[]): Promise<string[]> {
  const res = await call(`/api/v1/projects/${projectId}/blobs/missing`, {
    token: user.access,
    body: { hashes },
  });
  return (await json<{ missing: string[] }>(res)).missing;
}

async function rowCount(projectId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM mirror_blobs WHERE project_id = ?")
    .bind(projectId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The bytes the project holds for `hash`, read from where its row says they are; null: not recorded. */
async function stored(projectId: string, hash: string): Promise<Uint8Array | null> {
  const row = await env.DB.prepare(
    "SELECT size, pack, pack_offset FROM mirror_blobs WHERE project_id = ? AND sha256 = ?",
  )
    .bind(projectId, hash)
    .first<{ size: number; pack: string | null; pack_offset: number | null }>();
  if (!row) return null;
  const read = await readBlob(env.BLOBS, {
    projectId,
    sha256: hash,
    size: row.size,
    pack: row.pack,
    packOffset: row.pack_offset,
  });
  if (!read) throw new Error(`blob ${hash} is recorded but not in storage`);
  return new Uint8Array(await read.arrayBuffer());
}

/** The project's R2 objects (its packs and blobs of their own). */
const objects = async (projectId: string) =>
  (await env.BLOBS.list({ prefix: r2Keys.projectPrefix(projectId) })).objects;

const sizeOf = (list: Blob[]) => list.reduce((n, b) => n + b.size, 0);

/** A body that sends `bytes` in small chunks, then ends — or breaks off with an error. */
function streamOf(
  bytes: Uint8Array,
  end: "close" | "error" = "close",
  chunk = 7,
): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) {
        if (end === "error") controller.error(new Error("connection reset (test)"));
        else controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

describe("POST /projects/:id/blobs/batch", () => {
  it("stores a batch of many small blobs, records each once, and blobs/missing lists none of them", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(200);
    const answer = await results(await sendBatch(user.access, project.id, frame(list)));
    expect(answer).toEqual(list.map(({ sha256, size }) => ({ sha256, size, status: "stored" })));
    expect(await rowCount(project.id)).toBe(200);
    // One R2 object, a pack of the 200 blobs.
    const written = await objects(project.id);
    expect(written.map((o) => o.key)).toEqual([expect.stringMatching(`^p/${project.id}/packs/pak_`)]);
    expect(written[0]?.size).toBe(sizeOf(list));
    const unknown = await sha256Of(`never uploaded ${crypto.randomUUID()}`);
    expect(await missing(user, project.id, [...list.map((b) => b.sha256), unknown])).toEqual([unknown]);
    // Recorded with their sizes: a change set naming them commits.
    const res = await call(`/api/v1/projects/${project.id}/mirror/changes`, {
      token: user.access,
      body: {
        base_revision: 0,
        changes: list.map((b, i) => ({ op: "put", path: `f/${i}.txt`, sha256: b.sha256, size: b.size })),
      },
    });
    expect(res.status).toBe(202);
    // …and every file reads back byte for byte through the API.
    for (const [i, b] of list.entries()) {
      const file = await call(`/api/v1/projects/${project.id}/mirror/file?path=f/${i}.txt`, {
        token: user.access,
      });
      expect(await file.text(), `f/${i}.txt`).toBe(new TextDecoder().decode(b.bytes));
    }
  });

  it("stores a blob larger than the bytes it keeps in flight between small ones, byte for byte", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const [a, b] = (await blobs(2)) as [Blob, Blob];
    const large = await blob(crypto.getRandomValues(new Uint8Array(65536)).map((x, i) => x ^ i));
    const big = await blob(concat(Array.from({ length: 80 }, () => large.bytes))); // 5 MiB
    const answer = await results(
      await sendBatch(user.access, project.id, streamOf(frame([a, big, b]), "close", 65521)),
    );
    expect(answer.map((r) => r.status)).toEqual(["stored", "stored", "stored"]);
    expect(await sha256Of((await stored(project.id, big.sha256)) as Uint8Array)).toBe(big.sha256);
    expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
    expect(await objects(project.id)).toHaveLength(1);
  });

  it("fails a blob whose bytes do not match its hash and stores the others", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(5);
    const claimed = await blob("the content the header promises");
    const liar: Blob = { ...claimed, bytes: encoder.encode("something else, same len!!!!!!!") };
    expect(liar.bytes.byteLength).toBe(claimed.size);
    const sent = [list[0], list[1], liar, list[2], list[3]] as Blob[];
    const answer = await results(await sendBatch(user.access, project.id, frame(sent)));
    expect(answer.map((r) => r.status)).toEqual(["stored", "stored", "hash_mismatch", "stored", "stored"]);
    expect(answer[2]).toEqual({
      sha256: claimed.sha256,
      size: claimed.size,
      status: "hash_mismatch",
      actual: await sha256Of(liar.bytes),
    });
    expect(await stored(project.id, claimed.sha256)).toBeNull();
    expect(await rowCount(project.id)).toBe(4);
    // The pack holds the four that verified, and nothing of the one that did not.
    expect((await objects(project.id)).map((o) => o.size)).toEqual([sizeOf(list.slice(0, 4))]);
    for (const b of list.slice(0, 4)) expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
    expect(
      await missing(
        user,
        project.id,
        sent.map((b) => b.sha256),
      ),
    ).toEqual([claimed.sha256]);
  });

  it("skips a blob over MAX_FILE_BYTES (too_large) and stores the rest", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const [a, b] = (await blobs(2)) as [Blob, Blob];
    const big = await blob("y".repeat(2048));
    const answer = await results(
      await sendBatchWith({ MAX_FILE_BYTES: "1024" }, user.access, project.id, frame([a, big, b])),
    );
    expect(answer.map((r) => r.status)).toEqual(["stored", "too_large", "stored"]);
    expect(await stored(project.id, big.sha256)).toBeNull();
    expect(await missing(user, project.id, [a.sha256, big.sha256, b.sha256])).toEqual([big.sha256]);
  });

  it("refuses a batch over the per-request caps with 413 and the limits, before storing anything", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(4);
    let err = await expectError(
      await sendBatchWith({ MAX_BATCH_BLOBS: "3" }, user.access, project.id, frame(list)),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.details).toMatchObject({ max_blobs: 3, blobs: 4 });

    const thousand = await Promise.all(Array.from({ length: 5 }, (_, i) => blob(`${i}`.repeat(1000))));
    err = await expectError(
      await sendBatchWith(
        { MAX_FILE_BYTES: "1024", MAX_BATCH_BYTES: "4096" },
        user.access,
        project.id,
        frame(thousand),
      ),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.details).toMatchObject({ max_bytes: 4096, bytes: 5000, max_file_bytes: 1024 });

    // A Content-Length no batch can have is refused before a byte is read.
    err = await expectError(
      await sendBatchWith(
        { MAX_FILE_BYTES: "1024", MAX_BATCH_BYTES: "4096", MAX_BATCH_BLOBS: "4" },
        user.access,
        project.id,
        new Uint8Array(4096 + 1024 + 128 * 4 + 2),
      ),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.details).toMatchObject({ max_bytes: 4096, max_header_bytes: 1024 + 128 * 4 });

    // A header line longer than its cap (1 KiB + 128 bytes per allowed blob).
    err = await expectError(
      await sendBatchWith({ MAX_BATCH_BLOBS: "2" }, user.access, project.id, frame(list)),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.details).toMatchObject({ max_header_bytes: 1024 + 256 });

    for (const b of [...list, ...thousand]) expect(await stored(project.id, b.sha256)).toBeNull();
    expect(await rowCount(project.id)).toBe(0);
    expect(await objects(project.id)).toEqual([]);
  });

  it("keeps every blob received whole when the body ends midway, and reports the rest not_received", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(4);
    const whole = frame(list);
    const cut = whole.byteLength - (list[3] as Blob).size - Math.ceil((list[2] as Blob).size / 2);
    const answer = await results(await sendBatch(user.access, project.id, streamOf(whole.slice(0, cut))));
    expect(answer.map((r) => r.status)).toEqual(["stored", "stored", "not_received", "not_received"]);
    expect(await rowCount(project.id)).toBe(2);
    expect(await stored(project.id, (list[2] as Blob).sha256)).toBeNull();
    const hashes = list.map((b) => b.sha256);
    expect(await missing(user, project.id, hashes)).toEqual(hashes.slice(2));
    // Exactly the two that arrived whole are in the pack, and read back as sent.
    expect((await objects(project.id)).map((o) => o.size)).toEqual([sizeOf(list.slice(0, 2))]);
    for (const b of list.slice(0, 2)) expect(await stored(project.id, b.sha256)).toEqual(b.bytes);

    // Resuming: the whole batch again lands the rest; what had landed is already_stored, and only
    // the rest goes into the new pack.
    const again = await results(await sendBatch(user.access, project.id, whole));
    expect(again.map((r) => r.status)).toEqual(["already_stored", "already_stored", "stored", "stored"]);
    expect(await missing(user, project.id, hashes)).toEqual([]);
    expect(await rowCount(project.id)).toBe(4);
    expect((await objects(project.id)).map((o) => o.size).sort((x, y) => x - y)).toEqual(
      [sizeOf(list.slice(0, 2)), sizeOf(list.slice(2))].sort((x, y) => x - y),
    );
    for (const b of list) expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
  });

  it("keeps every blob received whole when the connection breaks off", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(3);
    const whole = frame(list);
    const cut = whole.byteLength - Math.floor((list[2] as Blob).size / 2);
    // In-process, the broken stream reaches the handler as it is (over SELF the client side fails).
    const answer = await results(
      await sendBatchWith({}, user.access, project.id, streamOf(whole.slice(0, cut), "error")),
    );
    expect(answer.map((r) => r.status)).toEqual(["stored", "stored", "not_received"]);
    const hashes = list.map((b) => b.sha256);
    expect(await missing(user, project.id, hashes)).toEqual([hashes[2]]);
    for (const b of list.slice(0, 2)) expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
    expect((await objects(project.id)).map((o) => o.size)).toEqual([sizeOf(list.slice(0, 2))]);
  });

  it("answers 404 for another user's project and stores nothing there", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const project = await createProject(owner);
    const list = await blobs(2);
    const err = await expectError(await sendBatch(other.access, project.id, frame(list)), 404, "NOT_FOUND");
    expect(err.message).toBe("Project not found");
    const unknownProject = await expectError(
      await sendBatch(owner.access, "prj_0123456789ABCDEFGHJKMNPQRS", frame(list)),
      404,
      "NOT_FOUND",
    );
    expect(unknownProject.message).toBe(err.message);
    for (const b of list) expect(await stored(project.id, b.sha256)).toBeNull();
    expect(await rowCount(project.id)).toBe(0);
    expect(await objects(project.id)).toEqual([]);
  });

  it("answers 401 for a signed-out session at once", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(2);
    const out = await call("/api/v1/auth/logout", { token: user.access, body: {} });
    expect(out.status).toBe(204);
    await expectError(await sendBatch(user.access, project.id, frame(list)), 401, "UNAUTHENTICATED");
    // A malformed project id is checked after the session, as on every route.
    await expectError(await sendBatch(user.access, "not-an-id", frame(list)), 401, "UNAUTHENTICATED");
    expect(await rowCount(project.id)).toBe(0);
  });

  it("answers a replayed batch with already_stored for every blob and adds no rows", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(60);
    const body = frame(list);
    expect(
      new Set((await results(await sendBatch(user.access, project.id, body))).map((r) => r.status)),
    ).toEqual(new Set(["stored"]));
    const replay = await results(await sendBatch(user.access, project.id, body));
    expect(replay).toEqual(list.map(({ sha256, size }) => ({ sha256, size, status: "already_stored" })));
    expect(await rowCount(project.id)).toBe(60);
    // Nothing new: no second pack, and the content is where it was.
    expect(await objects(project.id)).toHaveLength(1);
    for (const b of list) expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
    // The same blob twice in one batch: written once, recorded once.
    const twice = await blob(`twice ${crypto.randomUUID()}`);
    const dup = await results(await sendBatch(user.access, project.id, frame([twice, twice])));
    expect(dup.map((r) => r.status).sort()).toEqual(["already_stored", "stored"]);
    expect(await rowCount(project.id)).toBe(61);
    expect((await objects(project.id)).map((o) => o.size)).toContain(twice.size);
    expect(await stored(project.id, twice.sha256)).toEqual(twice.bytes);
  });

  it("a blob recorded while its batch was in flight keeps its first place and is already_stored", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const [a, b] = (await blobs(2)) as [Blob, Blob];
    // The batch's "recorded already?" lookup runs before a single upload of `a` lands…
    const lookup = 'select "sha256", "size" from "mirror_blobs"';
    const DB = {
      prepare: (query: string) =>
        env.DB.prepare(query.startsWith(lookup) ? query.replace(" where ", " where 0 and ") : query),
      batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
      exec: (query: string) => env.DB.exec(query),
      dump: () => env.DB.dump(),
      withSession: () => env.DB.withSession(),
    };
    const single = await call(`/api/v1/projects/${project.id}/blobs/${a.sha256}`, {
      method: "PUT",
      token: user.access,
      body: new TextDecoder().decode(a.bytes),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(single.status).toBe(201);
    // …so both go into its pack, but only the insert that created a row says "stored".
    const answer = await results(await sendBatchWith({ DB }, user.access, project.id, frame([a, b])));
    expect(answer.map((r) => r.status)).toEqual(["already_stored", "stored"]);
    const places = await env.DB.prepare("SELECT sha256, pack FROM mirror_blobs WHERE project_id = ?")
      .bind(project.id)
      .all<{ sha256: string; pack: string | null }>();
    expect(new Map(places.results.map((r) => [r.sha256, r.pack]))).toEqual(
      new Map([
        [a.sha256, null],
        [b.sha256, expect.stringMatching(/^pak_/)],
      ]),
    );
    expect(await stored(project.id, a.sha256)).toEqual(a.bytes);
    expect(await stored(project.id, b.sha256)).toEqual(b.bytes);
    expect((await objects(project.id)).map((o) => o.size).sort((x, y) => x - y)).toEqual(
      [a.size, a.size + b.size].sort((x, y) => x - y),
    );
  });

  it("refuses malformed frames with 400 and stores nothing from a body it could not frame", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const [a, b] = (await blobs(2)) as [Blob, Blob];
    const send = (bytes: string | Uint8Array) =>
      sendBatch(user.access, project.id, typeof bytes === "string" ? encoder.encode(bytes) : bytes);
    await expectError(await send("not json\n"), 400, "INVALID_JSON");
    await expectError(await send(`{"blobs":[]}\n`), 400, "VALIDATION_FAILED");
    const bad = await expectError(
      await send(`{"blobs":[{"sha256":"ABC","size":1}]}\nx`),
      400,
      "VALIDATION_FAILED",
    );
    expect(bad.details.issues).toEqual([expect.objectContaining({ path: "blobs.0.sha256", in: "body" })]);
    await expectError(
      await send(`{"blobs":[{"sha256":"${a.sha256}","size":${a.size}}]}`),
      400,
      "VALIDATION_FAILED",
    );
    // Bytes after the last declared blob, said up front by Content-Length: refused unread.
    await expectError(await send(concat([frame([a]), encoder.encode("extra")])), 400, "VALIDATION_FAILED");
    expect(await stored(project.id, a.sha256)).toBeNull();
    // …and found only at the end of a chunked body: the declared blobs were handled, and say so.
    const err = await expectError(
      await sendBatch(user.access, project.id, streamOf(concat([frame([b]), encoder.encode("extra")]))),
      400,
      "VALIDATION_FAILED",
    );
    expect(err.details.results).toEqual([{ sha256: b.sha256, size: b.size, status: "stored" }]);
    expect(await rowCount(project.id)).toBe(1);
  });
});

describe("single blob upload without the 'already known?' read", () => {
  it("answers 200 for a blob already in storage and records it even if its row was lost", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const a = await blob(`heal me ${crypto.randomUUID()}`);
    const put = () =>
      call(`/api/v1/projects/${project.id}/blobs/${a.sha256}`, {
        method: "PUT",
        token: user.access,
        body: new TextDecoder().decode(a.bytes),
        headers: { "content-type": "application/octet-stream" },
      });
    expect((await put()).status).toBe(201);
    // An upload that died between the R2 write and its row: the object is there, the row is not.
    await env.DB.prepare("DELETE FROM mirror_blobs WHERE project_id = ?").bind(project.id).run();
    expect(await missing(user, project.id, [a.sha256])).toEqual([a.sha256]);
    const res = await put();
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ sha256: a.sha256, size: a.size, created: false });
    expect(await missing(user, project.id, [a.sha256])).toEqual([]);
  });
});

// doCalls: 1 is the user's UserSessions object, asked once: is the session live, and is the request
// under the user's general limit — no limiter call of its own.
describe("what a request costs", () => {
  const counted = countedBindings;
  it("a batch: one ownership query, one lookup, one D1 write, one session check (which counts the general limit too), ONE R2 put", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(60);
    const bindings = counted();
    const res = await bindings.request(batchPath(project.id), {
      method: "POST",
      headers: headers(user.access),
      body: frame(list),
    });
    expect((await results(res)).every((r) => r.status === "stored")).toBe(true);
    // The 60 hashes' lookup is one statement, sent with the sum of the project's uncommitted bytes
    // (its upload allowance); 60 rows at ≤ 16 per INSERT (D1's 100 parameters) are 4, sent as one
    // batch; the 60 blobs are one pack.
    expect(bindings.counts()).toEqual({ d1RoundTrips: 3, d1Statements: 7, doCalls: 1, r2Puts: 1 });
  });

  it("a replayed batch: the lookup finds every blob, so no R2 put and no insert", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const list = await blobs(60);
    await results(await sendBatch(user.access, project.id, frame(list)));
    const bindings = counted();
    const res = await bindings.request(batchPath(project.id), {
      method: "POST",
      headers: headers(user.access),
      body: frame(list),
    });
    expect((await results(res)).every((r) => r.status === "already_stored")).toBe(true);
    // The lookup goes with the uncommitted bytes' sum: one round trip.
    expect(bindings.counts()).toEqual({ d1RoundTrips: 2, d1Statements: 3, doCalls: 1, r2Puts: 0 });
  });

  it("a single upload: one ownership query (the session check beside it) and the insert (was four D1 round trips)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const a = await blob(`single ${crypto.randomUUID()}`);
    const bindings = counted();
    const res = await bindings.request(`/api/v1/projects/${project.id}/blobs/${a.sha256}`, {
      method: "PUT",
      headers: { ...headers(user.access), "content-type": "application/octet-stream" },
      body: a.bytes,
    });
    expect(res.status).toBe(201);
    expect(bindings.counts()).toEqual({ d1RoundTrips: 2, d1Statements: 2, doCalls: 1, r2Puts: 1 });
  });

  it("blobs/missing: one ownership query (the session check beside it) and one batch of lookups for 1,000 hashes", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const hashes = Array.from({ length: 1000 }, (_, i) => i.toString(16).padStart(64, "0"));
    const bindings = counted();
    const res = await bindings.request(`/api/v1/projects/${project.id}/blobs/missing`, {
      method: "POST",
      headers: { ...headers(user.access), "content-type": "application/json" },
      body: JSON.stringify({ hashes }),
    });
    expect((await json<{ missing: string[] }>(res)).missing).toHaveLength(1000);
    // ⌈1,000 / 99⌉ = 11 lookups in one batch, plus the auth + ownership query.
    expect(bindings.counts()).toEqual({ d1RoundTrips: 2, d1Statements: 12, doCalls: 1, r2Puts: 0 });
  });

  it("the mirror's reads: one ownership query (the session check beside it) before their own", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const bindings = counted();
    const res = await bindings.request(`/api/v1/projects/${project.id}/mirror`, {
      headers: headers(user.access),
    });
    expect(res.status).toBe(200);
    expect(bindings.counts()).toEqual({ d1RoundTrips: 2, d1Statements: 2, doCalls: 1, r2Puts: 0 });
  });
});

describe("routes declared with ownedProject", () => {
  it("answer 404 for someone else's project, 401 for an ended session, 400 for a malformed id", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const project = await createProject(owner);
    const paths = ["mirror", "mirror/files", "mirror/file?path=a.ts"];
    for (const path of paths) {
      await expectError(
        await call(`/api/v1/projects/${project.id}/${path}`, { token: other.access }),
        404,
        "NOT_FOUND",
      );
      await expectError(
        await call(`/api/v1/projects/not-an-id/${path}`, { token: owner.access }),
        400,
        "VALIDATION_FAILED",
      );
    }
    expect((await call(`/api/v1/projects/${project.id}/mirror`, { token: owner.access })).status).toBe(200);
    await call("/api/v1/auth/logout", { token: owner.access, body: {} });
    for (const path of paths) {
      await expectError(
        await call(`/api/v1/projects/${project.id}/${path}`, { token: owner.access }),
        401,
        "UNAUTHENTICATED",
      );
      await expectError(
        await call(`/api/v1/projects/not-an-id/${path}`, { token: owner.access }),
        401,
        "UNAUTHENTICATED",
      );
    }
  });
});
