import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { countSignedIn, knownDeadHere } from "../auth/admission";
import { getConfig, type Limit } from "../config";
import type { AppEnv } from "../env";
import { takeGeneral } from "../rate-limit/general";
import { clientIp, rateLimited } from "../rate-limit/limits";

/**
 * The general limit (spec §9), before anything else a route does: per user for a caller with a
 * verified access token (blocks of hits from the user's UserSessions object, which leases the
 * session in the same call: `auth/admission.ts`), per token for a preview's viewer (its own
 * RateLimiter, `viewerGeneral`), per IP otherwise (blocks from the IP's RateLimiter:
 * `rate-limit/general.ts`) — and per IP too for a token whose session this isolate
 * knows is revoked, so whoever holds a revoked token cannot spend its user's budget.
 * `ratelimit-remaining` is what is left of the window as this isolate knows it.
 */
export const generalRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const claims = c.get("claims");
  if (claims && !knownDeadHere(c.env, claims.sub, claims.sid)) {
    await countSignedIn(c, claims.sub, claims.sid);
    return next();
  }
  const viewer = c.get("viewer");
  // A viewer of a preview is limited per token, so a room behind one address never shares a limit.
  if (viewer) await limitBy(c, `general:viewer:${viewer.viewerId}`, getConfig(c.env).viewerGeneral);
  else await limitByIp(c);
  await next();
});

/** The general limit of a caller without a (live) verified token: per IP. */
export function limitByIp(c: Context<AppEnv>): Promise<void> {
  return limitBy(c, `general:ip:${clientIp(c.req.raw.headers)}`, getConfig(c.env).general);
}

async function limitBy(c: Context<AppEnv>, key: string, limit: Limit): Promise<void> {
  const decision = await takeGeneral(c.env.RATE_LIMITER, key, limit);
  if (!decision.allowed) throw rateLimited(decision);
  c.header("ratelimit-remaining", String(decision.remaining));
}
