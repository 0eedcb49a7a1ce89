import { database } from "./db";
import { purgeStaleLinkCodes } from "./devices/device-store";
import type { Env } from "./env";
import { log } from "./lib/log";
import { purgeExpiredIdempotency } from "./middleware/idempotency-store";

/**
 * The daily clean-up (cron trigger in wrangler.toml): idempotency records past their 24 hours and
 * device-link codes that expired or were used more than a day ago. Both are only ever read by
 * their key, so nothing else would ever remove them.
 */
export async function purgeExpired(
  env: Env,
  now = new Date(),
): Promise<{ idempotency: number; link_codes: number }> {
  const db = database(env);
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
  const [idempotency, linkCodes] = await Promise.all([
    purgeExpiredIdempotency(db, now.toISOString()),
    purgeStaleLinkCodes(db, dayAgo),
  ]);
  const result = { idempotency, link_codes: linkCodes };
  log("info", "purged expired records", result);
  return result;
}
