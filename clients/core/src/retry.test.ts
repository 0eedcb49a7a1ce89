import { describe, expect, it, vi } from "vitest";
import { HiveSyncClient } from "./client";
import { HiveSyncError } from "./errors";
import { backoffDelayMs, isRetryableError, type RetryOptions, retryDelayMs, withRetry } from "./retry";

const err = (status: number, code = `HTTP_${status}`, retryAfter?: number) =>
  new HiveSyncError({ status, code, message: code, retryAfter });

function recordingSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
  };
  return { delays, sleep };
}

describe("isRetryableError", () => {
  it("retries network errors, 5xx and 429 only", () => {
    expect(isRetryableError(HiveSyncError.network(new TypeError("fetch failed")))).toBe(true);
    for (const status of [500, 502, 503, 504, 429]) expect(isRetryableError(err(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 415, 422]) {
      expect(isRetryableError(err(status)), String(status)).toBe(false);
    }
    expect(isRetryableError(err(409, "REVISION_CONFLICT"))).toBe(false);
    expect(isRetryableError(new Error("boom"))).toBe(false);
  });

  it("treats a 409 IDEMPOTENCY_IN_PROGRESS as 'ask again later'", () => {
    expect(isRetryableError(err(409, "IDEMPOTENCY_IN_PROGRESS", 1))).toBe(true);
  });
});

describe("backoff", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };

  it("doubles the jitter window per retry up to the cap (full jitter)", () => {
    const top = { ...opts, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, top))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, { ...opts, random: () => 0.5 })).toBe(200);
    expect(backoffDelayMs(3, { ...opts, random: () => 0 })).toBe(0);
  });

  it("waits exactly Retry-After instead of backoff, and refuses waits that are too long", () => {
    const options = { ...opts, random: () => 0.5, maxRetryAfterMs: 10_000 } as RetryOptions;
    expect(retryDelayMs(err(429, "RATE_LIMITED", 7), 1, options)).toBe(7000);
    expect(retryDelayMs(err(503, "SERVICE_UNAVAILABLE", 0), 3, options)).toBe(0);
    expect(retryDelayMs(err(429, "TOO_MANY_ATTEMPTS", 600), 1, options)).toBeNull();
    expect(retryDelayMs(err(404), 1, options)).toBeNull();
  });
});

describe("withRetry", () => {
  it("retries retryable failures with growing delays, then succeeds", async () => {
    const { delays, sleep } = recordingSleep();
    const op = vi.fn(async (attempt: number) => {
      if (attempt < 4) throw err(503);
      return "ok";
    });
    const result = await withRetry(op, {
      maxAttempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.5,
      sleep,
    });
    expect(result).toBe("ok");
    expect(op).toHaveBeenCalledTimes(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it("never retries other 4xx", async () => {
    const { delays, sleep } = recordingSleep();
    const op = vi.fn(async () => {
      throw err(422, "HASH_MISMATCH");
    });
    await expect(withRetry(op, { sleep })).rejects.toMatchObject({ code: "HASH_MISMATCH" });
    expect(op).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const { sleep } = recordingSleep();
    let n = 0;
    const op = async () => {
      n++;
      throw err(500, `E${n}`);
    };
    await expect(withRetry(op, { maxAttempts: 3, sleep })).rejects.toMatchObject({ code: "E3" });
    expect(n).toBe(3);
  });

  it("honours Retry-After", async () => {
    const { delays, sleep } = recordingSleep();
    let n = 0;
    await withRetry(
      async () => {
        if (n++ === 0) throw err(429, "RATE_LIMITED", 3);
        return 1;
      },
      { sleep, random: () => 0 },
    );
    expect(delays).toEqual([3000]);
  });

  it("stops at once when aborted during a wait, with the abort reason", async () => {
    const controller = new AbortController();
    const op = vi.fn(async () => {
      setTimeout(() => controller.abort(new Error("user cancelled")), 5);
      throw err(503);
    });
    const started = Date.now();
    await expect(
      withRetry(op, {
        signal: controller.signal,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        random: () => 0.99,
      }),
    ).rejects.toThrow("user cancelled");
    expect(op).toHaveBeenCalledTimes(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("does not start when the signal is already aborted", async () => {
    const op = vi.fn(async () => 1);
    await expect(withRetry(op, { signal: AbortSignal.abort() })).rejects.toBeDefined();
    expect(op).not.toHaveBeenCalled();
  });
});

describe("retries through the client", () => {
  const project = {
    id: "prj_1",
    name: "p",
    description: null,
    framework: "other",
    entry: null,
    mirror_revision: 0,
    created_at: "t",
    updated_at: "t",
  };

  function clientWith(responses: Array<() => Response>) {
    const { delays, sleep } = recordingSleep();
    let i = 0;
    const fetch = vi.fn(async () => (responses[Math.min(i++, responses.length - 1)] as () => Response)());
    const client = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch,
      retry: { sleep, random: () => 0.5 },
    });
    return { client, fetch, delays };
  }

  it("retries a 503 and a dropped connection, not a 404", async () => {
    const ok = () => new Response(JSON.stringify(project), { status: 200 });
    const a = clientWith([
      () => new Response("", { status: 503 }),
      () => {
        throw new TypeError("fetch failed");
      },
      ok,
    ]);
    await expect(a.client.projects.get("prj_1")).resolves.toMatchObject({ id: "prj_1" });
    expect(a.fetch).toHaveBeenCalledTimes(3);

    const b = clientWith([
      () =>
        new Response(
          JSON.stringify({ error: { code: "NOT_FOUND", message: "no", details: {}, request_id: "r" } }),
          { status: 404 },
        ),
    ]);
    await expect(b.client.projects.get("prj_1")).rejects.toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(b.fetch).toHaveBeenCalledTimes(1);
  });

  it("turns repeated network failures into NETWORK_ERROR with status 0", async () => {
    const c = clientWith([
      () => {
        throw new TypeError("connect ECONNREFUSED");
      },
    ]);
    const error = await c.client.projects.get("prj_1").catch((e) => e);
    expect(error).toBeInstanceOf(HiveSyncError);
    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
    expect(c.fetch).toHaveBeenCalledTimes(4);
  });

  it("reads Retry-After from a 429 response", async () => {
    const c = clientWith([
      () =>
        new Response(
          JSON.stringify({
            error: { code: "RATE_LIMITED", message: "slow down", details: {}, request_id: "r" },
          }),
          {
            status: 429,
            headers: { "retry-after": "2" },
          },
        ),
      () => new Response(JSON.stringify(project), { status: 200 }),
    ]);
    await c.client.projects.get("prj_1");
    expect(c.delays).toEqual([2000]);
  });
});
