import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { renderError } from "../errors";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { isLocalUrl } from "../lib/local-host";
import { log } from "../lib/log";

/**
 * First middleware of every request: assigns the request id, logs one structured line when the
 * response is ready, and refuses to serve with an unsafe JWT_SECRET (`Config.misconfiguration`):
 * anything at all in production, and outside it any request that is not to a local stack — a
 * deploy that forgot ENVIRONMENT=production must not serve with the public development secret.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = newId("request");
  c.set("requestId", requestId);
  const started = Date.now();
  try {
    const config = getConfig(c.env);
    if (config.misconfiguration && (config.isProduction || !isLocalUrl(c.req.url))) {
      log("error", "refusing to serve: misconfigured", {
        request_id: requestId,
        problem: config.misconfiguration,
        environment: config.environment,
        ...(config.isProduction ? {} : { reason: "the request is not to a local stack" }),
      });
      c.res = renderError(
        c,
        new ApiError("MISCONFIGURED", "The service is misconfigured; the operators have been told."),
      );
    } else {
      await next();
    }
  } finally {
    c.header("x-request-id", requestId);
    // The route pattern, never the concrete path: paths can hold codes (e.g. /p/:code).
    log("info", "request", {
      request_id: requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      duration_ms: Date.now() - started,
      user_id: c.get("claims")?.sub,
    });
  }
});
