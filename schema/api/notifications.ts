import { z } from "zod";
import { NotificationPayload, NotificationType } from "../queue-messages";
import { Timestamp } from "./common";

export const Notification = z
  .object({
    id: z.string(),
    type: NotificationType,
    project_id: z.string().nullable(),
    payload: NotificationPayload,
    created_at: Timestamp,
    read_at: Timestamp.nullable(),
  })
  .meta({ id: "Notification" });
export type Notification = z.infer<typeof Notification>;

export const NotificationsQuery = z.object({
  unread: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

export const NotificationPage = z
  .object({
    items: z.array(Notification),
    next_cursor: z.string().nullable(),
    unread_count: z.number().int(),
  })
  .meta({ id: "NotificationPage" });

export const ReadAllResponse = z.object({ updated: z.number().int() }).meta({ id: "ReadAllResponse" });
