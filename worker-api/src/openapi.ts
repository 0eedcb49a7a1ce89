import { type Hook, OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import { MIRROR_PATH_RULE } from "../../schema/api/paths";
import type { AppEnv } from "./env";
import { ApiError } from "./lib/api-error";

/**
 * zod failures of any request part become 400 VALIDATION_FAILED with `details.issues` (spec §2) —
 * except a request whose only fault is a path breaking the mirror's rules: 422 INVALID_PATH (§4).
 */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const target = (result as { target?: string }).target ?? "body";
  const issues = result.error.issues;
  const details = {
    issues: issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
      in: target === "json" ? "body" : target,
    })),
  };
  const pathRule = (issue: (typeof issues)[number]) =>
    issue.code === "custom" && (issue as { params?: { rule?: string } }).params?.rule === MIRROR_PATH_RULE;
  if (issues.length > 0 && issues.every(pathRule)) {
    throw new ApiError("INVALID_PATH", "A path breaks the mirror's path rules; see details.issues.", details);
  }
  throw new ApiError("VALIDATION_FAILED", "The request is not valid; see details.issues.", details);
};

/** A router for one feature; every router validates the same way, so every route errors alike. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** An OpenAPI JSON body or response entry for `schema`. */
export const json = <T>(schema: T) => ({ content: { "application/json": { schema } } });

/** The handler of a route declared with `defineRoute`, typed from its declaration. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
