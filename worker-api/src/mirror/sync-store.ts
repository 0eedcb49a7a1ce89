import { and, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { JobError, MirrorSummary, Sync, SyncStats } from "../../../schema/api/mirror";
import { mirrorSyncs } from "../../../schema/tables";
import type { Db } from "../db";
import { notFound } from "../lib/api-error";
import type { ProjectRow } from "../projects/project-store";

export type SyncRow = typeof mirrorSyncs.$inferSelect;

/** The API shape of a sync: stats and error only once it has them. */
export function presentSync(row: SyncRow): z.infer<typeof Sync> {
  return {
    id: row.id,
    project_id: row.projectId,
    status: row.status,
    revision: row.revision,
    ...(row.stats ? { stats: JSON.parse(row.stats) as SyncStats } : {}),
    ...(row.error ? { error: JSON.parse(row.error) as JobError } : {}),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** The API shape of a project's mirror: its current revision and totals, and its latest sync. */
export function presentMirrorSummary(
  project: ProjectRow,
  lastSync: SyncRow | undefined,
): z.infer<typeof MirrorSummary> {
  return {
    revision: project.mirrorRevision,
    branch: project.mirrorBranch,
    commit: project.mirrorCommit,
    file_count: project.mirrorFileCount,
    total_bytes: project.mirrorTotalBytes,
    updated_at: project.mirrorUpdatedAt,
    last_sync: lastSync ? presentSync(lastSync) : null,
  };
}

/** A sync of the project; another project's sync is the same 404 as a missing one. */
export async function loadSync(db: Db, projectId: string, syncId: string): Promise<SyncRow> {
  const row = await db
    .select()
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.id, syncId), eq(mirrorSyncs.projectId, projectId)))
    .get();
  if (!row) throw notFound("Sync");
  return row;
}

/** The sync of the project's newest revision, or undefined for a mirror never committed to. */
export async function latestSync(db: Db, projectId: string): Promise<SyncRow | undefined> {
  return db
    .select()
    .from(mirrorSyncs)
    .where(eq(mirrorSyncs.projectId, projectId))
    .orderBy(desc(mirrorSyncs.revision))
    .limit(1)
    .get();
}
