import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { BASE, expectError, freshIp } from "../../test/helpers";
import { frozenMidMinute } from "../../test/mid-minute";
import { createApp } from "../app";
import type { Env } from "../env";
import { takeGeneral } from "./general";
import { blockSize } from "./hit-blocks";

type Namespace = Env["RATE_LIMITER"];

/**
 * The limiter namespace as one isolate sees it, counting the Durable Object calls. Each call of
 * `isolate()` is another isolate: its own binding object, so its own leases — but the same objects.
 */
function isolate() {
  let calls = 0;
  const namespace = {
    idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
    get: (id: DurableObjectId) => {
      calls += 1;
      return env.RATE_LIMITER.get(id);
    },
  } as unknown as Namespace;
  return { namespace, calls: () => calls };
}

const key = () => `general:ip:test-${crypto.randomUUID()}`;
const perMinute = (limit: number) => ({ limit, windowSeconds: 60 });

frozenMidMinute();

describe("the general limit: blocks of a fixed window, spent in isolate memory", () => {
  it("asks its Durable Object once per block: 100 requests at 1,200/min are 5 calls, not 100", async () => {
    expect(blockSize(1200)).toBe(24);
    const one = isolate();
    const k = key();
    const remaining: number[] = [];
    for (let i = 0; i < 100; i++) {
      const decision = await takeGeneral(one.namespace, k, perMinute(1200));
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
    }
    expect(one.calls()).toBe(5);
    // One isolate knows its count exactly.
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => 1199 - i));
  });

  it("never makes a request wait for another's lease, and spends every hit concurrent leases bring", async () => {
    // 60 requests at once on a cold isolate: each asks for its own block (awaiting another
    // request's promise breaks workerd's per-request I/O), and none is refused, although 60 blocks
    // of 24 are more than the window's 1,200 — the blocks that did come in are spent instead.
    const one = isolate();
    const k = key();
    const decisions = await Promise.all(
      Array.from({ length: 60 }, () => takeGeneral(one.namespace, k, perMinute(1200))),
    );
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(one.calls()).toBe(60);
    // The whole window's budget is in this isolate now: the rest of it costs no call, and not one
    // request more than the limit is let through.
    let allowed = 60;
    for (let i = 0; i < 1300; i++)
      if ((await takeGeneral(one.namespace, k, perMinute(1200))).allowed) allowed++;
    expect(allowed).toBe(1200);
    expect(one.calls()).toBe(60);
  });

  it("is exact for small limits, also under concurrency (every request asks the object)", async () => {
    expect(blockSize(99)).toBe(1);
    const one = isolate();
    const k = key();
    const decisions = await Promise.all(
      Array.from({ length: 40 }, () => takeGeneral(one.namespace, k, perMinute(30))),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(30);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(10);
    for (const d of refused) {
      expect(d.remaining).toBe(0);
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
  });

  it("never lets several isolates together past the limit; tokens another isolate holds are refused early", async () => {
    const limit = 1200;
    const [a, b] = [isolate(), isolate()];
    const k = key();
    expect((await takeGeneral(a.namespace, k, perMinute(limit))).allowed).toBe(true); // a holds 23 more
    let fromB = 0;
    for (let i = 0; i < limit; i++)
      if ((await takeGeneral(b.namespace, k, perMinute(limit))).allowed) fromB++;
    // b is refused while a still holds its 23: at most (block − 1) early per other isolate.
    expect(fromB).toBe(limit - blockSize(limit));
    let fromA = 1;
    for (let i = 0; i < 100; i++) if ((await takeGeneral(a.namespace, k, perMinute(limit))).allowed) fromA++;
    expect(fromA).toBe(blockSize(limit));
    expect(fromA + fromB).toBe(limit);
    // 1 + 49 leases; b's last one says the window is used up, a asks once more to learn it.
    expect(a.calls() + b.calls()).toBe(1 + 49 + 1);
  });

  it("refuses a used-up key without asking again until the window ends, with Retry-After to that end", async () => {
    const minute = Date.parse("2031-03-04T05:06:00.000Z");
    vi.setSystemTime(minute + 15_500);
    const one = isolate();
    const k = key();
    for (let i = 0; i < 3; i++)
      expect((await takeGeneral(one.namespace, k, perMinute(3))).allowed).toBe(true);
    expect(one.calls()).toBe(3);
    // The third lease said the window is used up: the fourth request is refused without asking.
    const refused = await takeGeneral(one.namespace, k, perMinute(3));
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 45 });
    expect(one.calls()).toBe(3);
    vi.setSystemTime(minute + 59_001);
    for (let i = 0; i < 10; i++) {
      expect(await takeGeneral(one.namespace, k, perMinute(3))).toEqual({
        allowed: false,
        remaining: 0,
        retryAfterSeconds: 1,
      });
    }
    expect(one.calls()).toBe(3);
    // The next window: a fresh budget.
    vi.setSystemTime(minute + 60_000);
    expect(await takeGeneral(one.namespace, k, perMinute(3))).toMatchObject({ allowed: true, remaining: 2 });
    expect(one.calls()).toBe(4);
  });

  it("drops the tokens of an ended window instead of spending them in the next", async () => {
    const minute = Date.parse("2031-03-04T06:00:00.000Z");
    vi.setSystemTime(minute + 59_000);
    const one = isolate();
    const k = key();
    expect(await takeGeneral(one.namespace, k, perMinute(1200))).toMatchObject({ remaining: 1199 });
    vi.setSystemTime(minute + 60_000);
    // 23 unspent tokens of the old window are gone; the new window's lease counts from zero.
    expect(await takeGeneral(one.namespace, k, perMinute(1200))).toMatchObject({ remaining: 1199 });
    expect(one.calls()).toBe(2);
  });

  it("checks a caller against the limit in force: a tighter limit is not served from a looser one's block", async () => {
    const one = isolate();
    const k = key();
    expect((await takeGeneral(one.namespace, k, perMinute(1200))).allowed).toBe(true);
    // 24 handed out in this window already: at a limit of 5 the key is over.
    expect((await takeGeneral(one.namespace, k, perMinute(5))).allowed).toBe(false);
  });

  it("fails every request whose lease fails (a 500), then recovers", async () => {
    let fail = true;
    const namespace = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: (id: DurableObjectId) =>
        fail ? { lease: () => Promise.reject(new Error("limiter unavailable")) } : env.RATE_LIMITER.get(id),
    } as unknown as Namespace;
    const k = key();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => takeGeneral(namespace, k, perMinute(1200))),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    fail = false;
    expect(await takeGeneral(namespace, k, perMinute(1200))).toMatchObject({
      allowed: true,
      remaining: 1199,
    });
  });
});

// A signed-in caller is counted by the session check instead (auth/admission.test.ts).
describe("the general limit on the API, for anonymous callers", () => {
  it("answers 429 RATE_LIMITED with Retry-After once an anonymous caller's window is used up", async () => {
    const ip = freshIp();
    const limited = { ...env, RATE_LIMIT_GENERAL: "2" };
    const get = () =>
      createApp().request(`${BASE}/api/v1/projects`, { headers: { "cf-connecting-ip": ip } }, limited);
    for (let i = 0; i < 2; i++) await expectError(await get(), 401, "UNAUTHENTICATED");
    const res = await get();
    const err = await expectError(res.clone(), 429, "RATE_LIMITED");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(err.details).toEqual({ retry_after_seconds: retryAfter });
  });
});
