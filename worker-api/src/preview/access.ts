import type { Context } from "hono";
import { knownDeadHere, sessionLiveHere } from "../auth/admission";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../lib/api-error";
import { PREVIEW_TOKEN_PREFIX, tokenSession, verifiedViewer } from "../lib/viewer-tokens";
import { bearer } from "../middleware/auth";
import { type PreviewCaller, type ReadOutcome, readOutcome } from "./session-rules";
import type { PreviewState } from "./session-state";

/**
 * The viewer a preview token is for, if it is one of `sessionId`'s: a token naming another session
 * is told apart (403) from one the server did not sign (401). No Durable Object call.
 */
export async function viewerCaller(
  c: Context<AppEnv>,
  token: string,
  sessionId: string,
): Promise<PreviewCaller> {
  const named = tokenSession(token);
  if (named && named !== sessionId)
    throw new ApiError("FORBIDDEN", "This preview token is for another preview.");
  // The chain checked the request's token already (`readAccessToken`): not twice per request.
  const checked = c.get("viewer");
  const viewer =
    checked?.token === token
      ? checked
      : named
        ? await verifiedViewer(getConfig(c.env).jwtSecret, token)
        : null;
  if (!viewer) throw new ApiError("UNAUTHENTICATED", "This preview token is not valid.");
  return { kind: "viewer", viewerId: viewer.viewerId };
}

/** The refusal of an owner's token whose sign-in was revoked. */
const revoked = () => new ApiError("UNAUTHENTICATED", "This sign-in has been revoked.");

/**
 * Who is asking about preview `sessionId`, from the request alone: a preview-scoped token (which
 * must name this session: 403 otherwise) or a verified user access token. Whether they may read
 * it is the session object's call (`readOutcome`), and revocation is `assertSessionLive`.
 */
export async function previewCaller(c: Context<AppEnv>, sessionId: string): Promise<PreviewCaller> {
  // The same parsing as for access tokens (the scheme name in any case), so both kinds of token
  // are accepted in exactly the same headers.
  const token = bearer(c.req.header("authorization"));
  if (token?.startsWith(PREVIEW_TOKEN_PREFIX)) return viewerCaller(c, token, sessionId);
  const claims = c.get("claims");
  if (!claims)
    throw new ApiError("UNAUTHENTICATED", "Sign in, or use the token from resolving the preview code.");
  // Before the session object's call goes out beside the check (a status poll can wait 25 s).
  if (knownDeadHere(c.env, claims.sub, claims.sid)) throw revoked();
  return { kind: "owner", userId: claims.sub, authSessionId: claims.sid };
}

/**
 * Logout and device revocation apply on the preview paths too, through the same check as
 * `requireAuth`: the user's UserSessions object (or this isolate's lease on its answer).
 */
export async function assertSessionLive(c: Context<AppEnv>, caller: PreviewCaller): Promise<void> {
  if (caller.kind !== "owner") return;
  if (!(await sessionLiveHere(c.env, caller.userId, caller.authSessionId))) throw revoked();
}

/** `previewCaller` and `assertSessionLive` one after the other. */
export async function identifyPreviewCaller(c: Context<AppEnv>, sessionId: string): Promise<PreviewCaller> {
  const caller = await previewCaller(c, sessionId);
  await assertSessionLive(c, caller);
  return caller;
}

/**
 * Throws the error for a refused read outcome; `revoked` is the session object's own answer to an
 * owner whose sign-in it was told is revoked (`PreviewSession.endAuthSession`).
 */
export function assertReadable(outcome: ReadOutcome | "revoked"): void {
  if (outcome === "not_found") throw notFound("Preview session");
  if (outcome === "revoked") throw revoked();
  if (outcome === "unauthenticated")
    throw new ApiError("UNAUTHENTICATED", "This preview token is not valid (any more).");
}

/** `state` if `caller` may read it; throws the right error if not. */
export function assertCanRead(state: PreviewState | null, caller: PreviewCaller): PreviewState {
  assertReadable(readOutcome(state, caller));
  return state as PreviewState;
}
