import {
  type BundleManifest,
  type CallOptions,
  type HiveSyncClient,
  type Platform,
  type PreviewStatusResponse,
  type StartPreviewResult,
  watchPreviewStatus,
} from "../../core/src";

/**
 * Starts a preview of the project's latest mirrored revision (or `revision`). The answer has the
 * `code`, `link_url` and `qr_svg` to show so a phone can open it.
 *
 * @example
 * const session = await startPreview(client, projectId, { platform: "ios" });
 * console.log(`Scan the QR or enter ${session.code}`);
 */
export function startPreview(
  client: HiveSyncClient,
  projectId: string,
  options: CallOptions & { platform: Platform; revision?: number },
): Promise<StartPreviewResult> {
  const { platform, revision, ...call } = options;
  return client.previews.start(
    { project_id: projectId, platform, ...(revision === undefined ? {} : { revision }) },
    call,
  );
}

/** How {@link watchPreview} watches. */
export type WatchPreviewOptions = {
  /** Every new status, the first included. */
  onChange?: (status: PreviewStatusResponse) => void;
  signal?: AbortSignal;
  /** `"ready"` (default): resolve at ready or a terminal state; `"terminal"`: keep watching through ready. */
  until?: "ready" | "terminal";
};

/**
 * Follows a preview with long-polls and resolves with the status that ended the watch: `ready`
 * or a terminal one (`failed`, `cancelled`, `expired`), or only terminal ones with
 * `until: "terminal"`. It resolves rather than throws on failure: look at `status.error`.
 *
 * @example
 * const final = await watchPreview(client, session.session_id, {
 *   onChange: (s) => spinner.text = `${s.status} ${s.stage ?? ""}`,
 *   signal: AbortSignal.timeout(10 * 60_000),
 * });
 * if (final.status !== "ready") console.error(final.error?.message);
 */
export function watchPreview(
  client: HiveSyncClient,
  sessionId: string,
  options: WatchPreviewOptions = {},
): Promise<PreviewStatusResponse> {
  return watchPreviewStatus(client, sessionId, options);
}

/**
 * The bundle manifest of a ready preview: every file with path, hash, size and content type.
 *
 * @example
 * const manifest = await getPreviewBundle(client, sessionId);
 * console.log(`${manifest.files.length} files, ${manifest.total_bytes} bytes`);
 */
export async function getPreviewBundle(
  client: HiveSyncClient,
  sessionId: string,
  options?: CallOptions,
): Promise<BundleManifest> {
  return (await client.previews.bundle(sessionId, options)).manifest;
}
