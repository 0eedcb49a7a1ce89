import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, registerUser } from "../test/helpers";
import { purgeExpired } from "./maintenance";

describe("daily clean-up", () => {
  it("removes expired idempotency records and old link codes, and keeps live ones", async () => {
    const user = await registerUser();
    await call("/api/v1/projects", {
      token: user.access,
      body: { name: "a" },
      headers: { "idempotency-key": "live" },
    });
    await call("/api/v1/devices/link", { method: "POST", token: user.access });
    const now = new Date();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO idempotency_records (scope, key, request_hash, created_at, expires_at) VALUES ('user:x', 'old', 'h', ?1, ?1)",
      ).bind(new Date(now.getTime() - 1000).toISOString()),
      env.DB.prepare(
        "INSERT INTO device_link_codes (code_hash, user_id, created_at, expires_at) VALUES ('stale', ?, ?2, ?2)",
      ).bind(user.id, new Date(now.getTime() - 2 * 24 * 3600 * 1000).toISOString()),
    ]);
    expect(await purgeExpired(env, now)).toMatchObject({ idempotency: 1, link_codes: 1 });
    const keys = await env.DB.prepare("SELECT key FROM idempotency_records").all<{ key: string }>();
    expect(keys.results.map((r) => r.key)).toEqual(["live"]);
    const codes = await env.DB.prepare("SELECT count(*) AS n FROM device_link_codes").first<{ n: number }>();
    expect(codes?.n).toBe(1);
    expect(await purgeExpired(env, now)).toMatchObject({ idempotency: 0, link_codes: 0 });
  });
});
