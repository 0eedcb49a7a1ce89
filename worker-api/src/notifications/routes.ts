import { z } from "@hono/zod-openapi";
import { ConditionalHeaders } from "../../../schema/api/common";
import {
  Notification,
  NotificationPage,
  NotificationsQuery,
  ReadAllResponse,
} from "../../../schema/api/notifications";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const NotificationParams = z.object({ id: z.string().regex(/^ntf_[A-Za-z0-9_-]{16,80}$/) });
const tags = ["Notifications"];

export const list = defineRoute({
  method: "get",
  path: "/notifications",
  tags,
  summary: "Your notifications, newest first (send If-None-Match to get 304 when nothing changed)",
  auth: "user",
  request: { query: NotificationsQuery, headers: ConditionalHeaders },
  responses: {
    200: { description: "A page", ...json(NotificationPage) },
    304: { description: "Unchanged since the etag you sent" },
  },
});

export const readOne = defineRoute({
  method: "post",
  path: "/notifications/{id}/read",
  tags,
  summary: "Mark one notification read",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: NotificationParams },
  responses: { 200: { description: "The notification", ...json(Notification) } },
});

export const readAll = defineRoute({
  method: "post",
  path: "/notifications/read-all",
  tags,
  summary: "Mark every notification read",
  auth: "user",
  responses: { 200: { description: "How many changed", ...json(ReadAllResponse) } },
});
