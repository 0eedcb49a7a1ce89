import { comments } from "../../../schema/tables";
import type { Db } from "../db";

export type CommentRow = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;

/**
 * Stores a comment. An id that exists already stores nothing (AI comments have ids derived from
 * their job, so a redelivered job adds its comment once); returns whether a row was written.
 */
export async function insertComment(db: Db, comment: NewComment): Promise<boolean> {
  const rows = await db.insert(comments).values(comment).onConflictDoNothing().returning({ id: comments.id });
  return rows.length > 0;
}
