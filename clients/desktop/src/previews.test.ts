// The desktop's watchPreview on top of the live channel (the fake API on a real port).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HiveSyncClient, MemoryTokenStore, type PreviewLiveEvent } from "../../core/src";
import { serveOverHttp } from "../../test-support/cli-harness";
import { FakeApi } from "../../test-support/fake-api";
import { startPreview, watchPreview } from "./previews";

let api: FakeApi;
let server: Awaited<ReturnType<typeof serveOverHttp>>;
let client: HiveSyncClient;
beforeEach(async () => {
  api = new FakeApi();
  server = await serveOverHttp(api);
  const tokenStore = new MemoryTokenStore();
  await tokenStore.set({ access_token: api.accessToken, refresh_token: api.refreshToken });
  client = new HiveSyncClient({ baseUrl: server.url, tokenStore });
  api.commitElsewhere("prj_desk000000000000", { "App.js": "v1" });
});
afterEach(async () => {
  await server.close();
});

describe("watchPreview", () => {
  it("resolves at ready over the WebSocket, telling each event, and follows to the end with until: terminal", async () => {
    const { session_id } = await startPreview(client, "prj_desk000000000000", { platform: "ios" });
    const events: PreviewLiveEvent[] = [];
    const ready = await watchPreview(client, session_id, { onEvent: (e) => events.push(e) });
    expect(ready).toMatchObject({ status: "ready", revision: 1 });
    expect(events.map((e) => e.type)).toEqual(["connection", "revision", "status"]);
    expect(api.liveAttempts).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(api.liveSockets.get(session_id)?.size).toBe(0); // resolved: its socket is closed

    const statuses: string[] = [];
    const final = watchPreview(client, session_id, {
      until: "terminal",
      onChange: (s) => statuses.push(s.status),
    });
    await new Promise((r) => setTimeout(r, 100));
    await client.previews.cancel(session_id);
    expect((await final).status).toBe("cancelled");
    expect(statuses).toEqual(["ready", "cancelled"]);
  });
});
