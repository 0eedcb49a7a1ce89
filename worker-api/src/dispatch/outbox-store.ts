import { and, asc, eq, lte, min, or, sql } from "drizzle-orm";
import { jobOutbox, previewSessions } from "../../../schema/tables";
import type { Db } from "../db";
import { liveAt } from "../preview/session-store";
import { jobIdOf, SWEEP, type WorkMessage } from "./policy";

export type OutboxRow = typeof jobOutbox.$inferSelect;

const at = (now: Date, plusMs: number) => new Date(now.getTime() + plusMs).toISOString();

/**
 * The outbox row of a job being accepted, as a statement for the job's own `db.batch` (so the job
 * never exists without it). Its first look is `SWEEP.firstCheckMs` away.
 */
export function outboxInsert(db: Db, message: WorkMessage, now = new Date()) {
  return db.insert(jobOutbox).values({
    jobId: jobIdOf(message),
    kind: message.kind,
    message: JSON.stringify(message),
    attempts: 0,
    checkAt: at(now, SWEEP.firstCheckMs),
    createdAt: now.toISOString(),
  });
}

/**
 * The outbox row of a live session's follow rebuild (docs/previews.md §6): one per session, holding
 * the `preview.build` message of the newest revision committed since the session last caught up.
 * Its key is not a session id, so it never collides with the session's first-build row.
 */
export const followJobId = (sessionId: string) => `follow:${sessionId}`;

/** The revision a row's `preview.build` message asks for (SQL; null for other kinds). */
const rowRevision = sql`json_extract(${jobOutbox.message}, '$.revision')`;

/**
 * The follow rows of an accepted commit, as one statement for the commit's own `db.batch`: for each
 * session of the project live when the batch runs, its follow row now asks for `revision` (the
 * ordinary `preview.build` message), first looked at `SWEEP.firstCheckMs` away with no re-sends
 * counted. A row that asks for an older revision is replaced (that rebuild is superseded); one
 * that asks for this revision or a newer one is left as it is.
 */
export function followOutboxUpsert(db: Db, projectId: string, revision: number, now = new Date()) {
  const t = previewSessions;
  // drizzle's insert…select cannot build a row from constants and a column: written out, in the
  // outbox's column order. The message is what `enqueue` sends (keys in the schema's order).
  return db
    .insert(jobOutbox)
    .select(
      sql`SELECT 'follow:' || ${t.id}, 'preview.build',
           json_object('kind', 'preview.build', 'session_id', ${t.id}, 'project_id', ${projectId},
                       'revision', CAST(${revision} AS INTEGER)),
           0, ${at(now, SWEEP.firstCheckMs)}, ${now.toISOString()}
         FROM ${t} WHERE ${and(eq(t.projectId, projectId), liveAt(now.toISOString()))}`,
    )
    .onConflictDoUpdate({
      target: jobOutbox.jobId,
      set: {
        message: sql`excluded.message`,
        attempts: 0,
        checkAt: sql`excluded.check_at`,
        createdAt: sql`excluded.created_at`,
      },
      setWhere: sql`${rowRevision} < json_extract(excluded.message, '$.revision')`,
    });
}

/**
 * A consumer began building `revision` of a session that already has a revision of its own (an
 * update, or a commit that landed during its first build): a sign of life for the follow row —
 * only while that row still asks for this revision (a newer commit's row keeps its own first look).
 */
export function followOutboxTouch(db: Db, sessionId: string, revision: number, now = new Date()) {
  return db
    .update(jobOutbox)
    .set({ attempts: 0, checkAt: at(now, SWEEP.leaseMs) })
    .where(and(eq(jobOutbox.jobId, followJobId(sessionId)), eq(rowRevision, revision)));
}

/**
 * What a session's state leaves of its rows: the first-build row goes once it is ready or ended;
 * the follow row once the session ended, or serves (or failed to build) the revision it asks for.
 * `upTo` is that revision bound (null: the session ended, every row goes).
 */
export function outboxSettle(db: Db, sessionId: string, upTo: number | null) {
  const follow = eq(jobOutbox.jobId, followJobId(sessionId));
  return db
    .delete(jobOutbox)
    .where(or(eq(jobOutbox.jobId, sessionId), upTo === null ? follow : and(follow, lte(rowRevision, upTo))));
}

/** Writes a job's outbox row on its own (before the job's row: see `jobOutbox`). */
export async function insertOutboxRow(db: Db, message: WorkMessage, now = new Date()): Promise<void> {
  await outboxInsert(db, message, now).onConflictDoNothing();
}

/** A sign of life (a consumer started the job): the next look is a lease away, re-sends start over. */
export function outboxTouch(db: Db, jobId: string, now = new Date()) {
  return db
    .update(jobOutbox)
    .set({ attempts: 0, checkAt: at(now, SWEEP.leaseMs) })
    .where(eq(jobOutbox.jobId, jobId));
}

export async function touchOutboxRow(db: Db, jobId: string, now = new Date()): Promise<void> {
  await outboxTouch(db, jobId, now);
}

/** The job ended (or is gone): nothing left to deliver. */
export function outboxDelete(db: Db, jobId: string) {
  return db.delete(jobOutbox).where(eq(jobOutbox.jobId, jobId));
}

export async function removeOutboxRow(db: Db, jobId: string): Promise<void> {
  await outboxDelete(db, jobId);
}

/**
 * Deletes a row the sweeper looked at, only as it was read: a follow row that a newer commit has
 * replaced meanwhile asks for another revision, and stays.
 */
export async function removeSweptOutboxRow(
  db: Db,
  seen: Pick<OutboxRow, "jobId" | "message">,
): Promise<void> {
  await db.delete(jobOutbox).where(and(eq(jobOutbox.jobId, seen.jobId), eq(jobOutbox.message, seen.message)));
}

/** The rows due at `now`, oldest first. */
export async function dueOutboxRows(db: Db, now: Date, limit: number): Promise<OutboxRow[]> {
  return db
    .select()
    .from(jobOutbox)
    .where(lte(jobOutbox.checkAt, now.toISOString()))
    .orderBy(asc(jobOutbox.checkAt))
    .limit(limit)
    .all();
}

/** When the next row is due (ms), or null when the outbox is empty. */
export async function nextOutboxCheck(db: Db): Promise<number | null> {
  const row = await db
    .select({ next: min(jobOutbox.checkAt) })
    .from(jobOutbox)
    .get();
  return row?.next ? Date.parse(row.next) : null;
}

/**
 * Moves a row the sweeper looked at to its next look. Only if nobody touched it since it was read
 * (a consumer starting the job meanwhile wins): false when the row changed or is gone.
 */
export async function rescheduleOutboxRow(
  db: Db,
  seen: Pick<OutboxRow, "jobId" | "attempts" | "checkAt">,
  next: { attempts: number; checkAt: Date },
): Promise<boolean> {
  const moved = await db
    .update(jobOutbox)
    .set({ attempts: next.attempts, checkAt: next.checkAt.toISOString() })
    .where(
      and(
        eq(jobOutbox.jobId, seen.jobId),
        eq(jobOutbox.attempts, seen.attempts),
        eq(jobOutbox.checkAt, seen.checkAt),
      ),
    )
    .returning({ jobId: jobOutbox.jobId })
    .get();
  return moved !== undefined;
}

/** One job's row (tests and diagnostics). */
export async function findOutboxRow(db: Db, jobId: string): Promise<OutboxRow | undefined> {
  return db.select().from(jobOutbox).where(eq(jobOutbox.jobId, jobId)).get();
}
