// Issue 12, item 17: bundle file ranges at their edges, and a preview-scoped token once its session's
// `expires_at` has passed but before the expiry alarm has run.
import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
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
} from "../../test/helpers";
import type { PreviewSession } from "./preview-session";
import type { PreviewState } from "./session-state";

const CONTENT = "export const answer = 42; // a file of a known size\n";
const SIZE = new TextEncoder().encode(CONTENT).length;

type Started = { session_id: string; code: string };

async function readyPreview(): Promise<{ owner: TestUser; started: Started; projectId: string }> {
  const owner = await registerUser();
  const project = await createProject(owner, { name: "Ranges", framework: "web", entry: "index.js" });
  // Pushed in one batch, so both are in one pack: the file the ranges are asked of starts past 0.
  await pushFiles(owner, project.id, {
    "a/before.md": "# a file packed before index.js\n",
    "index.js": CONTENT,
  });
  const res = await call("/api/v1/preview/start", {
    token: owner.access,
    body: { project_id: project.id, platform: "web" },
  });
  expect(res.status).toBe(202);
  const started = await json<Started>(res);
  const consumerEnv = { BLOBS: env.BLOBS, API: exports.Internal } as unknown as ConsumerEnv;
  await handlePreviewBuild(
    { kind: "preview.build", session_id: started.session_id, project_id: project.id, revision: 1 },
    consumerEnv,
  );
  return { owner, started, projectId: project.id };
}

describe("Range on bundle files", () => {
  let owner: TestUser;
  let url: string;
  beforeAll(async () => {
    const ready = await readyPreview();
    owner = ready.owner;
    url = `/api/v1/preview/bundle/${ready.started.session_id}/files/${await sha256Of(CONTENT)}`;
  });
  const get = (range: string) => call(url, { token: owner.access, headers: { range } });

  it("clamps an end past the file to its last byte, with a true content-length", async () => {
    const res = await get("bytes=10-99999");
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 10-${SIZE - 1}/${SIZE}`);
    expect(res.headers.get("content-length")).toBe(String(SIZE - 10));
    expect(await res.text()).toBe(CONTENT.slice(10));
  });

  it("clamps a suffix longer than the file to the whole file", async () => {
    const res = await get("bytes=-99999");
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 0-${SIZE - 1}/${SIZE}`);
    expect(res.headers.get("content-length")).toBe(String(SIZE));
    expect(await res.text()).toBe(CONTENT);
  });

  it("serves exactly the last byte for bytes=<size-1>-", async () => {
    const res = await get(`bytes=${SIZE - 1}-`);
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes ${SIZE - 1}-${SIZE - 1}/${SIZE}`);
    expect(res.headers.get("content-length")).toBe("1");
    expect(await res.text()).toBe(CONTENT.slice(-1));
  });

  it("answers 416 for a range starting at the size (bytes=<size>-) and for bytes=-0", async () => {
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE}-${SIZE + 10}`, "bytes=-0"]) {
      const res = await get(range);
      expect(res.headers.get("content-range"), range).toBe(`bytes */${SIZE}`);
      await expectError(res, 416, "RANGE_NOT_SATISFIABLE");
    }
  });

  it("sends the whole file (200) for a range whose end lies before its start", async () => {
    const res = await get("bytes=20-5");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-range")).toBeNull();
    expect(res.headers.get("content-length")).toBe(String(SIZE));
    expect(await res.text()).toBe(CONTENT);
  });
});

describe("a preview-scoped token past the session's expires_at", () => {
  it("gets 401 on status (and the bundle) even before the expiry alarm has run", async () => {
    const { started } = await readyPreview();
    const resolved = await call("/api/v1/preview/resolve", { body: { code: started.code }, ip: freshIp() });
    const { access_token: token } = await json<{ access_token: string }>(resolved);
    const statusUrl = `/api/v1/preview/sessions/${started.session_id}/status`;
    expect((await call(statusUrl, { token })).status).toBe(200);

    // The clock passes expires_at; the alarm (set for the original time) has not fired.
    const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(started.session_id));
    await runInDurableObject(stub, async (instance: PreviewSession, ctx) => {
      const state = (await ctx.storage.get<PreviewState>("state")) as PreviewState;
      const past = { ...state, expires_at: new Date(Date.now() - 1000).toISOString() };
      await ctx.storage.put("state", past);
      (instance as unknown as { state: PreviewState | null }).state = past;
    });
    expect((await stub.get())?.status).toBe("ready");

    await expectError(await call(statusUrl, { token }), 401, "UNAUTHENTICATED");
    await expectError(
      await call(`/api/v1/preview/bundle/${started.session_id}`, { token }),
      401,
      "UNAUTHENTICATED",
    );
  });
});
