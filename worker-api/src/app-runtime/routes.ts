import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { RUNTIME_HASH, RUNTIME_SCRIPT } from "./runtime-script";

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * `GET /runtime/<hash>.js`: the preview runtime, cacheable forever by browsers and the edge because
 * its URL is its content hash. Any other hash is 404 — an old page asking for last week's runtime
 * must not get today's bytes cached under last week's name.
 */
export function appRuntimeRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/runtime/:file", (c) => {
    if (c.req.param("file") !== `${RUNTIME_HASH}.js`)
      throw new ApiError("NOT_FOUND", "There is nothing at this address.");
    return c.body(RUNTIME_SCRIPT, 200, {
      "content-type": "application/javascript; charset=utf-8",
      "cache-control": IMMUTABLE,
      etag: `"${RUNTIME_HASH}"`,
      // Only this origin's pages may run it (the page CSP already says script-src 'self').
      "cross-origin-resource-policy": "same-origin",
    });
  });
  return app;
}
