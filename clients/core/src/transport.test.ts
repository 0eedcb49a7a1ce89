import { describe, expect, it, vi } from "vitest";
import { HiveSyncClient } from "./client";
import { HiveSyncError } from "./errors";
import { NotificationPoller } from "./notifications";
import { MemoryTokenStore } from "./token-store";

const noWait = { sleep: async () => {}, random: () => 0 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const user = { id: "usr_1", email: "a@example.com", username: "ada", created_at: "2026-01-01T00:00:00.000Z" };
const tokens = (n: number) => ({
  access_token: `acc_${n}`,
  refresh_token: `ref_${n}`,
  token_type: "Bearer",
  expires_in: 900,
});
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const apiError = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(status, { error: { code, message: `${code}!`, details: { why: 1 }, request_id: "req_42" } }, headers);
const project = {
  id: "prj_1",
  name: "p",
  description: null,
  framework: "expo",
  entry: null,
  mirror_revision: 0,
  created_at: "t",
  updated_at: "t",
};

type Seen = { method: string; path: string; headers: Headers; body: string };

/** A fake API where `acc_<current>` is the only valid access token and refresh rotates. */
function authServer(options: { refreshFails?: "refused" | "network" } = {}) {
  const seen: Seen[] = [];
  const current = 2;
  let refreshes = 0;
  const fetch = vi.fn(async (input: string, init: RequestInit) => {
    const path = new URL(input).pathname;
    const headers = new Headers(init.headers);
    const body = typeof init.body === "string" ? init.body : "";
    seen.push({ method: init.method ?? "GET", path, headers, body });
    await new Promise((r) => setTimeout(r, 1)); // let concurrent calls overlap
    if (path === "/api/v1/auth/refresh") {
      refreshes++;
      if (options.refreshFails === "network") throw new TypeError("fetch failed");
      if (options.refreshFails === "refused" || JSON.parse(body).refresh_token !== "ref_1") {
        return apiError(401, "INVALID_REFRESH_TOKEN");
      }
      return json(200, { tokens: tokens(current) });
    }
    if (headers.get("authorization") !== `Bearer acc_${current}`) return apiError(401, "UNAUTHENTICATED");
    return json(200, { user });
  });
  return { fetch, seen, refreshes: () => refreshes };
}

describe("HiveSyncError", () => {
  it("is parsed from the API's error envelope", async () => {
    const fetch = async () =>
      apiError(429, "TOO_MANY_ATTEMPTS", { "retry-after": "600", "x-request-id": "req_h" });
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch, retry: noWait });
    const error = (await client.previews.resolve("BCDF-GHJK").catch((e) => e)) as HiveSyncError;
    expect(error).toBeInstanceOf(HiveSyncError);
    expect(error).toMatchObject({
      status: 429,
      code: "TOO_MANY_ATTEMPTS",
      message: "TOO_MANY_ATTEMPTS!",
      details: { why: 1 },
      requestId: "req_42",
      retryAfter: 600,
    });
    expect(String(error)).toBe("TOO_MANY_ATTEMPTS: TOO_MANY_ATTEMPTS! (request req_42)");
  });

  it("still describes a response that is not the envelope", async () => {
    const fetch = async () =>
      new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" });
    const client = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch,
      retry: { ...noWait, maxAttempts: 1 },
    });
    await expect(client.auth.me()).rejects.toMatchObject({
      status: 502,
      code: "HTTP_502",
      message: "Bad Gateway",
    });
  });

  it("rejects a response that does not match the schema with INVALID_RESPONSE", async () => {
    const fetch = async () => json(200, { ...project, mirror_revision: "zero" });
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch });
    await expect(client.projects.get("prj_1")).rejects.toMatchObject({
      code: "INVALID_RESPONSE",
      status: 200,
    });
  });
});

