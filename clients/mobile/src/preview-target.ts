import type { HiveSyncClient, PreviewStatusResponse, RequestAuth } from "../../core/src";

/**
 * A preview this device may read: the session and whose token reads it — a preview-scoped
 * `pvt_…` token after resolving a code, or the signed-in user (`"user"`) for a linked device.
 * {@link fetchBundle} and the status helpers take any of these.
 *
 * @example
 * const target: PreviewTarget = { client, sessionId: "pvs_…", auth: { bearer: "pvt_…" } };
 */
export interface PreviewTarget {
  readonly client: HiveSyncClient;
  readonly sessionId: string;
  readonly auth: RequestAuth;
  /** The last status seen, if any (its `bundle.manifest_sha256` lets the manifest be verified). */
  readonly lastStatus?: PreviewStatusResponse | null;
}
