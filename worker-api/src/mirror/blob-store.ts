import { and, eq, inArray } from "drizzle-orm";
import { mirrorBlobs } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1 } from "../lib/d1";

export type NewBlob = typeof mirrorBlobs.$inferInsert;

/** Sizes of the uploaded blobs among `hashes` (one indexed query per ≤ 99 hashes). */
export async function blobSizes(db: Db, projectId: string, hashes: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const chunk of chunkForD1([...new Set(hashes)], 1, 1)) {
    const rows = await db
      .select({ sha256: mirrorBlobs.sha256, size: mirrorBlobs.size })
      .from(mirrorBlobs)
      .where(and(eq(mirrorBlobs.projectId, projectId), inArray(mirrorBlobs.sha256, chunk)))
      .all();
    for (const row of rows) sizes.set(row.sha256, row.size);
  }
  return sizes;
}

/** Which of `hashes` have not been uploaded to this project yet. */
export async function findMissingBlobs(db: Db, projectId: string, hashes: string[]): Promise<string[]> {
  const present = await blobSizes(db, projectId, hashes);
  return [...new Set(hashes)].filter((hash) => !present.has(hash));
}

/** The size of an uploaded blob, or undefined when it has not been uploaded. */
export async function findBlobSize(db: Db, projectId: string, sha256: string): Promise<number | undefined> {
  const row = await db
    .select({ size: mirrorBlobs.size })
    .from(mirrorBlobs)
    .where(and(eq(mirrorBlobs.projectId, projectId), eq(mirrorBlobs.sha256, sha256)))
    .get();
  return row?.size;
}

/** Records an uploaded blob; a concurrent upload of the same blob recorded it already, which is fine. */
export async function insertBlob(db: Db, blob: NewBlob): Promise<void> {
  await db.insert(mirrorBlobs).values(blob).onConflictDoNothing();
}
