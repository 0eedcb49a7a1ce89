// watchPreviewEvents against the fake API on a real port: its live WebSocket (upgraded by hand in
// test-support/ws-server.ts, the way worker-api's live route answers) and its long-poll fallback.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serveOverHttp } from "../../test-support/cli-harness";
import { FakeApi } from "../../test-support/fake-api";
import { HiveSyncClient } from "./client";
import { type PreviewLiveEvent, type WatchPreviewEventsOptions, watchPreviewEvents } from "./preview-live";
import { MemoryTokenStore } from "./token-store";

const PROJECT = "prj_live000000000000";
const FAST: WatchPreviewEventsOptions = { reconnectMs: { initial: 20, max: 40 }, random: () => 1 };

let api: FakeApi;
let server: Awaited<ReturnType<typeof serveOverHttp>>;
let client: HiveSyncClient;
let sessionId = "";

beforeEach(async () => {
  api = new FakeApi();
  api.sessionsFollow = true;
  api.buildErrorOf = (read) =>
    read("App.js")?.includes("oops")
      ? { file: "App.js", line: 3, column: 7, message: "Unexpected token" }
      : undefined;
  server = await serveOverHttp(api);
  const tokenStore = new MemoryTokenStore();
  await tokenStore.set({ access_token: api.accessToken, refresh_token: api.refreshToken });
  client = new HiveSyncClient({ baseUrl: server.url, tokenStore, retry: { sleep: async () => {} } });
  api.commitElsewhere(PROJECT, { "App.js": "v1" });
  sessionId = (await client.previews.start({ project_id: PROJECT, platform: "ios" })).session_id;
});
afterEach(async () => {
  await server.close();
});

