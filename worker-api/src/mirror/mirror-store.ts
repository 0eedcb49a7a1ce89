import { and, asc, eq, gt, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { mirrorBlobs, mirrorFiles, mirrorSyncs, projects } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1, failedWith } from "../lib/d1";
import { liveBlobSize, markCommitted } from "./uncommitted-store";

/** One file of the mirror at some revision: what the listing and the consumers see. */
export type MirrorFileEntry = Pick<typeof mirrorFiles.$inferSelect, "path" | "sha256" | "size">;

const ENTRY = { path: mirrorFiles.path, sha256: mirrorFiles.sha256, size: mirrorFiles.size };

/**
 * A file with where its content is (schema/blob-location.ts): what the file route and the
 * consumers read it by. Never in an API answer — the listing stays `MirrorFileEntry`.
 */
export type StoredFileEntry = MirrorFileEntry & Pick<typeof mirrorBlobs.$inferSelect, "pack" | "packOffset">;

const STORED = { ...ENTRY, pack: mirrorBlobs.pack, packOffset: mirrorBlobs.packOffset };

/**
 * The join to a file's blob row (its primary key: one row at most). A left join: a file whose row is
 * missing reads as its own object, as every blob before packs was.
 */
const BLOB_OF_FILE = and(
  eq(mirrorBlobs.projectId, mirrorFiles.projectId),
  eq(mirrorBlobs.sha256, mirrorFiles.sha256),
);

/** The rows of `projectId` that make up the tree at `revision` (the current tree when omitted). */
function treeAt(projectId: string, revision: number | undefined) {
  return and(
    eq(mirrorFiles.projectId, projectId),
    revision === undefined
      ? isNull(mirrorFiles.revisionTo)
      : and(
          lte(mirrorFiles.revisionFrom, revision),
          or(isNull(mirrorFiles.revisionTo), gt(mirrorFiles.revisionTo, revision)),
        ),
  );
}

/** The files of a project at `revision` (the current tree when omitted), sorted by path. */
export async function listFilesAt(
  db: Db,
  projectId: string,
  options: { revision?: number; prefix?: string; after?: string; limit?: number } = {},
): Promise<MirrorFileEntry[]> {
  const { revision, prefix, after, limit = 100_000 } = options;
  return db
    .select(ENTRY)
    .from(mirrorFiles)
    .where(
      and(
        treeAt(projectId, revision),
        // A literal prefix match: LIKE would read `%` and `_` in the prefix as wildcards.
        prefix === undefined ? undefined : sql`substr(${mirrorFiles.path}, 1, length(${prefix})) = ${prefix}`,
        after === undefined ? undefined : gt(mirrorFiles.path, after),
      ),
    )
    .orderBy(asc(mirrorFiles.path))
    .limit(limit)
    .all();
}

/** The files of a project at `revision` with where their content is, sorted by path (the consumers'). */
export async function listStoredFilesAt(
  db: Db,
  projectId: string,
  revision: number,
): Promise<StoredFileEntry[]> {
  return db
    .select(STORED)
    .from(mirrorFiles)
    .leftJoin(mirrorBlobs, BLOB_OF_FILE)
    .where(treeAt(projectId, revision))
    .orderBy(asc(mirrorFiles.path))
    .all();
}

/** One file of the current tree with where its content is, or undefined when the mirror has no such path. */
export async function findCurrentFile(
  db: Db,
  projectId: string,
  path: string,
): Promise<StoredFileEntry | undefined> {
  return db
    .select(STORED)
    .from(mirrorFiles)
    .leftJoin(mirrorBlobs, BLOB_OF_FILE)
    .where(and(treeAt(projectId, undefined), eq(mirrorFiles.path, path)))
    .get();
}

/** Sizes of the current files among `paths` (one indexed query per ≤ 99 paths). */
export async function currentSizes(db: Db, projectId: string, paths: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const chunk of chunkForD1(paths, 1, 1)) {
    const rows = await db
      .select({ path: mirrorFiles.path, size: mirrorFiles.size })
      .from(mirrorFiles)
      .where(and(treeAt(projectId, undefined), inArray(mirrorFiles.path, chunk)))
      .all();
    for (const row of rows) sizes.set(row.path, row.size);
  }
  return sizes;
}

