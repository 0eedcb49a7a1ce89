import { and, eq, inArray } from "drizzle-orm";
import { mirrorBlobs } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1 } from "../lib/d1";

export type NewBlob = typeof mirrorBlobs.$inferInsert;

/** Columns bound per row of a multi-row `mirror_blobs` insert. */
const PARAMS_PER_BLOB_ROW = 6;

/** A blob to record: its size, and where its bytes are (no pack: its own object). */
export type RecordedBlob = { sha256: string; size: number; pack?: string | null; packOffset?: number | null };

/** Where a recorded blob's bytes are (schema/blob-location.ts). */
export type BlobPlace = Pick<typeof mirrorBlobs.$inferSelect, "size" | "pack" | "packOffset">;

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
 * Records verified uploads: multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING sha256`s of ≤ 16
 * rows (D1's parameter limit), all in one `batch()`: one round trip however many blobs a request
 * carried. A blob recorded already (a replay, a concurrent upload) is left as it is — with the
 * location it had — and the answer is the hashes this call recorded.
 */
export async function insertBlobs(
  db: Db,
  projectId: string,
  blobs: RecordedBlob[],
  createdAt: string,
): Promise<Set<string>> {
  const unique = [...new Map(blobs.map((blob) => [blob.sha256, blob])).values()];
  const [first, ...rest] = chunkForD1(unique, PARAMS_PER_BLOB_ROW).map((chunk) =>
    db
      .insert(mirrorBlobs)
      .values(
        chunk.map(({ sha256, size, pack, packOffset }) => ({
          projectId,
          sha256,
          size,
          createdAt,
          pack: pack ?? null,
          packOffset: packOffset ?? null,
        })),
      )
      .onConflictDoNothing()
      .returning({ sha256: mirrorBlobs.sha256 }),
  );
  const created = new Set<string>();
  if (!first) return created;
  for (const rows of await db.batch([first, ...rest])) {
    for (const row of rows) created.add(row.sha256);
  }
  return created;
}

/** Where a recorded blob is, or undefined when the project has no such blob. */
export async function findBlobPlace(
  db: Db,
  projectId: string,
  sha256: string,
): Promise<BlobPlace | undefined> {
  return db
    .select({ size: mirrorBlobs.size, pack: mirrorBlobs.pack, packOffset: mirrorBlobs.packOffset })
    .from(mirrorBlobs)
    .where(and(eq(mirrorBlobs.projectId, projectId), eq(mirrorBlobs.sha256, sha256)))
    .get();
}
