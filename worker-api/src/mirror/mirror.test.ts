import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  call,
  createProject,
  expectError,
  json,
  pushFiles,
  registerUser,
  sha256Of,
} from "../../test/helpers";
import { createApp } from "../app";

const upload = (token: string, projectId: string, hash: string, body: string | Uint8Array) =>
  call(`/api/v1/projects/${projectId}/blobs/${hash}`, {
    method: "PUT",
    token,
    body: body as string,
    headers: { "content-type": "application/octet-stream" },
  });

const commit = (token: string, projectId: string, body: unknown) =>
  call(`/api/v1/projects/${projectId}/mirror/changes`, { token, body });

type FilesPage = {
  revision: number;
  items: { path: string; sha256: string; size: number }[];
  next_cursor: string | null;
};

describe("blobs", () => {
  it("reports only the hashes not yet uploaded, and uploads are verified, create-only and cheap to repeat", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const a = await sha256Of("alpha");
    const b = await sha256Of("beta");
    let res = await call(`/api/v1/projects/${project.id}/blobs/missing`, {
      token: user.access,
      body: { hashes: [a, b, a] },
    });
    expect(await json(res)).toEqual({ missing: [a, b] });

    res = await upload(user.access, project.id, a, "alpha");
    expect(res.status).toBe(201);
    expect(await json(res)).toEqual({ sha256: a, size: 5, created: true });
    expect(await (await env.BLOBS.get(`p/${project.id}/blobs/${a}`))?.text()).toBe("alpha");

    res = await upload(user.access, project.id, a, "alpha");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ sha256: a, size: 5, created: false });

    res = await call(`/api/v1/projects/${project.id}/blobs/missing`, {
      token: user.access,
      body: { hashes: [a, b] },
    });
    expect(await json(res)).toEqual({ missing: [b] });
  });

  it("stores one blob when many clients upload it at once", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const content = "shared by everyone ".repeat(100);
    const hash = await sha256Of(content);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => upload(user.access, project.id, hash, content)),
    );
    for (const res of results) expect([200, 201]).toContain(res.status);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM mirror_blobs WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    expect(await (await env.BLOBS.get(`p/${project.id}/blobs/${hash}`))?.text()).toBe(content);
    const missing = await json(
      await call(`/api/v1/projects/${project.id}/blobs/missing`, {
        token: user.access,
        body: { hashes: [hash] },
      }),
    );
    expect(missing).toEqual({ missing: [] });
  });

  it("rejects bytes that do not match the hash (422 HASH_MISMATCH) and stores nothing", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const claimed = await sha256Of("the real content");
    const err = await expectError(
      await upload(user.access, project.id, claimed, "something else"),
      422,
      "HASH_MISMATCH",
    );
    expect(err.details.expected).toBe(claimed);
    expect(await env.BLOBS.head(`p/${project.id}/blobs/${claimed}`)).toBeNull();
  });

  it("rejects a blob over MAX_FILE_BYTES with 413 and a malformed hash with 400", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const app = createApp();
    const big = "x".repeat(2048);
    const res = await app.request(
      `/api/v1/projects/${project.id}/blobs/${await sha256Of(big)}`,
      {
        method: "PUT",
        body: big,
        headers: { authorization: `Bearer ${user.access}`, "content-type": "application/octet-stream" },
      },
      { ...env, MAX_FILE_BYTES: "1024" },
    );
    await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    await expectError(await upload(user.access, project.id, "not-a-hash", "x"), 400, "VALIDATION_FAILED");
    await expectError(await upload(user.access, project.id, "A".repeat(64), "x"), 400, "VALIDATION_FAILED");
  });

  it("validates the missing-hashes request (1–1,000 lower-case hex hashes)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const url = `/api/v1/projects/${project.id}/blobs/missing`;
    await expectError(
      await call(url, { token: user.access, body: { hashes: [] } }),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await call(url, { token: user.access, body: { hashes: ["xyz"] } }),
      400,
      "VALIDATION_FAILED",
    );
    const many = Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(64, "0"));
    await expectError(
      await call(url, { token: user.access, body: { hashes: many } }),
      400,
      "VALIDATION_FAILED",
    );
    const thousand = many.slice(0, 1000);
    const res = await call(url, { token: user.access, body: { hashes: thousand } });
    expect((await json<{ missing: string[] }>(res)).missing).toHaveLength(1000);
  });
});

