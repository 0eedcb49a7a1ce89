import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BundleManifest } from "../../../schema/api/previews";
import type { Env as ConsumerEnv } from "../../../worker-consumers/src/env";
import { handlePreviewBuild } from "../../../worker-consumers/src/handlers/preview-build";
import {
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
  wrongCode,
} from "../../test/helpers";
import { createApp } from "../app";
import type { PreviewSession } from "./preview-session";
import type { PreviewState } from "./session-state";

type Started = {
  session_id: string;
  code: string;
  link_url: string;
  deep_link: string;
  qr_svg: string;
  status_url: string;
  expires_at: string;
};
const FILES = {
  "App.tsx": "export default function App() { return null; }\n",
  "assets/logo.svg": "<svg/>",
  "package.json": '{"name":"demo"}',
};

/** Runs the real preview-build consumer handler against this Worker's RPC entrypoint. */
async function build(started: Started, projectId: string) {
  const consumerEnv = { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv;
  await handlePreviewBuild(
    { kind: "preview.build", session_id: started.session_id, project_id: projectId, revision: 1 },
    consumerEnv,
  );
}

async function startedPreview(user?: TestUser, files: Record<string, string> = FILES) {
  const owner = user ?? (await registerUser());
  const project = await createProject(owner, { name: "Demo app", framework: "expo", entry: "App.tsx" });
  await pushFiles(owner, project.id, files);
  const res = await call("/api/v1/preview/start", {
    token: owner.access,
    body: { project_id: project.id, platform: "ios" },
  });
  expect(res.status).toBe(202);
  return { owner, project, started: await json<Started>(res) };
}

async function resolve(code: string, ip = freshIp()) {
  return call("/api/v1/preview/resolve", { body: { code }, ip });
}

describe("starting a preview", () => {
  it("answers 202 with a code, links, a QR of the link and a status URL", async () => {
    const { started } = await startedPreview();
    expect(started.session_id).toMatch(/^pvs_/);
    expect(started.code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    // The link carries its key (opening it is no code guess: code-guesses.test.ts).
    expect(started.link_url).toMatch(
      new RegExp(`^https://hivesync\\.localhost/p/${started.code}\\?hs=[A-Za-z0-9_-]{22}$`),
    );
    expect(started.deep_link).toBe(`hivesync://preview?code=${started.code}`);
    expect(started.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(started.status_url).toBe(
      `https://hivesync.localhost/api/v1/preview/sessions/${started.session_id}/status`,
    );
    const ttl = new Date(started.expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(1790_000);
    expect(ttl).toBeLessThanOrEqual(1800_000);
  });

  it("refuses an empty mirror (409 MIRROR_EMPTY), an unknown revision and someone else's project (404)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await expectError(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web" },
      }),
      409,
      "MIRROR_EMPTY",
    );
    await pushFiles(user, project.id, { "a.js": "a" });
    await expectError(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web", revision: 2 },
      }),
      404,
      "NOT_FOUND",
    );
    const other = await registerUser();
    await expectError(
      await call("/api/v1/preview/start", {
        token: other.access,
        body: { project_id: project.id, platform: "web" },
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "symbian" },
      }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("replays a start with the same Idempotency-Key without ever storing its code in clear", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.js": "a" });
    const send = () =>
      call("/api/v1/preview/start", {
        token: user.access,
        body: { project_id: project.id, platform: "web" },
        headers: { "idempotency-key": "start-once" },
      });
    const first = await json<Started>(await send());
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json<Started>(again)).code).toBe(first.code);
    const stored = await env.DB.prepare(
      "SELECT response_body FROM idempotency_records WHERE key = 'start-once'",
    ).first<{ response_body: string }>();
    expect(stored?.response_body).toBeTruthy();
    for (const secret of [first.code, first.code.replace("-", ""), first.session_id])
      expect(stored?.response_body).not.toContain(secret);
  });

  it("holds the per-project cap exactly under concurrent starts (429 TOO_MANY_PREVIEWS)", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "a.js": "a" });
    const app = createApp();
    const limited = { ...env, MAX_ACTIVE_PREVIEWS: "3" };
    const results = await Promise.all(
      Array.from({ length: 7 }, () =>
        app.request(
          "/api/v1/preview/start",
          {
            method: "POST",
            headers: { authorization: `Bearer ${user.access}`, "content-type": "application/json" },
            body: JSON.stringify({ project_id: project.id, platform: "android" }),
          },
          limited,
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429]);
    const rejected = results.find((r) => r.status === 429)!;
    await expectError(rejected, 429, "TOO_MANY_PREVIEWS");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM preview_sessions WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(3);
  });
});

