import type { BatchItem } from "drizzle-orm/batch";
import type { MirrorChange } from "../../../schema/api/mirror";
import type { Config } from "../config";
import type { Db } from "../db";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { findProject, type ProjectRow } from "../projects/project-store";
import { blobSizes } from "./blob-store";
import { applyChangeSet, currentSizes } from "./mirror-store";
import { checkTree } from "./tree-check";

export type CommitInput = {
  base_revision: number;
  branch?: string;
  commit?: string;
  message?: string;
  changes: MirrorChange[];
};

type Put = Extract<MirrorChange, { op: "put" }>;

/** What is written with an accepted change set: its sync's dispatch (arming and outbox row). */
export type CommitDispatch = (sync: { syncId: string; revision: number }) => Promise<BatchItem<"sqlite">[]>;

/**
 * Checks a change set against the project (base revision, uploaded blobs and their sizes, a tree
 * every common file system can hold, the per-project file and byte limits) and commits it
 * atomically as the next revision. `dispatch` runs once the set is accepted, just before the
 * write, and its statements join the write's batch.
 */
export async function commitChanges(
  db: Db,
  config: Config,
  project: ProjectRow,
  input: CommitInput,
  dispatch?: CommitDispatch,
): Promise<{ revision: number; syncId: string }> {
  const conflict = (current: number) =>
    new ApiError("REVISION_CONFLICT", "The mirror has moved on since base_revision; re-read it and retry.", {
      current_revision: current,
      base_revision: input.base_revision,
    });
  if (input.base_revision !== project.mirrorRevision) throw conflict(project.mirrorRevision);

  const puts = input.changes.filter((c): c is Put => c.op === "put");
  const sizes = await blobSizes(
    db,
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
  const existing = await currentSizes(db, project.id, paths);
  await checkTree(db, project.id, input.changes, existing);
  let fileCount = project.mirrorFileCount;
  let totalBytes = project.mirrorTotalBytes;
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

  const revision = input.base_revision + 1;
  const syncId = newId("sync");
  const also = dispatch ? await dispatch({ syncId, revision }) : [];
  const applied = await applyChangeSet(
    db,
    {
      projectId: project.id,
      baseRevision: input.base_revision,
      revision,
      syncId,
      branch: input.branch ?? null,
      commit: input.commit ?? null,
      message: input.message ?? null,
      fileCount,
      totalBytes,
      replaced: paths.filter((p) => existing.has(p)),
      puts: puts.map(({ path, sha256, size }) => ({ path, sha256, size })),
      now: new Date().toISOString(),
    },
    also,
  );
  if (applied === "lost_race") {
    const current = await findProject(db, project.id);
    throw conflict(current?.mirrorRevision ?? project.mirrorRevision);
  }
  if (applied === "blob_gone") {
    // Collected since it was checked (uploaded over a day ago and never committed): upload it again.
    const hashes = puts.map((p) => p.sha256);
    const left = await blobSizes(db, project.id, hashes);
    throw new ApiError("BLOB_MISSING", "Upload these blobs before committing.", {
      hashes: [...new Set(hashes.filter((h) => !left.has(h)))],
    });
  }
  return { revision, syncId };
}
