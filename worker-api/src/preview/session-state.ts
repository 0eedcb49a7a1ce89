import type { JobError } from "../../../schema/api/mirror";
import type { BundleSummary, PreviewStatus } from "../../../schema/api/previews";

/** A preview session's live state, kept by its Durable Object (plain data: anyone may import it). */
export type PreviewState = {
  session_id: string;
  project_id: string;
  project_name: string;
  owner_id: string;
  platform: "ios" | "android" | "web";
  revision: number;
  status: PreviewStatus;
  stage: string | null;
  progress: number;
  version: number;
  error?: JobError;
  bundle?: BundleSummary;
  opened: { key: string; device_id: string | null; platform: string; at: string }[];
  created_at: string;
  expires_at: string;
  /** SHA-256 hashes of the preview-scoped tokens handed out by resolve. */
  token_hashes: string[];
};

/** What starting a session fixes; the object fills in the rest. */
export type PreviewInit = Omit<
  PreviewState,
  "status" | "stage" | "progress" | "version" | "opened" | "token_hashes"
>;

/** A build worker's (or the owner's) report of a new status. */
export type PreviewReport =
  | { status: "building"; stage?: string; progress?: number }
  | { status: "ready"; bundle: BundleSummary }
  | { status: "failed"; error: JobError }
  | { status: "cancelled" }
  | { status: "expired" };
