import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { type Config, getConfig } from "../config";
import type { AppEnv } from "../env";

// One CORS handler per configuration (i.e. per isolate), not one built on every request.
const handlers = new WeakMap<Config, MiddlewareHandler>();

function corsFor(config: Config): MiddlewareHandler {
  let handler = handlers.get(config);
  if (!handler) {
    handler = build(config.corsOrigins);
    handlers.set(config, handler);
  }
  return handler;
}

/** CORS from the `CORS_ORIGINS` allow-list (a `*` counts only when ENVIRONMENT=development). */
export const corsAllowList = createMiddleware<AppEnv>((c, next) => corsFor(getConfig(c.env))(c, next));

function build(corsOrigins: string[]): MiddlewareHandler {
  return cors({
    origin: (origin) => {
      if (corsOrigins.includes("*")) return origin || "*";
      return corsOrigins.includes(origin) ? origin : null;
    },
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["authorization", "content-type", "idempotency-key", "if-none-match", "range"],
    exposeHeaders: ["x-request-id", "etag", "retry-after", "idempotent-replayed", "content-range"],
    maxAge: 600,
  });
}