describe("status, build and bundle", () => {
  it("goes pending → building → ready, observed by long-poll, with etag/304", async () => {
    const { owner, project, started } = await startedPreview();
    const url = `/api/v1/preview/sessions/${started.session_id}/status`;
    const first = await call(url, { token: owner.access });
    expect(first.headers.get("etag")).toBe('"1"');
    expect(await json(first)).toMatchObject({
      session_id: started.session_id,
      status: "pending",
      version: 1,
      progress: 0,
    });
    expect((await call(url, { token: owner.access, headers: { "if-none-match": '"1"' } })).status).toBe(304);

    const waiting = call(`${url}?wait=20`, { token: owner.access, headers: { "if-none-match": '"1"' } });
    await new Promise((r) => setTimeout(r, 30));
    await build(started, project.id);
    const woke = await json<{ status: string; version: number }>(await waiting);
    expect(woke.version).toBeGreaterThan(1);

    const final = await json<{
      status: string;
      progress: number;
      bundle: { file_count: number; total_bytes: number; manifest_sha256: string };
    }>(await call(url, { token: owner.access }));
    expect(final.status).toBe("ready");
    expect(final.progress).toBe(1);
    expect(final.bundle.file_count).toBe(3);
    const manifest = await (await env.BLOBS.get(
      `p/${project.id}/bundles/${started.session_id}/1.json`,
    ))!.text();
    expect(final.bundle.manifest_sha256).toBe(await sha256Of(manifest));
  });

  it("builds a manifest sorted by path with content types and refuses to build without the entry file", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const res = await call(`/api/v1/preview/bundle/${started.session_id}`, { token: owner.access });
    expect(res.status).toBe(200);
    const manifest = await json<{
      files: { path: string; content_type: string }[];
      project: { entry: string };
      revision: number;
    }>(res);
    expect(manifest.files.map((f) => f.path)).toEqual(["App.tsx", "assets/logo.svg", "package.json"]);
    expect(manifest.files[1]?.content_type).toBe("image/svg+xml");
    expect(manifest.project.entry).toBe("App.tsx");

    const broken = await startedPreview(owner, { "index.js": "x" });
    await build(broken.started, broken.project.id);
    const status = await json<{ status: string; error: { code: string } }>(
      await call(`/api/v1/preview/sessions/${broken.started.session_id}/status`, { token: owner.access }),
    );
    expect(status).toMatchObject({ status: "failed", error: { code: "entry_missing" } });
    await expectError(
      await call(`/api/v1/preview/bundle/${broken.started.session_id}`, { token: owner.access }),
      410,
      "PREVIEW_FAILED",
    );
  });

  it("answers 409 PREVIEW_NOT_READY before ready", async () => {
    const { owner, started } = await startedPreview();
    const err = await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: owner.access }),
      409,
      "PREVIEW_NOT_READY",
    );
    expect(err.details.status).toBe("pending");
  });

  it("serves bundle files by hash: immutable, only hashes in the manifest, with HTTP Range", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const hash = await sha256Of(FILES["App.tsx"]);
    const base = `/api/v1/preview/bundle/${started.session_id}/files`;
    const full = await call(`${base}/${hash}`, { token: owner.access });
    expect(full.status).toBe(200);
    expect(await full.text()).toBe(FILES["App.tsx"]);
    expect(full.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(full.headers.get("etag")).toBe(`"${hash}"`);

    const part = await call(`${base}/${hash}`, { token: owner.access, headers: { range: "bytes=7-13" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 7-13/${FILES["App.tsx"].length}`);
    expect(await part.text()).toBe(FILES["App.tsx"].slice(7, 14));
    const tail = await call(`${base}/${hash}`, { token: owner.access, headers: { range: "bytes=40-" } });
    expect(await tail.text()).toBe(FILES["App.tsx"].slice(40));
    const suffix = await call(`${base}/${hash}`, { token: owner.access, headers: { range: "bytes=-5" } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("content-range")).toBe(
      `bytes ${FILES["App.tsx"].length - 5}-${FILES["App.tsx"].length - 1}/${FILES["App.tsx"].length}`,
    );
    expect(await suffix.text()).toBe(FILES["App.tsx"].slice(-5));
    const past = await call(`${base}/${hash}`, { token: owner.access, headers: { range: "bytes=9999-" } });
    await expectError(past, 416, "RANGE_NOT_SATISFIABLE");
    expect(past.headers.get("content-range")).toBe(`bytes */${FILES["App.tsx"].length}`);
    const junk = await call(`${base}/${hash}`, { token: owner.access, headers: { range: "pages=1-2" } });
    expect(junk.status).toBe(200);

    // A blob of the same project that is not in this bundle is not reachable through it.
    const other = await sha256Of("not in the bundle");
    await call(`/api/v1/projects/${project.id}/blobs/${other}`, {
      method: "PUT",
      token: owner.access,
      body: "not in the bundle",
      headers: { "content-type": "application/octet-stream" },
    });
    await expectError(await call(`${base}/${other}`, { token: owner.access }), 404, "NOT_FOUND");
  });
});

describe("the phone's side: codes and scoped tokens", () => {
  it("resolves a code typed any way into a token that reads that session's status, bundle and files only", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const typed = started.code.toLowerCase().replace("-", " ");
    const res = await resolve(typed);
    expect(res.status).toBe(200);
    const scoped = await json<{
      session_id: string;
      access_token: string;
      status: string;
      platform: string;
      project: { name: string };
    }>(res);
    expect(scoped).toMatchObject({
      session_id: started.session_id,
      status: "ready",
      platform: "ios",
      project: { name: "Demo app" },
    });
    const token = scoped.access_token;
    expect((await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token })).status).toBe(200);
    const manifest = await json<{ files: { sha256: string }[] }>(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token }),
    );
    for (const file of manifest.files) {
      const bytes = await (
        await call(`/api/v1/preview/bundle/${started.session_id}/files/${file.sha256}`, { token })
      ).arrayBuffer();
      expect(await sha256Of(new Uint8Array(bytes))).toBe(file.sha256);
    }
    // Nothing else: not the owner's projects, not the full record, not another session.
    await expectError(await call("/api/v1/projects", { token }), 401, "UNAUTHENTICATED");
    await expectError(await call(`/api/v1/projects/${project.id}/mirror`, { token }), 401, "UNAUTHENTICATED");
    await expectError(
      await call(`/api/v1/preview/sessions/${started.session_id}`, { token }),
      401,
      "UNAUTHENTICATED",
    );
    const second = await startedPreview();
    await expectError(
      await call(`/api/v1/preview/sessions/${second.started.session_id}/status`, { token }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token: `${token}x` }),
      401,
      "UNAUTHENTICATED",
    );
    // Resolving the code opened it (once, however often the phone then fetched the bundle); only
    // the owner sees the record.
    await call(`/api/v1/preview/bundle/${started.session_id}`, { token });
    await new Promise((r) => setTimeout(r, 50));
    const record = await json<{ opened: { device_id: string | null; platform: string }[]; opens: number }>(
      await call(`/api/v1/preview/sessions/${started.session_id}`, { token: owner.access }),
    );
    expect(record.opened).toEqual([expect.objectContaining({ device_id: null, platform: "ios" })]);
    expect(record).toMatchObject({ opens: 1 });
    await expectError(
      await call(`/api/v1/preview/sessions/${started.session_id}`, { token: second.owner.access }),
      404,
      "NOT_FOUND",
    );
  });

  it("limits wrong codes to 5 per IP per 10 minutes (429 with Retry-After), even for a right code after", async () => {
    const { started } = await startedPreview();
    const ip = freshIp();
    for (let i = 0; i < 5; i++) await expectError(await resolve(wrongCode(), ip), 404, "NOT_FOUND");
    const blocked = await resolve(started.code, ip);
    await expectError(blocked, 429, "TOO_MANY_ATTEMPTS");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await resolve(started.code, freshIp())).status).toBe(200);
  });

  it("counts wrong codes exactly under concurrency: of 30 at once, 5 are answered 404 and 25 429", async () => {
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 30 }, () => resolve(wrongCode(), ip)));
    expect(results.filter((r) => r.status === 404).length).toBe(5);
    expect(results.filter((r) => r.status === 429).length).toBe(25);
    expect((await resolve(wrongCode(), ip)).status).toBe(429);
  });
});

describe("what a code exposes: a viewer's manifest lists only the files the app uses", () => {
  const APP = {
    "App.tsx":
      'import { greeting } from "./src/greeting";\nimport logo from "./assets/logo.svg";\nexport default function App() { return [greeting, logo]; }\n',
    "src/greeting.ts": 'export const greeting = "hello";\n',
    "assets/logo.svg": "<svg/>",
    "config/secrets.js": 'export const STRIPE_KEY = "sk_live_not_for_viewers";\n',
    "README.md": "# Internal notes\n",
    ".env.example": "SECRET_TOKEN=changeme\n",
    "App.test.tsx": 'import App from "./App";\ntest("renders", () => App());\n',
    "package.json": '{"name":"demo"}',
  };
  const USED = ["App.tsx", "assets/logo.svg", "src/greeting.ts"];

  async function viewerOf() {
    const { owner, project, started } = await startedPreview(undefined, APP);
    await build(started, project.id);
    const { access_token: token } = await json<{ access_token: string }>(await resolve(started.code));
    return { owner, project, started, token };
  }

  it("lists the graph's modules and assets to a viewer, refuses the rest by hash, and the owner keeps every file", async () => {
    const { owner, started, token } = await viewerOf();
    const url = `/api/v1/preview/bundle/${started.session_id}`;
    const secret = await sha256Of(APP["config/secrets.js"]);

    const res = await call(url, { token });
    expect(res.status).toBe(200);
    const text = await res.text();
    const manifest = BundleManifest.parse(JSON.parse(text));
    expect(manifest.files.map((f) => f.path)).toEqual(USED);
    expect(manifest.total_bytes).toBe(USED.reduce((n, p) => n + APP[p as keyof typeof APP].length, 0));
    expect(text).not.toContain("secrets");
    expect(text).not.toContain(secret);
    // What the page runs is all there.
    expect(Object.keys(manifest.app?.modules ?? {})).toEqual(expect.arrayContaining(USED));
    // The viewer's status summarises that manifest, so a client can check it (etag = its SHA-256).
    const sha = await sha256Of(text);
    expect(res.headers.get("etag")).toBe(`"${sha}"`);
    const status = await json<{ bundle: Record<string, unknown> }>(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token }),
    );
    expect(status.bundle).toEqual({ file_count: 3, total_bytes: manifest.total_bytes, manifest_sha256: sha });

    const base = `${url}/files`;
    for (const file of manifest.files) {
      const bytes = await (await call(`${base}/${file.sha256}`, { token })).arrayBuffer();
      expect(await sha256Of(new Uint8Array(bytes))).toBe(file.sha256);
    }
    for (const path of ["config/secrets.js", "README.md", ".env.example", "App.test.tsx", "package.json"]) {
      const hash = await sha256Of(APP[path as keyof typeof APP]);
      await expectError(await call(`${base}/${hash}`, { token }), 404, "NOT_FOUND");
      await expectError(
        await call(`${base}/${hash}`, { token, headers: { range: "bytes=0-3" } }),
        404,
        "NOT_FOUND",
      );
    }

    // The owner (their own access token) keeps the full list, and the secret file downloads.
    const full = BundleManifest.parse(await json(await call(url, { token: owner.access })));
    expect(full.files.map((f) => f.path)).toEqual(Object.keys(APP).sort());
    const own = await call(`${base}/${secret}`, { token: owner.access });
    expect(own.status).toBe(200);
    expect(await own.text()).toBe(APP["config/secrets.js"]);
    const ownerStatus = await json<{ bundle: { file_count: number; viewer: Record<string, unknown> } }>(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token: owner.access }),
    );
    expect(ownerStatus.bundle.file_count).toBe(Object.keys(APP).length);
    expect(ownerStatus.bundle.viewer).toEqual(status.bundle);
  });

  it("a bundle built before viewers had their own manifest is still filtered for a viewer", async () => {
    const { project, started, token } = await viewerOf();
    // As an older build left it: no viewer manifest stored, none summarised in the session.
    await env.BLOBS.delete(`p/${project.id}/bundles/${started.session_id}/1.viewer.json`);
    const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(started.session_id));
    await runInDurableObject(stub, async (instance: PreviewSession, ctx) => {
      const state = (await ctx.storage.get<PreviewState>("state")) as PreviewState;
      const { viewer: _, ...bundle } = state.bundle as NonNullable<PreviewState["bundle"]>;
      const older = { ...state, bundle, version: state.version + 1 };
      await ctx.storage.put("state", older);
      (instance as unknown as { state: PreviewState | null }).state = older;
    });

    const res = await call(`/api/v1/preview/bundle/${started.session_id}`, { token });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(BundleManifest.parse(JSON.parse(text)).files.map((f) => f.path)).toEqual(USED);
    expect(res.headers.get("etag")).toBe(`"${await sha256Of(text)}"`);
    const secret = await sha256Of(APP["config/secrets.js"]);
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}/files/${secret}`, { token }),
      404,
      "NOT_FOUND",
    );
    // No summary to check it against: the status has none, and a client falls back to the etag.
    const status = await json<Record<string, unknown>>(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token }),
    );
    expect(status.status).toBe("ready");
    expect(status.bundle).toBeUndefined();
  });
});

