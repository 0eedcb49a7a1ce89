import type { Env } from "./env";
import { log } from "./lib/log";

/**
 * The daily clean-up (cron trigger in wrangler.toml): idempotency records past their 24 hours and
 * device-link codes that expired or were used more than a day ago. Both are only ever read by
 * their key, so nothing else would ever remove them.
 */
export async function purgeExpired(
  env: Env,
  now = new Date(),
): Promise<{ idempotency: number; link_codes: number }> {
  const iso = now.toISOString();
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000).toISOString();
  const [idempotency, codes] = await env.DB.batch([
    env.DB.prepare("DELETE FROM idempotency_records WHERE expires_at <= ?").bind(iso),
    env.DB.prepare("DELETE FROM device_link_codes WHERE expires_at <= ?1 OR used_at <= ?1").bind(dayAgo),
  ]);
  const result = { idempotency: idempotency?.meta.changes ?? 0, link_codes: codes?.meta.changes ?? 0 };
  log("info", "purged expired records", result);
  return result;
}
