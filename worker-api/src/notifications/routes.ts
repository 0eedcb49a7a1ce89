import { createRoute, z } from "@hono/zod-openapi";
import {
  Notification,
  NotificationPage,
  NotificationsQuery,
  ReadAllResponse,
} from "../../../schema/api/notifications";
import type { Env } from "../env";
import { notFound } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import { requireAuth } from "../middleware/auth";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";

const common = { tags: ["Notifications"], security: bearerAuth, middleware: requireAuth };
const NotificationParams = z.object({ id: z.string().regex(/^ntf_[A-Za-z0-9_-]{16,80}$/) });

type NotificationRow = {
  id: string;
  type: Notification["type"];
  project_id: string | null;
  payload: string;
  created_at: string;
  read_at: string | null;
};

function present(row: NotificationRow): Notification {
  return {
    id: row.id,
    type: row.type,
    project_id: row.project_id,
    payload: JSON.parse(row.payload) as Notification["payload"],
    created_at: row.created_at,
    read_at: row.read_at,
  };
}

const list = createRoute({
  ...common,
  method: "get",
  path: "/notifications",
  summary: "Your notifications, newest first (send If-None-Match to get 304 when nothing changed)",
  request: { query: NotificationsQuery },
  responses: {
    200: { description: "A page", ...json(NotificationPage) },
    304: { description: "Unchanged since the etag you sent" },
    ...errorResponses(400, 401),
  },
});

const readOne = createRoute({
  ...common,
  method: "post",
  path: "/notifications/{id}/read",
  summary: "Mark one notification read",
  request: { params: NotificationParams },
  responses: { 200: { description: "The notification", ...json(Notification) }, ...errorResponses(401, 404) },
});

const readAll = createRoute({
  ...common,
  method: "post",
  path: "/notifications/read-all",
  summary: "Mark every notification read",
  responses: { 200: { description: "How many changed", ...json(ReadAllResponse) }, ...errorResponses(401) },
});

async function unreadCount(env: Env, userId: string): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL",
  )
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export function notificationRoutes() {
  const app = createRouter();

  app.openapi(list, async (c) => {
    const { userId } = c.get("auth");
    const { unread, limit, cursor } = c.req.valid("query");
    // Notification ids are derived from their event, so order by time with the id as tie-breaker.
    const after = decodeCursor(cursor)?.split("|");
    const { results } = await c.env.DB.prepare(
      `SELECT id, type, project_id, payload, created_at, read_at FROM notifications
       WHERE user_id = ?1 AND (?2 = 0 OR read_at IS NULL)
         AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
       ORDER BY created_at DESC, id DESC LIMIT ?5`,
    )
      .bind(userId, unread === "true" ? 1 : 0, after?.[0] ?? null, after?.[1] ?? null, limit + 1)
      .all<NotificationRow>();
    const page = results.slice(0, limit);
    const last = page.at(-1);
    const body = {
      items: page.map(present),
      next_cursor: results.length > limit && last ? encodeCursor(`${last.created_at}|${last.id}`) : null,
      unread_count: await unreadCount(c.env, userId),
    };
    const text = JSON.stringify(body);
    const etag = `"${(await sha256Hex(text)).slice(0, 32)}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, { etag });
    return c.body(text, 200, {
      "content-type": "application/json",
      etag,
      "cache-control": "private, no-cache",
    });
  });

  app.openapi(readAll, async (c) => {
    const result = await c.env.DB.prepare(
      "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
    )
      .bind(new Date().toISOString(), c.get("auth").userId)
      .run();
    return c.json({ updated: result.meta.changes }, 200);
  });

  app.openapi(readOne, async (c) => {
    const { userId } = c.get("auth");
    const { id } = c.req.valid("param");
    // COALESCE keeps the first read time when two devices mark it read at once.
    const row = await c.env.DB.prepare(
      `UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?
       RETURNING id, type, project_id, payload, created_at, read_at`,
    )
      .bind(new Date().toISOString(), id, userId)
      .first<NotificationRow>();
    if (!row) throw notFound("Notification");
    return c.json(present(row), 200);
  });

  return app;
}
