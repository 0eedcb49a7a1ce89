import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/ai/jobs`: queue a documentation job on a mirrored file, read it, list a project's jobs. */
export function aiRoutes() {
  return createRouter()
    .openapi(routes.create, handlers.create)
    .openapi(routes.read, handlers.read)
    .openapi(routes.list, handlers.list);
}
