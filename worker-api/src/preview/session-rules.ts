import { type PreviewStatus, TERMINAL_PREVIEW_STATUSES } from "../../../schema/api/previews";
import { ApiError } from "../lib/api-error";
import type { PreviewState } from "./session-state";

/**
 * The rules of a preview session's life (spec §5), defined once: which statuses are over, when a
 * session counts as expired, who may read it, and what a read of one that is not ready answers.
 * Plain functions over plain data, so the Durable Object, the routes and the landing pages share them.
 */

/** A session in one of these never changes again (the clients know the same list). */
export type TerminalStatus = (typeof TERMINAL_PREVIEW_STATUSES)[number];
export type LiveStatus = Exclude<PreviewStatus, TerminalStatus>;

/** The lifecycle graph: where each live status may go; anything not listed is refused. */
const NEXT: Record<LiveStatus, readonly PreviewStatus[]> = {
  pending: ["building", "failed", "cancelled", "expired"],
  building: ["building", "ready", "failed", "cancelled", "expired"],
  ready: ["expired", "cancelled"],
};

/** The statuses of a session that is still alive: it counts against the cap and can be expired. */
export const LIVE_STATUSES = Object.keys(NEXT) as LiveStatus[];

export function isTerminal(status: PreviewStatus): status is TerminalStatus {
  return (TERMINAL_PREVIEW_STATUSES as readonly PreviewStatus[]).includes(status);
}

/** Whether the graph lets a session in `from` move to `to`. */
export function canMove(from: PreviewStatus, to: PreviewStatus): boolean {
  return !isTerminal(from) && NEXT[from].includes(to);
}

/** Past its `expires_at` a session is over, even before its alarm has marked it expired. */
export function hasExpired(session: Pick<PreviewState, "expires_at">, now = Date.now()): boolean {
  return now >= new Date(session.expires_at).getTime();
}

/** The status a reader sees: `expired` once the clock says so, else the recorded one. */
export function effectiveStatus(session: Pick<PreviewState, "status" | "expires_at">): PreviewStatus {
  return hasExpired(session) ? "expired" : session.status;
}

/**
 * Who is asking about a session: a viewer (a preview token of this session, its signature already
 * checked: preview/tokens.ts) or a signed-in user.
 */
export type PreviewCaller =
  | { kind: "viewer"; viewerId: string }
  | { kind: "owner"; userId: string; authSessionId: string };

export type ReadOutcome = "ok" | "not_found" | "unauthenticated";

/**
 * Whether `caller` may read `state`: its owner always (anyone else gets the same answer as for a
 * missing session), a viewer until the session expires.
 */
export function readOutcome(state: PreviewState | null, caller: PreviewCaller): ReadOutcome {
  if (!state) return "not_found";
  if (caller.kind === "owner") return state.owner_id === caller.userId ? "ok" : "not_found";
  return hasExpired(state) ? "unauthenticated" : "ok";
}

/** Throws the 410 of a session that is over: expired (by the clock too), cancelled or failed. */
export function assertNotEnded(state: PreviewState): void {
  const status = effectiveStatus(state);
  if (status === "expired")
    throw new ApiError("PREVIEW_EXPIRED", "This preview has expired; start a new one.", { status });
  if (status === "cancelled")
    throw new ApiError("PREVIEW_CANCELLED", "This preview was cancelled.", { status });
  if (status === "failed") {
    throw new ApiError("PREVIEW_FAILED", "This preview failed to build.", {
      status,
      error: state.error ?? null,
    });
  }
}

/** Throws unless the session's bundle can be read: the 410 of an ended session, else 409 while it builds. */
export function assertReady(state: PreviewState): void {
  assertNotEnded(state);
  if (state.status !== "ready") {
    throw new ApiError("PREVIEW_NOT_READY", "The bundle is not ready yet; poll the status.", {
      status: state.status,
      stage: state.stage,
      progress: state.progress,
    });
  }
}
