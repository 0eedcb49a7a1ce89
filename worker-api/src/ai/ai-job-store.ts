import { and, desc, eq, lt } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AiJob, AiResult } from "../../../schema/api/ai";
import type { JobError } from "../../../schema/api/mirror";
import { aiJobs } from "../../../schema/tables";
import type { Db } from "../db";
import { notFound } from "../lib/api-error";

export type AiJobRow = typeof aiJobs.$inferSelect;
export type NewAiJob = typeof aiJobs.$inferInsert;

/** The job's selection, or null when it documents the whole file. */
export function selectionOf(row: AiJobRow): AiJob["selection"] {
  return row.selectionStart !== null && row.selectionEnd !== null
    ? { start_line: row.selectionStart, end_line: row.selectionEnd }
    : null;
}

/** The API shape of a job: its result and error only once it has them. */
export function presentAiJob(row: AiJobRow): AiJob {
  return {
    id: row.id,
    project_id: row.projectId,
    type: row.type,
    file_path: row.filePath,
    selection: selectionOf(row),
    post_as_comment: row.postAsComment,
    status: row.status,
    ...(row.result ? { result: JSON.parse(row.result) as AiResult } : {}),
    ...(row.error ? { error: JSON.parse(row.error) as JobError } : {}),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** Inserts a job, with `also` (its dispatch outbox row) in the same batch: one transaction. */
export async function insertAiJob(db: Db, job: NewAiJob, ...also: BatchItem<"sqlite">[]): Promise<void> {
  await db.batch([db.insert(aiJobs).values(job), ...also]);
}

/** Takes back a job that never reached its queue. */
export async function deleteAiJob(db: Db, jobId: string): Promise<void> {
  await db.delete(aiJobs).where(eq(aiJobs.id, jobId));
}

/** One of the user's jobs; someone else's job is the same 404 as a missing one. */
export async function loadUserAiJob(db: Db, userId: string, jobId: string): Promise<AiJobRow> {
  const row = await db
    .select()
    .from(aiJobs)
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.userId, userId)))
    .get();
  if (!row) throw notFound("Job");
  return row;
}

/** One page of the user's jobs on a project, newest first: `limit + 1` rows, so a next page shows. */
export async function listProjectAiJobs(
  db: Db,
  userId: string,
  projectId: string,
  page: { after: string | undefined; limit: number },
): Promise<AiJobRow[]> {
  return db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.userId, userId),
        eq(aiJobs.projectId, projectId),
        page.after === undefined ? undefined : lt(aiJobs.id, page.after),
      ),
    )
    .orderBy(desc(aiJobs.id))
    .limit(page.limit + 1)
    .all();
}
