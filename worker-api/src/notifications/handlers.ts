import { database } from "../db";
import { notFound } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import type { AppRouteHandler } from "../openapi";
import {
  countUnread,
  listNotifications,
  markAllRead,
  markRead,
  type NotificationPosition,
  presentNotification,
} from "./notification-store";
import type * as routes from "./routes";

/** The list cursor carries the last notification's `created_at|id` (the list's sort key). */
function positionOf(cursor: string | undefined): NotificationPosition | undefined {
  const after = decodeCursor(cursor)?.split("|");
  return after && { createdAt: after[0] ?? "", id: after[1] };
}

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const db = database(c.env);
  const { userId } = c.get("auth");
  const { unread, limit, cursor } = c.req.valid("query");
  const rows = await listNotifications(db, userId, {
    unreadOnly: unread === "true",
    before: positionOf(cursor),
    limit,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const body = {
    items: page.map(presentNotification),
    next_cursor: rows.length > limit && last ? encodeCursor(`${last.createdAt}|${last.id}`) : null,
    unread_count: await countUnread(db, userId),
  };
  // The etag is over the exact body, so an unchanged poll costs the client no body at all.
  const text = JSON.stringify(body);
  const etag = `"${(await sha256Hex(text)).slice(0, 32)}"`;
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
  return c.body(text, 200, {
    "content-type": "application/json",
    etag,
    "cache-control": "private, no-cache",
  });
};

export const readOne: AppRouteHandler<typeof routes.readOne> = async (c) => {
  const row = await markRead(
    database(c.env),
    c.get("auth").userId,
    c.req.valid("param").id,
    new Date().toISOString(),
  );
  if (!row) throw notFound("Notification");
  return c.json(presentNotification(row), 200);
};

export const readAll: AppRouteHandler<typeof routes.readAll> = async (c) => {
  const updated = await markAllRead(database(c.env), c.get("auth").userId, new Date().toISOString());
  return c.json({ updated }, 200);
};
