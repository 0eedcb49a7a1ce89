import type { PreviewSession, PreviewStatusResponse } from "../../../schema/api/previews";
import type { PreviewState } from "./session-state";

/** The live status a poll answers with. */
export function statusView(state: PreviewState): PreviewStatusResponse {
  return {
    session_id: state.session_id,
    status: state.status,
    stage: state.stage,
    progress: state.progress,
    version: state.version,
    revision: state.revision,
    building_revision: state.building_revision ?? null,
    ...(state.error ? { error: state.error } : {}),
    ...(state.build_error ? { build_error: state.build_error } : {}),
    ...(state.bundle ? { bundle: state.bundle } : {}),
    expires_at: state.expires_at,
  };
}

/**
 * The status as a viewer (a preview token from the code) reads it: its `bundle` summarises the
 * manifest a viewer gets (only the files the app uses), so a client checks that manifest against
 * it; a bundle built before viewers got their own manifest has no such summary, and the status none.
 */
export function viewerStatus(view: PreviewStatusResponse): PreviewStatusResponse {
  if (!view.bundle) return view;
  const { bundle, ...rest } = view;
  return bundle.viewer ? { ...rest, bundle: bundle.viewer } : rest;
}

/** The full record: the live status plus what the session is of and who opened it. */
export function sessionView(state: PreviewState): PreviewSession {
  const { session_id, ...live } = statusView(state);
  return {
    id: session_id,
    project_id: state.project_id,
    platform: state.platform,
    ...live,
    revision: state.revision,
    opened: state.opens?.recent ?? [],
    opens: state.opens?.total ?? 0,
    created_at: state.created_at,
  };
}

/**
 * Where a page or device fetches the manifest of one revision of a session (same-origin): the bytes
 * behind it never change, so it is read without the session's object and cached by the browser.
 */
export function manifestPath(sessionId: string, revision: number): string {
  return `/api/v1/preview/bundle/${sessionId}/revisions/${revision}`;
}