/** Every path of the current tree (read from the index alone). */
export async function listCurrentPaths(db: Db, projectId: string): Promise<string[]> {
  const rows = await db
    .select({ path: mirrorFiles.path })
    .from(mirrorFiles)
    .where(treeAt(projectId, undefined))
    .all();
  return rows.map((row) => row.path);
}

/** A checked change set, ready to write: the new revision, its sync and the project's new totals. */
export type ChangeSet = {
  projectId: string;
  baseRevision: number;
  revision: number;
  syncId: string;
  branch: string | null;
  commit: string | null;
  message: string | null;
  fileCount: number;
  totalBytes: number;
  /** Current paths whose row ends at `revision` (overwritten or deleted). */
  replaced: string[];
  puts: MirrorFileEntry[];
  now: string;
};

const LOST_RACE = "NOT NULL constraint failed: mirror_syncs.revision";
const BLOB_GONE = "NOT NULL constraint failed: mirror_files.size";

/**
 * Writes a change set as one D1 `batch()` (D1's only transaction). Optimistic concurrency: the
 * project row moves from `baseRevision` only if nobody else moved it, and records this sync's id;
 * the sync row's NOT NULL `revision` is read back through that id, so a lost race inserts NULL and
 * aborts the whole batch — no half-applied change set can exist. The same way, each new file's
 * `size` is read from its blob's row: a blob the clean-up took since it was checked aborts the
 * batch. The blobs are marked committed in it (kept for good). `also` (the sync's dispatch outbox
 * row) is written in the same batch, so it exists exactly when the sync does.
 *
 * Returns `applied`, `lost_race`, or `blob_gone`.
 */
export async function applyChangeSet(
  db: Db,
  set: ChangeSet,
  also: BatchItem<"sqlite">[] = [],
): Promise<"applied" | "lost_race" | "blob_gone"> {
  const { projectId, revision, syncId, now } = set;
  const moveProject = db
    .update(projects)
    .set({
      mirrorRevision: revision,
      mirrorSyncId: syncId,
      mirrorBranch: set.branch,
      mirrorCommit: set.commit,
      mirrorFileCount: set.fileCount,
      mirrorTotalBytes: set.totalBytes,
      mirrorUpdatedAt: now,
    })
    .where(and(eq(projects.id, projectId), eq(projects.mirrorRevision, set.baseRevision)));
  const insertSync = db.insert(mirrorSyncs).values({
    id: syncId,
    projectId,
    // drizzle has no "value from a subquery" for an insert: the race witness described above.
    revision: sql`(SELECT ${projects.mirrorRevision} FROM ${projects} WHERE ${projects.id} = ${projectId} AND ${projects.mirrorSyncId} = ${syncId})`,
    branch: set.branch,
    commit: set.commit,
    message: set.message,
    status: "queued",
    createdAt: now,
    updatedAt: now,
  });
  // Chunked under D1's 100 bound parameters: 2 fixed + 1 per path; 6 per inserted row (revision_to
  // is left out, so drizzle writes a literal NULL, not a parameter; the size's lookup binds 2).
  const endRows = chunkForD1(set.replaced, 1, 2).map((chunk) =>
    db
      .update(mirrorFiles)
      .set({ revisionTo: revision })
      .where(and(treeAt(projectId, undefined), inArray(mirrorFiles.path, chunk))),
  );
  const addRows = chunkForD1(set.puts, 6).map((chunk) =>
    db.insert(mirrorFiles).values(
      chunk.map((put) => ({
        projectId,
        path: put.path,
        revisionFrom: revision,
        sha256: put.sha256,
        size: liveBlobSize(projectId, put.sha256),
      })),
    ),
  );
  const commitBlobs = markCommitted(
    db,
    projectId,
    set.puts.map((put) => put.sha256),
  );
  try {
    await db.batch([moveProject, insertSync, ...endRows, ...addRows, ...commitBlobs, ...also]);
    return "applied";
  } catch (err) {
    if (failedWith(err, LOST_RACE)) return "lost_race";
    if (failedWith(err, BLOB_GONE)) return "blob_gone";
    throw err;
  }
}
