// Runnable, live previews in worker-api (issue 11, docs/previews.md §5–§7): the real preview-build
// consumer against this Worker's RPC entrypoint builds the app's module graph into R2 and the
// manifest; a commit rebuilds the project's live sessions, which swap to the new revision or keep
// the last good one with the build error; the session's object pushes every change over a
// hibernatable WebSocket; the page /p/<code> of a ready session is the app itself.
import { env, SELF } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { RUNTIME_URL } from "../../../runtime/dist/meta.js";
import type { BundleManifest, PreviewStatusResponse } from "../../../schema/api/previews";
import type { PreviewBuildMessage } from "../../../schema/queue-messages";
import type { Env as ConsumerEnv } from "../../../worker-consumers/src/env";
import { handlePreviewBuild } from "../../../worker-consumers/src/handlers/preview-build";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";
import { callPreview } from "../../test/preview-origin";
import { createApp } from "../app";
import type { Env } from "../env";
import type { LiveMessage } from "./session-state";
import { previewStub } from "./stub";

const consumerEnv = { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv;

const GREETING = (name: string) => `import { Text } from "react-native";
export function Greeting() {
  return <Text>Hello, ${name}!</Text>;
}
`;
const HELLO = {
  "package.json": JSON.stringify({ name: "hello", main: "App.js" }),
  "App.js": `import { StatusBar } from "expo-status-bar";
import { View } from "react-native";
import { Greeting } from "./src/Greeting";
import icon from "./assets/icon.svg";

export default function App() {
  return <View><Greeting /><StatusBar style="auto" /></View>;
}
export { icon };
`,
  "src/Greeting.js": GREETING("HiveSync"),
  "assets/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
  "README.md": "# hello",
};

type Started = { session_id: string; code: string; link_url: string };

async function started(files: Record<string, string> = HELLO, owner?: TestUser) {
  const user = owner ?? (await registerUser());
  const project = await createProject(user, { name: "Hello app", framework: "expo" });
  await pushFiles(user, project.id, files);
  const res = await call("/api/v1/preview/start", {
    token: user.access,
    body: { project_id: project.id, platform: "android" },
  });
  expect(res.status).toBe(202);
  return { user, project, started: await json<Started>(res) };
}

const build = (sessionId: string, projectId: string, revision: number) =>
  handlePreviewBuild(
    { kind: "preview.build", session_id: sessionId, project_id: projectId, revision },
    consumerEnv,
  );

const status = async (user: TestUser, sessionId: string) =>
  json<PreviewStatusResponse>(
    await call(`/api/v1/preview/sessions/${sessionId}/status`, { token: user.access }),
  );

const manifestOf = async (user: TestUser, sessionId: string) =>
  json<BundleManifest>(await call(`/api/v1/preview/bundle/${sessionId}`, { token: user.access }));

/**
 * Commits `files` on top of `base` through the in-process app with a queue that records what it
 * is sent, and returns the preview builds the commit asked for (the real queue has no consumer in
 * this test project).
 */
async function commit(user: TestUser, projectId: string, files: Record<string, string>, base: number) {
  const sent: PreviewBuildMessage[] = [];
  const recording = {
    ...env,
    PREVIEW_TASKS: {
      send: async (message: PreviewBuildMessage) => void sent.push(message),
      sendBatch: async (batch: { body: PreviewBuildMessage }[]) =>
        void sent.push(...batch.map((m) => m.body)),
    },
  } as unknown as Env;
  const app = createApp();
  const changes = [];
  for (const [path, content] of Object.entries(files)) {
    const hash = await sha256Of(content);
    await call(`/api/v1/projects/${projectId}/blobs/${hash}`, {
      method: "PUT",
      token: user.access,
      body: content,
      headers: { "content-type": "application/octet-stream" },
    });
    changes.push({ op: "put", path, sha256: hash, size: new TextEncoder().encode(content).length });
  }
  const res = await app.request(
    `${BASE}/api/v1/projects/${projectId}/mirror/changes`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${user.access}`,
        "content-type": "application/json",
        "cf-connecting-ip": freshIp(),
      },
      body: JSON.stringify({ base_revision: base, changes }),
    },
    recording,
    { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
  );
  expect(res.status, await res.clone().text()).toBe(202);
  return { revision: (await json<{ revision: number }>(res)).revision, builds: sent };
}

/** A WebSocket to the session's live channel, with the frames it got so far and a way to wait for more. */
async function openLive(sessionId: string, auth: { token?: string; protocols?: string[] }) {
  const headers: Record<string, string> = { upgrade: "websocket", "cf-connecting-ip": freshIp() };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.protocols) headers["sec-websocket-protocol"] = auth.protocols.join(", ");
  const res = await SELF.fetch(`${BASE}/api/v1/preview/sessions/${sessionId}/live`, { headers });
  const ws = res.webSocket;
  if (!ws)
    return { res, ws: null, frames: [] as LiveMessage[], waitFor: async () => undefined, closed: null };
  ws.accept();
  const frames: LiveMessage[] = [];
  let wake = () => {};
  ws.addEventListener("message", (event) => {
    if (typeof event.data === "string" && event.data !== "pong")
      frames.push(JSON.parse(event.data) as LiveMessage);
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  async function waitFor(match: (m: LiveMessage) => boolean, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such frame; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }
  return { res, ws, frames, waitFor, closed };
}

describe("the build: module graph, modules and manifest", () => {
  it("builds the app's graph into immutable module scripts and a manifest that keeps its files", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    expect(await status(user, s.session_id)).toMatchObject({
      status: "ready",
      revision: 1,
      building_revision: null,
    });
    const manifest = await manifestOf(user, s.session_id);
    expect(manifest.files.map((f) => f.path)).toEqual([
      "App.js",
      "README.md",
      "assets/icon.svg",
      "package.json",
      "src/Greeting.js",
    ]);
    const app = manifest.app!;
    expect(app.runtime).toBe(RUNTIME_URL);
    // The newest SDK (the fixture names no expo version), and only the chunks its graph needs.
    expect(app.sdk).toMatchObject({
      version: "58",
      react: "react/index.js",
      reactNative: "react-native-web/dist/index.js",
    });
    expect(app.sdk!.chunks.length).toBeGreaterThan(2);
    expect(app.sdk!.chunks.length).toBeLessThan(12);
    expect(app.entry).toBe("App.js");
    expect(Object.keys(app.modules!).sort()).toEqual(["App.js", "assets/icon.svg", "src/Greeting.js"]);
    expect(app.modules!["App.js"]!.deps).toMatchObject({
      "expo-status-bar": "runtime:expo-status-bar/build/StatusBar.js",
      "react-native": "runtime:react-native-web/dist/index.js",
      "./src/Greeting": "src/Greeting.js",
      "./assets/icon.svg": "assets/icon.svg",
    });
    for (const module of Object.values(app.modules!)) {
      expect(module.url).toBe(`/m/${module.key}.js`);
      // Served on the session's own preview origin (docs/architecture.md "Two origins").
      const res = await callPreview(s.session_id, module.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const script = await res.text();
      expect(script.startsWith(`__hs.f(${JSON.stringify(module.key)},function(`)).toBe(true);
    }
    // The asset's module points at its bytes, served the same way.
    const iconScript = await (await callPreview(s.session_id, app.modules!["assets/icon.svg"]!.url)).text();
    const iconHash = await sha256Of(HELLO["assets/icon.svg"]);
    expect(iconScript).toContain(`/m/blob/${iconHash}.svg`);
    const icon = await callPreview(s.session_id, `/m/blob/${iconHash}.svg`);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await icon.text()).toBe(HELLO["assets/icon.svg"]);
  });

  it("a first build that does not compile fails with file, line and column; a missing package fails naming it", async () => {
    const broken = { ...HELLO, "src/Greeting.js": GREETING("x").replace("<Text>", "<Text style=>") };
    const a = await started(broken);
    await build(a.started.session_id, a.project.id, 1);
    const failed = await status(a.user, a.started.session_id);
    expect(failed).toMatchObject({
      status: "failed",
      error: { code: "build_error", file: "src/Greeting.js", line: 3 },
    });
    expect(failed.error?.column).toBeGreaterThan(1);
    expect(failed.error?.message).toMatch(/SyntaxError/);

    const missing = { ...HELLO, "src/Greeting.js": `import { format } from "date-fns";\n${GREETING("x")}` };
    const b = await started(missing, a.user);
    await build(b.started.session_id, b.project.id, 1);
    expect(await status(b.user, b.started.session_id)).toMatchObject({
      status: "failed",
      error: { code: "module_not_found", file: "src/Greeting.js", line: 1 },
    });
    expect((await status(b.user, b.started.session_id)).error?.message).toContain('"date-fns"');
  });

  it("links an uploaded dependency the app requires, wrapped and keyed by the build", async () => {
    const files = {
      ...HELLO,
      "src/Greeting.js": `import pad from "left-pad";\n${GREETING("dep")}`,
      "deps/left-pad.js": 'module.exports = function pad(s) { return require("react") && " " + s; };\n',
    };
    const { user, project, started: s } = await started(files);
    const body = files["deps/left-pad.js"];
    const put = await call(`/api/v1/projects/${project.id}/dependencies`, {
      method: "PUT",
      token: user.access,
      body: {
        items: [
          {
            name: "left-pad",
            version: "1.3.0",
            module_id: "npm:left-pad@1.3.0",
            sha256: await sha256Of(body),
            size: body.length,
            requires: ["react"],
          },
        ],
      },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await build(s.session_id, project.id, 1);
    expect((await status(user, s.session_id)).status).toBe("ready");
    const app = (await manifestOf(user, s.session_id)).app!;
    expect(app.modules!["src/Greeting.js"]!.deps["left-pad"]).toBe("npm:left-pad@1.3.0");
    const dep = app.modules!["npm:left-pad@1.3.0"]!;
    expect(dep.deps).toEqual({ react: "runtime:react/index.js" });
    const script = await (await callPreview(s.session_id, dep.url)).text();
    expect(script).toBe(
      `__hs.f(${JSON.stringify(dep.key)},function(require,module,exports,__filename,__dirname){${body}\n});`,
    );
  });

  it("a revision with no app entry is still ready for devices, and its app says why", async () => {
    const { user, project, started: s } = await started({ "notes/a.ts": "export const a = 1;\n" });
    await build(s.session_id, project.id, 1);
    expect((await status(user, s.session_id)).status).toBe("ready");
    const app = (await manifestOf(user, s.session_id)).app!;
    expect(app.modules).toBeUndefined();
    expect(app.errors?.[0]).toMatchObject({ file: "index.js", line: 1, column: 1 });
    expect(app.errors?.[0]?.message).toMatch(/No entry/);
  });
});

describe("a session follows its project", () => {
  it("a commit rebuilds the live sessions; ready stays ready (updating) until the new revision swaps in", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const before = (await manifestOf(user, s.session_id)).app!;

    const edit = await commit(user, project.id, { "src/Greeting.js": GREETING("live") }, 1);
    expect(edit.revision).toBe(2);
    expect(edit.builds).toEqual([
      { kind: "preview.build", session_id: s.session_id, project_id: project.id, revision: 2 },
    ]);
    // While it builds, the session serves revision 1.
    const begun = await exports.Internal.startPreviewBuild(s.session_id, 2);
    expect(begun).toMatchObject({ revision: 2, update: true, previous_revision: 1 });
    expect(await status(user, s.session_id)).toMatchObject({
      status: "ready",
      stage: "updating",
      revision: 1,
      building_revision: 2,
    });
    expect((await manifestOf(user, s.session_id)).revision).toBe(1);

    await build(s.session_id, project.id, 2);
    expect(await status(user, s.session_id)).toMatchObject({
      status: "ready",
      stage: null,
      revision: 2,
      building_revision: null,
    });
    const after = await manifestOf(user, s.session_id);
    expect(after.revision).toBe(2);
    // Only the edited file is a new module; the others keep their scripts.
    const changed = Object.keys(after.app!.modules!).filter(
      (id) => after.app!.modules![id]!.key !== before.modules![id]!.key,
    );
    expect(changed).toEqual(["src/Greeting.js"]);
    const record = await json<{ revision: number }>(
      await call(`/api/v1/preview/sessions/${s.session_id}`, { token: user.access }),
    );
    expect(record.revision).toBe(2);

    // Idempotent by session and revision: a redelivery, or an older revision, builds nothing.
    const version = (await status(user, s.session_id)).version;
    expect(await exports.Internal.startPreviewBuild(s.session_id, 2)).toBeNull();
    expect(await exports.Internal.startPreviewBuild(s.session_id, 1)).toBeNull();
    await build(s.session_id, project.id, 2);
    expect((await status(user, s.session_id)).version).toBe(version);
  });

  it("an update that does not build keeps the last good revision running with the error; the fix clears it", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const broken = await commit(user, project.id, { "App.js": `${HELLO["App.js"]}\nconst x = ;\n` }, 1);
    await build(s.session_id, project.id, broken.revision);
    const failed = await status(user, s.session_id);
    expect(failed).toMatchObject({
      status: "ready",
      stage: null,
      revision: 1,
      build_error: { revision: 2, code: "build_error", file: "App.js", line: 11 },
    });
    expect(failed.build_error?.message).toMatch(/SyntaxError/);
    expect(failed.build_error?.frame).toContain("const x = ;");
    expect((await manifestOf(user, s.session_id)).revision).toBe(1);

    const fixed = await commit(
      user,
      project.id,
      { "App.js": HELLO["App.js"].replace("<View>", "<View >") },
      2,
    );
    await build(s.session_id, project.id, fixed.revision);
    const ok = await status(user, s.session_id);
    expect(ok).toMatchObject({ status: "ready", revision: 3 });
    expect(ok.build_error).toBeUndefined();
  });

  it("sessions that ended are not rebuilt", async () => {
    const { user, project, started: s } = await started();
    await call(`/api/v1/preview/sessions/${s.session_id}/cancel`, { method: "POST", token: user.access });
    const edit = await commit(user, project.id, { "src/Greeting.js": GREETING("later") }, 1);
    expect(edit.builds).toEqual([]);
    expect(await exports.Internal.startPreviewBuild(s.session_id, 2)).toBeNull();
  });
});

describe("the live channel: GET /preview/sessions/:id/live", () => {
  it("pushes the status, then each new revision and build error, to every open socket", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const owner = await openLive(s.session_id, { token: user.access });
    expect(owner.res.status).toBe(101);
    const phoneToken = (
      await json<{ access_token: string }>(
        await call("/api/v1/preview/resolve", { body: { code: s.code }, ip: freshIp() }),
      )
    ).access_token;
    const phone = await openLive(s.session_id, { protocols: ["hivesync", `bearer.${phoneToken}`] });
    expect(phone.res.status).toBe(101);
    expect(phone.res.headers.get("sec-websocket-protocol")).toBe("hivesync");
    for (const socket of [owner, phone])
      await socket.waitFor((m) => m.type === "status" && m.status === "ready" && m.revision === 1);
    expect(await previewStub(env, s.session_id).liveSockets()).toBe(2);

    const edit = await commit(user, project.id, { "src/Greeting.js": GREETING("pushed") }, 1);
    await build(s.session_id, project.id, edit.revision);
    for (const socket of [owner, phone]) {
      await socket.waitFor((m) => m.type === "status" && m.stage === "updating" && m.building_revision === 2);
      expect(await socket.waitFor((m) => m.type === "revision")).toEqual({
        type: "revision",
        revision: 2,
        manifest_url: `/api/v1/preview/bundle/${s.session_id}/revisions/2`,
      });
    }
    const broken = await commit(user, project.id, { "src/Greeting.js": "export function Greeting( {" }, 2);
    await build(s.session_id, project.id, broken.revision);
    const error = await phone.waitFor((m) => m.type === "build_error");
    expect(error).toMatchObject({
      type: "build_error",
      revision: 3,
      error: { file: "src/Greeting.js", line: 1 },
    });

    // The session ends: every socket is told and closed with 4000.
    await call(`/api/v1/preview/sessions/${s.session_id}/cancel`, { method: "POST", token: user.access });
    for (const socket of [owner, phone]) {
      await socket.waitFor((m) => m.type === "status" && m.status === "cancelled");
      expect((await socket.closed)?.code).toBe(4000);
    }
  });

  it("is authorised like the status: a bad or foreign token is refused, someone else's session is 404", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const other = await registerUser();
    await expectError((await openLive(s.session_id, { token: other.access })).res, 404, "NOT_FOUND");
    await expectError((await openLive(s.session_id, {})).res, 401, "UNAUTHENTICATED");
    await expectError(
      (
        await openLive(s.session_id, {
          protocols: ["hivesync", `bearer.pvt_${s.session_id}.${"x".repeat(43)}`],
        })
      ).res,
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      (
        await openLive(s.session_id, {
          protocols: ["hivesync", `bearer.pvt_pvs_${"A".repeat(26)}.${"x".repeat(43)}`],
        })
      ).res,
      403,
      "FORBIDDEN",
    );
    await expectError(
      (await openLive(s.session_id, { protocols: ["hivesync", "bearer.not.a.jwt"] })).res,
      401,
      "UNAUTHENTICATED",
    );
    // The owner's access token works in the subprotocol too; without Upgrade the route answers the status once.
    expect(
      (await openLive(s.session_id, { protocols: ["hivesync", `bearer.${user.access}`] })).res.status,
    ).toBe(101);
    const plain = await call(`/api/v1/preview/sessions/${s.session_id}/live`, { token: user.access });
    expect(plain.status).toBe(200);
    expect(await json(plain)).toMatchObject({ session_id: s.session_id, status: "ready", revision: 1 });
  });
});

describe("a room of viewers", () => {
  /** The app over `env`, with the session objects' stubs counted. */
  function countingSessions() {
    let calls = 0;
    const PREVIEW_SESSION = {
      idFromName: (name: string) => env.PREVIEW_SESSION.idFromName(name),
      get: (id: DurableObjectId) => {
        calls += 1;
        return env.PREVIEW_SESSION.get(id);
      },
    };
    const app = createApp();
    return {
      calls: () => calls,
      get: (path: string, token: string) =>
        app.request(
          `${BASE}${path}`,
          { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": "192.0.2.9" } },
          {
            ...env,
            PREVIEW_SESSION,
          } as unknown as Env,
        ),
    };
  }

  it("no viewer's token is evicted by later ones: the first of 60 opens still reads", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const ip = freshIp();
    const tokens: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await call("/api/v1/preview/resolve", { body: { code: s.code }, ip });
      expect(res.status).toBe(200);
      tokens.push((await json<{ access_token: string }>(res)).access_token);
    }
    expect(new Set(tokens).size).toBe(60);
    for (const token of [tokens[0], tokens[59]]) {
      const res = await call(`/api/v1/preview/sessions/${s.session_id}/status`, { token });
      expect(res.status).toBe(200);
    }
    const record = await json<{ opens: number; opened: unknown[] }>(
      await call(`/api/v1/preview/sessions/${s.session_id}`, { token: user.access }),
    );
    expect(record.opens).toBe(60);
    expect(record.opened).toHaveLength(20);
  });

  it("a revision's manifest is read without the session's object, immutable, as each audience gets it", async () => {
    const { user, project, started: s } = await started();
    await build(s.session_id, project.id, 1);
    const viewer = (
      await json<{ access_token: string }>(
        await call("/api/v1/preview/resolve", { body: { code: s.code }, ip: freshIp() }),
      )
    ).access_token;
    const viaSession = await call(`/api/v1/preview/bundle/${s.session_id}`, { token: viewer });
    const expected = await viaSession.text();
    const app = countingSessions();
    const path = `/api/v1/preview/bundle/${s.session_id}/revisions/1`;
    for (let i = 0; i < 20; i++) {
      const res = await app.get(path, viewer);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
      expect(res.headers.get("etag")).toBe(viaSession.headers.get("etag"));
      expect(await res.text()).toBe(expected);
    }
    expect(app.calls()).toBe(0);
    // The owner gets every file; a revision never built is 404; someone else's token is refused.
    const own = await json<BundleManifest>(await app.get(path, user.access));
    expect(own.files.length).toBeGreaterThan(JSON.parse(expected).files.length);
    await expectError(
      await app.get(`/api/v1/preview/bundle/${s.session_id}/revisions/9`, viewer),
      404,
      "NOT_FOUND",
    );
    const stranger = await registerUser();
    await expectError(await app.get(path, stranger.access), 404, "NOT_FOUND");
    const other = await started();
    await expectError(
      await app.get(`/api/v1/preview/bundle/${other.started.session_id}/revisions/1`, viewer),
      403,
      "FORBIDDEN",
    );
    await expectError(await app.get(path, `${viewer.slice(0, -2)}AA`), 401, "UNAUTHENTICATED");
  });
});

describe("the page /p/<code> of a ready session", () => {
  it("a session still building shows the status page, which long-polls with its own token and loads the app when ready", async () => {
    const { started: s } = await started();
    const res = await call(`/p/${s.code}`, { ip: freshIp() });
    const page = await res.text();
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    expect(page).toContain(`data-session="${s.session_id}"`);
    const token = /data-token="(pvt_[^"]+)"/.exec(page)?.[1];
    expect((await call(`/api/v1/preview/sessions/${s.session_id}/status`, { token })).status).toBe(200);
    expect(page).toContain("location.reload()");
  });
});

describe("logs of the page and the live channel", () => {
  it("never hold the code, the page's token or the token sent in the subprotocol", async () => {
    const lines: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    );
    try {
      const { project, started: s } = await started();
      await build(s.session_id, project.id, 1);
      const page = await (await call(`/p/${s.code}`, { ip: freshIp() })).text();
      const token = /data-token="(pvt_[^"]+)"/.exec(page)?.[1] as string;
      const socket = await openLive(s.session_id, { protocols: ["hivesync", `bearer.${token}`] });
      expect(socket.res.status).toBe(101);
      await socket.waitFor((m) => m.type === "status");
      await call(`/api/v1/preview/bundle/${s.session_id}`, { token });
      expect(lines.length).toBeGreaterThan(3);
      for (const secret of [token, token.split(".")[1] as string, s.code, s.code.replace("-", "")])
        for (const line of lines) expect(line).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