describe("the general limit on the preview paths", () => {
  it("counts the owner's status polls per user (in the session check) and a viewer's per token", async () => {
    const { owner, started } = await startedPreview();
    const scoped = await json<{ access_token: string }>(await resolve(started.code));
    const app = createApp();
    const limited = { ...env, RATE_LIMIT_GENERAL: "2", RATE_LIMIT_VIEWER: "2" };
    const poll = (token: string, ip: string) =>
      app.request(
        `https://hivesync.localhost/api/v1/preview/sessions/${started.session_id}/status`,
        { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip } },
        limited,
      );
    // The owner's window already holds a block of hits its project, push and start requests took:
    // over 2 at once, from any IP — the count is the user's.
    await expectError(await poll(owner.access, freshIp()), 429, "RATE_LIMITED");
    const room = freshIp();
    for (let i = 0; i < 2; i++) expect((await poll(scoped.access_token, room)).status).toBe(200);
    // The token's budget is its own, wherever it comes from...
    await expectError(await poll(scoped.access_token, freshIp()), 429, "RATE_LIMITED");
    // ...and another viewer behind the same address has a budget of its own.
    const neighbour = await json<{ access_token: string }>(await resolve(started.code));
    for (let i = 0; i < 2; i++) expect((await poll(neighbour.access_token, room)).status).toBe(200);
  });
});

