import { createRouter } from "../openapi";
import * as blobHandlers from "./blob-handlers";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** The file mirror: blob uploads, change sets, and reading the tree and its syncs (owner only). */
export function mirrorRoutes() {
  return createRouter()
    .openapi(routes.missing, blobHandlers.missing)
    .openapi(routes.upload, blobHandlers.upload)
    .openapi(routes.batch, blobHandlers.batch)
    .openapi(routes.commit, handlers.commit)
    .openapi(routes.summary, handlers.summary)
    .openapi(routes.files, handlers.files)
    .openapi(routes.file, handlers.file)
    .openapi(routes.sync, handlers.sync);
}
