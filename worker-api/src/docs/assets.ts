import swaggerUiCss from "swagger-ui-dist/swagger-ui.css";
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js";

/**
 * Starts Swagger UI on the page's #swagger-ui element. A file of its own (not an inline script) so
 * the page's CSP can be `script-src 'self'` without nonces or hashes.
 */
const INIT_SCRIPT = `"use strict";
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.specUrl,
  domNode: root,
  deepLinking: true,
  // The default validator badge would send the document to validator.swagger.io.
  validatorUrl: null,
  // Tokens typed into "Authorize" stay in memory, never in localStorage.
  persistAuthorization: false,
  displayRequestDuration: true,
  showCommonExtensions: true,
  filter: true,
  defaultModelsExpandDepth: 0,
});
`;

/** Swagger UI styles its own root only; this fills the gaps around it. */
const PAGE_CSS = `body{margin:0;background:#fff}
.hs-noscript{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}
.swagger-ui .information-container{padding-top:1rem}`;

/** A hexagon: the favicon, so the browser's automatic /favicon.ico request never 404s. */
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#f5a623" d="M16 2l12 7v14l-12 7-12-7V9z"/></svg>`;

type Asset = { body: string; type: string };

export const DOCS_ASSETS: Record<string, Asset> = {
  "swagger-ui-bundle.js": { body: swaggerUiBundle, type: "text/javascript; charset=utf-8" },
  "swagger-ui.css": { body: swaggerUiCss, type: "text/css; charset=utf-8" },
  "docs.js": { body: INIT_SCRIPT, type: "text/javascript; charset=utf-8" },
  "docs.css": { body: PAGE_CSS, type: "text/css; charset=utf-8" },
  "favicon.svg": { body: FAVICON_SVG, type: "image/svg+xml" },
};

/** The digest once computed; a value, not a promise, so no request awaits another's work. */
let version: string | undefined;

/**
 * A digest of every asset: the URL segment that lets browsers and the edge cache assets forever
 * (`immutable`) while any change — a swagger-ui-dist upgrade or an edit here — gets new URLs.
 * Computed once per isolate, on first use, rather than at start-up.
 */
export async function assetsVersion(): Promise<string> {
  if (version) return version;
  const all = Object.entries(DOCS_ASSETS)
    .map(([name, asset]) => `${name}\0${asset.body}`)
    .join("\0");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(all));
  version = [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return version;
}

export const ASSETS_BASE = "/docs/assets";
