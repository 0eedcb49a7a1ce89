import { and, asc, eq, getTableColumns, gt, or } from "drizzle-orm";
import type { Comment } from "../../../schema/api/comments";
import { comments, projects } from "../../../schema/tables";
import type { Db } from "../db";
import { notFound } from "../lib/api-error";

export type CommentRow = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;

/** Where a page of comments starts: after this comment in (created_at, id) order. */
export type CommentPosition = Pick<CommentRow, "createdAt" | "id">;

/** The API shape of a comment. */
export function presentComment(row: CommentRow): Comment {
  return {
    id: row.id,
    project_id: row.projectId,
    file_path: row.filePath,
    line_start: row.lineStart,
    line_end: row.lineEnd,
    body: row.body,
    author: { type: row.authorType, id: row.authorId },
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/**
 * Stores a comment. An id that exists already stores nothing (AI comments have ids derived from
 * their job, so a redelivered job adds its comment once); returns whether a row was written.
 */
export async function insertComment(db: Db, comment: NewComment): Promise<boolean> {
  const rows = await db.insert(comments).values(comment).onConflictDoNothing().returning({ id: comments.id });
  return rows.length > 0;
}

/** A comment on a project the user owns; anything else is the same 404. */
export async function loadVisibleComment(db: Db, userId: string, commentId: string): Promise<CommentRow> {
  const row = await db
    .select(getTableColumns(comments))
    .from(comments)
    .innerJoin(projects, eq(projects.id, comments.projectId))
    .where(and(eq(comments.id, commentId), eq(projects.ownerId, userId)))
    .get();
  if (!row) throw notFound("Comment");
  return row;
}

/**
 * One page of a project's comments, oldest first, optionally for one file: `limit + 1` rows so the
 * caller can tell a next page exists. AI comment ids are derived from their job (not
 * time-sortable), so the order is by time with the id as tie-breaker.
 */
export async function listProjectComments(
  db: Db,
  projectId: string,
  page: { filePath: string | undefined; after: CommentPosition | undefined; limit: number },
): Promise<CommentRow[]> {
  const { filePath, after, limit } = page;
  return db
    .select()
    .from(comments)
    .where(
      and(
        eq(comments.projectId, projectId),
        filePath === undefined ? undefined : eq(comments.filePath, filePath),
        after === undefined
          ? undefined
          : or(
              gt(comments.createdAt, after.createdAt),
              and(eq(comments.createdAt, after.createdAt), gt(comments.id, after.id)),
            ),
      ),
    )
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(limit + 1)
    .all();
}

/** Replaces a comment's body and returns the updated row. */
export async function updateCommentBody(
  db: Db,
  comment: CommentRow,
  body: string,
  updatedAt: string,
): Promise<CommentRow> {
  const row = await db
    .update(comments)
    .set({ body, updatedAt })
    .where(eq(comments.id, comment.id))
    .returning()
    .get();
  // Deleted between the read and this write: the same 404 as if it had never been there.
  if (!row) throw notFound("Comment");
  return row;
}

export async function deleteComment(db: Db, comment: CommentRow): Promise<void> {
  await db.delete(comments).where(eq(comments.id, comment.id));
}
