import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Comment } from "../../../schema/api/comments";
import {
  call,
  createProject,
  expectError,
  json,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";

type Page = { items: Comment[]; next_cursor: string | null };

const valid = { file_path: "src/App.tsx", line_start: 3, line_end: 5, body: "Why is this here?" };

const postComment = (user: TestUser, projectId: string, body: unknown) =>
  call(`/api/v1/projects/${projectId}/comments`, { token: user.access, body });

async function addComment(user: TestUser, projectId: string, body: Partial<typeof valid> = {}) {
  const res = await postComment(user, projectId, { ...valid, ...body });
  if (res.status !== 201) throw new Error(`comment failed: ${res.status} ${await res.text()}`);
  return json<Comment>(res);
}

const listComments = (user: TestUser, projectId: string, query = "") =>
  call(`/api/v1/projects/${projectId}/comments${query}`, { token: user.access });

async function commentRow(id: string) {
  return env.DB.prepare("SELECT * FROM comments WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

async function projectComments(projectId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM comments WHERE project_id = ? ORDER BY id")
    .bind(projectId)
    .all<Record<string, unknown>>();
  return results;
}

/**
 * An AI-authored comment, stored the way the AI pipeline stores one (internal.ts `finishAiJob`):
 * author_type "ai", no author id, and an id derived from the job (`cmt_` + 32 hex), which does not
 * sort by time the way newly minted ids do.
 */
async function insertAiComment(projectId: string, jobId: string, createdAt = new Date()): Promise<string> {
  const id = `cmt_${(await sha256Of(`ai-comment\n${jobId}`)).slice(0, 32)}`;
  const at = createdAt.toISOString();
  await env.DB.prepare(
    "INSERT INTO comments (id, project_id, author_type, author_id, file_path, line_start, line_end, body, created_at, updated_at) VALUES (?, ?, 'ai', NULL, 'src/App.tsx', 1, 1, 'AI: this renders the root.', ?, ?)",
  )
    .bind(id, projectId, at, at)
    .run();
  return id;
}

const tick = () => new Promise((r) => setTimeout(r, 3));

describe("comments: create", () => {
  it("creates a comment on the user's own project (201, author is the user)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const res = await postComment(user, project.id, valid);
    expect(res.status).toBe(201);
    const comment = await json<Comment>(res);
    expect(comment).toMatchObject({
      project_id: project.id,
      file_path: "src/App.tsx",
      line_start: 3,
      line_end: 5,
      body: "Why is this here?",
      author: { type: "user", id: user.id },
    });
    expect(comment.id).toMatch(/^cmt_[0-9A-Z]{36}$/);
    expect(comment.updated_at).toBe(comment.created_at);
    expect(await commentRow(comment.id)).toMatchObject({
      project_id: project.id,
      author_type: "user",
      author_id: user.id,
      body: "Why is this here?",
    });
  });

  it("accepts the boundaries: a one-line range, 1 char and 10,000 chars of body, a 512-byte path", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await addComment(user, project.id, { line_start: 1, line_end: 1, body: "x" });
    await addComment(user, project.id, { body: "y".repeat(10_000) });
    await addComment(user, project.id, { file_path: `${"d/".repeat(100)}${"f".repeat(312)}` });
    await addComment(user, project.id, { file_path: "docs/café.md" });
    expect(await projectComments(project.id)).toHaveLength(4);
  });

  it("validates body and line range (400 VALIDATION_FAILED) and file_path (422 INVALID_PATH), with details.issues", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const cases: [Record<string, unknown>, string][] = [
      [{ body: "" }, "body"],
      [{ body: "z".repeat(10_001) }, "body"],
      [{ body: 5 }, "body"],
      [{ line_start: 0, line_end: 2 }, "line_start"],
      [{ line_start: 1, line_end: 0 }, "line_end"],
      [{ line_start: -3 }, "line_start"],
      [{ line_start: 1.5 }, "line_start"],
      [{ line_start: "1" }, "line_start"],
      [{ line_start: 9, line_end: 4 }, "line_end"],
      [{ file_path: "../x" }, "file_path"],
      [{ file_path: "src/../../x" }, "file_path"],
      [{ file_path: "/abs" }, "file_path"],
      [{ file_path: "a\\b" }, "file_path"],
      [{ file_path: "a\u0000b" }, "file_path"],
      [{ file_path: "a\nb" }, "file_path"],
      [{ file_path: ".git/config" }, "file_path"],
      [{ file_path: "a".repeat(513) }, "file_path"],
      // 257 two-byte characters: 257 characters but 514 bytes.
      [{ file_path: "é".repeat(257) }, "file_path"],
      [{ file_path: "e\u0301.ts" }, "file_path"],
      [{ file_path: "" }, "file_path"],
      [{ file_path: "src//App.tsx" }, "file_path"],
    ];
    for (const [override, path] of cases) {
      const pathRule = path === "file_path";
      const err = await expectError(
        await postComment(user, project.id, { ...valid, ...override }),
        pathRule ? 422 : 400,
        pathRule ? "INVALID_PATH" : "VALIDATION_FAILED",
      );
      const issues = err.details.issues as { path: string; message: string; in: string }[];
      expect(issues.length, JSON.stringify(override)).toBeGreaterThan(0);
      expect(
        issues.map((i) => i.path),
        JSON.stringify(override),
      ).toContain(path);
      for (const issue of issues) {
        expect(typeof issue.message).toBe("string");
        expect(issue.in).toBe("body");
      }
    }
    for (const missing of ["file_path", "line_start", "line_end", "body"]) {
      const body: Record<string, unknown> = { ...valid };
      delete body[missing];
      const err = await expectError(await postComment(user, project.id, body), 400, "VALIDATION_FAILED");
      expect((err.details.issues as { path: string }[]).map((i) => i.path)).toContain(missing);
    }
    expect(await projectComments(project.id)).toEqual([]);
  });

  it("needs authentication and an existing project", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await expectError(
      await call(`/api/v1/projects/${project.id}/comments`, { body: valid }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(await call(`/api/v1/projects/${project.id}/comments`), 401, "UNAUTHENTICATED");
    await expectError(await postComment(user, "prj_01JD3Y8Q5W3T0ZK8M2V7B6N4XA", valid), 404, "NOT_FOUND");
  });
});

describe("comments: list", () => {
  it("lists oldest first, filtered by file_path, in pages that visit each comment once", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const app: string[] = [];
    const other: string[] = [];
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      app.push((await addComment(user, project.id, { body: `app ${i}`, file_path: "src/App.tsx" })).id);
      created.push(app.at(-1)!);
      if (i < 2) {
        other.push((await addComment(user, project.id, { body: `other ${i}`, file_path: "README.md" })).id);
        created.push(other.at(-1)!);
      }
    }
    const all = await json<Page>(await listComments(user, project.id));
    expect(all.next_cursor).toBeNull();
    expect(all.items.map((c) => c.id)).toEqual(created);
    expect(all.items[0]).toMatchObject({ body: "app 0", author: { type: "user", id: user.id } });

    const filtered = await json<Page>(
      await listComments(user, project.id, `?file_path=${encodeURIComponent("README.md")}`),
    );
    expect(filtered.items.map((c) => c.id)).toEqual(other);
    expect(filtered.items.map((c) => c.body)).toEqual(["other 0", "other 1"]);

    // Pages of 2 over the 5 comments on App.tsx.
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await listComments(
        user,
        project.id,
        `?file_path=src%2FApp.tsx&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      const page: Page = await json<Page>(res);
      pages.push(page.items.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(app);

    const none = await json<Page>(await listComments(user, project.id, "?file_path=nothing.ts"));
    expect(none).toEqual({ items: [], next_cursor: null });
  });

  it("keeps AI comments (ids derived from their job) in time order, across pages", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const expected: string[] = [];
    for (let i = 0; i < 3; i++) {
      expected.push((await addComment(user, project.id, { body: `user ${i}` })).id);
      await tick();
      expected.push(await insertAiComment(project.id, `job_${project.id}_${i}`));
      await tick();
    }
    const all = await json<Page>(await listComments(user, project.id));
    expect(all.items.map((c) => c.id)).toEqual(expected);
    expect(all.items.map((c) => c.author.type)).toEqual(["user", "ai", "user", "ai", "user", "ai"]);

    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const res = await listComments(
          user,
          project.id,
          `?file_path=src%2FApp.tsx&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        expect(res.status).toBe(200);
        const page: Page = await json<Page>(res);
        seen.push(...page.items.map((c) => c.id));
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      expect(seen, `limit ${limit}`).toEqual(expected);
    }
  });

  it("rejects bad list parameters with 400", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    for (const query of ["?limit=0", "?limit=101", "?limit=abc"]) {
      await expectError(await listComments(user, project.id, query), 400, "VALIDATION_FAILED");
    }
    const err = await expectError(
      await listComments(user, project.id, `?file_path=${encodeURIComponent("../etc/passwd")}`),
      422,
      "INVALID_PATH",
    );
    expect(err.details.issues).toEqual([expect.objectContaining({ path: "file_path", in: "query" })]);
    for (const cursor of ["garbage!!", btoa(JSON.stringify({ after: "cmt_no_time" })), btoa("[]")]) {
      await expectError(
        await listComments(user, project.id, `?cursor=${encodeURIComponent(cursor)}`),
        400,
        "INVALID_CURSOR",
      );
    }
  });
});

