import { QueueMessage } from "../../schema/queue-messages";
import type { Env } from "./env";
import { handleAiRun } from "./handlers/ai-run";
import { handleDeadLetter } from "./handlers/dead-letter";
import { handleNotify } from "./handlers/notify";
import { handlePreviewBuild } from "./handlers/preview-build";
import { handleRepoSync } from "./handlers/repo-sync";
import { errorFields, log } from "./log";
import { retryDelaySeconds } from "./retry";

export const DEAD_LETTER_QUEUE = "hivesync-dead-letters";

/** Runs one validated message with the handler for its kind. */
async function run(message: QueueMessage, env: Env, delivery: { attempts: number }): Promise<void> {
  switch (message.kind) {
    case "repo.sync":
      return handleRepoSync(message, env);
    case "ai.run":
      return handleAiRun(message, env, delivery);
    case "notify":
      return handleNotify(message, env);
    case "preview.build":
      return handlePreviewBuild(message, env);
  }
}

/**
 * Handles a batch message by message: each is validated, routed by `kind`, and acked or retried on
 * its own (one failure never redelivers its neighbours). An unparseable message is acked and logged
 * — retrying it could never succeed. Retries back off exponentially; after `max_retries` the queue
 * hands the message to the dead-letter queue.
 */
export async function dispatchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  for (const msg of batch.messages) {
    try {
      if (deadLetters) {
        await handleDeadLetter(msg.body, env);
        msg.ack();
        continue;
      }
      const parsed = QueueMessage.safeParse(msg.body);
      if (!parsed.success) {
        log("error", "malformed message acked", {
          queue: batch.queue,
          message_id: msg.id,
          issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
        });
        msg.ack();
        continue;
      }
      await run(parsed.data, env, { attempts: msg.attempts });
      msg.ack();
    } catch (err) {
      const delaySeconds = retryDelaySeconds(msg.attempts);
      log("warn", "message failed; will retry", {
        queue: batch.queue,
        message_id: msg.id,
        attempts: msg.attempts,
        delay_seconds: delaySeconds,
        ...errorFields(err),
      });
      msg.retry({ delaySeconds });
    }
  }
}
