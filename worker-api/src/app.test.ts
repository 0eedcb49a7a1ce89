import { env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { ErrorBody } from "../../schema/errors";
import {
  BASE,
  call,
  expectError,
  freshIp,
  json,
  registerUser,
  sha256Of,
  type TestUser,
} from "../test/helpers";
import { createApp } from "./app";
import type { AppEnv, Env } from "./env";
import { onError } from "./errors";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";

const PRODUCTION = {
  ENVIRONMENT: "production",
  JWT_SECRET: "x".repeat(40),
  PUBLIC_URL: "https://api.hivesync.dev",
  PREVIEW_ORIGIN_TEMPLATE: "https://{session}.hivesync-preview.dev",
};

/** Calls a fresh app built by `createApp()` with the test bindings plus `overrides`. */
function direct(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}) {
  return createApp().request(`${BASE}${path}`, init, { ...env, ...overrides });
}

async function countProjects(user: TestUser): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM projects WHERE owner_id = ?")
    .bind(user.id)
    .first<{ n: number }>();
  return row!.n;
}

describe("HTTP conventions", () => {
  it("answers an unknown route with the 404 NOT_FOUND envelope and a matching request id", async () => {
    for (const path of ["/api/v1/nope", "/api/v1/projects/prj_abc/nothing", "/nowhere"]) {
      const res = await call(path);
      const requestId = res.headers.get("x-request-id");
      expect(requestId).toMatch(/^req_/);
      const err = await expectError(res, 404, "NOT_FOUND");
      expect(err.request_id).toBe(requestId);
      expect(err.details).toEqual({});
      expect(typeof err.message).toBe("string");
    }
  });

  it("answers a wrong method on a known route with 405 METHOD_NOT_ALLOWED and an Allow header", async () => {
    const user = await registerUser();
    // HEAD is served wherever GET is (Hono answers it from the GET route), so Allow lists it too.
    let res = await call("/api/v1/projects", { method: "PUT", token: user.access });
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
    let err = await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect((err.details.allow as string[]).sort()).toEqual(["GET", "HEAD", "POST"]);

    res = await call("/api/v1/projects/prj_01JD3Y8Q5W3T0ZK8M2V7B6N4XA", {
      method: "POST",
      token: user.access,
    });
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
    await expectError(res, 405, "METHOD_NOT_ALLOWED");

    res = await call("/api/v1/comments/cmt_01JD3Y8Q5W3T0ZK8M2V7B6N4XA", {
      method: "GET",
      token: user.access,
    });
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "PATCH"]);
    await expectError(res, 405, "METHOD_NOT_ALLOWED");

    res = await call("/health", { method: "DELETE" });
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    err = await expectError(res, 405, "METHOD_NOT_ALLOWED");
    expect(err.request_id).toBe(res.headers.get("x-request-id"));
    res = await call("/health", { method: "HEAD" });
    expect(res.status).toBe(200);
  });

  it("treats a trailing slash as no route (404), not as a wrong method", async () => {
    const user = await registerUser();
    for (const path of ["/api/v1/projects/", "/api/v1/projects/prj_01JD3Y8Q5W3T0ZK8M2V7B6N4XA/", "/docs/"]) {
      const res = await call(path, { token: user.access });
      expect(res.headers.get("allow"), path).toBeNull();
      await expectError(res, 404, "NOT_FOUND");
    }
  });

  it("rejects malformed JSON with 400 INVALID_JSON", async () => {
    const user = await registerUser();
    for (const body of ["{not json", '{"name": "x"', "nul", "{'name': 'x'}"]) {
      await expectError(await call("/api/v1/projects", { token: user.access, body }), 400, "INVALID_JSON");
    }
    expect(await countProjects(user)).toBe(0);
  });

  it("rejects a non-JSON body on a JSON route with 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const user = await registerUser();
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      await expectError(
        await call("/api/v1/projects", {
          token: user.access,
          body: '{"name":"x"}',
          headers: { "content-type": type },
        }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
    }
    // A charset parameter on a JSON type is fine.
    const ok = await call("/api/v1/projects", {
      token: user.access,
      body: '{"name":"charset"}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(ok.status).toBe(201);
    expect(await countProjects(user)).toBe(1);
  });

  it("rejects a body over MAX_JSON_BYTES (1 MiB) with 413 and stores nothing", async () => {
    const user = await registerUser();
    const big = JSON.stringify({ name: "big", description: "d".repeat(1024 * 1024) });
    const err = await expectError(
      await call("/api/v1/projects", { token: user.access, body: big }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.details.max_bytes).toBe(1024 * 1024);

    // Streamed without a Content-Length: the limit still holds while the body comes in.
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await direct("/api/v1/projects", {
      method: "POST",
      headers: { authorization: `Bearer ${user.access}`, "content-type": "application/json" },
      body: stream,
    });
    await expectError(streamed, 413, "PAYLOAD_TOO_LARGE");
    expect(await countProjects(user)).toBe(0);

    // Just under the limit is read normally (and then fails validation, not the size check).
    const under = JSON.stringify({ name: "ok", description: "d".repeat(1024 * 1024 - 100) });
    await expectError(
      await call("/api/v1/projects", { token: user.access, body: under }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("puts the security headers on every response, errors included", async () => {
    const user = await registerUser();
    const responses = [
      await call("/health"),
      await call("/api/v1/projects", { token: user.access }),
      await call("/api/v1/nope"),
      await call("/api/v1/projects"),
    ];
    for (const res of responses) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    }
  });
});

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, idempotency-key",
    },
  });

  it("allows any origin in development (CORS_ORIGINS=*)", async () => {
    const res = await call("/api/v1/projects", preflight("https://anything.example"));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://anything.example");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("in production allows only the listed origins", async () => {
    const prod = { ...PRODUCTION, CORS_ORIGINS: "https://app.example" };
    let res = await direct("/api/v1/projects", preflight("https://app.example"), prod);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("vary")?.toLowerCase()).toContain("origin");

    res = await direct("/api/v1/projects", preflight("https://evil.example"), prod);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();

    // Simple (non-preflight) requests too.
    res = await direct("/health", { headers: { origin: "https://app.example" } }, prod);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
    res = await direct("/health", { headers: { origin: "https://evil.example" } }, prod);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("ignores a * in production", async () => {
    for (const origins of ["*", "*, https://app.example"]) {
      const prod = { ...PRODUCTION, CORS_ORIGINS: origins };
      const evil = await direct("/api/v1/projects", preflight("https://evil.example"), prod);
      expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      const plain = await direct("/health", { headers: { origin: "https://evil.example" } }, prod);
      expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    }
    const listed = await direct("/api/v1/projects", preflight("https://app.example"), {
      ...PRODUCTION,
      CORS_ORIGINS: "*, https://app.example",
    });
    expect(listed.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });
});

describe("API documentation", () => {
  it("serves an OpenAPI 3.1 document with the auth, project, comment and health routes", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = await json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("HiveSync API");
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description: expect.stringContaining("access token"),
    });
    const expected: Record<string, string[]> = {
      "/api/v1/auth/register": ["post"],
      "/api/v1/auth/login": ["post"],
      "/api/v1/auth/refresh": ["post"],
      "/api/v1/auth/logout": ["post"],
      "/api/v1/auth/me": ["get"],
      "/api/v1/projects": ["get", "post"],
      "/api/v1/projects/{id}": ["delete", "get", "patch"],
      "/api/v1/projects/{id}/comments": ["get", "post"],
      "/api/v1/comments/{id}": ["delete", "patch"],
      "/health": ["get"],
      "/health/deep": ["get"],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(doc.paths[path], path).toBeDefined();
      expect(Object.keys(doc.paths[path]!).sort(), path).toEqual(expect.arrayContaining(methods));
    }
    const bearer = [{ bearerAuth: [] }];
    for (const path of ["/api/v1/projects", "/api/v1/projects/{id}", "/api/v1/projects/{id}/comments"]) {
      for (const op of Object.values(doc.paths[path]!)) expect(op.security).toEqual(bearer);
    }
    for (const op of Object.values(doc.paths["/api/v1/comments/{id}"]!)) expect(op.security).toEqual(bearer);
    expect(doc.paths["/api/v1/auth/me"]!.get!.security).toEqual(bearer);
    expect(doc.paths["/api/v1/auth/register"]!.post!.security).toBeUndefined();
    expect(doc.paths["/health"]!.get!.security).toBeUndefined();
    expect(Object.keys(doc.paths["/api/v1/projects"]!.post!.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401"]),
    );
  });

  it("serves a browsable reference page at /docs", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    // The renderer runs same-origin scripts only: nothing inline, nothing evaluated.
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>|^<html/i);
    // The page renders the document it names; the paths it shows are the document's (test above).
    expect(html).toContain("/api/v1/openapi.json");
  });
});

