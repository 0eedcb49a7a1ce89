import type {
  BundleSummary,
  PreviewError,
  PreviewStatus,
  PreviewStatusResponse,
  PreviewUpdateError,
} from "../../../schema/api/previews";

/** A preview session's live state, kept by its Durable Object (plain data: anyone may import it). */
export type PreviewState = {
  session_id: string;
  project_id: string;
  project_name: string;
  owner_id: string;
  platform: "ios" | "android" | "web";
  /**
   * The mirror revision the session serves once ready; before that, the revision its first build
   * builds. A session follows its project (docs/previews.md §6): this moves when a newer revision
   * has been built.
   */
  revision: number;
  /** A newer revision being built while `revision` keeps serving (stage `updating` when ready). */
  building_revision?: number | null;
  status: PreviewStatus;
  stage: string | null;
  progress: number;
  version: number;
  error?: PreviewError;
  /** The newest revision that failed to build while an older one keeps running. */
  build_error?: PreviewUpdateError;
  bundle?: BundleSummary;
  /** Who opened it, counted (absent until the first open). Bounded whatever the number of opens. */
  opens?: OpenCount;
  created_at: string;
  expires_at: string;
};

/** One open: a linked device (its id), or a viewer from the code (no device). */
export type OpenRecord = { device_id: string | null; platform: string; at: string };

/**
 * A session's opens as a count and a short list, never a log: 600 opens cost what 20 do. The owner
 * is told of opens as a digest (`told`: the total the last `preview_opened` said; `told_at`: when).
 */
export type OpenCount = {
  total: number;
  /** The newest opens, at most `RECENT_OPENS` (preview-session.ts). */
  recent: OpenRecord[];
  told: number;
  told_at: number | null;
};

/** What starting a session fixes; the object fills in the rest. */
export type PreviewInit = Omit<
  PreviewState,
  "status" | "stage" | "progress" | "version" | "opens" | "building_revision" | "build_error"
>;

/**
 * A build worker's (or the owner's) report of a new status. `revision` says which revision a
 * `ready` or `failed` build was of (the session's own when absent): a ready session moves to a
 * newer revision that built, and records one that did not build as `build_error` while it stays
 * ready on the last good one.
 */
export type PreviewReport =
  | { status: "building"; stage?: string; progress?: number }
  | { status: "ready"; bundle: BundleSummary; revision?: number }
  | { status: "failed"; error: PreviewError; revision?: number }
  | { status: "cancelled" }
  | { status: "expired" };

/** What `beginBuild` decided: build `revision` (the first build, or an update of a ready session), or nothing. */
export type BuildStart = { kind: "first" | "update"; revision: number; previous_revision: number | null };

/** What the session's WebSocket sends (docs/previews.md §6). */
export type LiveMessage =
  | ({ type: "status" } & PreviewStatusResponse)
  | { type: "revision"; revision: number; manifest_url: string }
  | { type: "build_error"; revision: number; error: PreviewUpdateError };
