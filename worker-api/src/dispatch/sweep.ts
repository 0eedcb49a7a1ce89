import type { JobError } from "../../../schema/api/mirror";
import { QueueMessage } from "../../../schema/queue-messages";
import { aiJobs, mirrorSyncs } from "../../../schema/tables";
import { type Db, database } from "../db";
import type { Env } from "../env";
import { recordAiOutcome, recordPreviewOutcome, recordSyncOutcome } from "../jobs/job-outcomes";
import { findJob } from "../jobs/job-state-store";
import { describeError, log } from "../lib/log";
import { hasExpired, isTerminal } from "../preview/session-rules";
import type { PreviewState } from "../preview/session-state";
import { recordTerminalStatus } from "../preview/session-store";
import { previewStub } from "../preview/stub";
import { enqueue } from "../queues/enqueue";
import {
  dueOutboxRows,
  followJobId,
  nextOutboxCheck,
  type OutboxRow,
  removeSweptOutboxRow,
  rescheduleOutboxRow,
} from "./outbox-store";
import { SWEEP, type WorkMessage } from "./policy";

export const STRANDED: JobError = {
  code: "stranded",
  message: "The work was accepted but never ran: its queue message was lost or never delivered.",
};

/**
 * A live session's rebuild of a committed revision that never landed: the session stops saying
 * `updating` and shows this as that revision's build error, over the last good revision it keeps
 * serving.
 */
export const STRANDED_UPDATE: JobError = {
  code: "stranded",
  message:
    "This revision was committed but its rebuild never finished: the build was lost (a crash, or its queue message never delivered) and re-sending it did not help. The preview keeps showing the previous revision; the next commit rebuilds it.",
};

/** What the sweeper did with each row it looked at, and when the next row is due (ms; null: none). */
export type SweepReport = {
  resent: string[];
  stranded: string[];
  removed: string[];
  waiting: string[];
  nextCheckAt: number | null;
};

/**
 * Where a job stands, as far as the sweeper cares: `done` (ended, or for a preview built), `gone`
 * (no such job), `unborn` (a preview whose session object was never created), `behind` (a follow
 * rebuild of a session whose first build is still under way) or `open` (accepted, not done: its
 * message may have been lost).
 */
type Standing = "done" | "gone" | "unborn" | "behind" | "open";

/**
 * Where a live session's follow rebuild of `revision` stands (its row: `followJobId`). Done once
 * the session serves that revision or a newer one, ended, recorded a build error for it (or for a
 * newer one), or began building a newer one (superseded: the newer commit's row covers it).
 * While the first build is still under way the session's own row covers it: the rebuild waits
 * (`behind`). Otherwise it is open — whether its build began and died (`building_revision` still
 * says so, stage `updating`) or its message never arrived.
 */
export function followStanding(state: PreviewState | null, revision: number): Standing {
  if (!state) return "gone";
  if (isTerminal(state.status) || hasExpired(state)) return "done";
  if (state.revision >= revision) return "done";
  if ((state.build_error?.revision ?? 0) >= revision) return "done";
  if ((state.building_revision ?? 0) > revision) return "done";
  if (state.status !== "ready") return "behind";
  return "open";
}

async function standingOf(env: Env, db: Db, message: WorkMessage): Promise<Standing> {
  switch (message.kind) {
    case "repo.sync":
    case "ai.run": {
      const row =
        message.kind === "repo.sync"
          ? await findJob(db, mirrorSyncs, message.sync_id)
          : await findJob(db, aiJobs, message.job_id);
      if (!row) return "gone";
      return row.status === "queued" || row.status === "running" ? "open" : "done";
    }
    case "preview.build": {
      const state = await previewStub(env, message.session_id).get();
      if (!state) return "unborn";
      return state.status === "pending" || state.status === "building" ? "open" : "done";
    }
  }
}

/**
 * Fails a job that never ran, through the same paths a consumer's or a dead letter's report takes.
 * A follow rebuild fails only its revision: the session records it as that revision's build error
 * (`building_revision` and stage `updating` cleared) and keeps serving its last good one.
 */
async function strand(env: Env, message: WorkMessage, follow: boolean): Promise<void> {
  if (follow && message.kind === "preview.build") {
    await recordPreviewOutcome(env, message.session_id, {
      status: "failed",
      error: STRANDED_UPDATE,
      revision: message.revision,
    });
    return;
  }
  switch (message.kind) {
    case "repo.sync":
      await recordSyncOutcome(env, message.sync_id, { status: "failed", error: STRANDED });
      return;
    case "ai.run":
      await recordAiOutcome(env, message.job_id, { status: "failed", error: STRANDED });
      return;
    case "preview.build":
      await recordPreviewOutcome(env, message.session_id, { status: "failed", error: STRANDED });
      return;
  }
}

