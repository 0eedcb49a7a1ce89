import type { Project } from "../../../schema/api/projects";
import type { Env } from "../env";
import { notFound } from "../lib/api-error";

export type ProjectRow = {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  framework: Project["framework"];
  entry: string | null;
  mirror_revision: number;
  mirror_branch: string | null;
  mirror_commit: string | null;
  mirror_file_count: number;
  mirror_total_bytes: number;
  mirror_updated_at: string | null;
  created_at: string;
  updated_at: string;
};

export const PROJECT_COLUMNS =
  "id, owner_id, name, description, framework, entry, mirror_revision, mirror_branch, mirror_commit, mirror_file_count, mirror_total_bytes, mirror_updated_at, created_at, updated_at";

export function presentProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    framework: row.framework,
    entry: row.entry,
    mirror_revision: row.mirror_revision,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * The project if `userId` owns it. Someone else's project and a missing one both throw the same
 * 404, so nobody can probe for other users' project IDs (spec §2, §10).
 */
export async function loadOwnedProject(env: Env, userId: string, projectId: string): Promise<ProjectRow> {
  const row = await env.DB.prepare(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ? AND owner_id = ?`)
    .bind(projectId, userId)
    .first<ProjectRow>();
  if (!row) throw notFound("Project");
  return row;
}
