import type { NotifyMessage } from "../../../schema/queue-messages";
import type { Env } from "../env";

/** notifications: stores the notification through the API; its id makes redelivery harmless. */
export async function handleNotify(message: NotifyMessage, env: Env): Promise<void> {
  await env.API.createNotification(message);
}
