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
  opened: { key: string; device_id: string | null; platform: string; at: string }[];
  created_at: string;
  expires_at: string;
  /** SHA-256 hashes of the preview-scoped tokens handed out by resolve and the preview page. */
  token_hashes: string[];
};

/** What starting a session fixes; the object fills in the rest. */
export type PreviewInit = Omit<
  PreviewState,
  | "status"
  | "stage"
  | "progress"
  | "version"
  | "opened"
  | "token_hashes"
  | "building_revision"
  | "build_error"
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
