import { and, asc, eq, lte, min } from "drizzle-orm";
import { jobOutbox } from "../../../schema/tables";
import type { Db } from "../db";
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
