import type { JobError, SyncStats } from "../../../schema/api/mirror";
import type { Env } from "../env";
import { notFound } from "../lib/api-error";

export type SyncRow = {
  id: string;
  project_id: string;
  revision: number;
  status: "queued" | "running" | "succeeded" | "failed";
  stats: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
};

export function presentSync(row: SyncRow) {
  return {
    id: row.id,
    project_id: row.project_id,
    status: row.status,
    revision: row.revision,
    ...(row.stats ? { stats: JSON.parse(row.stats) as SyncStats } : {}),
    ...(row.error ? { error: JSON.parse(row.error) as JobError } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function loadSync(env: Env, projectId: string, syncId: string): Promise<SyncRow> {
  const row = await env.DB.prepare("SELECT * FROM mirror_syncs WHERE id = ? AND project_id = ?")
    .bind(syncId, projectId)
    .first<SyncRow>();
  if (!row) throw notFound("Sync");
  return row;
}
