import { UNCOMMITTED_BLOB_TTL_HOURS } from "../../../schema/limits";
import { r2Keys } from "../../../schema/storage-keys";
import { database } from "../db";
import type { Env } from "../env";
import { deleteCollected, markForCollection } from "./uncommitted-store";

/** Blobs taken per round: one R2 delete call holds up to 1,000 keys (a blob's and its pack's). */
const ROUND = 250;
/**
 * Rounds per run: each is 2 D1 round trips and up to 2 R2 calls, well within one invocation's
 * subrequests; a larger backlog is finished by the next day's run.
 */
const MAX_ROUNDS = 20;

/**
 * Deletes the blobs uploaded more than `UNCOMMITTED_BLOB_TTL_HOURS` ago that no revision or
 * dependency set names, from R2 and from `mirror_blobs`. Never a committed blob: a round first
 * marks its blobs `collecting` (from then on no commit can name them, and an upload of the same
 * bytes leaves the row as it is), then deletes their objects, then their rows, then the packs no
 * row uses any more. A run that dies part way leaves rows `collecting`, which the next run takes.
 */
export async function collectUncommittedBlobs(
  env: Env,
  now = new Date(),
): Promise<{ blobs: number; packs: number }> {
  const db = database(env);
  const before = new Date(now.getTime() - UNCOMMITTED_BLOB_TTL_HOURS * 3600 * 1000).toISOString();
  let blobs = 0;
  let packs = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const taken = await markForCollection(db, before, ROUND);
    if (taken.length === 0) break;
    // A blob's own object goes even when its row points into a pack: then it is a leftover that
    // nothing reads (a single upload of bytes a batch had recorded, or one that died before its row).
    await env.BLOBS.delete(taken.map((blob) => r2Keys.blob(blob.projectId, blob.sha256)));
    const unused = await deleteCollected(db, taken);
    if (unused.length > 0) await env.BLOBS.delete(unused.map((p) => r2Keys.pack(p.projectId, p.pack)));
    blobs += taken.length;
    packs += unused.length;
    if (taken.length < ROUND) break;
  }
  return { blobs, packs };
}
