import type { Context } from "hono";
import type { AppEnv, Env } from "../env";
import { ApiError, notFound } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import type { PreviewState } from "./preview-session";

export const PREVIEW_TOKEN_PREFIX = "pvt_";

export function previewStub(env: Env, sessionId: string) {
  return env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(sessionId));
}

/** A preview-scoped token names its session, so a token for another session is told apart (403). */
export function previewTokenParts(token: string): { sessionId: string; secret: string } | null {
  const match = /^pvt_(pvs_[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{32,})$/.exec(token);
  return match ? { sessionId: match[1] as string, secret: match[2] as string } : null;
}

export type PreviewCaller =
  | { kind: "token"; tokenHash: string }
  | { kind: "owner"; userId: string; authSessionId: string };

/**
 * Who is asking about preview `sessionId`, checked without D1: a preview-scoped token must be one
 * the session's object handed out, and a user token must belong to the session's owner and not be
 * revoked (checked in the user's RevokedSessions object). Anything else is 401, 403 or 404.
 */
export async function identifyPreviewCaller(c: Context<AppEnv>, sessionId: string): Promise<PreviewCaller> {
  const bearer = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
  if (bearer?.startsWith(PREVIEW_TOKEN_PREFIX)) {
    const parts = previewTokenParts(bearer);
    if (!parts) throw new ApiError("UNAUTHENTICATED", "This preview token is not valid.");
    if (parts.sessionId !== sessionId)
      throw new ApiError("FORBIDDEN", "This preview token is for another preview.");
    return { kind: "token", tokenHash: await sha256Hex(bearer) };
  }
  const claims = c.get("claims");
  if (!claims)
    throw new ApiError("UNAUTHENTICATED", "Sign in, or use the token from resolving the preview code.");
  const revoked = await c.env.REVOKED_SESSIONS.get(c.env.REVOKED_SESSIONS.idFromName(claims.sub)).isRevoked(
    claims.sid,
  );
  if (revoked) throw new ApiError("UNAUTHENTICATED", "This sign-in has been revoked.");
  return { kind: "owner", userId: claims.sub, authSessionId: claims.sid };
}

/** Whether `caller` may read `state`; throws the right error if not. */
export function assertCanRead(state: PreviewState | null, caller: PreviewCaller): PreviewState {
  if (!state) throw notFound("Preview session");
  if (caller.kind === "owner") {
    if (state.owner_id !== caller.userId) throw notFound("Preview session");
    return state;
  }
  if (!state.token_hashes.includes(caller.tokenHash) || Date.now() >= new Date(state.expires_at).getTime()) {
    throw new ApiError("UNAUTHENTICATED", "This preview token is not valid (any more).");
  }
  return state;
}

/** The 409/410 a bundle read gets when the session is not `ready`. */
export function assertReady(state: PreviewState): void {
  const expired = state.status === "expired" || Date.now() >= new Date(state.expires_at).getTime();
  if (expired) throw new ApiError("PREVIEW_EXPIRED", "This preview has expired.", { status: "expired" });
  if (state.status === "cancelled")
    throw new ApiError("PREVIEW_CANCELLED", "This preview was cancelled.", { status: state.status });
  if (state.status === "failed") {
    throw new ApiError("PREVIEW_FAILED", "This preview failed to build.", {
      status: state.status,
      error: state.error ?? null,
    });
  }
  if (state.status !== "ready") {
    throw new ApiError("PREVIEW_NOT_READY", "The bundle is not ready yet; poll the status.", {
      status: state.status,
      stage: state.stage,
      progress: state.progress,
    });
  }
}
