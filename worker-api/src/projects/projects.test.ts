import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Project } from "../../../schema/api/projects";
import { call, createProject, expectError, json, registerUser, type TestUser } from "../../test/helpers";

type Page = { items: Project[]; next_cursor: string | null };

const listProjects = (user: TestUser, query = "") => call(`/api/v1/projects${query}`, { token: user.access });

/** Walks every page of the user's project list with `limit`, returning the ids page by page. */
async function walkPages(user: TestUser, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res = await listProjects(
      user,
      `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(res.status).toBe(200);
    const page: Page = await json<Page>(res);
    pages.push(page.items.map((p) => p.id));
    cursor = page.next_cursor;
    if (pages.length > 20) throw new Error("pagination does not end");
  } while (cursor);
  return pages;
}

async function projectRow(id: string) {
  return env.DB.prepare("SELECT * FROM projects WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

describe("projects: create", () => {
  it("creates a project with defaults (framework other, mirror revision 0)", async () => {
    const user = await registerUser();
    const res = await call("/api/v1/projects", { token: user.access, body: { name: "  Demo app  " } });
    expect(res.status).toBe(201);
    const project = await json<Project>(res);
    expect(project).toMatchObject({
      name: "Demo app",
      description: null,
      framework: "other",
      entry: null,
      mirror_revision: 0,
    });
    expect(project.id).toMatch(/^prj_[0-9A-Z]{36}$/);
    expect(new Date(project.created_at).toISOString()).toBe(project.created_at);
    expect(project.updated_at).toBe(project.created_at);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);

    const row = await projectRow(project.id);
    expect(row).toMatchObject({
      owner_id: user.id,
      name: "Demo app",
      framework: "other",
      mirror_revision: 0,
    });

    // Reading it back gives the same object.
    const read = await call(`/api/v1/projects/${project.id}`, { token: user.access });
    expect(read.status).toBe(200);
    expect(await json(read)).toEqual(project);
  });

  it("keeps the optional fields it is given", async () => {
    const user = await registerUser();
    const res = await call("/api/v1/projects", {
      token: user.access,
      body: { name: "Expo", description: "phone app", framework: "expo", entry: "src/App.tsx" },
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      name: "Expo",
      description: "phone app",
      framework: "expo",
      entry: "src/App.tsx",
    });
  });

  it("validates the body: name, framework and the entry path (mirror path rules) → 400", async () => {
    const user = await registerUser();
    const bad: unknown[] = [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(101) },
      { name: 42 },
      { name: "ok", framework: "flutter" },
      { name: "ok", description: "d".repeat(2001) },
      { name: "ok", entry: "../App.tsx" },
      { name: "ok", entry: "/abs/App.tsx" },
      { name: "ok", entry: "src\\App.tsx" },
      { name: "ok", entry: ".git/config" },
      { name: "ok", entry: "a\u0000b.ts" },
      { name: "ok", entry: "e\u0301.ts" },
      { name: "ok", entry: "a".repeat(513) },
      { name: "ok", entry: "" },
    ];
    for (const body of bad) {
      const pathRule = "entry" in (body as Record<string, unknown>);
      const err = await expectError(
        await call("/api/v1/projects", { token: user.access, body }),
        pathRule ? 422 : 400,
        pathRule ? "INVALID_PATH" : "VALIDATION_FAILED",
      );
      const issues = err.details.issues as { path: string; message: string }[];
      expect(issues.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const err = await expectError(
      await call("/api/v1/projects", { token: user.access, body: { name: "ok", entry: "../App.tsx" } }),
      422,
      "INVALID_PATH",
    );
    expect(err.details.issues).toEqual([expect.objectContaining({ path: "entry", in: "body" })]);
    const { results } = await env.DB.prepare("SELECT id FROM projects WHERE owner_id = ?")
      .bind(user.id)
      .all();
    expect(results).toEqual([]);
  });

  it("demands authentication (401 UNAUTHENTICATED) for every project route", async () => {
    const owner = await registerUser();
    const project = await createProject(owner);
    await expectError(await call("/api/v1/projects", { body: { name: "x" } }), 401, "UNAUTHENTICATED");
    await expectError(await call("/api/v1/projects"), 401, "UNAUTHENTICATED");
    await expectError(await call(`/api/v1/projects/${project.id}`), 401, "UNAUTHENTICATED");
    await expectError(
      await call(`/api/v1/projects/${project.id}`, { method: "PATCH", body: { name: "x" } }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      await call(`/api/v1/projects/${project.id}`, { method: "DELETE" }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(await call("/api/v1/projects", { token: "not.a.jwt" }), 401, "UNAUTHENTICATED");
    expect(await projectRow(project.id)).toMatchObject({ name: "My app" });
  });
});

describe("projects: list", () => {
  it("lists the user's projects newest first", async () => {
    const user = await registerUser();
    const a = await createProject(user, { name: "first" });
    const b = await createProject(user, { name: "second" });
    const c = await createProject(user, { name: "third" });
    const res = await listProjects(user);
    expect(res.status).toBe(200);
    const page = await json<Page>(res);
    expect(page.items.map((p) => p.id)).toEqual([c.id, b.id, a.id]);
    expect(page.items.map((p) => p.name)).toEqual(["third", "second", "first"]);
    expect(page.next_cursor).toBeNull();
  });

  it("paginates with ?limit=, visiting every project exactly once", async () => {
    const user = await registerUser();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createProject(user, { name: `p${i}` })).id);

    const pages = await walkPages(user, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...created].reverse());

    // A limit that divides the total exactly still ends with next_cursor null, without an empty page.
    const exact = await walkPages(user, 7);
    expect(exact).toEqual([[...created].reverse()]);

    const big = await json<Page>(await listProjects(user, "?limit=100"));
    expect(big.items).toHaveLength(7);
    expect(big.next_cursor).toBeNull();
  });

  it("rejects a limit outside 1–100 or not a number (400 VALIDATION_FAILED)", async () => {
    const user = await registerUser();
    for (const limit of ["0", "101", "abc", "-1", "2.5"]) {
      const err = await expectError(await listProjects(user, `?limit=${limit}`), 400, "VALIDATION_FAILED");
      expect(err.details.issues).toEqual([expect.objectContaining({ path: "limit", in: "query" })]);
    }
    for (const limit of ["1", "100"]) expect((await listProjects(user, `?limit=${limit}`)).status).toBe(200);
  });

  it("rejects a garbage cursor (400 INVALID_CURSOR)", async () => {
    const user = await registerUser();
    const forged = btoa(JSON.stringify({ after: 5 }));
    for (const cursor of ["garbage!!", "%%%", "bm90IGpzb24", forged]) {
      await expectError(
        await listProjects(user, `?cursor=${encodeURIComponent(cursor)}`),
        400,
        "INVALID_CURSOR",
      );
    }
  });
});

describe("projects: read, update, delete", () => {
  it("updates only the fields given and bumps updated_at", async () => {
    const user = await registerUser();
    const project = await json<Project>(
      await call("/api/v1/projects", {
        token: user.access,
        body: { name: "Before", description: "desc", entry: "App.tsx" },
      }),
    );
    await new Promise((r) => setTimeout(r, 5));
    let res = await call(`/api/v1/projects/${project.id}`, {
      method: "PATCH",
      token: user.access,
      body: { name: "After", framework: "web" },
    });
    expect(res.status).toBe(200);
    const updated = await json<Project>(res);
    expect(updated).toMatchObject({
      id: project.id,
      name: "After",
      description: "desc",
      framework: "web",
      entry: "App.tsx",
      mirror_revision: 0,
      created_at: project.created_at,
    });
    expect(updated.updated_at > project.updated_at).toBe(true);

    // null clears the nullable fields.
    res = await call(`/api/v1/projects/${project.id}`, {
      method: "PATCH",
      token: user.access,
      body: { description: null, entry: null },
    });
    expect(await json(res)).toMatchObject({ name: "After", description: null, entry: null });
    expect(await json(await call(`/api/v1/projects/${project.id}`, { token: user.access }))).toMatchObject({
      name: "After",
      description: null,
      entry: null,
      framework: "web",
    });
  });

  it("rejects an empty or invalid PATCH with 400 and changes nothing", async () => {
    const user = await registerUser();
    const project = await createProject(user, { name: "Keep", entry: "App.tsx" });
    const before = await projectRow(project.id);
    for (const body of [{}, { name: "" }, { entry: "../x" }, { framework: "nope" }, { unknown: 1 }]) {
      const pathRule = "entry" in body;
      await expectError(
        await call(`/api/v1/projects/${project.id}`, { method: "PATCH", token: user.access, body }),
        pathRule ? 422 : 400,
        pathRule ? "INVALID_PATH" : "VALIDATION_FAILED",
      );
    }
    expect(await projectRow(project.id)).toEqual(before);
  });

  it("answers 404 for a missing project and 400 for a malformed id", async () => {
    const user = await registerUser();
    const missing = "prj_01JD3Y8Q5W3T0ZK8M2V7B6N4XA";
    await expectError(await call(`/api/v1/projects/${missing}`, { token: user.access }), 404, "NOT_FOUND");
    await expectError(
      await call(`/api/v1/projects/${missing}`, { method: "PATCH", token: user.access, body: { name: "x" } }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/projects/${missing}`, { method: "DELETE", token: user.access }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/projects/not%20an%20id", { token: user.access }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("deletes a project together with its comments", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const other = await createProject(user, { name: "other" });
    for (const p of [project, other]) {
      const res = await call(`/api/v1/projects/${p.id}/comments`, {
        token: user.access,
        body: { file_path: "App.tsx", line_start: 1, line_end: 2, body: "hello" },
      });
      expect(res.status).toBe(201);
    }
    const countComments = async (projectId: string) =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM comments WHERE project_id = ?")
        .bind(projectId)
        .first<{ n: number }>())!.n;
    expect(await countComments(project.id)).toBe(1);

    const res = await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: user.access });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await projectRow(project.id)).toBeNull();
    expect(await countComments(project.id)).toBe(0);
    await expectError(await call(`/api/v1/projects/${project.id}`, { token: user.access }), 404, "NOT_FOUND");
    await expectError(
      await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: user.access }),
      404,
      "NOT_FOUND",
    );

    // The other project and its comment are untouched.
    expect(await projectRow(other.id)).not.toBeNull();
    expect(await countComments(other.id)).toBe(1);
    const page = await json<Page>(await listProjects(user));
    expect(page.items.map((p) => p.id)).toEqual([other.id]);
  });
});

