import { and, eq, inArray, lt, ne, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { mirrorBlobs } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1 } from "../lib/d1";

// A blob's life (schema/tables/mirror.ts `state`): uploaded `uncommitted`, `committed` once a
// revision or dependency set names it, or `collecting` while the daily clean-up deletes it.

/** Rows that count toward a project's uncommitted bytes (those being collected still hold storage). */
const NOT_COMMITTED = ne(mirrorBlobs.state, "committed");

/** The statement summing a project's uncommitted bytes, to run alone or in another `batch()`. */
export function uncommittedBytesQuery(db: Db, projectId: string) {
  return db
    .select({ bytes: sql<number>`coalesce(sum(${mirrorBlobs.size}), 0)` })
    .from(mirrorBlobs)
    .where(and(eq(mirrorBlobs.projectId, projectId), NOT_COMMITTED));
}

/** Bytes of the project's blobs that no revision or dependency set names. */
export async function uncommittedBytes(db: Db, projectId: string): Promise<number> {
  const row = await uncommittedBytesQuery(db, projectId).get();
  return Number(row?.bytes ?? 0);
}

/**
 * The value for the `size` of the first row of an upload's insert: the size itself while the
 * project's uncommitted bytes plus the upload's `bytes` stay within `allowance`, else NULL, which
 * fails `mirror_blobs.size`'s NOT NULL and aborts the whole `batch()` (D1's transaction). Checked
 * and recorded in one transaction, so uploads running at once cannot together overshoot.
 */
export function sizeWithinAllowance(projectId: string, size: number, bytes: number, allowance: number): SQL {
  return sql`CASE WHEN (SELECT coalesce(sum(${mirrorBlobs.size}), 0) FROM ${mirrorBlobs} WHERE ${mirrorBlobs.projectId} = ${projectId} AND ${mirrorBlobs.state} <> 'committed') + ${bytes} <= ${allowance} THEN ${size} ELSE NULL END`;
}

/** What a refused {@link sizeWithinAllowance} makes D1 fail with. */
export const OVER_ALLOWANCE = "NOT NULL constraint failed: mirror_blobs.size";

/**
 * The `size` of a row that names a blob (a revision's file, a dependency), read from the blob's
 * row inside the writing statement: NULL when the blob is gone or being collected since it was
 * checked, so the row's NOT NULL `size` aborts the whole batch. Nothing can name a blob that the
 * clean-up is deleting. Binds 2 parameters.
 */
export function liveBlobSize(projectId: string, sha256: string): SQL<number> {
  return sql<number>`(SELECT ${mirrorBlobs.size} FROM ${mirrorBlobs} WHERE ${mirrorBlobs.projectId} = ${projectId} AND ${mirrorBlobs.sha256} = ${sha256} AND ${mirrorBlobs.state} <> 'collecting')`;
}

/**
 * Statements that mark blobs as committed, for the batch that writes what names them: from then on
 * they are kept (an old revision can be read back) and no longer count as uncommitted.
 */
export function markCommitted(db: Db, projectId: string, hashes: readonly string[]): BatchItem<"sqlite">[] {
  return chunkForD1([...new Set(hashes)], 1, 3).map((chunk) =>
    db
      .update(mirrorBlobs)
      .set({ state: "committed" })
      .where(
        and(
          eq(mirrorBlobs.projectId, projectId),
          eq(mirrorBlobs.state, "uncommitted"),
          inArray(mirrorBlobs.sha256, chunk),
        ),
      ),
  );
}

/** A blob the clean-up took: its row id, and where its bytes are. */
export type CollectedBlob = { rowid: number; projectId: string; sha256: string; pack: string | null };

const ROWID = sql<number>`rowid`;

/**
 * Marks up to `limit` blobs that are not committed and were uploaded before `before` as
 * `collecting`, and returns them (also those a run that died left `collecting`). From here on no
 * commit can name them and an upload of the same bytes leaves them as they are.
 */
export async function markForCollection(db: Db, before: string, limit: number): Promise<CollectedBlob[]> {
  return db
    .update(mirrorBlobs)
    .set({ state: "collecting" })
    .where(
      inArray(
        ROWID,
        db
          .select({ rowid: ROWID })
          .from(mirrorBlobs)
          .where(and(NOT_COMMITTED, lt(mirrorBlobs.createdAt, before)))
          .limit(limit),
      ),
    )
    .returning({
      rowid: ROWID,
      projectId: mirrorBlobs.projectId,
      sha256: mirrorBlobs.sha256,
      pack: mirrorBlobs.pack,
    });
}

/**
 * Deletes the rows of collected blobs, and answers which of their packs no row uses any more
 * (those can go: a row is only ever written pointing at a pack written for it, never an old one).
 */
export async function deleteCollected(
  db: Db,
  blobs: readonly CollectedBlob[],
): Promise<{ projectId: string; pack: string }[]> {
  const deletes = chunkForD1(
    blobs.map((b) => b.rowid),
    1,
    1,
  ).map((chunk) =>
    db.delete(mirrorBlobs).where(and(inArray(ROWID, chunk), eq(mirrorBlobs.state, "collecting"))),
  );
  const packsByProject = new Map<string, Set<string>>();
  for (const { projectId, pack } of blobs) {
    if (pack) packsByProject.set(projectId, (packsByProject.get(projectId) ?? new Set()).add(pack));
  }
  const stillUsed = [...packsByProject].flatMap(([projectId, packs]) =>
    chunkForD1([...packs], 1, 1).map((chunk) =>
      db
        .selectDistinct({ pack: mirrorBlobs.pack })
        .from(mirrorBlobs)
        .where(and(eq(mirrorBlobs.projectId, projectId), inArray(mirrorBlobs.pack, chunk))),
    ),
  );
  const [first, ...rest] = [...deletes, ...stillUsed];
  if (!first) return [];
  const results = await db.batch([first, ...rest]);
  const used = new Set(
    (results.slice(deletes.length) as { pack: string | null }[][]).flat().map((row) => row.pack),
  );
  return [...packsByProject].flatMap(([projectId, packs]) =>
    [...packs].filter((pack) => !used.has(pack)).map((pack) => ({ projectId, pack })),
  );
}
