import { and, eq, inArray, ne } from "drizzle-orm";
import { mirrorBlobs } from "../../../schema/tables";
import type { Db } from "../db";
import { chunkForD1, failedWith } from "../lib/d1";
import { OVER_ALLOWANCE, sizeWithinAllowance, uncommittedBytesQuery } from "./uncommitted-store";

export type NewBlob = typeof mirrorBlobs.$inferInsert;

/** Columns bound per row of a multi-row `mirror_blobs` insert (`state` is left to its default). */
const PARAMS_PER_BLOB_ROW = 6;

/** A blob to record: its size, and where its bytes are (no pack: its own object). */
export type RecordedBlob = { sha256: string; size: number; pack?: string | null; packOffset?: number | null };

/** Where a recorded blob's bytes are (schema/blob-location.ts). */
export type BlobPlace = Pick<typeof mirrorBlobs.$inferSelect, "size" | "pack" | "packOffset">;

/** The lookups of `hashes` among a project's blobs (a blob being collected is gone already). */
function sizeLookups(db: Db, projectId: string, hashes: string[]) {
  return chunkForD1([...new Set(hashes)], 1, 2).map((chunk) =>
    db
      .select({ sha256: mirrorBlobs.sha256, size: mirrorBlobs.size })
      .from(mirrorBlobs)
      .where(
        and(
          eq(mirrorBlobs.projectId, projectId),
          ne(mirrorBlobs.state, "collecting"),
          inArray(mirrorBlobs.sha256, chunk),
        ),
      ),
  );
}

function sizesOf(batches: { sha256: string; size: number }[][]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const rows of batches) for (const row of rows) sizes.set(row.sha256, row.size);
  return sizes;
}

/**
 * Sizes of the uploaded blobs among `hashes`: one indexed SELECT per ≤ 98 hashes (D1's parameter
 * limit), all sent in one `batch()`, so any number of hashes costs one round trip.
 */
export async function blobSizes(db: Db, projectId: string, hashes: string[]): Promise<Map<string, number>> {
  const [first, ...rest] = sizeLookups(db, projectId, hashes);
  if (!first) return new Map();
  return sizesOf(await db.batch([first, ...rest]));
}

/**
 * {@link blobSizes}, and the project's uncommitted bytes, in the same one round trip: what a batch
 * upload needs to know before it writes.
 */
export async function blobSizesAndUncommitted(
  db: Db,
  projectId: string,
  hashes: string[],
): Promise<{ sizes: Map<string, number>; uncommitted: number }> {
  const [sum, ...lookups] = await db.batch([
    uncommittedBytesQuery(db, projectId),
    ...sizeLookups(db, projectId, hashes),
  ]);
  return { sizes: sizesOf(lookups), uncommitted: Number(sum[0]?.bytes ?? 0) };
}

/** Which of `hashes` have not been uploaded to this project yet. */
export async function findMissingBlobs(db: Db, projectId: string, hashes: string[]): Promise<string[]> {
  const present = await blobSizes(db, projectId, hashes);
  return [...new Set(hashes)].filter((hash) => !present.has(hash));
}

/** Parameters the allowance check ({@link sizeWithinAllowance}) adds to the first row. */
const PARAMS_OF_ALLOWANCE = 3;

/**
 * Records verified uploads: multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING sha256`s of ≤ 16
 * rows (D1's parameter limit), all in one `batch()`: one round trip however many blobs a request
 * carried. A blob recorded already (a replay, a concurrent upload) is left as it is — with the
 * location it had — and the answer is the hashes this call recorded.
 *
 * New rows are uncommitted (the column's default): the batch records them only if the project's uncommitted bytes plus
 * all of `blobs` stay within `allowance` (checked inside the batch). Null: over it, nothing was
 * recorded — even blobs recorded already count in that check, so a caller with a re-upload looks.
 */
export async function insertBlobs(
  db: Db,
  projectId: string,
  blobs: RecordedBlob[],
  createdAt: string,
  allowance: number,
): Promise<Set<string> | null> {
  const unique = [...new Map(blobs.map((blob) => [blob.sha256, blob])).values()];
  const bytes = unique.reduce((sum, blob) => sum + blob.size, 0);
  const [first, ...rest] = chunkForD1(unique, PARAMS_PER_BLOB_ROW, PARAMS_OF_ALLOWANCE).map((chunk, c) =>
    db
      .insert(mirrorBlobs)
      .values(
        chunk.map(({ sha256, size, pack, packOffset }, i) => ({
          projectId,
          sha256,
          size: c === 0 && i === 0 ? sizeWithinAllowance(projectId, size, bytes, allowance) : size,
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
  try {
    for (const rows of await db.batch([first, ...rest])) {
      for (const row of rows) created.add(row.sha256);
    }
  } catch (err) {
    if (failedWith(err, OVER_ALLOWANCE)) return null;
    throw err;
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
