import {
  NotificationPage as NotificationPageSchema,
  Notification as NotificationSchema,
  ReadAllResponse,
} from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { Notification, NotificationPage, PageParams } from "../types";
import { seg } from "../url";
import { readJson } from "../validate";
import { call } from "./call";

/** Which notifications to list. */
export type NotificationQuery = PageParams & { unread?: boolean };

/**
 * A conditional read: the new value and its etag, or "unchanged since the etag you sent" (304).
 */
export type Conditional<T> =
  | { modified: true; etag: string | null; value: T }
  | { modified: false; etag: string | null };

/**
 * Notifications: `client.notifications`.
 *
 * @example
 * const { items, unread_count } = await client.notifications.list({ unread: true });
 */
export class NotificationsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * One page, newest first (`GET /notifications`).
   *
   * @example
   * const page = await client.notifications.list({ limit: 20 });
   */
  list(query: NotificationQuery = {}, options?: CallOptions): Promise<NotificationPage> {
    return this.#t.json(
      { method: "GET", path: "/notifications", query: toQuery(query), ...call(options) },
      NotificationPageSchema,
    );
  }

  /**
   * The same list, conditionally: with the etag of the last answer the server says 304 when
   * nothing changed, which costs almost nothing. The basis of the notification poller.
   *
   * @example
   * const first = await client.notifications.listIfChanged({}, null);
   * const again = await client.notifications.listIfChanged({}, first.etag); // { modified: false } if unchanged
   */
  listIfChanged(
    query: NotificationQuery,
    etag: string | null,
    options?: CallOptions,
  ): Promise<Conditional<NotificationPage>> {
    return this.#t.request(
      {
        method: "GET",
        path: "/notifications",
        query: toQuery(query),
        headers: etag ? { "if-none-match": etag } : {},
        acceptStatus: [304],
        ...call(options),
      },
      async (res): Promise<Conditional<NotificationPage>> => {
        const newEtag = res.headers.get("etag") ?? etag;
        if (res.status === 304) {
          await res.body?.cancel();
          return { modified: false, etag: newEtag };
        }
        return {
          modified: true,
          etag: res.headers.get("etag"),
          value: await readJson(res, NotificationPageSchema),
        };
      },
    );
  }

  /**
   * Marks one notification read (`POST /notifications/:id/read`).
   *
   * @example
   * await client.notifications.read(notification.id);
   */
  read(notificationId: string, options?: CallOptions): Promise<Notification> {
    return this.#t.json(
      { method: "POST", path: `/notifications/${seg(notificationId)}/read`, ...call(options) },
      NotificationSchema,
    );
  }

  /**
   * Marks every notification read; returns how many changed (`POST /notifications/read-all`).
   *
   * @example
   * const { updated } = await client.notifications.readAll();
   */
  readAll(options?: CallOptions): Promise<{ updated: number }> {
    return this.#t.json(
      { method: "POST", path: "/notifications/read-all", ...call(options) },
      ReadAllResponse,
    );
  }
}

function toQuery(query: NotificationQuery) {
  return {
    unread: query.unread === undefined ? undefined : String(query.unread),
    limit: query.limit,
    cursor: query.cursor,
  };
}
