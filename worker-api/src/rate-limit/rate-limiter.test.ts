import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bucketWidthMs, type RateLimiter } from "./rate-limiter";

const T0 = Date.parse("2031-03-04T05:06:00.000Z"); // a whole minute: fixed windows start here

function limiter() {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`test:${crypto.randomUUID()}`));
}
type Stub = ReturnType<typeof limiter>;

/** The key's stored rows: one per bucket (sliding window) and the fixed window's one. */
function rows(stub: Stub) {
  return runInDurableObject(stub, (_: RateLimiter, ctx) => {
    const tables = ctx.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((t) => t.name);
    const read = (table: string) =>
      tables.includes(table) ? ctx.storage.sql.exec(`SELECT * FROM ${table}`).toArray() : [];
    return { tables, buckets: read("buckets"), fixed: read("fixed_window") };
  });
}

function at(ms: number) {
  vi.setSystemTime(new Date(ms));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("RateLimiter: the exact sliding window, in buckets", () => {
  it("lets exactly `limit` of many concurrent hits through and stores one row for them, not one per hit", async () => {
    const stub = limiter();
    const decisions = await Promise.all(Array.from({ length: 20 }, () => stub.consume(5, 600)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.filter((d) => !d.allowed)).toHaveLength(15);
    expect(
      decisions
        .filter((d) => d.allowed)
        .map((d) => d.remaining)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    for (const d of decisions.filter((d) => !d.allowed)) {
      expect(d.remaining).toBe(0);
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(600);
    }
    const { buckets } = await rows(stub);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({ count: 5 });
  });

  it("counts every hit for the whole window — never less — and at most one bucket width more", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const windowMs = 600_000;
    const width = bucketWidthMs(windowMs);
    expect(width).toBe(10_000);
    const stub = limiter();
    at(T0);
    expect((await stub.consume(2, 600)).allowed).toBe(true);
    at(T0 + width - 1); // same bucket as the first hit
    expect((await stub.consume(2, 600)).allowed).toBe(true);
    at(T0 + width - 1 + windowMs - 1); // the second hit is still inside its window: locked
    const locked = await stub.consume(2, 600);
    expect(locked).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // The first hit left its window a bucket width ago, but shares a bucket with the second: still locked.
    expect((await stub.peek(2, 600)).allowed).toBe(false);
    at(T0 + width - 1 + windowMs); // both gone
    expect(await stub.peek(2, 600)).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 0 });
  });

  it("keeps hits a bucket width apart in separate rows and lets the oldest expire on its own", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const stub = limiter();
    for (let i = 0; i < 3; i++) {
      at(T0 + i * 1000); // 1 s buckets for a 60 s window
      expect((await stub.consume(3, 60)).allowed).toBe(true);
    }
    expect((await rows(stub)).buckets).toHaveLength(3);
    at(T0 + 2500);
    // Blocked until the oldest hit (T0) has left the window: 57.5 s → Retry-After 58.
    expect(await stub.consume(3, 60)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 58 });
    at(T0 + 60_000);
    expect(await stub.consume(3, 60)).toMatchObject({ allowed: true, remaining: 0 });
    // The expired bucket's row is deleted; the new hit joined no old bucket.
    const { buckets } = await rows(stub);
    expect(buckets.map((b) => b.first)).toEqual([T0 + 1000, T0 + 2000, T0 + 60_000]);
  });

  it("never reports a Retry-After longer than the window (the login tests pin ≤ 60 s and ≤ 900 s)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    for (const windowSeconds of [60, 600, 900, 3600]) {
      const stub = limiter();
      at(T0);
      for (let i = 0; i < 5; i++) await stub.consume(5, windowSeconds);
      const blocked = await stub.consume(5, windowSeconds);
      expect(blocked.allowed).toBe(false);
      expect(blocked.retryAfterSeconds).toBe(windowSeconds);
      at(T0 + 999);
      expect((await stub.consume(5, windowSeconds)).retryAfterSeconds).toBe(windowSeconds);
    }
  });

  it("refund takes back the newest hit; peek counts nothing; reset forgets everything", async () => {
    const stub = limiter();
    for (let i = 0; i < 3; i++) expect((await stub.consume(3, 600)).allowed).toBe(true);
    expect((await stub.peek(3, 600)).allowed).toBe(false);
    expect((await stub.peek(3, 600)).allowed).toBe(false);
    await stub.refund();
    expect(await stub.peek(3, 600)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await stub.consume(3, 600)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await stub.consume(3, 600)).allowed).toBe(false);
    await stub.reset();
    expect((await rows(stub)).tables).toEqual([]);
    expect(await stub.consume(3, 600)).toMatchObject({ allowed: true, remaining: 2 });
    // Refunds empty the bucket row, and one more refund than hits is harmless.
    await stub.refund();
    await stub.refund();
    expect((await rows(stub)).buckets).toEqual([]);
    expect(await stub.peek(3, 600)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it("refunds stay exact against concurrent attempts: 9 at once, 5 counted, the successes forgiven", async () => {
    const stub = limiter();
    const attempts = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const decision = await stub.consume(5, 600);
        // Every third attempt that got through turns out right and is forgiven.
        if (decision.allowed && i % 3 === 0) await stub.refund();
        return decision.allowed;
      }),
    );
    const allowed = attempts.filter(Boolean).length;
    expect(allowed).toBeGreaterThanOrEqual(5);
    const { buckets } = await rows(stub);
    const counted = buckets.reduce((sum, b) => sum + Number(b.count), 0);
    expect(counted).toBeLessThanOrEqual(5);
    expect(counted).toBe(allowed - attempts.filter((ok, i) => ok && i % 3 === 0).length);
  });

  it("cleans up with its alarm once the window is over, and counts afresh after", async () => {
    const stub = limiter();
    for (let i = 0; i < 2; i++) await stub.consume(2, 60);
    const alarm = await runInDurableObject(stub, (_: RateLimiter, ctx) => ctx.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 55_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await rows(stub)).tables).toEqual([]);
    expect(await stub.consume(2, 60)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("folds the rows of an object written before buckets (one per hit) into buckets, forgiving nothing", async () => {
    const stub = limiter();
    const now = Date.now();
    await runInDurableObject(stub, (_: RateLimiter, ctx) => {
      ctx.storage.sql.exec("CREATE TABLE hits (at INTEGER NOT NULL)");
      for (const at of [now - 3000, now - 2000, now - 1000])
        ctx.storage.sql.exec("INSERT INTO hits (at) VALUES (?)", at);
    });
    expect(await stub.consume(5, 600)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await stub.consume(5, 600)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await stub.consume(5, 600)).allowed).toBe(false);
    const { tables, buckets } = await rows(stub);
    expect(tables).not.toContain("hits");
    expect(buckets.reduce((sum, b) => sum + Number(b.count), 0)).toBe(5);
  });
});

