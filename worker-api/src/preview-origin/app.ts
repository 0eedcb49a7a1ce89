import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { html } from "hono/html";
import { appRuntimeRoutes } from "../app-runtime/routes";
import { RUNTIME_URL } from "../app-runtime/runtime-script";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { onError, renderError } from "../errors";
import { ApiError } from "../lib/api-error";
import { requestContext } from "../middleware/request-context";
import { moduleRoutes } from "../modules/routes";
import { previewSessionOfUrl, shellOrigins } from "./origins";
import { framePolicy } from "./policies";

const nothingHere = () => new ApiError("NOT_FOUND", "There is nothing at this address.");

/** What every answer of a preview origin carries; pages set their own CSP (the frame's). */
const previewHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.header("x-content-type-options", "nosniff");
  // The app's own requests keep the browser's default (an API may check its origin); the frame's
  // URL holds nothing secret.
  c.header("referrer-policy", "strict-origin-when-cross-origin");
  if (!c.res.headers.has("content-security-policy"))
    c.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  if (c.req.url.startsWith("https:"))
    c.header("strict-transport-security", "max-age=31536000; includeSubDomains");
});

/**
 * Everything a preview origin (`{session}.<preview domain>`) serves, and nothing else: the frame
 * the app runs in (any other path too, for the app's own routes: Expo Router's `/settings` reloads
 * into the frame), the runtime and the SDK's chunks and assets (`/runtime/…`), and the app's module
 * scripts and assets (`/m/…`). No API, no docs, no landing pages, no credentials: the frame gets
 * its manifests from the shell by `postMessage` (runtime/src/frame-link.ts).
 */
export function createPreviewOriginApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext, previewHeaders);
  app.route("/", appRuntimeRoutes());
  app.route("/", moduleRoutes());
  // A name the runtime or the build did not write is missing, not a route of the app.
  for (const prefix of ["/runtime/*", "/m/*"])
    app.get(prefix, () => {
      throw nothingHere();
    });
  app.get("*", (c) => {
    const config = getConfig(c.env);
    if (!previewSessionOfUrl(config, c.req.url)) throw nothingHere();
    const parents = shellOrigins(config, c.req.url);
    c.header("content-security-policy", framePolicy({ shellOrigins: parents, local: !config.isProduction }));
    // No secret in it, but a deploy changes the runtime it names.
    c.header("cache-control", "no-cache");
    return c.html(html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex">
<title>HiveSync preview</title>
</head>
<body>
<div id="root"></div>
<script src="${RUNTIME_URL}" data-shell-origins="${parents.join(" ")}"></script>
</body>
</html>
`);
  });
  app.all("*", (c) =>
    renderError(
      c,
      new ApiError(
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not supported here.`,
        { allow: ["GET"] },
        { allow: "GET" },
      ),
    ),
  );
  app.onError(onError);
  return app;
}
