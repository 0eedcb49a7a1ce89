import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/projects/:id/dependencies`: the app's pre-bundled dependencies (owner only). */
export function dependencyRoutes() {
  return createRouter().openapi(routes.list, handlers.list).openapi(routes.replace, handlers.replace);
}
