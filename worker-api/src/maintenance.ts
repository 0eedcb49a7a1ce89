import { database } from "./db";
import { purgeStaleLinkCodes } from "./devices/device-store";
import type { Env } from "./env";
import { log } from "./lib/log";
import { purgeExpiredIdempotency } from "./middleware/idempotency-store";
import { collectUncommittedBlobs } from "./mirror/collect-uncommitted";

/**
 * The daily clean-up (cron trigger in wrangler.toml): idempotency records past their 24 hours and
 * device-link codes that expired or were used more than a day ago — both only ever read by their
 * key, so nothing else would ever remove them — and uploaded blobs that no commit named within
 * `UNCOMMITTED_BLOB_TTL_HOURS` (schema/limits.ts), which would otherwise be stored for good.
 */
export async function purgeExpired(
  env: Env,
  now = new Date(),
): Promise<{ idempotency: number; link_codes: number; uncommitted_blobs: number; unused_packs: number }> {
  const db = database(env);
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
  const [idempotency, linkCodes, collected] = await Promise.all([
    purgeExpiredIdempotency(db, now.toISOString()),
    purgeStaleLinkCodes(db, dayAgo),
    collectUncommittedBlobs(env, now),
  ]);
  const result = {
    idempotency,
    link_codes: linkCodes,
    uncommitted_blobs: collected.blobs,
    unused_packs: collected.packs,
  };
  log("info", "purged expired records", result);
  return result;
}
