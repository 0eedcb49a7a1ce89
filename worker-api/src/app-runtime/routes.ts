import { Hono } from "hono";
import { contentTypeFor } from "../../../schema/content-types";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { RUNTIME_HASH, RUNTIME_SCRIPT } from "./runtime-script";

const IMMUTABLE = "public, max-age=31536000, immutable";
/** An SDK chunk (`c/<16 hex>.js`) or a package's asset (`a/<sha256>.<ext>`): runtime/build.mjs's names. */
const STATIC_FILE =
  /^(?:c\/[0-9a-f]{16}\.js|a\/[0-9a-f]{64}\.(?:png|jpe?g|gif|webp|bmp|svg|ttf|otf|woff2?|mp3|wav|m4a|aac|mp4|webm))$/;

/**
 * `GET /runtime/<hash>.js`: the preview runtime, cacheable forever by browsers and the edge because
 * its URL is its content hash. Any other hash is 404 — an old page asking for last week's runtime
 * must not get today's bytes cached under last week's name.
 */
export function appRuntimeRoutes() {
  const app = new Hono<AppEnv>();
  // The SDK chunks and package assets, from the static assets the runtime build wrote. Names are
  // content hashes, so anything else is 404 without asking the asset store.
  app.get("/runtime/:kind{[ca]}/:file", async (c) => {
    const file = `${c.req.param("kind")}/${c.req.param("file")}`;
    if (!STATIC_FILE.test(file) || !c.env.ASSETS)
      throw new ApiError("NOT_FOUND", "There is nothing at this address.");
    const stored = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    if (!stored.ok || !stored.body) throw new ApiError("NOT_FOUND", "There is nothing at this address.");
    return c.body(stored.body, 200, {
      "content-type": file.endsWith(".js") ? "application/javascript; charset=utf-8" : contentTypeFor(file),
      "cache-control": IMMUTABLE,
      etag: `"${c.req.param("file").split(".")[0]}"`,
      // Fonts are fetched in CORS mode; the page's own origin is the only one allowed to use them.
      "cross-origin-resource-policy": "same-origin",
    });
  });
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
