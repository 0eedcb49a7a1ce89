import type { NotificationType } from "../../../schema/queue-messages";
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import { describeError, log } from "../lib/log";
import { enqueue } from "../queues/enqueue";

export type NotifyInput = {
  userId: string;
  type: NotificationType;
  projectId?: string;
  payload: Record<string, string | number | boolean | null>;
  /**
   * What makes this notification unique (e.g. `sync:<id>:succeeded`). The notification id is derived
   * from it, so sending the same event twice stores one notification.
   */
  eventKey: string;
};

/** `ntf_` + 32 hex characters (128 bits) of SHA-256 over the user and event key. */
export async function notificationId(userId: string, eventKey: string): Promise<string> {
  return `ntf_${(await sha256Hex(`${userId}\n${eventKey}`)).slice(0, 32)}`;
}

/**
 * Queues a notification. It never throws: a notification that cannot be sent must not fail the
 * work that caused it (spec §7), so a failure is logged and swallowed.
 */
export async function notify(env: Env, input: NotifyInput): Promise<void> {
  try {
    await enqueue(env, {
      kind: "notify",
      notification_id: await notificationId(input.userId, input.eventKey),
      user_id: input.userId,
      type: input.type,
      project_id: input.projectId,
      payload: input.payload,
      created_at: new Date().toISOString(),
    });
  } catch (err) {
    log("error", "notification not queued", {
      type: input.type,
      user_id: input.userId,
      ...describeError(err),
    });
  }
}
