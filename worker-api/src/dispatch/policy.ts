import type { MessageOf } from "../../../schema/queue-messages";

/** The queue messages that start an accepted job (notifications are not jobs). */
export type WorkMessage = MessageOf<"repo.sync" | "ai.run" | "preview.build">;

/** The id of the job a work message starts: the outbox row's key. */
export function jobIdOf(message: WorkMessage): string {
  switch (message.kind) {
    case "repo.sync":
      return message.sync_id;
    case "ai.run":
      return message.job_id;
    case "preview.build":
      return message.session_id;
  }
}

/**
 * When the sweeper looks at accepted work and what it does then (docs/reliability.md has the bound
 * these add up to). A "sign of life" is the job being accepted or a consumer starting it (or, for
 * a preview, reporting a stage); a healthy job is delivered within milliseconds of being accepted,
 * so its outbox row is touched or gone long before the sweeper would look at it.
 */
export const SWEEP = {
  /** The first look at an accepted job: its message has had this long to be delivered. */
  firstCheckMs: 20_000,
  /** Between two re-sends of a job that still shows no sign of life. */
  resendEveryMs: 20_000,
  /**
   * How long a job a consumer started may run (or wait for its queue retry) before the sweeper looks
   * again. Longer than the first look, so a slow but healthy job is rarely delivered twice; a job
   * whose queue retry waits longer than this (the 80 s and 160 s steps of the backoff) gets one
   * extra delivery, which changes nothing (every handler is idempotent) and counts as a sign of life.
   */
  leaseMs: 60_000,
  /** Re-sends without a sign of life before the job is failed with `stranded`. */
  maxResends: 5,
  /**
   * An outbox row whose job does not exist (yet) is kept this long: a preview's row is written
   * just before its session, whose insert may still be on its way (or lost a race for the cap).
   */
  orphanGraceMs: 60_000,
  /** The sweeper's alarm period while anything is in the outbox. */
  tickMs: 10_000,
  /** After the last `ensureArmed`, the alarm keeps running this long even with an empty outbox. */
  lingerMs: 60_000,
  /** Rows handled per alarm; more wait for the next one, a second later. */
  batchSize: 50,
} as const;
