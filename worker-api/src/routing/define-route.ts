import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { ErrorResponse } from "../../../schema/api/common";
import { ERRORS, type ErrorCode } from "../../../schema/errors";
import type { AppEnv } from "../env";
import { readAccessToken, requireAuth, requireOpsToken } from "../middleware/auth";
import { IDEMPOTENCY_KEY_MAX, idempotent } from "../middleware/idempotency";
import { jsonBody } from "../middleware/json-body";
import { requireOwnedProject } from "../middleware/owned-project";
import { generalRateLimit } from "../middleware/rate-limit";

/**
 * Who may call a route:
 * - `user`: a signed-in user or one of their devices (`Authorization: Bearer <access token>`);
 * - `preview`: that, or a preview-scoped token (`pvt_…`) for the one session in the path — the
 *   handler decides, because the answer depends on the session;
 * - `ops`: the operations token, when `OPS_TOKEN` is configured;
 * - `none`: anyone.
 */
export type RouteAuth = "user" | "preview" | "ops" | "none";

type Middleware = MiddlewareHandler<AppEnv>;

export type RouteSpec = Omit<RouteConfig, "security" | "middleware"> & {
  auth: RouteAuth;
  /** Creating POSTs: honours `Idempotency-Key` (spec §2). */
  idempotent?: boolean;
  /**
   * `json` (the default for POST/PUT/PATCH): the body is capped, must be JSON and is parsed once.
   * `raw`: bytes the handler reads itself (and limits itself).
   */
  body?: "json" | "raw";
  /**
   * The path parameter naming a project the caller must own (`"id"`; `auth: "user"` only): the
   * authentication step checks the session and the ownership in one D1 query and puts the project
   * on the context (`ownedProject(c)`, middleware/owned-project.ts). 401 for a session that has
   * ended, 404 `NOT_FOUND` for a missing or someone else's project.
   */
  ownedProject?: string;
  /** The general per-caller limit (spec §9); off only for the operations routes outside `/api/v1`. */
  generalLimit?: boolean;
  /** The route's own errors: everything its handler (or its own middleware) can throw. */
  errors?: readonly ErrorCode[];
  /** The route's own middleware, run after authentication and idempotency. */
  middleware?: Middleware[];
};

const METHODS_WITH_BODY = new Set(["post", "put", "patch"]);

/** The chain's own failures, by the part of the chain that raises them. */
const CHAIN_ERRORS = {
  always: ["INTERNAL_ERROR", "MISCONFIGURED"],
  generalLimit: ["RATE_LIMITED"],
  jsonBody: ["INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"],
  validated: ["VALIDATION_FAILED"],
  paged: ["INVALID_CURSOR"],
  user: ["UNAUTHENTICATED"],
  ownedProject: ["NOT_FOUND"],
  preview: ["UNAUTHENTICATED", "FORBIDDEN"],
  ops: ["UNAUTHENTICATED"],
  idempotent: ["VALIDATION_FAILED", "IDEMPOTENCY_IN_PROGRESS", "IDEMPOTENCY_KEY_REUSED"],
} as const satisfies Record<string, readonly ErrorCode[]>;

const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(IDEMPOTENCY_KEY_MAX).optional().meta({
    description: "Retry-safe creation: a retry with the same key and body replays the first answer.",
  }),
});

const RetryAfter = {
  "retry-after": { description: "Seconds to wait before trying again", schema: { type: "integer" as const } },
};

function shapeKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Every error code a route can answer with: the chain's (from its declaration) plus its own. */
export function routeErrorCodes(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(CHAIN_ERRORS.always);
  const add = (list: readonly ErrorCode[]) => {
    for (const code of list) codes.add(code);
  };
  const request = spec.request ?? {};
  if (spec.generalLimit !== false) add(CHAIN_ERRORS.generalLimit);
  if (bodyKind(spec) === "json") add(CHAIN_ERRORS.jsonBody);
  if (request.body || request.params || request.query || request.headers) add(CHAIN_ERRORS.validated);
  if (shapeKeys(request.query).includes("cursor")) add(CHAIN_ERRORS.paged);
  if (spec.auth !== "none") add(CHAIN_ERRORS[spec.auth]);
  if (spec.ownedProject) add(CHAIN_ERRORS.ownedProject);
  if (spec.idempotent) add(CHAIN_ERRORS.idempotent);
  add(spec.errors ?? []);
  return [...codes];
}

