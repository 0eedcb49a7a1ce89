import { describe, expect, it } from "vitest";
import { HiveSyncClient } from "./client";
import { watchPreviewStatus } from "./preview-watch";

const status = (version: number, s: string) => ({
  session_id: "pvs_1",
  status: s,
  stage: null,
  progress: 0,
  version,
  expires_at: "t",
});

/** Answers the scripted statuses in order; `null` means 304 (nothing new). */
function scripted(script: Array<ReturnType<typeof status> | null>) {
  const inm: Array<string | null> = [];
  let i = 0;
  const fetch = async (_url: string, init: RequestInit) => {
    inm.push(new Headers(init.headers).get("if-none-match"));
    const next = script[Math.min(i++, script.length - 1)];
    if (!next) return new Response(null, { status: 304 });
    return new Response(JSON.stringify(next), { headers: { etag: `"${next.version}"` } });
  };
  return { client: new HiveSyncClient({ baseUrl: "http://api.test", fetch }), inm };
}

describe("watchPreviewStatus", () => {
  it("resolves at ready, reporting each change, and paces polls a server answers without waiting", async () => {
    const { client, inm } = scripted([status(1, "pending"), null, status(2, "building"), status(3, "ready")]);
    const seen: string[] = [];
    const sleeps: number[] = [];
    const final = await watchPreviewStatus(client, "pvs_1", {
      onChange: (s) => seen.push(s.status),
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(final.status).toBe("ready");
    expect(seen).toEqual(["pending", "building", "ready"]);
    expect(inm).toEqual([null, '"1"', '"1"', '"2"']);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(900);
  });

  it("with until: terminal, watches through ready to the end", async () => {
    const { client } = scripted([status(1, "ready"), status(2, "expired")]);
    const final = await watchPreviewStatus(client, "pvs_1", { until: "terminal" });
    expect(final.status).toBe("expired");
  });

  it("can be cancelled", async () => {
    const { client } = scripted([status(1, "building"), null]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(watchPreviewStatus(client, "pvs_1", { signal: controller.signal })).rejects.toThrow("stop");
  });
});
