import { type MessageOf, QueueMessage, type QueueMessageKind } from "../../schema/queue-messages";
import { DEAD_LETTER_QUEUE } from "../../schema/queues";
import type { Env } from "./env";
import { type FaultPlan, faultPlan, maybeFail } from "./fault-injection";
import { handleAiRun } from "./handlers/ai-run";
import { handleDeadLetter } from "./handlers/dead-letter";
import { handleNotify } from "./handlers/notify";
import { handlePreviewBuild } from "./handlers/preview-build";
import { handleRepoSync } from "./handlers/repo-sync";
import { errorFields, log } from "./log";
import { retryDelaySeconds } from "./retry";

type Delivery = { attempts: number };
type Handler<M> = (message: M, env: Env, delivery: Delivery) => Promise<void>;

/** The handler of every message kind: a kind added to QueueMessage without one fails to compile. */
const HANDLERS: { [K in QueueMessageKind]: Handler<MessageOf<K>> } = {
  "preview.build": handlePreviewBuild,
  "ai.run": handleAiRun,
  "repo.sync": handleRepoSync,
  notify: handleNotify,
};

/** Runs one validated message with the handler for its kind. */
function run<K extends QueueMessageKind>(
  kind: K,
  message: MessageOf<K>,
  env: Env,
  delivery: Delivery,
): Promise<void> {
  const handler: Handler<MessageOf<K>> = HANDLERS[kind];
  return handler(message, env, delivery);
}

/**
 * Handles one delivery: validate, route by `kind`, then ack — or retry with a growing delay when
 * the handler throws. An unparseable message is acked and logged: retrying could never fix it.
 */
async function handleMessage(
  msg: Message<unknown>,
  queue: string,
  env: Env,
  faults: FaultPlan | null,
): Promise<void> {
  try {
    if (queue === DEAD_LETTER_QUEUE) {
      await handleDeadLetter(msg.body, env);
      msg.ack();
      return;
    }
    const parsed = QueueMessage.safeParse(msg.body);
    if (!parsed.success) {
      log("error", "malformed message acked", {
        queue,
        message_id: msg.id,
        issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
      });
      msg.ack();
      return;
    }
    if (faults) maybeFail(faults.before, "before", msg.attempts);
    await run(parsed.data.kind, parsed.data, env, { attempts: msg.attempts });
    if (faults) maybeFail(faults.after, "after", msg.attempts);
    msg.ack();
  } catch (err) {
    const delaySeconds = retryDelaySeconds(msg.attempts, Number(env.RETRY_BASE_DELAY_SECONDS) || undefined);
    log("warn", "message failed; will retry", {
      queue,
      message_id: msg.id,
      attempts: msg.attempts,
      delay_seconds: delaySeconds,
      ...errorFields(err),
    });
    msg.retry({ delaySeconds });
  }
}

/**
 * Handles a batch: every message on its own and concurrently, so one slow or failing message
 * neither delays nor redelivers its neighbours. After `max_retries` the queue hands a message to
 * the dead-letter queue.
 */
export async function dispatchBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const faults = faultPlan(env);
  await Promise.all(batch.messages.map((msg) => handleMessage(msg, batch.queue, env, faults)));
}