/**
 * One look at a due outbox row: drop it when its job is done or gone; re-send its message when the
 * job is still open (every consumer is idempotent, so a message that was not lost after all only
 * causes a duplicate delivery that changes nothing); fail the job with `stranded` once
 * `SWEEP.maxResends` re-sends brought no sign of life. A follow row is the same but for two
 * things: it waits without counting while its session's first build is under way, and stranding
 * it records a build error for its revision instead of failing the session. Rows are removed only
 * as they were read, so a newer commit's follow row written meanwhile stays.
 */
async function sweepRow(env: Env, db: Db, row: OutboxRow, now: Date, report: SweepReport): Promise<void> {
  const parsed = QueueMessage.safeParse(JSON.parse(row.message));
  if (!parsed.success || parsed.data.kind === "notify") {
    log("error", "unreadable outbox row dropped", { job_id: row.jobId });
    await removeSweptOutboxRow(db, row);
    report.removed.push(row.jobId);
    return;
  }
  const message = parsed.data;
  // A live session's follow rebuild (its own row: `followJobId`), or null for any other row.
  const followed =
    message.kind === "preview.build" && row.jobId === followJobId(message.session_id) ? message : null;
  const follow = followed !== null;
  const standing = followed
    ? followStanding(await previewStub(env, followed.session_id).get(), followed.revision)
    : await standingOf(env, db, message);
  const age = now.getTime() - Date.parse(row.createdAt);

  // A follow row whose session is gone has nothing to rebuild (its first-build row, if any, ends it).
  if (standing === "done" || (standing === "gone" && (follow || message.kind !== "preview.build"))) {
    await removeSweptOutboxRow(db, row);
    report.removed.push(row.jobId);
    return;
  }
  if (standing === "behind") {
    // Not counted: the first build has its own row and bound; once ready, this rebuild is next.
    const checkAt = new Date(now.getTime() + SWEEP.resendEveryMs);
    await rescheduleOutboxRow(db, row, { attempts: row.attempts, checkAt });
    report.waiting.push(row.jobId);
    return;
  }
  if (standing === "gone" || standing === "unborn") {
    // A preview's row is written before its session: wait for a start that may still be running.
    if (age < SWEEP.orphanGraceMs) {
      const checkAt = new Date(Date.parse(row.createdAt) + SWEEP.orphanGraceMs);
      await rescheduleOutboxRow(db, row, { attempts: row.attempts, checkAt });
      report.waiting.push(row.jobId);
      return;
    }
    // The start died between its D1 row and the session object (or never wrote the row): nobody
    // was told about this session, so its index row is ended (freeing its place under the cap).
    await recordTerminalStatus(db, row.jobId, "failed", now.toISOString());
    await removeSweptOutboxRow(db, row);
    log("warn", "preview start that never created its session ended", { session_id: row.jobId });
    report.removed.push(row.jobId);
    return;
  }

  if (row.attempts >= SWEEP.maxResends) {
    log("error", "stranded job failed", { kind: message.kind, job_id: row.jobId, resends: row.attempts });
    await strand(env, message, follow);
    await removeSweptOutboxRow(db, row);
    report.stranded.push(row.jobId);
    return;
  }
  // Counted first, so a queue that refuses every send still ends the job after maxResends looks.
  const next = { attempts: row.attempts + 1, checkAt: new Date(now.getTime() + SWEEP.resendEveryMs) };
  if (!(await rescheduleOutboxRow(db, row, next))) return; // touched meanwhile: it is alive
  try {
    await enqueue(env, message);
    log("warn", "job re-sent", { kind: message.kind, job_id: row.jobId, resend: next.attempts });
    report.resent.push(row.jobId);
  } catch (err) {
    log("error", "job re-send failed", { kind: message.kind, job_id: row.jobId, ...describeError(err) });
  }
}

/**
 * One pass over the outbox rows due at `now` (at most `SWEEP.batchSize`). A row that cannot be
 * handled now (D1 or an object unreachable) is looked at again a re-send interval later.
 */
export async function sweep(env: Env, now = new Date()): Promise<SweepReport> {
  const db = database(env);
  const report: SweepReport = { resent: [], stranded: [], removed: [], waiting: [], nextCheckAt: null };
  const rows = await dueOutboxRows(db, now, SWEEP.batchSize);
  for (const row of rows) {
    try {
      await sweepRow(env, db, row, now, report);
    } catch (err) {
      log("error", "outbox row not swept", { job_id: row.jobId, ...describeError(err) });
      await rescheduleOutboxRow(db, row, {
        attempts: row.attempts,
        checkAt: new Date(now.getTime() + SWEEP.resendEveryMs),
      }).catch(() => undefined);
    }
  }
  report.nextCheckAt = rows.length === SWEEP.batchSize ? now.getTime() : await nextOutboxCheck(db);
  return report;
}
