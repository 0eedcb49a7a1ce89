import type { QueueMessageKind } from "./queue-messages";

/**
 * Every work queue, keyed by the one message kind it carries: worker-api's producer binding and the
 * queue's name. The single list the rest derives from or is checked against: worker-api's `Env`
 * and `enqueue`, the queue checks of `/health/deep` and the test config's producers are built from
 * it; both wrangler.toml files are checked against it by `npm run check`
 * (scripts/check-wrangler-config.ts). A message kind without a queue fails to compile.
 */
export const QUEUES = {
  "preview.build": { binding: "PREVIEW_TASKS", queue: "hivesync-preview-tasks" },
  "ai.run": { binding: "AI_JOBS", queue: "hivesync-ai-jobs" },
  "repo.sync": { binding: "REPO_SYNC", queue: "hivesync-repo-sync" },
  notify: { binding: "NOTIFICATIONS", queue: "hivesync-notifications" },
} as const satisfies { [K in QueueMessageKind]: { binding: string; queue: string } };

export type QueueBinding = (typeof QUEUES)[QueueMessageKind]["binding"];

/** The work queues in table order. */
export const QUEUE_LIST = Object.values(QUEUES) as readonly (typeof QUEUES)[QueueMessageKind][];

/** Where every work queue hands a message after its last retry; its consumer marks the work failed. */
export const DEAD_LETTER_QUEUE = "hivesync-dead-letters";

/** `max_retries` of every consumer: a message is delivered at most 1 + 5 times, then dead-lettered. */
export const MAX_RETRIES = 5;
