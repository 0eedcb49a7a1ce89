import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";

/** CORS from the `CORS_ORIGINS` allow-list (a `*` counts only when ENVIRONMENT=development). */
export const corsAllowList = createMiddleware<AppEnv>((c, next) => {
  const { corsOrigins } = getConfig(c.env);
  return cors({
    origin: (origin) => {
      if (corsOrigins.includes("*")) return origin || "*";
      return corsOrigins.includes(origin) ? origin : null;
    },
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["authorization", "content-type", "idempotency-key", "if-none-match", "range"],
    exposeHeaders: ["x-request-id", "etag", "retry-after", "idempotent-replayed", "content-range"],
    maxAge: 600,
  })(c, next);
});
