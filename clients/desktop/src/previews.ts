import {
  type BundleManifest,
  type CallOptions,
  type HiveSyncClient,
  isTerminalPreviewStatus,
  type Platform,
  type PreviewLiveEvent,
  type PreviewStatusResponse,
  type StartPreviewResult,
  type WatchPreviewEventsOptions,
  watchPreviewEvents,
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
export type WatchPreviewOptions = Omit<WatchPreviewEventsOptions, "knownRevision"> & {
  /** Every new status, the first included. */
  onChange?: (status: PreviewStatusResponse) => void;
  /** Every event: a revision served, a build error, the connection (WebSocket, reconnecting, long-poll). */
  onEvent?: (event: PreviewLiveEvent) => void;
  /** `"ready"` (default): resolve at ready or a terminal state; `"terminal"`: keep watching through ready. */
  until?: "ready" | "terminal";
};

/**
 * Follows a preview over its live WebSocket (long-polling where the socket cannot open; see
 * {@link watchPreviewEvents}) and resolves with the status that ended the watch: `ready` or a
 * terminal one (`failed`, `cancelled`, `expired`), or only terminal ones with `until: "terminal"`.
 * It resolves rather than throws on failure: look at `status.error` (the first build failed) and
 * `status.build_error` (a newer revision failed while the last good one runs). To act on every
 * revision and build error as it happens, iterate {@link watchPreviewEvents} instead.
 *
 * @example
 * const final = await watchPreview(client, session.session_id, {
 *   onChange: (s) => spinner.text = `${s.status} ${s.stage ?? ""}`,
 *   onEvent: (e) => e.type === "connection" && console.log(e.state),
 *   signal: AbortSignal.timeout(10 * 60_000),
 * });
 * if (final.status !== "ready") console.error(final.error?.message);
 */
export async function watchPreview(
  client: HiveSyncClient,
  sessionId: string,
  options: WatchPreviewOptions = {},
): Promise<PreviewStatusResponse> {
  const { onChange, onEvent, until = "ready", ...watch } = options;
  let last: PreviewStatusResponse | undefined;
  for await (const event of watchPreviewEvents(client, sessionId, watch)) {
    onEvent?.(event);
    if (event.type !== "status") continue;
    last = event.status;
    onChange?.(last);
    if (isTerminalPreviewStatus(last.status) || (until === "ready" && last.status === "ready")) return last;
  }
  // The events end only after a terminal status, which returned above.
  return last ?? client.previews.status(sessionId, { signal: options.signal, auth: options.auth });
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
