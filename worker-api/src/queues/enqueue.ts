import { QUEUE_OF, type QueueMessage } from "../../../schema/queue-messages";
import type { Env } from "../env";

/** The one way worker-api sends work: each message kind goes to its own queue, typed end to end. */
export async function enqueue(env: Env, message: QueueMessage): Promise<void> {
  await env[QUEUE_OF[message.kind]].send(message, { contentType: "json" });
}
