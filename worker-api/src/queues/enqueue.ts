import type { QueueMessage } from "../../../schema/queue-messages";
import { QUEUES } from "../../../schema/queues";
import type { Env } from "../env";

/** The one way worker-api sends work: each message kind goes to its own queue, typed end to end. */
export async function enqueue(env: Env, message: QueueMessage): Promise<void> {
  // TypeScript cannot tie `message.kind` to the binding's message type through the table, so the
  // queue is widened here; QUEUES maps every kind to the binding typed for exactly that kind.
  const queue = env[QUEUES[message.kind].binding] as Queue<QueueMessage>;
  await queue.send(message, { contentType: "json" });
}
