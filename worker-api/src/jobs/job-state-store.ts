import { and, eq, inArray } from "drizzle-orm";
import type { JobError } from "../../../schema/api/mirror";
import { type aiJobs, mirrorSyncs } from "../../../schema/tables";
import type { Db } from "../db";
import { outboxDelete, outboxTouch, removeOutboxRow } from "../dispatch/outbox-store";

/**
 * The jobs worker-consumers works through: each row moves queued → running → succeeded | failed,
 * and only forward. Every move is a conditional update, so a redelivered message (queues deliver at
 * least once) or a late report changes nothing. Each move also keeps the job's dispatch outbox row
 * (dispatch/outbox-store) in step, in the same batch: starting the job is a sign of life for the
 * sweeper, and a finished job has nothing left to deliver.
 */
export type JobTable = typeof mirrorSyncs | typeof aiJobs;
export type JobRow<T extends JobTable> = T["$inferSelect"];

/** How a job ended: its output (stored as JSON in the table's output column) or why it failed. */
export type JobOutcome<Output> =
  | { status: "succeeded"; output: Output }
  | { status: "failed"; error: JobError };

/** The states a job can still leave; `succeeded` and `failed` are final. */
const UNFINISHED: ("queued" | "running")[] = ["queued", "running"];

/** The column a table keeps a success's output in: a sync's stats, an AI job's result. */
const outputColumn = (table: JobTable) => (table === mirrorSyncs ? "stats" : "result");

function unfinished(table: JobTable, id: string) {
  return and(eq(table.id, id), inArray(table.status, UNFINISHED));
}

// Below, `T` only types the answer: drizzle builds over the union of the two tables (their shared
// columns), not over a type parameter, so each function widens `table` to `JobTable` first.

/** The job's row, or undefined. */
export async function findJob<T extends JobTable>(
  db: Db,
  table: T,
  id: string,
): Promise<JobRow<T> | undefined> {
  const t: JobTable = table;
  return (await db.select().from(t).where(eq(t.id, id)).get()) as JobRow<T> | undefined;
}

/**
 * Marks a job running and returns its row; undefined when it needs no more work (finished, or gone
 * with its project). A redelivery of a running job starts it again: its first run may have died.
 * Its outbox row is touched (the sweeper leaves it alone for a lease), or dropped when the job
 * needs no work.
 */
export async function startJob<T extends JobTable>(
  db: Db,
  table: T,
  id: string,
): Promise<JobRow<T> | undefined> {
  const t: JobTable = table;
  const now = new Date();
  const [rows] = await db.batch([
    db
      .update(t)
      .set({ status: "running", updatedAt: now.toISOString() })
      .where(unfinished(t, id))
      .returning(),
    outboxTouch(db, id, now),
  ]);
  const row = rows[0] as JobRow<T> | undefined;
  if (!row) await removeOutboxRow(db, id);
  return row;
}

/**
 * Records a job's end state once. `changed` says whether this call moved it; `row` is the job as it
 * is now (undefined when gone), so a duplicate report can still tell which end the job reached.
 * The job's outbox row goes in the same batch: a finished job has nothing left to deliver.
 */
export async function finishJob<T extends JobTable>(
  db: Db,
  table: T,
  id: string,
  outcome: JobOutcome<unknown>,
): Promise<{ changed: boolean; row: JobRow<T> | undefined }> {
  const t: JobTable = table;
  const output = outputColumn(t);
  const [rows] = await db.batch([
    db
      .update(t)
      .set({
        status: outcome.status,
        [output]: outcome.status === "succeeded" ? JSON.stringify(outcome.output) : null,
        error: outcome.status === "failed" ? JSON.stringify(outcome.error) : null,
        updatedAt: new Date().toISOString(),
      })
      .where(unfinished(t, id))
      .returning(),
    outboxDelete(db, id),
  ]);
  const moved = rows[0];
  if (moved) return { changed: true, row: moved as JobRow<T> };
  return { changed: false, row: await findJob(db, table, id) };
}
