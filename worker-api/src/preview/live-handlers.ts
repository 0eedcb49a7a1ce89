import type { Context, TypedResponse } from "hono";
import type { PreviewStatusResponse } from "../../../schema/api/previews";
import { countSignedIn, knownDeadHere } from "../auth/admission";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { verifyAccessToken } from "../lib/access-tokens";
import { ApiError, notFound } from "../lib/api-error";
import { PREVIEW_TOKEN_PREFIX } from "../lib/viewer-tokens";
import { subprotocolBearer } from "../middleware/auth";
import type { AppRouteHandler } from "../openapi";
import { assertReadable, assertSessionLive, previewCaller, viewerCaller } from "./access";
import { LIVE_CALLER_HEADER, type PollOutcome } from "./preview-session";
import type * as routes from "./routes";
import type { PreviewCaller } from "./session-rules";
import { previewStub } from "./stub";

/** The subprotocol the live channel speaks; a browser offers it with `bearer.<token>` beside it. */
export const LIVE_PROTOCOL = "hivesync";

/** The subprotocols a WebSocket handshake offers (`Sec-WebSocket-Protocol: a, b`). */
function offeredProtocols(c: Context<AppEnv>): string[] {
  return (c.req.header("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Who opens the live channel: the token in the `bearer.<token>` subprotocol when there is one (a
 * browser cannot send headers with a WebSocket, and a URL would put the secret in logs), else the
 * Authorization header, with exactly the rules of the status route.
 */
async function liveCaller(c: Context<AppEnv>, sessionId: string): Promise<PreviewCaller> {
  const token = subprotocolBearer(c.req.header("sec-websocket-protocol"));
  if (!token) return previewCaller(c, sessionId);
  if (token.startsWith(PREVIEW_TOKEN_PREFIX)) return viewerCaller(c, token, sessionId);
  const claims = await verifyAccessToken(token, getConfig(c.env).jwtSecret);
  if (!claims)
    throw new ApiError("UNAUTHENTICATED", "Sign in, or use the token from resolving the preview code.");
  // A token the chain did not see (it reads the Authorization header): counted against its user
  // here, as every other request with a verified token is (the chain counted this one per IP).
  if (!knownDeadHere(c.env, claims.sub, claims.sid)) await countSignedIn(c, claims.sub, claims.sid);
  return { kind: "owner", userId: claims.sub, authSessionId: claims.sid };
}

/**
 * `GET /preview/sessions/:id/live`: hands the WebSocket to the session's Durable Object, which
 * accepts it hibernatable (`ctx.acceptWebSocket`) and pushes every change. Authorisation happens
 * here (the caller) and in the object (whether that caller may read the session).
 */
export const live: AppRouteHandler<typeof routes.live> = async (c) => {
  const { id } = c.req.valid("param");
  const caller = await liveCaller(c, id);
  await assertSessionLive(c, caller);
  const stub = previewStub(c.env, id);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    const { outcome, status } = await stub.poll(caller, null, 0);
    assertReadable(outcome);
    if (!status) throw notFound("Preview session");
    return c.json(status, 200, { "cache-control": "private, no-cache" });
  }
  const answer = await stub.fetch("https://preview-session/live", {
    headers: { upgrade: "websocket", [LIVE_CALLER_HEADER]: JSON.stringify(caller) },
  });
  if (answer.status === 429) {
    throw new ApiError(
      "RATE_LIMITED",
      "This preview has as many live sockets as it takes; poll its status instead.",
      { retry_after_seconds: 30 },
      { "retry-after": "30" },
    );
  }
  if (answer.status !== 101 || !answer.webSocket) {
    // The object's refusal names its outcome (404 not_found, 401 unauthenticated or revoked).
    assertReadable((await answer.text()) as PollOutcome);
    throw new ApiError("UNAUTHENTICATED", "This preview token is not valid (any more).");
  }
  // A fresh response (the object's headers are immutable), echoing the one protocol we speak.
  const headers = new Headers();
  if (offeredProtocols(c).includes(LIVE_PROTOCOL)) headers.set("sec-websocket-protocol", LIVE_PROTOCOL);
  const upgraded = new Response(null, { status: 101, webSocket: answer.webSocket, headers });
  return upgraded as unknown as TypedResponse<PreviewStatusResponse, 200, "json">;
};
