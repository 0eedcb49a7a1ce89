import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { clientIp, enforceRateLimit } from "../rate-limit/limits";

/** The general limit (spec §9): per signed-in user, or per IP for anonymous callers. */
export const generalRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "OPTIONS") return next();
  const sub = c.get("claims")?.sub;
  const key = sub ? `general:user:${sub}` : `general:ip:${clientIp(c.req.raw.headers)}`;
  const decision = await enforceRateLimit(c.env, key, getConfig(c.env).general);
  c.header("ratelimit-remaining", String(decision.remaining));
  await next();
});
