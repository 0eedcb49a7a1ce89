import { createRouter } from "../openapi";
import * as handlers from "./handlers";
import * as routes from "./routes";

/** `/notifications`: the signed-in user's list (with etag/304) and marking them read. */
export function notificationRoutes() {
  return createRouter()
    .openapi(routes.list, handlers.list)
    .openapi(routes.readAll, handlers.readAll)
    .openapi(routes.readOne, handlers.readOne);
}
