import type { Context } from "hono";
import { aiRoutes } from "./ai/routes";
import { authRoutes } from "./auth/routes";
import { commentRoutes } from "./comments/routes";
import { deviceRoutes } from "./devices/routes";
import { ReferencePage } from "./docs/reference-page";
import type { AppEnv } from "./env";
import { onError, renderError } from "./errors";
import { healthRoutes } from "./health/routes";
import { registerLandingPages } from "./landing/pages";
import { ApiError } from "./lib/api-error";
import { readAccessToken } from "./middleware/auth";
import { corsAllowList } from "./middleware/cors";
import { jsonBody } from "./middleware/json-body";
import { generalRateLimit } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";
import { mirrorRoutes } from "./mirror/routes";
import { notificationRoutes } from "./notifications/routes";
import { createRouter } from "./openapi";
import { previewRoutes } from "./preview/routes";
import { projectRoutes } from "./projects/routes";

export const API_BASE = "/api/v1";
const OPENAPI_PATH = `${API_BASE}/openapi.json`;

/**
 * Turns Hono's `/projects/:id` patterns into regexes, to tell "wrong method" (405) from "no such route" (404).
 * Exact matches only: routing is strict about a trailing slash, so `/projects/` is no route at all (404),
 * not a 405 that lists the very method that was used.
 */
function routeMatchers(routes: { method: string; path: string }[]) {
  return routes
    .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
    .map((r) => ({
      method: r.method,
      regex: new RegExp(
        `^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+(\{[^}]+\})?/g, "[^/]+")}$`,
      ),
    }));
}

/**
 * Builds the whole HTTP app: middleware, every feature's routes, OpenAPI, error handling. Production
 * (`index.ts`) and the tests use this same factory.
 */
export function createApp() {
  const app = createRouter();

  app.use("*", requestContext, securityHeaders, corsAllowList);
  app.use(`${API_BASE}/*`, readAccessToken, generalRateLimit, jsonBody);

  app.route("/", healthRoutes());
  registerLandingPages(app);
  for (const routes of [
    authRoutes(),
    projectRoutes(),
    commentRoutes(),
    mirrorRoutes(),
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
  app.get("/docs", (c) => {
    const doc = app.getOpenAPI31Document(documentConfig);
    c.header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    return c.html(<ReferencePage doc={doc as never} specUrl={OPENAPI_PATH} />);
  });

  const matchers = routeMatchers(app.routes);
  app.notFound((c: Context<AppEnv>) => {
    const path = new URL(c.req.url).pathname;
    const allowed = [...new Set(matchers.filter((m) => m.regex.test(path)).map((m) => m.method))];
    if (allowed.length > 0) {
      const err = new ApiError(
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not supported here.`,
        { allow: allowed },
        {
          allow: allowed.join(", "),
        },
      );
      return renderError(c, err);
    }
    return renderError(c, new ApiError("NOT_FOUND", "There is nothing at this address."));
  });
  app.onError(onError);
  return app;
}
