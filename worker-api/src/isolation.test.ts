// One table-driven check over every documented route: a second user, a preview-scoped token of
// another session and a revoked device token reach nothing of the first user's — they get 404
// (or 401/403 for tokens without the scope), never see one of the first user's IDs, and change
// nothing of theirs.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env as ConsumerEnv } from "../../worker-consumers/src/env";
import { handlePreviewBuild } from "../../worker-consumers/src/handlers/preview-build";
import {
  call,
  createProject,
  freshIp,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
} from "../test/helpers";
import { createApp } from "./app";

const app = createApp();
const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "isolation", version: "1" } });
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const routes = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
  METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({ method, path })),
);

/** Routes that are public by design (no owner behind them). */
const PUBLIC = new Set([
  "get /health",
  "get /health/deep",
  "post /api/v1/auth/register",
  "post /api/v1/auth/login",
  "post /api/v1/auth/refresh",
  "post /api/v1/preview/resolve",
  "post /api/v1/devices/link/claim",
]);

type Owned = Record<string, string>;
let owner: TestUser;
let intruder: TestUser;
let scopedToken: string; // a preview token of the intruder's own session
let revokedDeviceToken: string; // a device of the owner, revoked
let owned: Owned;

async function snapshot(userId: string): Promise<string> {
  const queries = [
    "SELECT id, name, description, framework, entry, mirror_revision FROM projects WHERE owner_id = ?1 ORDER BY id",
    "SELECT c.id, c.body FROM comments c JOIN projects p ON p.id = c.project_id WHERE p.owner_id = ?1 ORDER BY c.id",
    "SELECT id, status FROM ai_jobs WHERE user_id = ?1 ORDER BY id",
    "SELECT id, status FROM preview_sessions WHERE user_id = ?1 ORDER BY id",
    "SELECT id, read_at FROM notifications WHERE user_id = ?1 ORDER BY id",
    "SELECT id, revoked_at FROM devices WHERE user_id = ?1 ORDER BY id",
    "SELECT count(*) AS n FROM mirror_files f JOIN projects p ON p.id = f.project_id WHERE p.owner_id = ?1",
  ];
  const results = await Promise.all(queries.map((q) => env.DB.prepare(q).bind(userId).all()));
  const previews = await Promise.all(
    [owned.pvs].map((id) => env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(id as string)).get()),
  );
  return JSON.stringify([
    results.map((r) => r.results),
    previews.map((p) => [p?.status, p?.version, p?.opens?.total]),
  ]);
}

function fill(path: string): string {
  const kind = path.startsWith("/api/v1/projects")
    ? "prj"
    : path.startsWith("/api/v1/comments")
      ? "cmt"
      : path.startsWith("/api/v1/preview")
        ? "pvs"
        : path.startsWith("/api/v1/devices")
          ? "dev"
          : path.startsWith("/api/v1/ai")
            ? "job"
            : "ntf";
  return path
    .replace("{id}", owned[kind] as string)
    .replace("{sync_id}", owned.syn as string)
    .replace("{sha256}", owned.sha as string)
    .replace("{revision}", "1");
}

function bodyFor(method: string, path: string): unknown {
  const key = `${method} ${path}`;
  const bodies: Record<string, unknown> = {
    "post /api/v1/projects": { name: "intruder project" },
    "patch /api/v1/projects/{id}": { name: "hijacked" },
    "post /api/v1/projects/{id}/comments": { file_path: "a.ts", line_start: 1, line_end: 1, body: "hi" },
    "patch /api/v1/comments/{id}": { body: "hijacked" },
    "post /api/v1/projects/{id}/blobs/missing": { hashes: [owned.sha] },
    "post /api/v1/projects/{id}/mirror/changes": {
      base_revision: 1,
      changes: [{ op: "delete", path: "a.ts" }],
    },
    "post /api/v1/ai/jobs": { project_id: owned.prj, type: "summarize_file", file_path: "a.ts" },
    "post /api/v1/preview/start": { project_id: owned.prj, platform: "ios" },
  };
  return bodies[key] ?? (method === "get" || method === "delete" ? undefined : {});
}

async function send(route: { method: string; path: string }, token: string) {
  let path = fill(route.path);
  if (route.path === "/api/v1/ai/jobs" && route.method === "get") path += `?project_id=${owned.prj}`;
  if (route.path.endsWith("/mirror/file")) path += "?path=a.ts";
  if (route.path === "/api/v1/preview/sessions" && route.method === "get") path += `?project_id=${owned.prj}`;
  const body = bodyFor(route.method, route.path);
  const isBlob = route.path.endsWith("/blobs/{sha256}") && route.method === "put";
  return call(path, {
    method: route.method.toUpperCase(),
    token,
    body: isBlob ? "intruder bytes" : body,
    headers: isBlob ? { "content-type": "application/octet-stream" } : {},
    ip: freshIp(),
  });
}