describe("refresh on 401", () => {
  it("refreshes once for many concurrent 401s and retries each request", async () => {
    const server = authServer();
    const store = new MemoryTokenStore({ access_token: "acc_1", refresh_token: "ref_1" });
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch: server.fetch, tokenStore: store });
    const expired = vi.fn();
    client.on("session-expired", expired);

    const results = await Promise.all(Array.from({ length: 5 }, () => client.auth.me()));
    expect(results.every((u) => u.id === "usr_1")).toBe(true);
    expect(server.refreshes()).toBe(1);
    expect(store.get()).toEqual({ access_token: "acc_2", refresh_token: "ref_2" });
    expect(server.seen.filter((s) => s.headers.get("authorization") === "Bearer acc_2")).toHaveLength(5);
    expect(expired).not.toHaveBeenCalled();
  });

  it("clears the store and emits session-expired once when the refresh is refused", async () => {
    const server = authServer({ refreshFails: "refused" });
    const store = new MemoryTokenStore({ access_token: "acc_1", refresh_token: "ref_1" });
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch: server.fetch, tokenStore: store });
    const expired = vi.fn();
    client.on("session-expired", expired);

    const outcomes = await Promise.allSettled([client.auth.me(), client.auth.me(), client.auth.me()]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        status: 401,
        code: "UNAUTHENTICATED",
      });
    }
    expect(server.refreshes()).toBe(1);
    expect(store.get()).toBeNull();
    expect(expired).toHaveBeenCalledTimes(1);
    expect(expired.mock.calls[0]?.[0].error).toMatchObject({ code: "INVALID_REFRESH_TOKEN" });
  });

  it("keeps the tokens when the refresh fails for network reasons (and never resends a refresh token)", async () => {
    const server = authServer({ refreshFails: "network" });
    const store = new MemoryTokenStore({ access_token: "acc_1", refresh_token: "ref_1" });
    const client = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch: server.fetch,
      tokenStore: store,
      retry: { ...noWait, maxAttempts: 1 },
    });
    const expired = vi.fn();
    client.on("session-expired", expired);
    await expect(client.auth.me()).rejects.toMatchObject({ code: "NETWORK_ERROR" });
    expect(server.refreshes()).toBe(1);
    expect(store.get()).toEqual({ access_token: "acc_1", refresh_token: "ref_1" });
    expect(expired).not.toHaveBeenCalled();
  });

  it("does not refresh for a request made without a session; logout refreshes an expired token so the server revokes it", async () => {
    const server = authServer();
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch: server.fetch });
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401 });
    expect(server.seen[0]?.headers.has("authorization")).toBe(false);
    expect(server.refreshes()).toBe(0);

    const store = new MemoryTokenStore({ access_token: "acc_1", refresh_token: "ref_1" });
    const signedIn = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch: server.fetch,
      tokenStore: store,
    });
    await signedIn.auth.logout();
    expect(server.refreshes()).toBe(1);
    const last = server.seen.at(-1);
    expect(last?.path).toBe("/api/v1/auth/logout");
    expect(last?.headers.get("authorization")).toBe("Bearer acc_2");
    expect(store.get()).toBeNull();
  });

  it("stores the tokens of login", async () => {
    const fetch = async () => json(200, { user, tokens: tokens(7) });
    const store = new MemoryTokenStore();
    const client = new HiveSyncClient({ baseUrl: "http://api.test/api/v1/", fetch, tokenStore: store });
    await client.auth.login({ login: "ada", password: "x" });
    expect(store.get()).toEqual({ access_token: "acc_7", refresh_token: "ref_7" });
  });
});

