// Property-based hostile input over every route of the OpenAPI document: whatever arrives — wrong
// types, huge or deeply nested values, prototype-pollution keys, control characters, invalid
// UTF-8, path tricks, non-JSON bodies, wrong content types — the answer is a 4xx envelope (or a
// success for input that happens to be valid), never a 5xx, and a rejected request stores nothing.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createProject, pushFiles, registerUser, type TestUser } from "../test/helpers";
import { createApp } from "./app";

const app = createApp();
const fuzzEnv = { ...env, RATE_LIMIT_GENERAL: "1000000", RATE_LIMIT_AI_JOBS_PER_HOUR: "1000000" };
const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "fuzz", version: "1" } });
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
// Logging out would end the fuzzing user's session; it is covered by the accounts tests.
const SKIP = new Set(["post /api/v1/auth/logout"]);
const routes = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
  METHODS.filter((m) => (item as Record<string, unknown>)[m] && !SKIP.has(`${m} ${path}`)).map((method) => ({
    method,
    path,
  })),
);

const TABLES = [
  "users",
  "projects",
  "comments",
  "ai_jobs",
  "mirror_files",
  "mirror_syncs",
  "preview_sessions",
  "devices",
  "notifications",
];
async function rowCounts(): Promise<string> {
  const row = await env.DB.prepare(
    `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(", ")}`,
  ).first();
  return JSON.stringify(row);
}

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.constantFrom(
    "",
    "..",
    "../../etc/passwd",
    "/abs",
    "a\\b",
    "\u0000",
    ".git/config",
    "%2e%2e%2f",
    "💥".repeat(200),
    "x".repeat(5000),
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const deep = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
  ),
})).node;
const pollution = fc.constantFrom(
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"name":{"__proto__":null}}',
);
const bodies = fc.oneof(
  deep.map((v) => ({ text: JSON.stringify(v) ?? "null", type: "application/json" })),
  pollution.map((text) => ({ text, type: "application/json" })),
  fc.string().map((text) => ({ text, type: "application/json" })),
  fc.string().map((text) => ({ text, type: "text/plain" })),
  fc.constantFrom("a=1&b=2", "<xml/>").map((text) => ({ text, type: "application/x-www-form-urlencoded" })),
  fc
    .array(fc.array(fc.constant(1), { maxLength: 2 }), { maxLength: 2000 })
    .map((v) => ({ text: JSON.stringify({ changes: v, hashes: v }), type: "application/json" })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes, type: "application/json" })),
);
const segment = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom("prj_x", `pvs_${"A".repeat(30)}`, "%00", "..", "a/b"),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("-1", "0", "101", "1e309", "true", "[]", "%ff"),
);

let user: TestUser;
let realIds: Record<string, string> = {};

beforeAll(async () => {
  user = await registerUser();
  const project = await createProject(user);
  await pushFiles(user, project.id, { "a.ts": "export const a = 1;" });
  realIds = { id: project.id };
});

describe("hostile input", () => {
  it(`covers every documented route (${routes.length})`, () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
  });

  for (const route of routes) {
    it(`${route.method.toUpperCase()} ${route.path} never answers 5xx and stores nothing when it refuses`, async () => {
      await fc.assert(
        fc.asyncProperty(
          bodies,
          fc.array(segment, { minLength: 3, maxLength: 3 }),
          fc.dictionary(
            fc.constantFrom(
              "limit",
              "cursor",
              "path",
              "prefix",
              "wait",
              "project_id",
              "file_path",
              "unread",
              "active",
              "revision",
            ),
            queryValue,
            { maxKeys: 4 },
          ),
          fc.boolean(),
          async (body, segments, query, useRealId) => {
            let i = 0;
            const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              useRealId && realIds[name] ? realIds[name] : encodeURIComponent(segments[i++ % 3] ?? ""),
            );
            const qs = new URLSearchParams(query).toString();
            const before = await rowCounts();
            const res = await app.request(
              `${path}${qs ? `?${qs}` : ""}`,
              {
                method: route.method.toUpperCase(),
                headers: {
                  authorization: `Bearer ${user.access}`,
                  "content-type": body.type,
                  "cf-connecting-ip": "192.0.2.77",
                },
                body: route.method === "get" ? undefined : "bytes" in body ? body.bytes : body.text,
              },
              fuzzEnv,
            );
            const text = await res.text();
            if (res.status >= 500) throw new Error(`${res.status} for ${route.method} ${path}: ${text}`);
            if (res.status >= 400) {
              const parsed = JSON.parse(text) as { error?: { code?: string; request_id?: string } };
              expect(parsed.error?.code).toMatch(/^[A-Z_]+$/);
              expect(parsed.error?.request_id).toBeTruthy();
              expect(await rowCounts()).toBe(before);
            }
          },
        ),
        { numRuns: 15 },
      );
    });
  }
});
