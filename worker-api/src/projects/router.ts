import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/projects`: create, list, read, update, delete (owner only). */
export function projectRoutes() {
  return createRouter()
    .openapi(routes.create, handlers.create)
    .openapi(routes.list, handlers.list)
    .openapi(routes.read, handlers.read)
    .openapi(routes.update, handlers.update)
    .openapi(routes.remove, handlers.remove);
}
