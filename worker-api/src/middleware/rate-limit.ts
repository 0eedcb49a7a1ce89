import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { countSignedIn, knownDeadHere } from "../auth/admission";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { takeGeneral } from "../rate-limit/general";
import { clientIp, rateLimited } from "../rate-limit/limits";

/**
 * The general limit (spec §9), before anything else a route does: per user for a caller with a
 * verified access token (blocks of hits from the user's UserSessions object, which leases the
 * session in the same call: `auth/admission.ts`), per IP otherwise (blocks from the IP's
 * RateLimiter: `rate-limit/general.ts`) — and per IP too for a token whose session this isolate
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
  await limitByIp(c);
  await next();
});

/** The general limit of a caller without a (live) verified token: per IP. */
export async function limitByIp(c: Context<AppEnv>): Promise<void> {
  const key = `general:ip:${clientIp(c.req.raw.headers)}`;
  const decision = await takeGeneral(c.env.RATE_LIMITER, key, getConfig(c.env).general);
  if (!decision.allowed) throw rateLimited(decision);
  c.header("ratelimit-remaining", String(decision.remaining));
}