describe("Idempotency-Key", () => {
  it("is a random UUID sent on creating POSTs and reused by every retry of the same call", async () => {
    const keys: Array<string | null> = [];
    let n = 0;
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      keys.push(new Headers(init.headers).get("idempotency-key"));
      n++;
      if (n === 1) return apiError(503, "SERVICE_UNAVAILABLE");
      if (n === 2) throw new TypeError("socket hang up");
      return json(201, project);
    });
    const client = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch,
      tokenStore: new MemoryTokenStore({ access_token: "acc_1", refresh_token: "ref_1" }),
      retry: noWait,
    });
    await client.projects.create({ name: "p" });
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(UUID);
    expect(new Set(keys).size).toBe(1);

    await client.projects.create({ name: "p" });
    expect(keys[3]).toMatch(UUID);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it("survives a refresh in the middle, and is absent from reads", async () => {
    const seen: Array<{ path: string; key: string | null }> = [];
    let valid = "acc_1";
    const fetch = async (url: string, init: RequestInit) => {
      const path = new URL(url).pathname;
      const headers = new Headers(init.headers);
      seen.push({ path, key: headers.get("idempotency-key") });
      if (path.endsWith("/auth/refresh")) {
        valid = "acc_2";
        return json(200, { tokens: tokens(2) });
      }
      if (headers.get("authorization") !== `Bearer ${valid}`) return apiError(401, "UNAUTHENTICATED");
      if (path.endsWith("/preview/start")) {
        return json(202, {
          session_id: "pvs_1",
          status: "pending",
          code: "BCDF-GHJK",
          link_url: "https://x/p/BCDF-GHJK",
          deep_link: "hivesync://preview?code=BCDF-GHJK",
          qr_svg: "<svg/>",
          expires_at: "t",
          status_url: "https://x",
        });
      }
      return json(200, project);
    };
    const client = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch,
      tokenStore: new MemoryTokenStore({ access_token: "acc_0", refresh_token: "ref_1" }),
    });
    await client.previews.start({ project_id: "prj_1", platform: "ios" });
    const starts = seen.filter((s) => s.path.endsWith("/preview/start"));
    expect(starts).toHaveLength(2);
    expect(starts[0]?.key).toMatch(UUID);
    expect(starts[1]?.key).toBe(starts[0]?.key);
    expect(seen.find((s) => s.path.endsWith("/auth/refresh"))?.key).toBeNull();

    await client.projects.get("prj_1");
    expect(seen.at(-1)?.key).toBeNull();
  });

  it("uses a caller's own key when given", async () => {
    let key: string | null = null;
    const fetch = async (_url: string, init: RequestInit) => {
      key = new Headers(init.headers).get("idempotency-key");
      return json(201, project);
    };
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch });
    await client.projects.create({ name: "p" }, { idempotencyKey: "my-key" });
    expect(key).toBe("my-key");
  });
});

describe("conditional polling", () => {
  it("long-polls preview status with ?wait= and If-None-Match, 304 meaning unchanged", async () => {
    const seen: Array<{ url: URL; inm: string | null; auth: string | null }> = [];
    const fetch = async (url: string, init: RequestInit) => {
      const headers = new Headers(init.headers);
      seen.push({ url: new URL(url), inm: headers.get("if-none-match"), auth: headers.get("authorization") });
      if (headers.get("if-none-match") === '"3"')
        return new Response(null, { status: 304, headers: { etag: '"3"' } });
      return json(
        200,
        { session_id: "pvs_1", status: "building", stage: null, progress: 0.5, version: 3, expires_at: "t" },
        { etag: '"3"' },
      );
    };
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch });
    const first = await client.previews.pollStatus("pvs_1", { auth: { bearer: "pvt_x" } });
    expect(first).toMatchObject({ changed: true, version: 3, status: { status: "building" } });
    expect(seen[0]?.url.searchParams.has("wait")).toBe(false);
    expect(seen[0]?.auth).toBe("Bearer pvt_x");

    const second = await client.previews.pollStatus("pvs_1", {
      sinceVersion: 3,
      waitSeconds: 60,
      auth: { bearer: "pvt_x" },
    });
    expect(second).toEqual({ changed: false, version: 3 });
    expect(seen[1]?.url.searchParams.get("wait")).toBe("25");
    expect(seen[1]?.inm).toBe('"3"');
  });

  it("NotificationPoller only reports changes and sends the etag back", async () => {
    const inm: Array<string | null> = [];
    const page = (ids: string[]) => ({
      items: ids.map((id) => ({
        id,
        type: "preview_ready",
        project_id: null,
        payload: {},
        created_at: "t",
        read_at: null,
      })),
      next_cursor: null,
      unread_count: ids.length,
    });
    const answers = [
      () => json(200, page(["ntf_a"]), { etag: '"e1"' }),
      () => new Response(null, { status: 304, headers: { etag: '"e1"' } }),
      () => json(200, page(["ntf_b", "ntf_a"]), { etag: '"e2"' }),
    ];
    let i = 0;
    const fetch = async (_url: string, init: RequestInit) => {
      inm.push(new Headers(init.headers).get("if-none-match"));
      return (answers[i++] as () => Response)();
    };
    const client = new HiveSyncClient({ baseUrl: "http://api.test", fetch });
    const onChange = vi.fn();
    const seen: string[] = [];
    const poller = new NotificationPoller(client, { onChange, onNotification: (n) => seen.push(n.id) });
    await poller.poll();
    await poller.poll();
    await poller.poll();
    expect(inm).toEqual([null, '"e1"', '"e1"']);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange.mock.calls[1]?.[1].map((n: { id: string }) => n.id)).toEqual(["ntf_b"]);
    expect(seen).toEqual(["ntf_a", "ntf_b"]);
  });
});