describe("the general limit on the live route", () => {
  it("counts a JWT it reads from the WebSocket subprotocol against its user, and one sent beside a preview token too", async () => {
    const { owner, started } = await startedPreview();
    const scoped = await json<{ access_token: string }>(await resolve(started.code));
    const app = createApp();
    const limited = { ...env, RATE_LIMIT_GENERAL: "2" };
    const live = (headers: Record<string, string>) =>
      app.request(
        `https://hivesync.localhost/api/v1/preview/sessions/${started.session_id}/live`,
        { headers: { "cf-connecting-ip": freshIp(), ...headers } },
        limited,
      );
    // The phone's preview token alone: its IP's budget, fresh.
    expect((await live({ "sec-websocket-protocol": `hivesync, bearer.${scoped.access_token}` })).status).toBe(
      200,
    );
    // The owner's JWT in the subprotocol (no Authorization header): the user's window is used up.
    await expectError(
      await live({ "sec-websocket-protocol": `hivesync, bearer.${owner.access}` }),
      429,
      "RATE_LIMITED",
    );
    // The owner's JWT as Authorization beside the phone's preview token: the user's, too.
    await expectError(
      await live({
        authorization: `Bearer ${owner.access}`,
        "sec-websocket-protocol": `hivesync, bearer.${scoped.access_token}`,
      }),
      429,
      "RATE_LIMITED",
    );
  });
});

