import { Hono } from "hono";
import { contentTypeFor } from "../../../schema/content-types";
import { r2Keys } from "../../../schema/storage-keys";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";

const IMMUTABLE = "public, max-age=31536000, immutable";
const MODULE_FILE = /^([0-9a-f]{64})\.js$/;
/** `<sha256>` (served as plain bytes) or `<sha256>.<ext>`, the extension as the build writes it. */
const BLOB_FILE = /^([0-9a-f]{64})(?:\.([a-z0-9]{1,16}))?$/;

/**
 * Extensions whose types a browser renders as a document that can run script or load anything
 * (HTML, XHTML, XML with its stylesheets, SVG): served so that opening one runs nothing.
 */
const ACTIVE = new Set(["html", "htm", "xhtml", "xml", "svg"]);
/** For an active blob: no script, no plugin, no form, no network; a unique origin (sandbox). */
const ACTIVE_BLOB_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const nothingHere = () => new ApiError("NOT_FOUND", "There is nothing at this address.");

/**
 * The headers of an asset blob requested as `<sha256>.<ext>`. The bytes are the user's, and the
 * first upload of them could have said anything about what they are, so the type is the URL's
 * extension's (schema/content-types.ts), never stored metadata, and the browser may not guess
 * another (nosniff). HTML is never served as HTML (it is text), nor a script as a script: no asset
 * is one (the build makes scripts modules, `/m/<key>.js`), so `<sha256>.js` is plain bytes. An
 * active extension (`ACTIVE`) also comes as an attachment under a sandboxing CSP: navigating to it
 * downloads, and whatever renders it runs nothing, while `<img src>` of an SVG still works (its type
 * stays image/svg+xml, and a disposition does not apply to subresources).
 */
function blobHeaders(ext: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": blobType(ext),
    "x-content-type-options": "nosniff",
  };
  if (ext !== undefined && ACTIVE.has(ext)) {
    headers["content-disposition"] = "attachment";
    headers["content-security-policy"] = ACTIVE_BLOB_CSP;
  }
  return headers;
}

/** The content type of a blob requested with extension `ext` (none: plain bytes). */
function blobType(ext: string | undefined): string {
  const type = ext === undefined ? "application/octet-stream" : contentTypeFor(`blob.${ext}`);
  // Never a type a browser renders as a page or runs as a script, whatever the URL says.
  if (type.startsWith("text/html")) return "text/plain; charset=utf-8";
  if (type.startsWith("text/javascript")) return "application/octet-stream";
  return type;
}

/**
 * The app's module scripts and assets as a preview page loads them (docs/previews.md §1):
 * `GET /m/<key>.js` (R2 `modules/<key>.js`) and `GET /m/blob/<sha256>.<ext>` (R2
 * `modules/blob/<sha256>`; the bare `/m/blob/<sha256>` of older builds is plain bytes).
 *
 * Public by design, with no session and no token: a URL is the hash of what it holds (the key is
 * the SHA-256 of the transform version and the source's own hash), so it carries no secret and
 * reveals nothing to someone who has not already seen the manifest naming it, which only a
 * session's owner or token holder can read. Being content, every answer is immutable and cacheable
 * by browsers and the edge; scripts may only run in this origin's pages (CORP same-origin, and
 * the page CSP's script-src 'self'), and an asset is never served as anything that runs
 * (`blobHeaders`).
 */
export function moduleRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/m/blob/:file", async (c) => {
    const [, sha256, ext] = BLOB_FILE.exec(c.req.param("file")) ?? [];
    if (!sha256) throw nothingHere();
    const headers = blobHeaders(ext);
    const etag = `"${sha256}"`;
    if (c.req.header("if-none-match") === etag)
      return c.body(null, 304, { "x-content-type-options": "nosniff", etag, "cache-control": IMMUTABLE });
    const object = await c.env.BLOBS.get(r2Keys.moduleBlob(sha256));
    if (!object) throw nothingHere();
    return c.body(object.body, 200, {
      ...headers,
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
      "x-content-type-options": "nosniff",
      "content-length": String(object.size),
      "cache-control": IMMUTABLE,
      etag,
      "cross-origin-resource-policy": "same-origin",
    });
  });
  return app;
}