describe("Idempotency-Key", () => {
  const post = (user: TestUser, key: string, body: unknown) =>
    call("/api/v1/projects", { token: user.access, body, headers: { "idempotency-key": key } });

  it("replays the first response for a retry with the same key and body", async () => {
    const user = await registerUser();
    const first = await post(user, "key-1", { name: "Once" });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.text();

    const again = await post(user, "key-1", { name: "Once" });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(await again.text()).toBe(firstBody);
    expect(await countProjects(user)).toBe(1);

    const err = await expectError(
      await post(user, "key-1", { name: "Twice" }),
      422,
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect(err.message).toBeTruthy();
    expect(await countProjects(user)).toBe(1);

    // The same key on another route is another request as well.
    const project = JSON.parse(firstBody) as { id: string };
    await expectError(
      await call(`/api/v1/projects/${project.id}/comments`, {
        token: user.access,
        body: { name: "Once" },
        headers: { "idempotency-key": "key-1" },
      }),
      422,
      "IDEMPOTENCY_KEY_REUSED",
    );
  });

  it("scopes keys to the user", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const a = await post(alice, "shared-key", { name: "Same" });
    const b = await post(bob, "shared-key", { name: "Same" });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    const [aBody, bBody] = [await json<{ id: string }>(a), await json<{ id: string }>(b)];
    expect(aBody.id).not.toBe(bBody.id);
    expect(await countProjects(alice)).toBe(1);
    expect(await countProjects(bob)).toBe(1);
  });

  it("rejects a key longer than 255 characters with 400 and accepts 255", async () => {
    const user = await registerUser();
    await expectError(await post(user, "k".repeat(256), { name: "Long" }), 400, "VALIDATION_FAILED");
    expect(await countProjects(user)).toBe(0);
    expect((await post(user, "k".repeat(255), { name: "Long" })).status).toBe(201);
    expect(await countProjects(user)).toBe(1);
  });

  it("answers 409 IDEMPOTENCY_IN_PROGRESS while the first request with the key is still running", async () => {
    const user = await registerUser();
    const body = JSON.stringify({ name: "Slow" });
    // The claim the first request leaves while it runs: same request hash, no response stored yet.
    const hash = await sha256Of(`POST /api/v1/projects\n${body}`);
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO idempotency_records (scope, key, request_hash, created_at, expires_at) VALUES (?, 'busy', ?, ?, ?)",
    )
      .bind(`user:${user.id}`, hash, new Date(now).toISOString(), new Date(now + 86_400_000).toISOString())
      .run();
    const res = await call("/api/v1/projects", {
      token: user.access,
      body,
      headers: { "idempotency-key": "busy" },
    });
    expect(res.headers.get("retry-after")).toBe("1");
    await expectError(res, 409, "IDEMPOTENCY_IN_PROGRESS");
    expect(await countProjects(user)).toBe(0);
  });

  it("lets a key be used again once it has expired", async () => {
    const user = await registerUser();
    const past = new Date(Date.now() - 25 * 3600_000);
    await env.DB.prepare(
      "INSERT INTO idempotency_records (scope, key, request_hash, status, response_body, created_at, expires_at) VALUES (?, 'old', 'x', 201, '{}', ?, ?)",
    )
      .bind(`user:${user.id}`, past.toISOString(), new Date(past.getTime() + 86_400_000).toISOString())
      .run();
    const res = await post(user, "old", { name: "Fresh" });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await json(res)).toMatchObject({ name: "Fresh" });
  });

  it("does not burn the key on a failed request", async () => {
    const user = await registerUser();
    await expectError(await post(user, "retry-me", { name: "" }), 400, "VALIDATION_FAILED");
    await expectError(await post(user, "retry-me", { name: "" }), 400, "VALIDATION_FAILED");
    const ok = await post(user, "retry-me", { name: "Fixed" });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("idempotent-replayed")).toBeNull();
    const replay = await post(user, "retry-me", { name: "Fixed" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await countProjects(user)).toBe(1);
    const { results } = await env.DB.prepare("SELECT key, status FROM idempotency_records WHERE scope = ?")
      .bind(`user:${user.id}`)
      .all();
    expect(results).toEqual([{ key: "retry-me", status: 201 }]);
  });
});

