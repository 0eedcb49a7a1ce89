import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** Comments on a project's files: create and list under the project, edit and delete by id. */
export function commentRoutes() {
  return createRouter()
    .openapi(routes.create, handlers.create)
    .openapi(routes.list, handlers.list)
    .openapi(routes.update, handlers.update)
    .openapi(routes.remove, handlers.remove);
}
