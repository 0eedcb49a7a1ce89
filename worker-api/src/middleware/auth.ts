import { createMiddleware } from "hono/factory";
import { sessionLiveHere } from "../auth/admission";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { verifyAccessToken } from "../lib/access-tokens";
import { ApiError } from "../lib/api-error";
import { timingSafeEqual } from "../lib/crypto";
import { PREVIEW_TOKEN_PREFIX, verifiedViewer } from "../lib/viewer-tokens";

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 token68), or null. The scheme
 * name is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` are the same scheme.
 */
export function bearer(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

/**
 * The token a browser's WebSocket offers as the subprotocol `bearer.<token>` (it cannot set
 * headers, and a URL would put the secret in logs).
 */
export function subprotocolBearer(header: string | undefined): string | null {
  const offered = (header ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith("bearer."))?.slice("bearer.".length) || null;
}

/**
 * Verifies a bearer token when one is present and remembers who it is for (the general rate limit
 * keys on it): an access token's claims, or the viewer of a preview token (its signature: no
 * storage). It rejects nothing: `requireAuth` and the preview routes do that.
 */
export const readAccessToken = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearer(c.req.header("authorization"));
  const { jwtSecret } = getConfig(c.env);
  if (token?.startsWith(PREVIEW_TOKEN_PREFIX)) {
    const viewer = await verifiedViewer(jwtSecret, token);
    if (viewer) c.set("viewer", { ...viewer, token });
  } else if (token) {
    const claims = await verifyAccessToken(token, jwtSecret);
    if (claims) c.set("claims", { sub: claims.sub, sid: claims.sid });
  } else {
    const offered = subprotocolBearer(c.req.header("sec-websocket-protocol"));
    const viewer = offered?.startsWith(PREVIEW_TOKEN_PREFIX)
      ? await verifiedViewer(jwtSecret, offered)
      : null;
    if (viewer && offered) c.set("viewer", { ...viewer, token: offered });
  }
  await next();
});

/** The one refusal of every user route: no token, a bad one, or one whose session has ended. */
export const unauthenticated = () =>
  new ApiError(
    "UNAUTHENTICATED",
    "Sign in first: send a valid, unexpired access token as 'Authorization: Bearer <token>'.",
  );

/**
 * Demands a valid access token whose auth session is live, as the user's UserSessions object says
 * — from the lease this isolate holds on its answer, or one call (D1 only for a session the object
 * has not seen). A revocation answers only once no isolate holds a lease, which is what makes
 * logout and device revocation take effect everywhere by the time they have answered.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const claims = c.get("claims");
  if (!claims) throw unauthenticated();
  if (!(await sessionLiveHere(c.env, claims.sub, claims.sid))) throw unauthenticated();
  c.set("auth", { userId: claims.sub, sessionId: claims.sid });
  await next();
});

/** The operations routes: demands `Authorization: Bearer <OPS_TOKEN>` when `OPS_TOKEN` is set. */
export const requireOpsToken = createMiddleware<AppEnv>(async (c, next) => {
  const opsToken = getConfig(c.env).opsToken;
  // Any characters: the operators choose this token, it need not be token68. The scheme is
  // case-insensitive, as for every other bearer token.
  const presented = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (opsToken && !timingSafeEqual(presented, opsToken)) {
    throw new ApiError("UNAUTHENTICATED", "This endpoint needs the operations token.");
  }
  await next();
});