describe("change sets", () => {
  it("commits puts and deletes, moving the revision by one each time, and keeps older revisions readable", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const first = await pushFiles(user, project.id, { "src/a.ts": "a1", "src/b.ts": "b1", "README.md": "r" });
    expect(first.revision).toBe(1);
    expect(first.sync_id).toMatch(/^syn_/);

    const a2 = await sha256Of("a2");
    await upload(user.access, project.id, a2, "a2");
    const res = await commit(user.access, project.id, {
      base_revision: 1,
      branch: "main",
      commit: "abc123",
      changes: [
        { op: "put", path: "src/a.ts", sha256: a2, size: 2 },
        { op: "delete", path: "src/b.ts" },
      ],
    });
    expect(res.status).toBe(202);
    expect((await json<{ revision: number }>(res)).revision).toBe(2);

    const summary = await json(await call(`/api/v1/projects/${project.id}/mirror`, { token: user.access }));
    expect(summary).toMatchObject({
      revision: 2,
      branch: "main",
      commit: "abc123",
      file_count: 2,
      total_bytes: 3,
    });
    expect((summary.last_sync as { revision: number }).revision).toBe(2);

    const now = await json<FilesPage>(
      await call(`/api/v1/projects/${project.id}/mirror/files`, { token: user.access }),
    );
    expect(now.items.map((f) => [f.path, f.size])).toEqual([
      ["README.md", 1],
      ["src/a.ts", 2],
    ]);
    const then = await json<FilesPage>(
      await call(`/api/v1/projects/${project.id}/mirror/files?revision=1`, { token: user.access }),
    );
    expect(then.items.map((f) => f.path)).toEqual(["README.md", "src/a.ts", "src/b.ts"]);
    expect(then.items[1]?.sha256).toBe(await sha256Of("a1"));
  });

  it("refuses a stale base_revision with 409 REVISION_CONFLICT and the current revision", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.txt": "a" });
    const hash = await sha256Of("a");
    const err = await expectError(
      await commit(user.access, project.id, {
        base_revision: 0,
        changes: [{ op: "put", path: "b.txt", sha256: hash, size: 1 }],
      }),
      409,
      "REVISION_CONFLICT",
    );
    expect(err.details.current_revision).toBe(1);
  });

  it("lets exactly one of many concurrent commits on one base revision win; the index stays consistent", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const contents = Array.from({ length: 6 }, (_, i) => `content ${i}`);
    for (const content of contents) await upload(user.access, project.id, await sha256Of(content), content);
    const results = await Promise.all(
      contents.map(async (content, i) =>
        commit(user.access, project.id, {
          base_revision: 0,
          changes: [
            { op: "put", path: `file-${i}.txt`, sha256: await sha256Of(content), size: content.length },
            { op: "put", path: "shared.txt", sha256: await sha256Of(content), size: content.length },
          ],
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409, 409]);
    const files = await json<FilesPage>(
      await call(`/api/v1/projects/${project.id}/mirror/files`, { token: user.access }),
    );
    expect(files.revision).toBe(1);
    expect(files.items).toHaveLength(2);
    const syncs = await env.DB.prepare("SELECT count(*) AS n FROM mirror_syncs WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(syncs?.n).toBe(1);
  });

  it("needs every referenced blob (422 BLOB_MISSING lists them) and changes nothing otherwise", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const missing = await sha256Of("never uploaded");
    const err = await expectError(
      await commit(user.access, project.id, {
        base_revision: 0,
        changes: [{ op: "put", path: "a.txt", sha256: missing, size: 14 }],
      }),
      422,
      "BLOB_MISSING",
    );
    expect(err.details.hashes).toEqual([missing]);
    const summary = await json(await call(`/api/v1/projects/${project.id}/mirror`, { token: user.access }));
    expect(summary).toMatchObject({ revision: 0, file_count: 0, last_sync: null });
  });

  it.each([
    ["../escape.ts", "'.' or '..'"],
    ["src/../../etc/passwd", "'.' or '..'"],
    ["/etc/passwd", "relative"],
    ["src\\windows.ts", "'/' separators"],
    ["nul\u0000byte.ts", "control characters"],
    [".git/config", ".git/"],
    ["vendor/lib/.git/HEAD", ".git/"],
    [".GIT/config", ".git/"],
    [`${"a".repeat(513)}`, "512 bytes"],
    ["caf\u0065\u0301.ts", "NFC"],
    ["src//double.ts", "empty segment"],
  ])("rejects the path %j with 422 INVALID_PATH", async (path, reason) => {
    const user = await registerUser();
    const project = await createProject(user);
    const hash = await sha256Of("x");
    await upload(user.access, project.id, hash, "x");
    const err = await expectError(
      await commit(user.access, project.id, {
        base_revision: 0,
        changes: [{ op: "put", path, sha256: hash, size: 1 }],
      }),
      422,
      "INVALID_PATH",
    );
    expect(JSON.stringify(err.details.issues)).toContain(reason);
  });

  it("rejects the same path twice in one change set", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const hash = await sha256Of("x");
    await upload(user.access, project.id, hash, "x");
    const change = { op: "put", path: "a.txt", sha256: hash, size: 1 };
    await expectError(
      await commit(user.access, project.id, { base_revision: 0, changes: [change, change] }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("enforces MAX_PROJECT_FILES and MAX_PROJECT_BYTES per revision", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const hash = await sha256Of("12345");
    await upload(user.access, project.id, hash, "12345");
    const app = createApp();
    const send = (vars: Record<string, string>, paths: string[]) =>
      app.request(
        `/api/v1/projects/${project.id}/mirror/changes`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${user.access}`, "content-type": "application/json" },
          body: JSON.stringify({
            base_revision: 0,
            changes: paths.map((path) => ({ op: "put", path, sha256: hash, size: 5 })),
          }),
        },
        { ...env, ...vars },
      );
    await expectError(await send({ MAX_PROJECT_FILES: "2" }, ["a", "b", "c"]), 422, "LIMIT_EXCEEDED");
    await expectError(await send({ MAX_PROJECT_BYTES: "9" }, ["a", "b"]), 413, "PAYLOAD_TOO_LARGE");
    expect((await send({ MAX_PROJECT_FILES: "2" }, ["a", "b"])).status).toBe(202);
  });

  it("commits 1,000 changes in one go (parameters chunked under D1's limit)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const hash = await sha256Of("same");
    await upload(user.access, project.id, hash, "same");
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      op: "put",
      path: `dir/f${String(i).padStart(4, "0")}.txt`,
      sha256: hash,
      size: 4,
    }));
    const res = await commit(user.access, project.id, { base_revision: 0, changes });
    expect(res.status).toBe(202);
    const summary = await json(await call(`/api/v1/projects/${project.id}/mirror`, { token: user.access }));
    expect(summary).toMatchObject({ file_count: 1000, total_bytes: 4000 });
    // Walk the listing in pages: every file exactly once, in path order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: FilesPage = await json<FilesPage>(
        await call(
          `/api/v1/projects/${project.id}/mirror/files?limit=300${cursor ? `&cursor=${cursor}` : ""}`,
          { token: user.access },
        ),
      );
      seen.push(...page.items.map((f) => f.path));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(changes.map((c) => c.path));
    const prefixed = await json<FilesPage>(
      await call(`/api/v1/projects/${project.id}/mirror/files?prefix=dir/f099`, { token: user.access }),
    );
    expect(prefixed.items.map((f) => f.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => `dir/f099${i}.txt`),
    );
  });
});

describe("reading the mirror", () => {
  it("serves a file's raw bytes with a guessed type and the sha256 as etag (304 when unchanged)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "src/App.tsx": "export const App = () => null;\n" });
    const url = `/api/v1/projects/${project.id}/mirror/file?path=src/App.tsx`;
    const res = await call(url, { token: user.access });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("export const App = () => null;\n");
    expect(res.headers.get("content-type")).toContain("typescript");
    const etag = res.headers.get("etag");
    expect(etag).toBe(`"${await sha256Of("export const App = () => null;\n")}"`);
    const again = await call(url, { token: user.access, headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    await expectError(
      await call(`/api/v1/projects/${project.id}/mirror/file?path=nope.ts`, { token: user.access }),
      404,
      "FILE_NOT_FOUND",
    );
  });

  it("reports a sync's status, 404 for an unknown one", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const { sync_id } = await pushFiles(user, project.id, { "a.txt": "a" });
    const sync = await json(
      await call(`/api/v1/projects/${project.id}/syncs/${sync_id}`, { token: user.access }),
    );
    expect(sync).toMatchObject({ id: sync_id, status: "queued", revision: 1 });
    await expectError(
      await call(`/api/v1/projects/${project.id}/syncs/syn_0000000000000000000000`, { token: user.access }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("isolation and deletion", () => {
  it("gives another user 404 on every mirror route of someone else's project, with no side effect", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const project = await createProject(owner);
    const { sync_id } = await pushFiles(owner, project.id, { "a.txt": "a" });
    const hash = await sha256Of("a");
    const other2 = await sha256Of("b");
    const base = `/api/v1/projects/${project.id}`;
    const attempts: Response[] = [
      await call(`${base}/blobs/missing`, { token: other.access, body: { hashes: [hash] } }),
      await upload(other.access, project.id, other2, "b"),
      await commit(other.access, project.id, {
        base_revision: 1,
        changes: [{ op: "delete", path: "a.txt" }],
      }),
      await call(`${base}/mirror`, { token: other.access }),
      await call(`${base}/mirror/files`, { token: other.access }),
      await call(`${base}/mirror/file?path=a.txt`, { token: other.access }),
      await call(`${base}/syncs/${sync_id}`, { token: other.access }),
    ];
    for (const res of attempts) await expectError(res, 404, "NOT_FOUND");
    expect(await env.BLOBS.head(`p/${project.id}/blobs/${other2}`)).toBeNull();
    const summary = await json(await call(`${base}/mirror`, { token: owner.access }));
    expect(summary).toMatchObject({ revision: 1, file_count: 1 });
  });

  it("deleting a project removes its R2 prefix and its mirror index", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.txt": "a", "b.txt": "b" });
    await upload(user.access, project.id, await sha256Of("c"), "c");
    // The pushed pair's pack and the single upload's own object.
    expect((await env.BLOBS.list({ prefix: `p/${project.id}/` })).objects).toHaveLength(2);
    expect(
      (await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: user.access })).status,
    ).toBe(204);
    expect((await env.BLOBS.list({ prefix: `p/${project.id}/` })).objects).toHaveLength(0);
    for (const table of ["mirror_files", "mirror_blobs", "mirror_syncs"]) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
        .bind(project.id)
        .first<{ n: number }>();
      expect(row?.n).toBe(0);
    }
  });
});
