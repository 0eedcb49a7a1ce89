import { Hono } from "hono";
import { r2Keys } from "../../../schema/storage-keys";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";

const IMMUTABLE = "public, max-age=31536000, immutable";
const MODULE_FILE = /^([0-9a-f]{64})\.js$/;
const SHA256 = /^[0-9a-f]{64}$/;

const nothingHere = () => new ApiError("NOT_FOUND", "There is nothing at this address.");

/**
 * The app's module scripts and assets as a preview page loads them (docs/previews.md §1):
 * `GET /m/<key>.js` (R2 `modules/<key>.js`) and `GET /m/blob/<sha256>` (R2 `modules/blob/<sha256>`).
 *
 * Public by design, with no session and no token: a URL is the hash of what it holds (the key is
 * the SHA-256 of the transform version and the source's own hash), so it carries no secret and
 * reveals nothing to someone who has not already seen the manifest naming it, which only a
 * session's owner or token holder can read. Being content, every answer is immutable and cacheable
 * by browsers and the edge; scripts may only run in this origin's pages (CORP same-origin, and
 * the page CSP's script-src 'self').
 */
export function moduleRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/m/blob/:sha256", async (c) => {
    const sha256 = c.req.param("sha256");
    if (!SHA256.test(sha256)) throw nothingHere();
    const etag = `"${sha256}"`;
    if (c.req.header("if-none-match") === etag)
      return c.body(null, 304, { etag, "cache-control": IMMUTABLE });
    const object = await c.env.BLOBS.get(r2Keys.moduleBlob(sha256));
    if (!object) throw nothingHere();
    return c.body(object.body, 200, {
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "content-length": String(object.size),
      "cache-control": IMMUTABLE,
      etag,
      "cross-origin-resource-policy": "same-origin",
    });
  });
  app.get("/m/:file", async (c) => {
    const key = MODULE_FILE.exec(c.req.param("file"))?.[1];
    if (!key) throw nothingHere();
    const etag = `"${key}"`;
    if (c.req.header("if-none-match") === etag)
      return c.body(null, 304, { etag, "cache-control": IMMUTABLE });
    const object = await c.env.BLOBS.get(r2Keys.module(key));
    if (!object) throw nothingHere();
    return c.body(object.body, 200, {
      "content-type": "application/javascript; charset=utf-8",
      "content-length": String(object.size),
      "cache-control": IMMUTABLE,
      etag,
      "cross-origin-resource-policy": "same-origin",
    });
  });
  return app;
}
