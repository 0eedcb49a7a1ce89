import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { ASSETS_BASE, assetsVersion, DOCS_ASSETS } from "./assets";
import { ReferencePage } from "./reference-page";

/**
 * Same-origin scripts and styles only; `connect-src 'self'` is what "try it" needs (the document's
 * server is this origin); `img-src data:` is for Swagger UI's icons, which its CSS inlines.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";

/** GET /docs (the interactive reference) and its versioned assets. */
export function docsRoutes(specUrl: string) {
  const app = new Hono<AppEnv>();

  app.get("/docs", async (c) => {
    const assetsBase = `${ASSETS_BASE}/${await assetsVersion()}`;
    c.header("content-security-policy", DOCS_CSP);
    // The page is tiny and names the current asset version: revalidate it, cache the assets.
    c.header("cache-control", "no-cache");
    return c.html(<ReferencePage assetsBase={assetsBase} specUrl={specUrl} />);
  });

  app.get(`${ASSETS_BASE}/:version/:name`, async (c) => {
    const name = c.req.param("name");
    const asset = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
    // Another version's URL must not get today's bytes cached forever under it.
    if (!asset || c.req.param("version") !== (await assetsVersion()))
      throw new ApiError("NOT_FOUND", "There is nothing at this address.");
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": IMMUTABLE });
  });

  return app;
}
