import { createRoute, z } from "@hono/zod-openapi";
import { Comment, CreateCommentRequest, UpdateCommentRequest } from "../../../schema/api/comments";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { MirrorPath } from "../../../schema/api/paths";
import type { Env } from "../env";
import { ApiError, notFound } from "../lib/api-error";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";

const common = { tags: ["Comments"], security: bearerAuth };

type CommentRow = {
  id: string;
  project_id: string;
  author_type: "user" | "ai";
  author_id: string | null;
  file_path: string;
  line_start: number;
  line_end: number;
  body: string;
  created_at: string;
  updated_at: string;
};

const COLUMNS =
  "id, project_id, author_type, author_id, file_path, line_start, line_end, body, created_at, updated_at";

function presentComment(row: CommentRow): Comment {
  return {
    id: row.id,
    project_id: row.project_id,
    file_path: row.file_path,
    line_start: row.line_start,
    line_end: row.line_end,
    body: row.body,
    author: { type: row.author_type, id: row.author_id },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** A comment on a project the user owns; anything else is the same 404. */
async function loadVisibleComment(env: Env, userId: string, commentId: string): Promise<CommentRow> {
  const row = await env.DB.prepare(
    `SELECT ${COLUMNS.replace(/(\w+)/g, "c.$1")} FROM comments c JOIN projects p ON p.id = c.project_id
     WHERE c.id = ? AND p.owner_id = ?`,
  )
    .bind(commentId, userId)
    .first<CommentRow>();
  if (!row) throw notFound("Comment");
  return row;
}

const create = createRoute({
  ...common,
  method: "post",
  path: "/projects/{id}/comments",
  summary: "Comment on a file and line range",
  middleware: [requireAuth, idempotent] as const,
  request: {
    params: z.object({ id: idParam("prj") }),
    body: { ...json(CreateCommentRequest), required: true },
  },
  responses: {
    201: { description: "The comment", ...json(Comment) },
    ...errorResponses(400, 401, 404, 422, 429),
  },
});

const list = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}/comments",
  summary: "Comments of a project, oldest first, optionally for one file",
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: idParam("prj") }),
    query: PageQuery.extend({ file_path: MirrorPath.optional() }),
  },
  responses: {
    200: { description: "A page of comments", ...json(pageOf(Comment)) },
    ...errorResponses(400, 401, 404),
  },
});

const update = createRoute({
  ...common,
  method: "patch",
  path: "/comments/{id}",
  summary: "Edit your comment",
  middleware: [requireAuth] as const,
  request: {
    params: z.object({ id: idParam("cmt") }),
    body: { ...json(UpdateCommentRequest), required: true },
  },
  responses: { 200: { description: "The comment", ...json(Comment) }, ...errorResponses(400, 401, 403, 404) },
});

const remove = createRoute({
  ...common,
  method: "delete",
  path: "/comments/{id}",
  summary: "Delete your comment (or an AI comment on your project)",
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: idParam("cmt") }) },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404) },
});

export function commentRoutes() {
  const app = createRouter();

  app.openapi(create, async (c) => {
    const { userId } = c.get("auth");
    const project = await loadOwnedProject(c.env, userId, c.req.valid("param").id);
    const body = c.req.valid("json");
    const now = new Date().toISOString();
    const row: CommentRow = {
      id: newId("comment"),
      project_id: project.id,
      author_type: "user",
      author_id: userId,
      file_path: body.file_path,
      line_start: body.line_start,
      line_end: body.line_end,
      body: body.body,
      created_at: now,
      updated_at: now,
    };
    await c.env.DB.prepare(`INSERT INTO comments (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .bind(
        row.id,
        row.project_id,
        "user",
        userId,
        row.file_path,
        row.line_start,
        row.line_end,
        row.body,
        now,
        now,
      )
      .run();
    return c.json(presentComment(row), 201);
  });

  app.openapi(list, async (c) => {
    const project = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const { limit, cursor, file_path } = c.req.valid("query");
    // AI comment ids are derived from their job (not time-sortable), so order by time with the id
    // as tie-breaker; the cursor carries both.
    const after = decodeCursor(cursor);
    const sep = after?.indexOf("|") ?? -1;
    if (after !== undefined && sep < 1) {
      throw new ApiError("INVALID_CURSOR", "The cursor is not valid; start again without one.");
    }
    const { results } = await c.env.DB.prepare(
      `SELECT ${COLUMNS} FROM comments WHERE project_id = ?1 AND (?2 IS NULL OR file_path = ?2)
       AND (?3 IS NULL OR created_at > ?3 OR (created_at = ?3 AND id > ?4))
       ORDER BY created_at, id LIMIT ?5`,
    )
      .bind(
        project.id,
        file_path ?? null,
        after ? after.slice(0, sep) : null,
        after ? after.slice(sep + 1) : null,
        limit + 1,
      )
      .all<CommentRow>();
    return c.json(
      toPage(results, limit, (r) => `${r.created_at}|${r.id}`, presentComment),
      200,
    );
  });

  app.openapi(update, async (c) => {
    const { userId } = c.get("auth");
    const row = await loadVisibleComment(c.env, userId, c.req.valid("param").id);
    if (row.author_type !== "user" || row.author_id !== userId) {
      throw new ApiError("FORBIDDEN", "Only the author can edit a comment.");
    }
    const next = { ...row, body: c.req.valid("json").body, updated_at: new Date().toISOString() };
    await c.env.DB.prepare("UPDATE comments SET body = ?, updated_at = ? WHERE id = ?")
      .bind(next.body, next.updated_at, row.id)
      .run();
    return c.json(presentComment(next), 200);
  });

  app.openapi(remove, async (c) => {
    const { userId } = c.get("auth");
    const row = await loadVisibleComment(c.env, userId, c.req.valid("param").id);
    // The project owner may clear AI comments from their project; user comments only by their author.
    if (row.author_type === "user" && row.author_id !== userId) {
      throw new ApiError("FORBIDDEN", "Only the author can delete a comment.");
    }
    await c.env.DB.prepare("DELETE FROM comments WHERE id = ?").bind(row.id).run();
    return c.body(null, 204);
  });

  return app;
}
