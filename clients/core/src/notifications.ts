// Notification helpers shared by the desktop and mobile clients (both re-export this file).
import type { NotificationQuery } from "./api/notifications";
import type { HiveSyncClient } from "./client";
import { EtagPoller } from "./etag-poller";
import type { CallOptions } from "./transport";
import type { Notification, NotificationPage } from "./types";

/**
 * One page of the signed-in user's notifications, newest first.
 *
 * @example
 * const { items, unread_count } = await listNotifications(client, { unread: true });
 */
export function listNotifications(
  client: HiveSyncClient,
  query: NotificationQuery = {},
  options?: CallOptions,
): Promise<NotificationPage> {
  return client.notifications.list(query, options);
}

/**
 * Marks one notification read.
 *
 * @example
 * await markRead(client, notification.id);
 */
export function markRead(
  client: HiveSyncClient,
  notificationId: string,
  options?: CallOptions,
): Promise<Notification> {
  return client.notifications.read(notificationId, options);
}

/**
 * Marks all notifications read; returns how many changed.
 *
 * @example
 * const updated = await markAllRead(client);
 */
export async function markAllRead(client: HiveSyncClient, options?: CallOptions): Promise<number> {
  return (await client.notifications.readAll(options)).updated;
}

/** How a {@link NotificationPoller} polls and reports. */
export type NotificationPollerOptions = NotificationQuery & {
  /** Every changed page, with the notifications not seen in an earlier page. */
  onChange?: (page: NotificationPage, added: Notification[]) => void;
  /** Each notification not seen before, oldest first (the first page counts as new). */
  onNotification?: (notification: Notification) => void;
  onError?: (error: unknown) => void;
  /** Pause between polls (default 10 s). */
  intervalMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

/**
 * Polls the notification list with `etag`/`If-None-Match`, so an idle poll is a bodiless 304, and
 * reports what is new. Notifications are not pushed in this API version: every client polls.
 *
 * @example
 * const poller = new NotificationPoller(client, {
 *   unread: true,
 *   onNotification: (n) => console.log(n.type, n.payload),
 * });
 * const stop = poller.start();
 */
export class NotificationPoller extends EtagPoller<NotificationPage> {
  readonly #seen = new Set<string>();

  constructor(client: HiveSyncClient, options: NotificationPollerOptions = {}) {
    const query: NotificationQuery = { unread: options.unread, limit: options.limit };
    super({
      fetch: (etag, signal) => client.notifications.listIfChanged(query, etag, { signal }),
      onChange: (page) => {
        const added = page.items.filter((n) => !this.#seen.has(n.id));
        for (const n of added) this.#seen.add(n.id);
        options.onChange?.(page, added);
        for (const n of [...added].reverse()) options.onNotification?.(n);
      },
      onError: options.onError,
      intervalMs: options.intervalMs,
      sleep: options.sleep,
    });
  }
}
