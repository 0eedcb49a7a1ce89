import type { Context } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { aiRoutes } from "./ai/router";
import { authRoutes } from "./auth/router";
import { commentRoutes } from "./comments/router";
import { getConfig } from "./config";
import { dependencyRoutes } from "./dependencies/router";
import { deviceRoutes } from "./devices/router";
import { docsRoutes } from "./docs/routes";
import type { AppEnv } from "./env";
import { onError, renderError } from "./errors";
import { healthRoutes } from "./health/routes";
import { registerLandingPages } from "./landing/pages";
import { ApiError } from "./lib/api-error";
import { corsAllowList } from "./middleware/cors";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";
import { mirrorRoutes } from "./mirror/router";
import { notificationRoutes } from "./notifications/router";
import { createRouter } from "./openapi";
import { previewRoutes } from "./preview/router";
import { createPreviewOriginApp } from "./preview-origin/app";
import { isPreviewHost } from "./preview-origin/origins";
import { projectRoutes } from "./projects/router";

export const API_BASE = "/api/v1";
const OPENAPI_PATH = `${API_BASE}/openapi.json`;

/**
 * Builds the whole HTTP app: middleware, every feature's routes, OpenAPI, error handling. Production
 * (`index.ts`) and the tests use this same factory.
 */
export function createApp() {
  const app = createRouter();
  const previews = createPreviewOriginApp();

  // A preview origin's host only ever reaches the preview routes, and they are served nowhere else
  // (docs/architecture.md "Two origins").
  app.use("*", async (c, next) => {
    if (!isPreviewHost(getConfig(c.env), c.req.url)) return next();
    let ctx: typeof c.executionCtx | undefined;
    try {
      ctx = c.executionCtx;
    } catch {
      // app.request() in tests has none.
    }
    return previews.fetch(c.req.raw, c.env, ctx);
  });
  app.use("*", requestContext, securityHeaders, corsAllowList);
  // Each route's own chain (auth, limits, body gate) comes from its declaration (routing/define-route).
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        renderError(
          c,
          new ApiError(
            "METHOD_NOT_ALLOWED",
            `${c.req.method} is not supported here.`,
            { allow: allowed },
            {
              allow: allowed.join(", "),
            },
          ),
        ),
    }),
  );

  app.route("/", healthRoutes());
  registerLandingPages(app);
  for (const routes of [
    authRoutes(),
    projectRoutes(),
    commentRoutes(),
    mirrorRoutes(),
    dependencyRoutes(),
    aiRoutes(),
    notificationRoutes(),
    previewRoutes(),
    deviceRoutes(),
  ])
    app.route(API_BASE, routes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A user's (or linked device's) access token from /auth/login, /auth/register or /auth/refresh.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "previewToken", {
    type: "http",
    scheme: "bearer",
    description:
      "A preview-scoped token (pvt_…) from /preview/resolve: reads one session's status and bundle.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "opsToken", {
    type: "http",
    scheme: "bearer",
    description: "The operations token (OPS_TOKEN), when one is configured.",
  });
  const documentConfig = {
    openapi: "3.1.0",
    info: {
      title: "HiveSync API",
      version: "1",
      description:
        "Accounts, projects, the file mirror, preview sessions, AI documentation and notifications. Errors always use the envelope {error:{code,message,details,request_id}}.",
    },
  };
  app.doc31(OPENAPI_PATH, (c) => ({ ...documentConfig, servers: [{ url: new URL(c.req.url).origin }] }));
  app.route("/", docsRoutes(OPENAPI_PATH));

  app.notFound((c: Context<AppEnv>) =>
    renderError(c, new ApiError("NOT_FOUND", "There is nothing at this address.")),
  );
  app.onError(onError);
  return app;
}