describe("general rate limit", () => {
  it("answers the request over RATE_LIMIT_GENERAL with 429 RATE_LIMITED and Retry-After, per user", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const limited = { RATE_LIMIT_GENERAL: "3" };
    const get = (u: TestUser) =>
      direct("/api/v1/projects", { headers: { authorization: `Bearer ${u.access}` } }, limited);
    for (let i = 0; i < 3; i++) expect((await get(user)).status).toBe(200);
    const res = await get(user);
    const retryAfter = Number(res.headers.get("retry-after"));
    const err = await expectError(res, 429, "RATE_LIMITED");
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(err.details.retry_after_seconds).toBe(retryAfter);
    // Another user has their own budget.
    expect((await get(other)).status).toBe(200);
  });

  it("limits anonymous callers per IP", async () => {
    const ip = freshIp();
    const limited = { RATE_LIMIT_GENERAL: "3" };
    const get = (from: string) =>
      direct("/api/v1/projects", { headers: { "cf-connecting-ip": from } }, limited);
    for (let i = 0; i < 3; i++) await expectError(await get(ip), 401, "UNAUTHENTICATED");
    const res = await get(ip);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    await expectError(res, 429, "RATE_LIMITED");
    await expectError(await get(freshIp()), 401, "UNAUTHENTICATED");
  });
});

