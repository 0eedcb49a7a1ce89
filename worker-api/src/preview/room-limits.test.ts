// Issue 20: the ceilings of a room of phones — a session's opens a minute, whoever opens, and the
// preview and link pages an address loads a minute (outside /api/v1's general limit) — each
// refused with a 429 that says so, as JSON on the API and as a page on the pages.
import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  BASE,
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
} from "../../test/helpers";
import { createApp } from "../app";

async function startedPreview(): Promise<{ code: string; session_id: string }> {
  const user = await registerUser();
  const project = await createProject(user);
  await pushFiles(user, project.id, { "index.js": "x" });
  const res = await call("/api/v1/preview/start", {
    token: user.access,
    body: { project_id: project.id, platform: "web" },
  });
  expect(res.status).toBe(202);
  return json(res);
}

/** The app with some variables changed, called as from `ip`. */
function appWith(vars: Record<string, string>) {
  const app = createApp();
  return (path: string, ip: string, body?: unknown) =>
    app.request(
      `${BASE}${path}`,
      {
        method: body === undefined ? "GET" : "POST",
        headers: {
          "cf-connecting-ip": ip,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { ...env, ...vars },
      createExecutionContext(),
    );
}

describe("a session's opens ceiling", () => {
  it("takes PREVIEW_OPENS_PER_MINUTE opens a minute from anyone, then answers 429 with Retry-After", async () => {
    const { code } = await startedPreview();
    const send = appWith({ PREVIEW_OPENS_PER_MINUTE: "3" });
    for (let i = 0; i < 3; i++)
      expect((await send("/api/v1/preview/resolve", freshIp(), { code })).status).toBe(200);
    const refused = await send("/api/v1/preview/resolve", freshIp(), { code });
    const error = await expectError(refused, 429, "RATE_LIMITED");
    expect(error.details).toMatchObject({ retry_after_seconds: expect.any(Number) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("the pages' own limit", () => {
  it("an address loads RATE_LIMIT_PAGES_PER_IP pages a minute, then gets a page saying to wait", async () => {
    const { code } = await startedPreview();
    const send = appWith({ RATE_LIMIT_PAGES_PER_IP: "2" });
    const ip = freshIp();
    for (let i = 0; i < 2; i++) expect((await send(`/p/${code}`, ip)).status).toBe(200);
    const busy = await send(`/p/${code}`, ip);
    expect(busy.status).toBe(429);
    expect(busy.headers.get("content-type")).toContain("text/html");
    expect(Number(busy.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await busy.text()).toContain("Too many opens right now");
    // Another address is not affected.
    expect((await send(`/p/${code}`, freshIp())).status).toBe(200);
  });
});
