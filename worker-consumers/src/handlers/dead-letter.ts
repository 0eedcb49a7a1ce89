import type { JobError } from "../../../schema/api/mirror";
import { QueueMessage } from "../../../schema/queue-messages";
import type { Env } from "../env";
import { log } from "../log";

const DEAD_LETTERED: JobError = {
  code: "dead_lettered",
  message: "The work failed on every retry and was given up.",
};

/**
 * dead-letters: whatever exhausted its retries. Its job or sync is marked failed with
 * `dead_lettered` (which notifies the user) and the loss is logged for operators. Both switches
 * end in a `never` check: a message kind added without a dead-letter branch fails to compile.
 */
export async function handleDeadLetter(body: unknown, env: Env): Promise<void> {
  const parsed = QueueMessage.safeParse(body);
  if (!parsed.success) {
    log("error", "dead letter with an unreadable body dropped");
    return;
  }
  const message = parsed.data;
  log("error", "dead letter", { kind: message.kind, ...idsOf(message) });
  switch (message.kind) {
    case "ai.run":
      await env.API.finishAiJob(message.job_id, { status: "failed", error: DEAD_LETTERED });
      return;
    case "repo.sync":
      await env.API.recordSyncResult(message.sync_id, { status: "failed", error: DEAD_LETTERED });
      return;
    case "preview.build":
      // The revision matters: a ready session that was updating stays on its last good revision
      // and records this failure for the update, instead of waiting as "updating" forever.
      await env.API.reportPreviewResult(message.session_id, {
        status: "failed",
        error: DEAD_LETTERED,
        revision: message.revision,
      });
      return;
    case "notify":
      // A notification that could not be stored is lost by design: it must never fail anything else.
      return;
    default:
      return unhandled(message);
  }
}

function idsOf(message: QueueMessage): Record<string, string> {
  switch (message.kind) {
    case "ai.run":
      return { job_id: message.job_id };
    case "repo.sync":
      return { sync_id: message.sync_id };
    case "preview.build":
      return { session_id: message.session_id };
    case "notify":
      return { notification_id: message.notification_id };
    default:
      return unhandled(message);
  }
}

/** Compiles only when every kind has its branch; unreachable for a message that passed the schema. */
function unhandled(message: never): never {
  throw new Error(`no dead-letter branch for kind ${(message as { kind: string }).kind}`);
}