describe("unexpected errors", () => {
  it("onError turns an unexpected exception into 500 INTERNAL_ERROR without internals", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", requestContext, securityHeaders);
    app.get("/boom", () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secret_column') at /srv/db.ts:42");
    });
    app.onError(onError);
    const res = await app.request("/boom", {}, env);
    const text = await res.text();
    expect(res.status).toBe(500);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
    expect(body.error.details).toEqual({});
    expect(Object.keys(body.error).sort()).toEqual(["code", "details", "message", "request_id"]);
    for (const leak of ["secret_column", "/srv/db.ts", "TypeError", "at ", "stack"]) {
      expect(text).not.toContain(leak);
    }
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("the real app answers a failing dependency with the same opaque 500", async () => {
    const user = await registerUser();
    const brokenDb = {
      prepare() {
        throw new Error("D1_ERROR: no such table: projects_secret_internal");
      },
    } as unknown as D1Database;
    const res = await direct(
      "/api/v1/projects",
      { headers: { authorization: `Bearer ${user.access}` } },
      { DB: brokenDb },
    );
    const text = await res.text();
    expect(res.status).toBe(500);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.request_id).toBe(res.headers.get("x-request-id"));
    expect(text).not.toContain("D1_ERROR");
    expect(text).not.toContain("projects_secret_internal");
  });
});
