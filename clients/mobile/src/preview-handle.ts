import {
  type BundleManifest,
  type CallOptions,
  type HiveSyncClient,
  HiveSyncError,
  type PreviewStatusResponse,
  type RequestAuth,
  watchPreviewStatus,
} from "../../core/src";
import { type FetchBundleOptions, type FetchBundleResult, fetchBundle } from "./fetch-bundle";
import type { PreviewTarget } from "./preview-target";

const TERMINAL_CODES = {
  failed: "PREVIEW_FAILED",
  cancelled: "PREVIEW_CANCELLED",
  expired: "PREVIEW_EXPIRED",
} as const;

/**
 * A preview this device can follow and download, read with `auth` (a scoped token or the
 * signed-in user). Made by {@link resolvePreview} or {@link PreviewSession}.
 *
 * @example
 * const handle = new PreviewHandle(client, "pvs_…", "user");
 * await handle.waitUntilReady();
 * const { files } = await handle.fetchBundle({ store });
 */
export class PreviewHandle implements PreviewTarget {
  readonly client: HiveSyncClient;
  readonly sessionId: string;
  readonly auth: RequestAuth;
  /** The last status seen. */
  lastStatus: PreviewStatusResponse | null = null;

  constructor(client: HiveSyncClient, sessionId: string, auth: RequestAuth) {
    this.client = client;
    this.sessionId = sessionId;
    this.auth = auth;
  }

  /**
   * The status now.
   *
   * @example
   * const { status, progress } = await handle.status();
   */
  async status(options: CallOptions = {}): Promise<PreviewStatusResponse> {
    this.lastStatus = await this.client.previews.status(this.sessionId, { ...options, auth: this.auth });
    return this.lastStatus;
  }

  /**
   * Long-polls until the preview is ready and returns that status. A preview that fails, is
   * cancelled or expires first rejects with `PREVIEW_FAILED` / `PREVIEW_CANCELLED` /
   * `PREVIEW_EXPIRED` (status 410, `details.error` says why).
   *
   * @example
   * await handle.waitUntilReady({ signal, onChange: (s) => setStage(s.stage) });
   */
  async waitUntilReady(
    options: { signal?: AbortSignal; onChange?: (status: PreviewStatusResponse) => void } = {},
  ): Promise<PreviewStatusResponse> {
    const final = await watchPreviewStatus(this.client, this.sessionId, {
      auth: this.auth,
      signal: options.signal,
      onChange: (status) => {
        this.lastStatus = status;
        options.onChange?.(status);
      },
    });
    if (final.status === "ready") return final;
    const code = TERMINAL_CODES[final.status as keyof typeof TERMINAL_CODES] ?? "PREVIEW_FAILED";
    throw new HiveSyncError({
      status: 410,
      code,
      message: final.error?.message ?? `The preview is ${final.status}.`,
      details: { status: final.status, error: final.error ?? null },
    });
  }

  /**
   * The bundle manifest (the preview must be ready).
   *
   * @example
   * const { files } = await handle.manifest();
   */
  async manifest(options: CallOptions = {}): Promise<BundleManifest> {
    return (await this.client.previews.bundle(this.sessionId, { ...options, auth: this.auth })).manifest;
  }

  /**
   * {@link fetchBundle} for this preview.
   *
   * @example
   * const result = await handle.fetchBundle({ store: new MemoryBlobStore() });
   */
  fetchBundle(options: FetchBundleOptions = {}): Promise<FetchBundleResult> {
    return fetchBundle(this, options);
  }
}
