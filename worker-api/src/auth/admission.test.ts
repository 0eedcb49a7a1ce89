import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { countedBindings } from "../../test/counted-bindings";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  registerUser,
  type TestUser,
} from "../../test/helpers";
import { frozenMidMinute } from "../../test/mid-minute";
import { createApp } from "../app";
import { blockSize } from "../rate-limit/hit-blocks";

import { SESSION_LEASE_MS, UserSessions, userSessionsOf } from "./user-sessions";

frozenMidMinute();

const bearer = (user: TestUser) => ({
  authorization: `Bearer ${user.access}`,
  "cf-connecting-ip": freshIp(),
});

/** Requests with the general limit at `limit` per minute (a fresh env object: a config of its own). */
function limitedTo(limit: number) {
  const app = createApp();
  const vars = { ...env, RATE_LIMIT_GENERAL: String(limit) };
  return (path: string, init: RequestInit = {}) => app.request(`${BASE}${path}`, init, vars);
}

/** An access token's claims (`sub`, `sid`). */
function claimsOf(token: string): { sub: string; sid: string } {
  return JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
}

/** The user's session id, from the access token's claims. */
const sessionIdOf = (user: TestUser) => claimsOf(user.access).sid;

describe("a signed-in request's session check and general limit: one object call per lease and block", () => {
  it("costs one Durable Object call per block of the user's limit while the isolate holds a lease: 30 requests are 2 calls", async () => {
    const user = await registerUser();
    const isolate = countedBindings();
    const remaining: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await isolate.request("/api/v1/auth/me", { headers: bearer(user) });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("ratelimit-remaining") ?? "");
    }
    expect(blockSize(1200)).toBe(24);
    // The user's UserSessions object, once per 24 requests; never a RateLimiter.
    expect(isolate.counts().doCalls).toBe(2);
    // One isolate knows the count exactly.
    expect(remaining).toEqual(Array.from({ length: 30 }, (_, i) => String(1199 - i)));
    // Another isolate asks for a lease and block of its own; the object's count is the user's
    // (three blocks handed out, 23 of them still this isolate's).
    const other = countedBindings();
    const res = await other.request("/api/v1/auth/me", { headers: bearer(user) });
    expect(res.headers.get("ratelimit-remaining")).toBe(String(1200 - 72 + 23));
    expect(other.counts().doCalls).toBe(1);
  });

  it("asks about the session again once the lease has run out, without taking more hits while it holds some", async () => {
    const user = await registerUser();
    const isolate = countedBindings();
    expect((await isolate.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    vi.setSystemTime(Date.now() + SESSION_LEASE_MS - 300);
    expect((await isolate.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    expect(isolate.counts().doCalls).toBe(1);
    // Past the lease less its margin (250 ms): the session is asked about again, each time (ten
    // times, 20 s: still inside the minute midMinute started half-way through).
    for (let i = 0; i < 10; i++) {
      vi.setSystemTime(Date.now() + SESSION_LEASE_MS);
      const res = await isolate.request("/api/v1/auth/me", { headers: bearer(user) });
      expect(res.headers.get("ratelimit-remaining")).toBe(String(1197 - i));
    }
    expect(isolate.counts().doCalls).toBe(11);
    // Those renewals took no hits: the object has handed out one block, so another isolate's first
    // request takes the second (1,200 − 48 + its 23 left).
    const other = countedBindings();
    const res = await other.request("/api/v1/auth/me", { headers: bearer(user) });
    expect(res.headers.get("ratelimit-remaining")).toBe(String(1200 - 48 + 23));
  });

  it("answers the request over the limit 429 RATE_LIMITED with Retry-After to the window's end; a new window admits again", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const get = limitedTo(3);
    for (let i = 0; i < 3; i++)
      expect((await get("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    const refused = await get("/api/v1/auth/me", { headers: bearer(user) });
    expect(refused.headers.get("retry-after")).toBe("30");
    expect((await expectError(refused, 429, "RATE_LIMITED")).details).toEqual({ retry_after_seconds: 30 });
    // Per user: another one has a budget of their own.
    expect((await get("/api/v1/auth/me", { headers: bearer(other) })).status).toBe(200);
    vi.setSystemTime(Date.now() + 30_000);
    const next = await get("/api/v1/auth/me", { headers: bearer(user) });
    expect(next.status).toBe(200);
    expect(next.headers.get("ratelimit-remaining")).toBe("2");
  });

  it("once refused, refuses in this isolate without asking: no Durable Object call, and no D1 query on an ownedProject route", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    // The next window: creating the project took a block of the default limit's hits.
    vi.setSystemTime(Date.now() + 60_000);
    const isolate = countedBindings({ RATE_LIMIT_GENERAL: "3" });
    for (let i = 0; i < 3; i++)
      expect((await isolate.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    await expectError(
      await isolate.request("/api/v1/auth/me", { headers: bearer(user) }),
      429,
      "RATE_LIMITED",
    );
    const before = isolate.counts();
    const res = await isolate.request(`/api/v1/projects/${project.id}/mirror`, { headers: bearer(user) });
    expect(res.headers.get("retry-after")).toBe("30");
    await expectError(res, 429, "RATE_LIMITED");
    expect(isolate.counts()).toEqual(before);
  });

  it("is one budget per user across routes: a token on a route without sign-in (refresh) counts against it", async () => {
    const user = await registerUser();
    const get = limitedTo(3);
    for (let i = 0; i < 2; i++)
      expect((await get("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    const refresh = (headers: Record<string, string>) =>
      get("/api/v1/auth/refresh", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: user.refresh }),
      });
    const renewed = await refresh(bearer(user));
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get("ratelimit-remaining")).toBe("0");
    await expectError(await get("/api/v1/auth/me", { headers: bearer(user) }), 429, "RATE_LIMITED");
    // Without the token the same call is an anonymous one, limited per IP: 401 (its refresh token
    // was used already), not 429.
    await expectError(await refresh({ "cf-connecting-ip": freshIp() }), 401, "INVALID_REFRESH_TOKEN");
  });

  it("refuses a session the object said is dead from memory: no more calls to it, no D1 read on an ownedProject route", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await userSessionsOf(env, user.id).revoke(sessionIdOf(user));
    const isolate = countedBindings();
    const headers = { authorization: `Bearer ${user.access}`, "cf-connecting-ip": freshIp() };
    for (let i = 0; i < 3; i++) {
      await expectError(await isolate.request("/api/v1/auth/me", { headers }), 401, "UNAUTHENTICATED");
    }
    const res = await isolate.request(`/api/v1/projects/${project.id}/mirror`, { headers });
    await expectError(res, 401, "UNAUTHENTICATED");
    // One UserSessions call (the first request), then one block of the IP's limit for the rest.
    expect(isolate.counts()).toMatchObject({ doCalls: 2, d1RoundTrips: 0 });
  });

  it("counts a revoked token per IP once known dead, so whoever holds it cannot spend its user's budget", async () => {
    const user = await registerUser();
    const signIn = async () => {
      const res = await call("/api/v1/auth/login", {
        body: { login: user.username, password: user.password },
        ip: freshIp(),
      });
      return (await res.json<{ tokens: { access_token: string } }>()).tokens.access_token;
    };
    const [stolen, mine] = [await signIn(), await signIn()];
    vi.setSystemTime(Date.now() + 60_000); // a fresh window: signing in took hits of the default limit
    const revoked = claimsOf(stolen);
    await userSessionsOf(env, user.id).revoke(revoked.sid);
    const get = limitedTo(3);
    const from = (token: string, ip: string) =>
      get("/api/v1/auth/me", { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip } });
    const thief = freshIp();
    // The first request learns the session is dead (one of the user's hits); then the thief's IP pays.
    for (let i = 0; i < 4; i++) await expectError(await from(stolen, thief), 401, "UNAUTHENTICATED");
    await expectError(await from(stolen, thief), 429, "RATE_LIMITED");
    // The user's own session still has two of its three.
    for (let i = 0; i < 2; i++) expect((await from(mine, freshIp())).status).toBe(200);
    await expectError(await from(mine, freshIp()), 429, "RATE_LIMITED");
  });

  it("counts a signed-in request before anything else: bodies refused 400 count too", async () => {
    const user = await registerUser();
    const get = limitedTo(2);
    const bad = () =>
      get("/api/v1/projects", {
        method: "POST",
        headers: { ...bearer(user), "content-type": "application/json" },
        body: "{not json",
      });
    for (let i = 0; i < 2; i++) await expectError(await bad(), 400, "INVALID_JSON");
    await expectError(await bad(), 429, "RATE_LIMITED");
  });
});

describe("revocation against leases", () => {
  beforeEach(() => {
    vi.useRealTimers();
  });

  it("a logout waits out another isolate's lease, and once it has answered that isolate refuses the token", async () => {
    const user = await registerUser();
    const phone = countedBindings();
    expect((await phone.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    const started = Date.now();
    expect((await call("/api/v1/auth/logout", { method: "POST", token: user.access })).status).toBe(204);
    // The phone's isolate could admit the session from its lease until the object's end of it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(SESSION_LEASE_MS - 500);
    await expectError(
      await phone.request("/api/v1/auth/me", { headers: bearer(user) }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("a logout in the isolate holding the session's only lease answers without waiting, and that isolate refuses at once", async () => {
    const user = await registerUser();
    const desktop = countedBindings();
    expect((await desktop.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    const started = Date.now();
    expect(
      (await desktop.request("/api/v1/auth/logout", { method: "POST", headers: bearer(user) })).status,
    ).toBe(204);
    expect(Date.now() - started).toBeLessThan(SESSION_LEASE_MS / 2);
    const calls = desktop.counts().doCalls;
    await expectError(
      await desktop.request("/api/v1/auth/me", { headers: bearer(user) }),
      401,
      "UNAUTHENTICATED",
    );
    // No UserSessions call: the one call is its IP's limiter (a revoked token counts per IP).
    expect(desktop.counts().doCalls).toBe(calls + 1);
  });

  it("a revocation that names no isolate counts every lease of the session, and a second one as much as the first", async () => {
    const user = await registerUser();
    const desktop = countedBindings();
    expect((await desktop.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    const object = userSessionsOf(env, user.id);
    const first = await object.revoke(sessionIdOf(user));
    expect(first).toBeGreaterThanOrEqual(SESSION_LEASE_MS - 500);
    // A double-clicked revoke, or a retry: the desktop's lease is still out there.
    expect(await object.revoke(sessionIdOf(user), "another isolate")).toBeGreaterThanOrEqual(first - 100);
    await scheduler.wait(first);
    await expectError(
      await desktop.request("/api/v1/auth/me", { headers: bearer(user) }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("an object that restarted within a lease of its last grant cannot know who holds one: it counts the stored horizon", async () => {
    const user = await registerUser();
    const desktop = countedBindings();
    expect((await desktop.request("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    await runInDurableObject(userSessionsOf(env, user.id), async (_live, state) => {
      // The same storage, a fresh memory: what the object is after an eviction or a restart.
      const restarted = new UserSessions(state, env);
      await state.blockConcurrencyWhile(async () => {});
      // It never lent to anyone, and still counts the lease its previous life may have lent.
      expect(await restarted.revoke(sessionIdOf(user), "the isolate revoking")).toBeGreaterThanOrEqual(
        SESSION_LEASE_MS - 500,
      );
      expect(await restarted.isLive(user.id, sessionIdOf(user))).toBe(false);
    });
  });
});