describe("ending a preview", () => {
  it("cancel makes the bundle 410 PREVIEW_CANCELLED and removes its manifest", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const res = await call(`/api/v1/preview/sessions/${started.session_id}/cancel`, {
      method: "POST",
      token: owner.access,
    });
    expect((await json<{ status: string }>(res)).status).toBe("cancelled");
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: owner.access }),
      410,
      "PREVIEW_CANCELLED",
    );
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${started.session_id}/1.json`)).toBeNull();
    await expectError(await resolve(started.code), 410, "PREVIEW_CANCELLED");
  });

  it("expiry makes the bundle 410 PREVIEW_EXPIRED, removes the manifest, updates D1 and kills the code", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const scoped = await json<{ access_token: string }>(await resolve(started.code));
    await runDurableObjectAlarm(env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(started.session_id)));
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: owner.access }),
      410,
      "PREVIEW_EXPIRED",
    );
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: scoped.access_token }),
      410,
      "PREVIEW_EXPIRED",
    );
    expect(await env.BLOBS.head(`p/${project.id}/bundles/${started.session_id}/1.json`)).toBeNull();
    const row = await env.DB.prepare("SELECT status FROM preview_sessions WHERE id = ?")
      .bind(started.session_id)
      .first<{ status: string }>();
    expect(row?.status).toBe("expired");
    await expectError(await resolve(started.code), 410, "PREVIEW_EXPIRED");
    const list = await json<{ items: unknown[] }>(
      await call(`/api/v1/preview/sessions?project_id=${project.id}&active=true`, { token: owner.access }),
    );
    expect(list.items).toEqual([]);
  });

  it("deleting the project expires its live previews: the phone's token gets 410 and the manifest is gone", async () => {
    const { owner, project, started } = await startedPreview();
    await build(started, project.id);
    const phone = await json<{ access_token: string }>(await resolve(started.code));
    expect(
      (await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: owner.access })).status,
    ).toBe(204);
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token: phone.access_token }),
      410,
      "PREVIEW_EXPIRED",
    );
    const status = await json<{ status: string }>(
      await call(`/api/v1/preview/sessions/${started.session_id}/status`, { token: phone.access_token }),
    );
    expect(status.status).toBe("expired");
    expect((await env.BLOBS.list({ prefix: `p/${project.id}/` })).objects).toEqual([]);
  });

  it("a signed-out owner's status polls stop at once (no D1 on the poll path)", async () => {
    const { owner, started } = await startedPreview();
    const url = `/api/v1/preview/sessions/${started.session_id}/status`;
    expect((await call(url, { token: owner.access })).status).toBe(200);
    expect((await call("/api/v1/auth/logout", { method: "POST", token: owner.access })).status).toBe(204);
    await expectError(await call(url, { token: owner.access }), 401, "UNAUTHENTICATED");
  });

  it("other users get 404 on every preview route of someone else's session", async () => {
    const { started } = await startedPreview();
    const other = await registerUser();
    const id = started.session_id;
    for (const [path, method] of [
      [`/api/v1/preview/sessions/${id}/status`, "GET"],
      [`/api/v1/preview/sessions/${id}`, "GET"],
      [`/api/v1/preview/sessions/${id}/cancel`, "POST"],
      [`/api/v1/preview/bundle/${id}`, "GET"],
      [`/api/v1/preview/bundle/${id}/files/${"0".repeat(64)}`, "GET"],
    ] as const) {
      await expectError(await call(path, { method, token: other.access }), 404, "NOT_FOUND");
    }
    const list = await json<{ items: unknown[] }>(
      await call("/api/v1/preview/sessions", { token: other.access }),
    );
    expect(list.items).toEqual([]);
  });
});
