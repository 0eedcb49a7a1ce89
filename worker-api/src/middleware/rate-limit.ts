import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { takeGeneral } from "../rate-limit/general";
import { clientIp, rateLimited } from "../rate-limit/limits";

/**
 * The general limit (spec §9): per signed-in user, or per IP for anonymous callers. A fixed-window
 * counter spent from isolate memory, one Durable Object call per block of requests
 * (rate-limit/general.ts); `ratelimit-remaining` is what is left of the window as this isolate knows it.
 */
export const generalRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const sub = c.get("claims")?.sub;
  const key = sub ? `general:user:${sub}` : `general:ip:${clientIp(c.req.raw.headers)}`;
  const decision = await takeGeneral(c.env.RATE_LIMITER, key, getConfig(c.env).general);
  if (!decision.allowed) throw rateLimited(decision);
  c.header("ratelimit-remaining", String(decision.remaining));
  await next();
});
