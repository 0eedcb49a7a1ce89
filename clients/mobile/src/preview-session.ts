import type {
  CallOptions,
  HiveSyncClient,
  Platform,
  PreviewSessionRecord,
  StartPreviewResult,
} from "../../core/src";
import { PreviewHandle } from "./preview-handle";

/**
 * A preview started (or picked up) by a signed-in device, read with the user's own tokens — a
 * linked phone needs no code.
 *
 * @example
 * const session = await PreviewSession.start(client, projectId, { platform: "ios" });
 * await session.waitUntilReady({ signal });
 * const { files } = await session.fetchBundle({ store });
 */
export class PreviewSession extends PreviewHandle {
  /** What `POST /preview/start` answered (code, QR, links), when this device started it. */
  readonly started: StartPreviewResult | null;

  private constructor(client: HiveSyncClient, sessionId: string, started: StartPreviewResult | null) {
    super(client, sessionId, "user");
    this.started = started;
  }

  /**
   * Starts a preview of the project's latest mirrored revision (or `revision`).
   *
   * @example
   * const session = await PreviewSession.start(client, projectId, { platform: "android" });
   */
  static async start(
    client: HiveSyncClient,
    projectId: string,
    options: CallOptions & { platform: Platform; revision?: number },
  ): Promise<PreviewSession> {
    const { platform, revision, ...call } = options;
    const started = await client.previews.start(
      { project_id: projectId, platform, ...(revision === undefined ? {} : { revision }) },
      call,
    );
    return new PreviewSession(client, started.session_id, started);
  }

  /**
   * Follows a session that already exists (e.g. one from `client.previews.list({active: true})`).
   *
   * @example
   * const [latest] = (await client.previews.list({ project_id, active: true })).items;
   * if (latest) await PreviewSession.attach(client, latest.id).waitUntilReady();
   */
  static attach(client: HiveSyncClient, sessionId: string): PreviewSession {
    return new PreviewSession(client, sessionId, null);
  }

  /**
   * Cancels the session.
   *
   * @example
   * await session.cancel();
   */
  cancel(options?: CallOptions): Promise<PreviewSessionRecord> {
    return this.client.previews.cancel(this.sessionId, options);
  }
}