beforeAll(async () => {
  owner = await registerUser();
  intruder = await registerUser();
  const project = await createProject(owner, { name: "secret project" });
  const { sync_id } = await pushFiles(owner, project.id, { "a.ts": "export const secret = 42;\n" });
  const comment = await json<{ id: string }>(
    await call(`/api/v1/projects/${project.id}/comments`, {
      token: owner.access,
      body: { file_path: "a.ts", line_start: 1, line_end: 1, body: "mine" },
    }),
  );
  const job = await json<{ job_id: string }>(
    await call("/api/v1/ai/jobs", {
      token: owner.access,
      body: { project_id: project.id, type: "summarize_file", file_path: "a.ts" },
    }),
  );
  const started = await json<{ session_id: string }>(
    await call("/api/v1/preview/start", {
      token: owner.access,
      body: { project_id: project.id, platform: "ios" },
    }),
  );
  const consumerEnv = { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv;
  await handlePreviewBuild(
    { kind: "preview.build", session_id: started.session_id, project_id: project.id, revision: 1 },
    consumerEnv,
  );
  const notificationId = `ntf_${"1".repeat(32)}`;
  await exports.Internal.createNotification({
    kind: "notify",
    notification_id: notificationId,
    user_id: owner.id,
    type: "repo_sync_succeeded",
    payload: { sync_id },
    created_at: new Date().toISOString(),
  });
  const link = await json<{ code: string }>(
    await call("/api/v1/devices/link", { method: "POST", token: owner.access }),
  );
  const device = await json<{ device: { id: string }; tokens: { access_token: string } }>(
    await call("/api/v1/devices/link/claim", {
      body: { code: link.code, device_name: "old phone", platform: "ios" },
      ip: freshIp(),
    }),
  );
  const keptLink = await json<{ code: string }>(
    await call("/api/v1/devices/link", { method: "POST", token: owner.access }),
  );
  const keptDevice = await json<{ device: { id: string } }>(
    await call("/api/v1/devices/link/claim", {
      body: { code: keptLink.code, device_name: "new phone", platform: "ios" },
      ip: freshIp(),
    }),
  );
  await call(`/api/v1/devices/${device.device.id}`, { method: "DELETE", token: owner.access });
  revokedDeviceToken = device.tokens.access_token;

  // The intruder's own preview, resolved into a scoped token.
  const theirs = await createProject(intruder);
  await pushFiles(intruder, theirs.id, { "b.ts": "b" });
  const theirSession = await json<{ code: string }>(
    await call("/api/v1/preview/start", {
      token: intruder.access,
      body: { project_id: theirs.id, platform: "web" },
    }),
  );
  scopedToken = (
    await json<{ access_token: string }>(
      await call("/api/v1/preview/resolve", { body: { code: theirSession.code }, ip: freshIp() }),
    )
  ).access_token;

  owned = {
    prj: project.id,
    syn: sync_id,
    cmt: comment.id,
    job: job.job_id,
    pvs: started.session_id,
    ntf: notificationId,
    dev: keptDevice.device.id,
    sha: await sha256Of("export const secret = 42;\n"),
  };
});

const guarded = routes.filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));

describe("cross-user isolation", () => {
  it("covers every non-public route", () => {
    expect(guarded.length).toBeGreaterThanOrEqual(33);
  });

  for (const caller of ["another user", "a preview-scoped token", "a revoked device token"] as const) {
    for (const route of guarded) {
      it(`${caller}: ${route.method.toUpperCase()} ${route.path}`, async () => {
        const token =
          caller === "another user"
            ? intruder.access
            : caller === "a preview-scoped token"
              ? scopedToken
              : revokedDeviceToken;
        if (route.path === "/api/v1/auth/logout" && caller === "another user") return; // would only sign the intruder out
        const before = await snapshot(owner.id);
        const res = await send(route, token);
        const text = await res.text();
        const targetsOwner =
          /\{(id|sync_id|sha256)\}/.test(route.path) ||
          ["post /api/v1/ai/jobs", "post /api/v1/preview/start", "get /api/v1/ai/jobs"].includes(
            `${route.method} ${route.path}`,
          );
        if (caller === "another user") {
          if (targetsOwner) expect(res.status, text).toBe(404);
          else expect(res.status, text).toBeLessThan(500);
        } else {
          expect([401, 403], text).toContain(res.status);
        }
        for (const id of Object.values(owned)) expect(text).not.toContain(id);
        expect(text).not.toContain("secret project");
        expect(await snapshot(owner.id)).toBe(before);
      });
    }
  }
});