describe("comments: edit and delete", () => {
  it("lets the author edit the body (only the body) of their comment", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const comment = await addComment(user, project.id);
    await new Promise((r) => setTimeout(r, 5));
    const res = await call(`/api/v1/comments/${comment.id}`, {
      method: "PATCH",
      token: user.access,
      body: { body: "Edited", line_start: 99, file_path: "other.ts" },
    });
    expect(res.status).toBe(200);
    const edited = await json<Comment>(res);
    expect(edited).toMatchObject({
      id: comment.id,
      body: "Edited",
      line_start: 3,
      line_end: 5,
      file_path: "src/App.tsx",
      author: { type: "user", id: user.id },
      created_at: comment.created_at,
    });
    expect(edited.updated_at > comment.updated_at).toBe(true);
    expect(await commentRow(comment.id)).toMatchObject({
      body: "Edited",
      line_start: 3,
      file_path: "src/App.tsx",
    });

    for (const body of [{}, { body: "" }, { body: "q".repeat(10_001) }]) {
      await expectError(
        await call(`/api/v1/comments/${comment.id}`, { method: "PATCH", token: user.access, body }),
        400,
        "VALIDATION_FAILED",
      );
    }
    expect(await commentRow(comment.id)).toMatchObject({ body: "Edited" });
    await expectError(
      await call(`/api/v1/comments/${comment.id}`, { method: "PATCH", body: { body: "anon" } }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("lets the author delete their comment", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const keep = await addComment(user, project.id, { body: "keep" });
    const comment = await addComment(user, project.id, { body: "drop" });
    const res = await call(`/api/v1/comments/${comment.id}`, { method: "DELETE", token: user.access });
    expect(res.status).toBe(204);
    expect(await commentRow(comment.id)).toBeNull();
    expect(await commentRow(keep.id)).not.toBeNull();
    await expectError(
      await call(`/api/v1/comments/${comment.id}`, { method: "DELETE", token: user.access }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/api/v1/comments/${comment.id}`, {
        method: "PATCH",
        token: user.access,
        body: { body: "x" },
      }),
      404,
      "NOT_FOUND",
    );
    const page = await json<Page>(await listComments(user, project.id));
    expect(page.items.map((c) => c.id)).toEqual([keep.id]);
  });

  it("an AI comment can be deleted by the project owner but not edited (403 FORBIDDEN)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const aiId = await insertAiComment(project.id, `job_${user.id}`);

    const listed = await json<Page>(await listComments(user, project.id));
    expect(listed.items).toEqual([
      expect.objectContaining({
        id: aiId,
        author: { type: "ai", id: null },
        body: "AI: this renders the root.",
      }),
    ]);

    await expectError(
      await call(`/api/v1/comments/${aiId}`, {
        method: "PATCH",
        token: user.access,
        body: { body: "mine now" },
      }),
      403,
      "FORBIDDEN",
    );
    expect(await commentRow(aiId)).toMatchObject({ body: "AI: this renders the root.", author_type: "ai" });

    const res = await call(`/api/v1/comments/${aiId}`, { method: "DELETE", token: user.access });
    expect(res.status).toBe(204);
    expect(await commentRow(aiId)).toBeNull();
  });
});

describe("comments: ownership", () => {
  it("hides another user's project and comments (404) and changes nothing", async () => {
    const owner = await registerUser();
    const intruder = await registerUser();
    const project = await createProject(owner);
    const comment = await addComment(owner, project.id, { body: "private" });
    const aiId = await insertAiComment(project.id, `job_${owner.id}`);
    const before = await projectComments(project.id);
    expect(before).toHaveLength(2);

    await expectError(await postComment(intruder, project.id, valid), 404, "NOT_FOUND");
    await expectError(await listComments(intruder, project.id), 404, "NOT_FOUND");
    await expectError(await listComments(intruder, project.id, "?file_path=src%2FApp.tsx"), 404, "NOT_FOUND");
    for (const id of [comment.id, aiId]) {
      await expectError(
        await call(`/api/v1/comments/${id}`, {
          method: "PATCH",
          token: intruder.access,
          body: { body: "pwned" },
        }),
        404,
        "NOT_FOUND",
      );
      await expectError(
        await call(`/api/v1/comments/${id}`, { method: "DELETE", token: intruder.access }),
        404,
        "NOT_FOUND",
      );
    }
    // A foreign comment looks exactly like a missing one.
    const missing = await expectError(
      await call("/api/v1/comments/cmt_01JD3Y8Q5W3T0ZK8M2V7B6N4XA", {
        method: "DELETE",
        token: intruder.access,
      }),
      404,
      "NOT_FOUND",
    );
    const foreign = await expectError(
      await call(`/api/v1/comments/${comment.id}`, { method: "DELETE", token: intruder.access }),
      404,
      "NOT_FOUND",
    );
    expect(foreign.message).toBe(missing.message);

    expect(await projectComments(project.id)).toEqual(before);
    const { results } = await env.DB.prepare(
      "SELECT c.id FROM comments c JOIN projects p ON p.id = c.project_id WHERE p.owner_id = ?",
    )
      .bind(intruder.id)
      .all();
    expect(results).toEqual([]);
    const ownerView = await json<Page>(await listComments(owner, project.id));
    expect(ownerView.items.map((c) => c.id).sort()).toEqual([comment.id, aiId].sort());
  });
});
