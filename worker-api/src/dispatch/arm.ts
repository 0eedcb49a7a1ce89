import type { Db } from "../db";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { insertOutboxRow } from "./outbox-store";
import type { WorkMessage } from "./policy";

/** The one sweeper object. */
export function sweeperStub(env: Pick<Env, "JOB_SWEEPER">) {
  return env.JOB_SWEEPER.get(env.JOB_SWEEPER.idFromName("sweeper"));
}

/**
 * Arms the sweeper before a job is accepted, so the job's outbox row is covered even if the process
 * dies right after writing it. Never throws: a sweeper that cannot be reached must not refuse work
 * (the per-minute cron re-arms it), so the failure is logged.
 */
export async function armSweeper(env: Env): Promise<void> {
  try {
    await sweeperStub(env).ensureArmed();
  } catch (err) {
    log("error", "sweeper not armed", describeError(err));
  }
}

/**
 * For work whose own row cannot share a batch with its outbox row (a preview's cap-checked insert):
 * arms the sweeper and writes the outbox row first. A row whose job never appears is dropped by
 * the sweeper after `SWEEP.orphanGraceMs`.
 */
export async function recordAcceptedWork(env: Env, db: Db, message: WorkMessage): Promise<void> {
  await armSweeper(env);
  await insertOutboxRow(db, message);
}

/**
 * The per-minute cron's backstop: sets the sweeper's alarm if none is set. An empty outbox costs
 * one sweep (one indexed query) and the alarm stops again.
 */
export async function kickSweeper(env: Env): Promise<void> {
  try {
    await sweeperStub(env).kick();
  } catch (err) {
    log("error", "sweeper not kicked", describeError(err));
  }
}
