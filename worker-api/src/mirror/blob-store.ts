import { and, eq, inArray } from "drizzle-orm";
import { mirrorBlobs } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1 } from "../lib/d1";

export type NewBlob = typeof mirrorBlobs.$inferInsert;

/** Columns bound per row of a multi-row `mirror_blobs` insert. */
const PARAMS_PER_BLOB_ROW = 4;

/**
 * Sizes of the uploaded blobs among `hashes`: one indexed SELECT per ≤ 99 hashes (D1's parameter
 * limit), all sent in one `batch()`, so any number of hashes costs one round trip.
 */
export async function blobSizes(db: Db, projectId: string, hashes: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const [first, ...rest] = chunkForD1([...new Set(hashes)], 1, 1).map((chunk) =>
    db
      .select({ sha256: mirrorBlobs.sha256, size: mirrorBlobs.size })
      .from(mirrorBlobs)
      .where(and(eq(mirrorBlobs.projectId, projectId), inArray(mirrorBlobs.sha256, chunk))),
  );
  if (!first) return sizes;
  for (const rows of await db.batch([first, ...rest])) {
    for (const row of rows) sizes.set(row.sha256, row.size);
  }
  return sizes;
}

/** Which of `hashes` have not been uploaded to this project yet. */
export async function findMissingBlobs(db: Db, projectId: string, hashes: string[]): Promise<string[]> {
  const present = await blobSizes(db, projectId, hashes);
  return [...new Set(hashes)].filter((hash) => !present.has(hash));
}

/**
 * Records verified uploads: multi-row `INSERT … ON CONFLICT DO NOTHING`s of ≤ 25 rows (D1's
 * parameter limit), all in one `batch()`: one round trip however many blobs a request carried. A
 * blob recorded already (a replay, a concurrent upload) is left as it is.
 */
export async function insertBlobs(
  db: Db,
  projectId: string,
  blobs: { sha256: string; size: number }[],
  createdAt: string,
): Promise<void> {
  const unique = [...new Map(blobs.map((blob) => [blob.sha256, blob])).values()];
  const [first, ...rest] = chunkForD1(unique, PARAMS_PER_BLOB_ROW).map((chunk) =>
    db
      .insert(mirrorBlobs)
      .values(chunk.map(({ sha256, size }) => ({ projectId, sha256, size, createdAt })))
      .onConflictDoNothing(),
  );
  if (first) await db.batch([first, ...rest]);
}