function bodyKind(spec: RouteSpec): "json" | "raw" | null {
  if (spec.body) return spec.body;
  return METHODS_WITH_BODY.has(spec.method) ? "json" : null;
}

/** OpenAPI response entries for `codes`, one per status, each listing its codes. */
function errorResponses(codes: ErrorCode[]): RouteConfig["responses"] {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        status,
        {
          description: list.map((code) => `\`${code}\`: ${ERRORS[code].description}`).join("\n\n"),
          ...(status === 429 ? { headers: RetryAfter } : {}),
          content: { "application/json": { schema: ErrorResponse } },
        },
      ]),
  );
}

/** The zod schema of path parameter `name`, which an `ownedProject` route must declare. */
function paramSchema(spec: RouteSpec, name: string) {
  const schema = (spec.request?.params as { shape?: Record<string, unknown> } | undefined)?.shape?.[name];
  if (!schema)
    throw new Error(`${spec.method} ${spec.path}: ownedProject "${name}" is not a declared path parameter`);
  return schema as { safeParse(value: unknown): { success: boolean } };
}

function chain(spec: RouteSpec): Middleware[] {
  if (spec.ownedProject && spec.auth !== "user") {
    throw new Error(`${spec.method} ${spec.path}: ownedProject needs auth "user"`);
  }
  const limited = spec.generalLimit !== false;
  // The general limit is what bounds a signed-in user (and its call leases the session the check
  // then reads): only the operations routes and open ones go without it.
  if (!limited && (spec.auth === "user" || spec.auth === "preview")) {
    throw new Error(`${spec.method} ${spec.path}: auth "${spec.auth}" routes always have the general limit`);
  }
  const middleware: Middleware[] = [];
  if (limited || spec.auth === "user" || spec.auth === "preview") middleware.push(readAccessToken);
  if (limited) middleware.push(generalRateLimit);
  if (bodyKind(spec) === "json") middleware.push(jsonBody);
  if (spec.auth === "user") {
    middleware.push(
      spec.ownedProject
        ? requireOwnedProject(spec.ownedProject, paramSchema(spec, spec.ownedProject))
        : requireAuth,
    );
  }
  if (spec.auth === "ops") middleware.push(requireOpsToken);
  if (spec.idempotent) middleware.push(idempotent);
  return [...middleware, ...(spec.middleware ?? [])];
}

/** OpenAPI security requirements; an open route has none at all (no global requirement to override). */
const SECURITY: Record<RouteAuth, RouteConfig["security"] | undefined> = {
  user: [{ bearerAuth: [] }],
  preview: [{ bearerAuth: [] }, { previewToken: [] }],
  ops: [{ opsToken: [] }],
  none: undefined,
};

/**
 * The one way to declare a route: from who may call it and what it takes, this sets its security,
 * its middleware chain and every error response the chain and the route can produce, so the
 * OpenAPI document says exactly what the server does.
 *
 * @example
 * const read = defineRoute({
 *   method: "get", path: "/projects/{id}", auth: "user", tags: ["Projects"], summary: "One project",
 *   request: { params: ProjectParams }, errors: ["NOT_FOUND"],
 *   responses: { 200: { description: "The project", ...json(Project) } },
 * });
 * app.openapi(read, handler);
 */
export function defineRoute<const S extends RouteSpec>(spec: S) {
  const {
    auth,
    idempotent: isIdempotent,
    body,
    ownedProject,
    generalLimit,
    errors,
    middleware,
    ...route
  } = spec;
  const request: NonNullable<RouteConfig["request"]> = { ...route.request };
  if (isIdempotent) {
    const own = request.headers;
    request.headers =
      own && !Array.isArray(own) && "extend" in own
        ? (own as z.ZodObject).extend(IdempotencyHeader.shape)
        : IdempotencyHeader;
  }
  const config = createRoute({
    ...route,
    request,
    ...(SECURITY[auth] ? { security: SECURITY[auth] } : {}),
    middleware: chain(spec),
    responses: { ...errorResponses(routeErrorCodes(spec)), ...route.responses },
  });
  // The handler's typing sees only the route's own responses: errors are thrown, never returned.
  return config as unknown as Omit<S, "middleware"> & { middleware: Middleware[] };
}
