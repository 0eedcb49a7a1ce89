import { and, count, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Notification } from "../../../schema/api/notifications";
import { notifications, users } from "../../../schema/tables";
import type { Db } from "../db";

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;

/** Where a page of notifications starts: before this one in (created_at, id) order. */
export type NotificationPosition = { createdAt: string; id: string | undefined };

/** The API shape of a notification. */
export function presentNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    // A plain text column: only Internal writes it, with a type the queue message schema checked.
    type: row.type as Notification["type"],
    project_id: row.projectId,
    payload: JSON.parse(row.payload) as Notification["payload"],
    created_at: row.createdAt,
    read_at: row.readAt,
  };
}

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

/**
 * One page of a user's notifications, newest first: `limit + 1` rows so the caller can tell a next
 * page exists. Notification ids are derived from their event, so the order is by time with the id
 * as tie-breaker.
 */
export async function listNotifications(
  db: Db,
  userId: string,
  page: { unreadOnly: boolean; before: NotificationPosition | undefined; limit: number },
): Promise<NotificationRow[]> {
  const { unreadOnly, before, limit } = page;
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        unreadOnly ? isNull(notifications.readAt) : undefined,
        before === undefined
          ? undefined
          : or(
              lt(notifications.createdAt, before.createdAt),
              before.id === undefined
                ? undefined
                : and(eq(notifications.createdAt, before.createdAt), lt(notifications.id, before.id)),
            ),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit + 1)
    .all();
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .get();
  return row?.n ?? 0;
}

/** Marks one of the user's notifications read and returns it, or undefined when it is not theirs. */
export async function markRead(
  db: Db,
  userId: string,
  notificationId: string,
  readAt: string,
): Promise<NotificationRow | undefined> {
  // COALESCE keeps the first read time when two devices mark it read at once (drizzle has no coalesce).
  const firstReadAt = sql`COALESCE(${notifications.readAt}, ${readAt})`;
  return db
    .update(notifications)
    .set({ readAt: firstReadAt })
    .where(and(eq(notifications.id, notificationId), eq(notifications.userId, userId)))
    .returning()
    .get();
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllRead(db: Db, userId: string, readAt: string): Promise<number> {
  const result = await db
    .update(notifications)
    .set({ readAt })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return result.meta.changes;
}
