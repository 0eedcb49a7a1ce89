import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countedBindings } from "../../test/counted-bindings";
import { BASE, createProject, expectError, freshIp, registerUser, type TestUser } from "../../test/helpers";
import { createApp } from "../app";
import { defineRoute } from "../routing/define-route";

/** Freezes Date mid-minute (the object's clock too: it runs in this isolate), so no test straddles two windows. */
function midMinute(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
}

beforeEach(midMinute);
afterEach(() => {
  vi.useRealTimers();
});

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

describe("the general limit of a signed-in caller, counted by the session check", () => {
  it("costs no limiter call, and counts exactly: ratelimit-remaining falls by one per request whichever isolate serves it", async () => {
    const user = await registerUser();
    // Two isolates' worth of bindings (each its own app and namespace objects), asked in turn.
    const isolates = [countedBindings(), countedBindings()];
    const remaining: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await (isolates[i % 2] as (typeof isolates)[0]).request("/api/v1/auth/me", {
        headers: bearer(user),
      });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("ratelimit-remaining") ?? "");
    }
    // Every call was the user's UserSessions object (one per request), none a RateLimiter.
    expect(isolates.map((b) => b.counts().doCalls)).toEqual([15, 15]);
    expect(remaining).toEqual(Array.from({ length: 30 }, (_, i) => String(1199 - i)));
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
    // Creating the project was the user's first request of the window.
    const get = limitedTo(3);
    for (let i = 0; i < 2; i++)
      expect((await get("/api/v1/auth/me", { headers: bearer(user) })).status).toBe(200);
    await expectError(await get("/api/v1/auth/me", { headers: bearer(user) }), 429, "RATE_LIMITED");
    const bindings = countedBindings({ RATE_LIMIT_GENERAL: "3" });
    const res = await bindings.request(`/api/v1/projects/${project.id}/mirror`, { headers: bearer(user) });
    expect(res.headers.get("retry-after")).toBe("30");
    await expectError(res, 429, "RATE_LIMITED");
    expect(bindings.counts()).toMatchObject({ d1RoundTrips: 0, doCalls: 0 });
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

  it("counts a request whose session has ended too (401, then 429 once over), so a revoked token cannot hammer the object", async () => {
    const user = await registerUser();
    const get = limitedTo(2);
    const logout = await get("/api/v1/auth/logout", { method: "POST", headers: bearer(user) });
    expect(logout.status).toBe(204);
    await expectError(await get("/api/v1/auth/me", { headers: bearer(user) }), 401, "UNAUTHENTICATED");
    await expectError(await get("/api/v1/auth/me", { headers: bearer(user) }), 429, "RATE_LIMITED");
  });

  it("cannot be switched off on a route that checks the session", () => {
    for (const auth of ["user", "preview"] as const) {
      expect(() =>
        defineRoute({
          method: "get",
          path: "/unlimited",
          auth,
          generalLimit: false,
          tags: ["Test"],
          summary: "x",
          responses: { 204: { description: "x" } },
        }),
      ).toThrow(/always have the general limit/);
    }
  });
});