describe("projects: ownership", () => {
  it("hides another user's project: 404 on read, update and delete, and nothing changes", async () => {
    const owner = await registerUser();
    const intruder = await registerUser();
    const project = await createProject(owner, { name: "Secret", description: "mine" });
    const intruderOwn = await createProject(intruder, { name: "Intruder's" });
    const before = await projectRow(project.id);

    const notFoundRead = await expectError(
      await call(`/api/v1/projects/${project.id}`, { token: intruder.access }),
      404,
      "NOT_FOUND",
    );
    // Indistinguishable from a project that does not exist at all.
    const notFoundMissing = await expectError(
      await call("/api/v1/projects/prj_01JD3Y8Q5W3T0ZK8M2V7B6N4XA", { token: intruder.access }),
      404,
      "NOT_FOUND",
    );
    expect(notFoundRead.message).toBe(notFoundMissing.message);
    expect(notFoundRead.details).toEqual(notFoundMissing.details);

    await expectError(
      await call(`/api/v1/projects/${project.id}`, {
        method: "PATCH",
        token: intruder.access,
        body: { name: "Pwned", description: null },
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: intruder.access }),
      404,
      "NOT_FOUND",
    );

    expect(await projectRow(project.id)).toEqual(before);
    const ownerView = await json<Project>(
      await call(`/api/v1/projects/${project.id}`, { token: owner.access }),
    );
    expect(ownerView).toMatchObject({ name: "Secret", description: "mine" });

    const intruderList = await json<Page>(await listProjects(intruder));
    expect(intruderList.items.map((p) => p.id)).toEqual([intruderOwn.id]);
    const ownerList = await json<Page>(await listProjects(owner));
    expect(ownerList.items.map((p) => p.id)).toEqual([project.id]);
  });
});
