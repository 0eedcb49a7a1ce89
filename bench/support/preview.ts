import { type HiveSyncClient, startPreview } from "../../clients/desktop/src";

/**
 * Starts a preview and follows it with long-polls (`?wait=` with `If-None-Match`, as the desktop
 * does) until it is ready; returns the session and its version at ready.
 */
export async function previewReady(
  client: HiveSyncClient,
  projectId: string,
): Promise<{ session_id: string; code: string; version: number }> {
  const started = await startPreview(client, projectId, { platform: "ios" });
  let version = 1;
  for (;;) {
    const poll = await client.previews.pollStatus(started.session_id, {
      sinceVersion: version,
      waitSeconds: 20,
    });
    version = poll.version;
    if (!poll.changed) continue;
    if (poll.status.status === "ready")
      return { session_id: started.session_id, code: started.code, version };
    if (poll.status.status !== "pending" && poll.status.status !== "building") {
      throw new Error(
        `preview ${started.session_id} ended ${poll.status.status}: ${JSON.stringify(poll.status.error)}`,
      );
    }
  }
}
