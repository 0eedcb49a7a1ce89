import { database } from "../db";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import type { AppRouteHandler } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import {
  type CommentPosition,
  type CommentRow,
  deleteComment,
  insertComment,
  listProjectComments,
  loadVisibleComment,
  presentComment,
  updateCommentBody,
} from "./comment-store";
import type * as routes from "./routes";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const db = database(c.env);
  const { userId } = c.get("auth");
  const project = await loadOwnedProject(db, userId, c.req.valid("param").id);
  const body = c.req.valid("json");
  const now = new Date().toISOString();
  const row: CommentRow = {
    id: newId("comment"),
    projectId: project.id,
    authorType: "user",
    authorId: userId,
    filePath: body.file_path,
    lineStart: body.line_start,
    lineEnd: body.line_end,
    body: body.body,
    createdAt: now,
    updatedAt: now,
  };
  await insertComment(db, row);
  return c.json(presentComment(row), 201);
};

/** The list cursor carries the last comment's `created_at|id` (the list's sort key). */
function positionOf(cursor: string | undefined): CommentPosition | undefined {
  const after = decodeCursor(cursor);
  if (after === undefined) return undefined;
  const sep = after.indexOf("|");
  if (sep < 1) throw new ApiError("INVALID_CURSOR", "The cursor is not valid; start again without one.");
  return { createdAt: after.slice(0, sep), id: after.slice(sep + 1) };
}

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const db = database(c.env);
  const project = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const { limit, cursor, file_path } = c.req.valid("query");
  const rows = await listProjectComments(db, project.id, {
    filePath: file_path,
    after: positionOf(cursor),
    limit,
  });
  return c.json(
    toPage(rows, limit, (r) => `${r.createdAt}|${r.id}`, presentComment),
    200,
  );
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const db = database(c.env);
  const { userId } = c.get("auth");
  const row = await loadVisibleComment(db, userId, c.req.valid("param").id);
  if (row.authorType !== "user" || row.authorId !== userId) {
    throw new ApiError("FORBIDDEN", "Only the author can edit a comment.");
  }
  const next = await updateCommentBody(db, row, c.req.valid("json").body, new Date().toISOString());
  return c.json(presentComment(next), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const db = database(c.env);
  const { userId } = c.get("auth");
  const row = await loadVisibleComment(db, userId, c.req.valid("param").id);
  // The project owner may clear AI comments from their project; user comments only by their author.
  if (row.authorType === "user" && row.authorId !== userId) {
    throw new ApiError("FORBIDDEN", "Only the author can delete a comment.");
  }
  await deleteComment(db, row);
  return c.body(null, 204);
};
