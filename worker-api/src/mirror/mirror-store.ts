import type { MirrorChange } from "../../../schema/api/mirror";
import type { Config } from "../config";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { chunkForD1, placeholders } from "../lib/d1";
import { newId } from "../lib/ids";
import type { ProjectRow } from "../projects/project-store";

export type MirrorFileRow = { path: string; sha256: string; size: number };

/** Sizes of the uploaded blobs among `hashes` (one indexed query per ≤ 99 hashes). */
async function blobSizes(env: Env, projectId: string, hashes: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const chunk of chunkForD1([...new Set(hashes)], 1, 1)) {
    const { results } = await env.DB.prepare(
      `SELECT sha256, size FROM mirror_blobs WHERE project_id = ? AND sha256 IN (${placeholders(chunk.length)})`,
    )
      .bind(projectId, ...chunk)
      .all<{ sha256: string; size: number }>();
    for (const row of results) sizes.set(row.sha256, row.size);
  }
  return sizes;
}

/** Which of `hashes` have not been uploaded to this project yet. */
export async function findMissingBlobs(env: Env, projectId: string, hashes: string[]): Promise<string[]> {
  const present = await blobSizes(env, projectId, hashes);
  return [...new Set(hashes)].filter((hash) => !present.has(hash));
}

async function currentSizes(env: Env, projectId: string, paths: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const chunk of chunkForD1(paths, 1, 1)) {
    const { results } = await env.DB.prepare(
      `SELECT path, size FROM mirror_files WHERE project_id = ? AND revision_to IS NULL AND path IN (${placeholders(chunk.length)})`,
    )
      .bind(projectId, ...chunk)
      .all<{ path: string; size: number }>();
    for (const row of results) sizes.set(row.path, row.size);
  }
  return sizes;
}

export type CommitInput = {
  base_revision: number;
  branch?: string;
  commit?: string;
  message?: string;
  changes: MirrorChange[];
};

/**
 * Applies a change set as one D1 `batch()` (D1's only transaction). Optimistic concurrency: the
 * project row moves from `base_revision` only if nobody else moved it, and records this sync's id;
 * the sync row's NOT NULL `revision` is read back through that id, so a lost race inserts NULL and
 * aborts the whole batch — no half-applied change set can exist.
 */
export async function commitChanges(
  env: Env,
  config: Config,
  project: ProjectRow,
  input: CommitInput,
): Promise<{ revision: number; syncId: string }> {
  const conflict = (current: number) =>
    new ApiError("REVISION_CONFLICT", "The mirror has moved on since base_revision; re-read it and retry.", {
      current_revision: current,
      base_revision: input.base_revision,
    });
  if (input.base_revision !== project.mirror_revision) throw conflict(project.mirror_revision);

  const puts = input.changes.filter((c): c is Extract<MirrorChange, { op: "put" }> => c.op === "put");
  const sizes = await blobSizes(
    env,
    project.id,
    puts.map((p) => p.sha256),
  );
  const missing = [...new Set(puts.map((p) => p.sha256).filter((h) => !sizes.has(h)))];
  if (missing.length > 0) {
    throw new ApiError("BLOB_MISSING", "Upload these blobs before committing.", { hashes: missing });
  }
  const wrongSize = puts.filter((p) => sizes.get(p.sha256) !== p.size);
  if (wrongSize.length > 0) {
    throw new ApiError("HASH_MISMATCH", "The size of a change does not match its uploaded blob.", {
      paths: wrongSize.map((p) => p.path),
    });
  }

  const paths = input.changes.map((c) => c.path);
  const existing = await currentSizes(env, project.id, paths);
  let fileCount = project.mirror_file_count;
  let totalBytes = project.mirror_total_bytes;
  for (const [, size] of existing) {
    fileCount -= 1;
    totalBytes -= size;
  }
  for (const put of puts) {
    fileCount += 1;
    totalBytes += put.size;
  }
  if (fileCount > config.maxProjectFiles) {
    throw new ApiError("LIMIT_EXCEEDED", `A project may hold at most ${config.maxProjectFiles} files.`, {
      limit: config.maxProjectFiles,
      file_count: fileCount,
    });
  }
  if (totalBytes > config.maxProjectBytes) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `A project may hold at most ${config.maxProjectBytes} bytes.`, {
      limit: config.maxProjectBytes,
      total_bytes: totalBytes,
    });
  }

  const db = env.DB;
  const revision = input.base_revision + 1;
  const syncId = newId("sync");
  const now = new Date().toISOString();
  const touched = paths.filter((p) => existing.has(p));
  const statements: D1PreparedStatement[] = [
    db
      .prepare(
        `UPDATE projects SET mirror_revision = ?, mirror_sync_id = ?, mirror_branch = ?, mirror_commit = ?,
           mirror_file_count = ?, mirror_total_bytes = ?, mirror_updated_at = ?
         WHERE id = ? AND mirror_revision = ?`,
      )
      .bind(
        revision,
        syncId,
        input.branch ?? null,
        input.commit ?? null,
        fileCount,
        totalBytes,
        now,
        project.id,
        input.base_revision,
      ),
    db
      .prepare(
        `INSERT INTO mirror_syncs (id, project_id, revision, branch, "commit", message, status, created_at, updated_at)
         VALUES (?1, ?2, (SELECT mirror_revision FROM projects WHERE id = ?2 AND mirror_sync_id = ?1), ?3, ?4, ?5, 'queued', ?6, ?6)`,
      )
      .bind(syncId, project.id, input.branch ?? null, input.commit ?? null, input.message ?? null, now),
    ...chunkForD1(touched, 1, 2).map((chunk) =>
      db
        .prepare(
          `UPDATE mirror_files SET revision_to = ? WHERE project_id = ? AND revision_to IS NULL AND path IN (${placeholders(chunk.length)})`,
        )
        .bind(revision, project.id, ...chunk),
    ),
    ...chunkForD1(puts, 5).map((chunk) =>
      db
        .prepare(
          `INSERT INTO mirror_files (project_id, path, revision_from, sha256, size) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")}`,
        )
        .bind(...chunk.flatMap((p) => [project.id, p.path, revision, p.sha256, p.size])),
    ),
  ];
  try {
    await db.batch(statements);
  } catch (err) {
    if (String(err).includes("NOT NULL constraint failed: mirror_syncs.revision")) {
      const current = await db
        .prepare("SELECT mirror_revision FROM projects WHERE id = ?")
        .bind(project.id)
        .first<{ mirror_revision: number }>();
      throw conflict(current?.mirror_revision ?? project.mirror_revision);
    }
    throw err;
  }
  return { revision, syncId };
}

/** The files of a project at `revision` (the current tree when omitted), sorted by path. */
export async function listFilesAt(
  env: Env,
  projectId: string,
  options: { revision?: number; prefix?: string; after?: string; limit?: number } = {},
): Promise<MirrorFileRow[]> {
  const { revision, prefix, after, limit = 100_000 } = options;
  const { results } = await env.DB.prepare(
    `SELECT path, sha256, size FROM mirror_files
     WHERE project_id = ?1
       AND (CASE WHEN ?2 IS NULL THEN revision_to IS NULL ELSE revision_from <= ?2 AND (revision_to IS NULL OR revision_to > ?2) END)
       AND (?3 IS NULL OR substr(path, 1, length(?3)) = ?3)
       AND (?4 IS NULL OR path > ?4)
     ORDER BY path LIMIT ?5`,
  )
    .bind(projectId, revision ?? null, prefix ?? null, after ?? null, limit)
    .all<MirrorFileRow>();
  return results;
}
