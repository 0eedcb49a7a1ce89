import { describe, expect, it } from "vitest";
import { HiveSyncClient } from "../../core/src";
import { FakeApi } from "../../test-support/fake-api";
import { previewLink, resolvePreview } from "./resolve-preview";

const KEY = "q2V0aW5nLWtleS0xMjM0NT";

describe("opening a preview from a scanned QR code", () => {
  it("reads the code and the key of a preview link, and nothing else as one", () => {
    expect(previewLink(`https://hivesync.dev/p/WDJB-MJHT?hs=${KEY}`)).toEqual({
      code: "WDJB-MJHT",
      key: KEY,
    });
    expect(previewLink("http://192.168.1.20:8787/p/WDJB-MJHT/settings")).toEqual({ code: "WDJB-MJHT" });
    expect(previewLink("WDJB-MJHT")).toBeNull();
    expect(previewLink("https://hivesync.dev/l/WDJB-MJHT")).toBeNull();
  });

  it("sends the link's key with its code, so the open is no guess; a typed code goes alone", async () => {
    const api = new FakeApi();
    const bodies: unknown[] = [];
    api.intercept = (req) => {
      if (req.path !== "/preview/resolve") return undefined;
      bodies.push(JSON.parse(new TextDecoder().decode(req.body)));
      return new Response(
        JSON.stringify({
          session_id: "pvs_one",
          access_token: "pvt_pvs_one.x.y",
          token_type: "Bearer",
          expires_at: "2099-01-01T00:00:00.000Z",
          status: "ready",
          platform: "ios",
          project: { name: "hello" },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    };
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch: api.fetch });
    await resolvePreview(client, `https://hivesync.dev/p/wdjb-mjht?hs=${KEY}`);
    await resolvePreview(client, "wdjb mjht");
    expect(bodies).toEqual([{ code: "WDJB-MJHT", key: KEY }, { code: "WDJB-MJHT" }]);
  });
});
