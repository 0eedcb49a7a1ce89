import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** The file mirror: blob uploads, change sets, and reading the tree and its syncs (owner only). */
export function mirrorRoutes() {
  return createRouter()
    .openapi(routes.missing, handlers.missing)
    .openapi(routes.upload, handlers.upload)
    .openapi(routes.commit, handlers.commit)
    .openapi(routes.summary, handlers.summary)
    .openapi(routes.files, handlers.files)
    .openapi(routes.file, handlers.file)
    .openapi(routes.sync, handlers.sync);
}
