import { sql } from "drizzle-orm";
import { notifications, users } from "../../../schema/tables";
import type { Db } from "../db";

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;

/**
 * Stores a notification once: a redelivered id, or a user deleted meanwhile, stores nothing.
 * Returns whether a row was written.
 */
export async function insertNotification(db: Db, notification: NewNotification): Promise<boolean> {
  const { id, userId, type, projectId, payload, createdAt } = notification;
  // INSERT … SELECT … WHERE EXISTS: drizzle's insert cannot make the write conditional on another table.
  const result = await db.run(sql`
    INSERT INTO ${notifications} (id, user_id, type, project_id, payload, created_at)
    SELECT ${id}, ${userId}, ${type}, ${projectId ?? null}, ${payload}, ${createdAt}
    WHERE EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${userId})
    ON CONFLICT DO NOTHING`);
  return result.meta.changes > 0;
}