describe("RateLimiter.lease: the fixed window the general limit spends from", () => {
  it("hands out blocks until the window's limit, in one row, and starts over in the next window", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const stub = limiter();
    const end = T0 + 60_000;
    at(T0 + 5000);
    expect(await stub.lease(50, 60, 24)).toEqual({ granted: 24, used: 24, resetAt: end });
    expect(await stub.lease(50, 60, 24)).toEqual({ granted: 24, used: 48, resetAt: end });
    expect(await stub.lease(50, 60, 24)).toEqual({ granted: 2, used: 50, resetAt: end });
    at(end - 1);
    expect(await stub.lease(50, 60, 24)).toEqual({ granted: 0, used: 50, resetAt: end });
    const { fixed, buckets } = await rows(stub);
    expect(fixed).toEqual([{ id: 1, window: T0 / 60_000, window_ms: 60_000, used: 50 }]);
    expect(buckets).toEqual([]);
    at(end);
    expect(await stub.lease(50, 60, 24)).toEqual({ granted: 24, used: 24, resetAt: end + 60_000 });
  });

  it("never hands out more than the limit to concurrent callers", async () => {
    const stub = limiter();
    const grants = await Promise.all(Array.from({ length: 30 }, () => stub.lease(100, 60, 7)));
    expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(100);
    expect(Math.max(...grants.map((g) => g.used))).toBe(100);
  });

  it("keeps its count when the object is evicted and reloaded from storage", async () => {
    const stub = limiter();
    await stub.lease(10, 60, 4);
    await runInDurableObject(stub, (instance: RateLimiter) => {
      // What eviction does: the in-memory copies are gone.
      (instance as unknown as { fixed: unknown }).fixed = null;
    });
    expect(await stub.lease(10, 60, 4)).toMatchObject({ granted: 4, used: 8 });
  });
});
