import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { countSignedIn } from "../auth/admission";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { takeGeneral } from "../rate-limit/general";
import { clientIp, rateLimited } from "../rate-limit/limits";

/**
 * The general limit of a caller without a verified access token: per IP, a fixed-window counter
 * spent from isolate memory, one Durable Object call per block of requests (rate-limit/general.ts);
 * `ratelimit-remaining` is what is left of the window as this isolate knows it.
 */
async function limitByIp(c: Context<AppEnv>): Promise<void> {
  const key = `general:ip:${clientIp(c.req.raw.headers)}`;
  const decision = await takeGeneral(c.env.RATE_LIMITER, key, getConfig(c.env).general);
  if (!decision.allowed) throw rateLimited(decision);
  c.header("ratelimit-remaining", String(decision.remaining));
}

/**
 * The general limit (spec §9) on a route without sign-in: per user for a caller with a verified
 * access token (counted in the user's UserSessions object), per IP otherwise.
 */
export const generalRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const sub = c.get("claims")?.sub;
  await (sub ? countSignedIn(c, sub) : limitByIp(c));
  await next();
});

/**
 * The general limit on a route that checks the caller's session (auth "user" and "preview"): a
 * caller without a verified token is limited per IP here; one with a token is counted per user by
 * the session check itself (`admitSignedIn`: requireAuth, requireOwnedProject, the preview paths'
 * `assertSessionLive`), in the same Durable Object call, so a signed-in request pays no limiter call.
 */
export const anonymousRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS" || c.get("claims")) return next();
  await limitByIp(c);
  await next();
});
