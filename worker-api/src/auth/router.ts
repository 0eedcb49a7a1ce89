import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/auth`: register, login, refresh, logout, me. */
export function authRoutes() {
  return createRouter()
    .openapi(routes.register, handlers.register)
    .openapi(routes.login, handlers.login)
    .openapi(routes.refresh, handlers.refresh)
    .openapi(routes.logout, handlers.logout)
    .openapi(routes.me, handlers.me);
}
