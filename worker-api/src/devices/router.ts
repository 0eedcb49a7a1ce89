import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/devices`: link a phone with a one-time code, list and unlink your devices. */
export function deviceRoutes() {
  return createRouter()
    .openapi(routes.link, handlers.link)
    .openapi(routes.claim, handlers.claim)
    .openapi(routes.list, handlers.list)
    .openapi(routes.revoke, handlers.revoke);
}