/** Runs the watch in the background; `until` waits for an event matching `pick`. */
function follow(options: WatchPreviewEventsOptions = {}) {
  const controller = new AbortController();
  const events: PreviewLiveEvent[] = [];
  let wake = () => {};
  const done = (async () => {
    for await (const event of watchPreviewEvents(client, sessionId, {
      ...FAST,
      signal: controller.signal,
      ...options,
    })) {
      events.push(event);
      wake();
    }
  })();
  done.catch(() => {}); // awaited (or deliberately aborted) by each test
  const until = async (pick: (e: PreviewLiveEvent) => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!events.some(pick)) {
      if (Date.now() > deadline) throw new Error(`no such event in ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 25);
      });
    }
    return events.find(pick) as PreviewLiveEvent;
  };
  return { events, until, done, stop: () => controller.abort(new Error("stopped")) };
}

/** The events without statuses and connection changes: what a person is told. */
const story = (events: PreviewLiveEvent[]) =>
  events.flatMap((e) =>
    e.type === "revision"
      ? [`r${e.revision} ready`]
      : e.type === "build_error"
        ? [`r${e.revision} ${e.error.file}:${e.error.line}:${e.error.column} ${e.error.message}`]
        : e.type === "status" && ["failed", "cancelled", "expired"].includes(e.status.status)
          ? [e.status.status]
          : [],
  );
/** Each status once, in version order, however often the socket reconnected or fell back. */
function eachStatusOnce(events: PreviewLiveEvent[]) {
  const versions = events.flatMap((e) => (e.type === "status" ? [e.status.version] : []));
  expect(versions.length).toBeGreaterThan(0);
  expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
}
const statusPolls = () => api.requests.filter((r) => r.method === "GET" && r.path.endsWith("/status"));

describe("watchPreviewEvents", () => {
  it("follows a session over its WebSocket: each new revision, a build error with its place, the end", async () => {
    const watch = follow();
    await watch.until((e) => e.type === "revision");
    api.commitElsewhere(PROJECT, { "App.js": "v2" });
    await watch.until((e) => e.type === "revision" && e.revision === 2);
    api.commitElsewhere(PROJECT, { "App.js": "v3 oops" });
    await watch.until((e) => e.type === "build_error");
    api.commitElsewhere(PROJECT, { "App.js": "v4" });
    await watch.until((e) => e.type === "revision" && e.revision === 4);
    await client.previews.cancel(sessionId);
    await watch.done; // a terminal status ends the iteration
    expect(story(watch.events)).toEqual([
      "r1 ready",
      "r2 ready",
      "r3 App.js:3:7 Unexpected token",
      "r4 ready",
      "cancelled",
    ]);
    expect(watch.events[0]).toEqual({ type: "connection", state: "live" });
    expect(watch.events.at(-1)).toMatchObject({ type: "status", status: { status: "cancelled" } });
    // One socket, the owner's token beside the protocol, and no polling at all.
    expect(api.liveAttempts).toEqual([
      { sessionId, token: "acc_1", protocols: ["hivesync", "bearer.acc_1"], status: 200 },
    ]);
    expect(statusPolls()).toHaveLength(0);
    eachStatusOnce(watch.events);
  });

  it("with knownRevision, says nothing about the revision already shown", async () => {
    const watch = follow({ knownRevision: 1 });
    await watch.until((e) => e.type === "status");
    api.commitElsewhere(PROJECT, { "App.js": "v2" });
    await watch.until((e) => e.type === "revision");
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    expect(story(watch.events)).toEqual(["r2 ready"]);
  });

  it("reconnects with back-off after the socket drops, and catches up on what it missed, once", async () => {
    const watch = follow();
    await watch.until((e) => e.type === "revision");
    let refusals = 1;
    api.liveGate = () => (refusals-- > 0 ? 503 : undefined); // restarting: the next try is refused…
    for (const ws of api.liveSockets.get(sessionId) ?? []) ws.close(1011, "restart");
    api.commitElsewhere(PROJECT, { "App.js": "v2" }); // …and a revision is built meanwhile
    api.rebuildPending(sessionId);
    await watch.until((e) => e.type === "revision" && e.revision === 2);
    api.commitElsewhere(PROJECT, { "App.js": "v3" });
    await watch.until((e) => e.type === "revision" && e.revision === 3);
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    expect(story(watch.events)).toEqual(["r1 ready", "r2 ready", "r3 ready"]);
    eachStatusOnce(watch.events);
    expect(api.liveAttempts.map((a) => a.status)).toEqual([200, 503, 200]);
    const states = watch.events.flatMap((e) => (e.type === "connection" ? [e.state] : []));
    expect(states).toEqual(["live", "reconnecting", "reconnecting", "live"]);
    const waits = watch.events.flatMap((e) => (e.type === "connection" && e.retryInMs ? [e.retryInMs] : []));
    expect(waits).toEqual([20, 40]); // doubling from `initial`, capped at `max`
  });

  it("renews an expired access token and opens the next socket with the new one", async () => {
    const watch = follow();
    await watch.until((e) => e.type === "revision");
    api.accessToken = "acc_2"; // acc_1 has expired: the server refuses it now
    for (const ws of api.liveSockets.get(sessionId) ?? []) ws.close(1001, "going away");
    api.commitElsewhere(PROJECT, { "App.js": "v2" });
    await watch.until((e) => e.type === "revision" && e.revision === 2);
    const lives = () => watch.events.filter((e) => e.type === "connection" && e.state === "live").length;
    await watch.until(() => lives() === 2);
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    // (Node's WebSocket sends a handshake refused with 401 twice, as fetch does: counted once here.)
    const attempts = api.liveAttempts.map((a) => `${a.token} ${a.status}`);
    expect(attempts.filter((a, i) => a !== attempts[i - 1])).toEqual([
      "acc_1 200",
      "acc_1 401",
      "acc_r1 200",
    ]);
    expect(api.countRequests("POST", /^\/auth\/refresh$/)).toBe(1);
    // Renewed, it tries again at once: no further back-off, and no fallback.
    const states = watch.events.flatMap((e) => (e.type === "connection" ? [e.state] : []));
    expect(states).toEqual(["live", "reconnecting", "live"]);
    eachStatusOnce(watch.events);
    expect(await client.tokenStore.get()).toEqual({ access_token: "acc_r1", refresh_token: "ref_r1" });
  });

  it("falls back to long-polling when the socket cannot open, and goes back to it once it can", async () => {
    api.liveGate = () => 400; // a proxy that passes no WebSocket
    const watch = follow({ socketRetryMs: 300 });
    await watch.until((e) => e.type === "connection" && e.state === "long-poll");
    expect(api.liveAttempts).toHaveLength(3);
    api.commitElsewhere(PROJECT, { "App.js": "v2 oops" });
    await watch.until((e) => e.type === "build_error");
    // Long-polls: held by the server (?wait=) and conditional on the version seen.
    const held = statusPolls().filter((r) => r.search.get("wait"));
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((r) => /^"\d+"$/.test(r.headers.get("if-none-match") ?? ""))).toBe(true);

    api.liveGate = undefined;
    await watch.until((e) => e.type === "connection" && e.state === "live", 3_000);
    const polled = statusPolls().length;
    api.commitElsewhere(PROJECT, { "App.js": "v3" });
    await watch.until((e) => e.type === "revision" && e.revision === 3);
    expect(statusPolls()).toHaveLength(polled); // over the socket now
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    expect(story(watch.events)).toEqual(["r1 ready", "r2 App.js:3:7 Unexpected token", "r3 ready"]);
    eachStatusOnce(watch.events);
    const states = watch.events.flatMap((e) => (e.type === "connection" ? [e.state] : []));
    expect(states).toEqual(["reconnecting", "reconnecting", "long-poll", "live"]);
    expect(watch.events.find((e) => e.type === "connection" && e.state === "long-poll")).toMatchObject({
      reason: "the live channel did not open (3 tries)",
    });
  });

  it("long-polls from the start in a runtime without WebSocket (Node 20)", async () => {
    const watch = follow({ webSocket: null });
    await watch.until((e) => e.type === "revision");
    api.commitElsewhere(PROJECT, { "App.js": "v2" });
    await watch.until((e) => e.type === "revision" && e.revision === 2);
    await client.previews.cancel(sessionId);
    await watch.done;
    expect(watch.events[0]).toEqual({
      type: "connection",
      state: "long-poll",
      reason: "no WebSocket in this runtime",
    });
    expect(story(watch.events)).toEqual(["r1 ready", "r2 ready", "cancelled"]);
    expect(api.liveAttempts).toHaveLength(0);
  });

  it("replaces a socket that stopped answering its pings", async () => {
    const watch = follow({ heartbeatMs: 40 });
    await watch.until((e) => e.type === "revision");
    // The connection is half-open: frames go nowhere and nothing comes back.
    for (const ws of api.liveSockets.get(sessionId) ?? []) {
      ws.onMessage = () => {};
      ws.send = () => {};
    }
    await watch.until((e) => e.type === "connection" && e.state === "reconnecting");
    api.commitElsewhere(PROJECT, { "App.js": "v2" });
    await watch.until((e) => e.type === "revision" && e.revision === 2);
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    expect(api.liveAttempts.map((a) => a.status)).toEqual([200, 200]);
    eachStatusOnce(watch.events);
  });

  it("closes its socket when stopped, and throws what the API refuses", async () => {
    const watch = follow();
    await watch.until((e) => e.type === "revision");
    expect(api.liveSockets.get(sessionId)?.size).toBe(1);
    watch.stop();
    await expect(watch.done).rejects.toThrow("stopped");
    await new Promise((r) => setTimeout(r, 50));
    expect(api.liveSockets.get(sessionId)?.size).toBe(0);

    // Leaving the loop closes it too.
    for await (const event of watchPreviewEvents(client, sessionId, FAST))
      if (event.type === "revision") break;
    await new Promise((r) => setTimeout(r, 50));
    expect(api.liveSockets.get(sessionId)?.size).toBe(0);

    // A session that does not exist: the socket is refused, and the status says why.
    sessionId = "pvs_missing";
    const missing = follow();
    await expect(missing.done).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});
