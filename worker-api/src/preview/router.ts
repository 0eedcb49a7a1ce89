import { createRouter } from "../openapi";
import * as bundleHandlers from "./bundle-handlers";
import * as handlers from "./handlers";
import * as liveHandlers from "./live-handlers";
import * as routes from "./routes";

/** `/preview`: start, status (long-poll), the live socket, read, list, cancel, resolve a code, and the bundle a phone downloads. */
export function previewRoutes() {
  return createRouter()
    .openapi(routes.start, handlers.start)
    .openapi(routes.status, handlers.status)
    .openapi(routes.live, liveHandlers.live)
    .openapi(routes.read, handlers.read)
    .openapi(routes.list, handlers.list)
    .openapi(routes.cancel, handlers.cancel)
    .openapi(routes.resolve, handlers.resolve)
    .openapi(routes.bundle, bundleHandlers.bundle)
    .openapi(routes.revisionManifest, bundleHandlers.revisionManifest)
    .openapi(routes.bundleFile, bundleHandlers.bundleFile);
}
