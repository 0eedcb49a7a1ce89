import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, expectError, json } from "../../test/helpers";
import { createApp } from "../app";

describe("health", () => {
  it("GET /health answers ok with the version and a request id", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ok", version: "0.1.0" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9A-Z]{36}$/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("GET /health/deep checks D1, R2 and Durable Objects with latencies", async () => {
    const res = await call("/health/deep");
    expect(res.status).toBe(200);
    const body = await json<{ status: string; checks: Record<string, { ok: boolean; latency_ms: number }> }>(
      res,
    );
    expect(body.status).toBe("ok");
    for (const name of ["d1", "r2", "durable_objects"]) {
      expect(body.checks[name]?.ok).toBe(true);
      expect(body.checks[name]?.latency_ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("GET /health/deep demands the OPS_TOKEN when one is configured", async () => {
    const app = createApp();
    const opsEnv = { ...env, OPS_TOKEN: "ops-secret-token" };
    await expectError(await app.request("/health/deep", {}, opsEnv), 401, "UNAUTHENTICATED");
    await expectError(
      await app.request("/health/deep", { headers: { authorization: "Bearer wrong" } }, opsEnv),
      401,
      "UNAUTHENTICATED",
    );
    const ok = await app.request(
      "/health/deep",
      { headers: { authorization: "Bearer ops-secret-token" } },
      opsEnv,
    );
    expect(ok.status).toBe(200);
  });
});
