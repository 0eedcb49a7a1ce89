import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, createProject, freshIp, json, pushFiles, registerUser } from "../../test/helpers";

async function preview() {
  const user = await registerUser();
  const project = await createProject(user, { name: "Landing <Demo>" });
  await pushFiles(user, project.id, { "index.js": "x" });
  const started = await json<{ session_id: string; code: string }>(
    await call("/api/v1/preview/start", {
      token: user.access,
      body: { project_id: project.id, platform: "web" },
    }),
  );
  return { user, started };
}

describe("landing pages for a phone without the app", () => {
  it("shows the project, platform, live status and the deep link under a strict CSP, without consuming the code", async () => {
    const { started } = await preview();
    const res = await call(`/p/${started.code}`, { ip: freshIp() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain("Landing &lt;Demo&gt;");
    expect(page).not.toContain("Landing <Demo>");
    expect(page).toContain("Live preview for web");
    expect(page).toContain(`hivesync://preview?code=${started.code}`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(page).toContain(`<script nonce="${nonce}">`);
    expect(page).not.toMatch(/(src|href)="https?:/);

    const status = await json(await call(`/p/${started.code}/status`, { ip: freshIp() }));
    expect(status).toEqual({ status: "pending", label: "Waiting to build…", final: false });
    // Still resolvable afterwards.
    expect(
      (await call("/api/v1/preview/resolve", { body: { code: started.code }, ip: freshIp() })).status,
    ).toBe(200);
  });

  it("says clearly when a code is unknown or expired", async () => {
    const unknown = await call("/p/BBBB-CCCC", { ip: freshIp() });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("This code is not valid");

    const { started } = await preview();
    await runDurableObjectAlarm(env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(started.session_id)));
    const expired = await call(`/p/${started.code}`, { ip: freshIp() });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("Expired");
  });

  it("serves the device-link page and counts unknown codes against the same per-IP limit", async () => {
    const user = await registerUser();
    const link = await json<{ code: string }>(
      await call("/api/v1/devices/link", { method: "POST", token: user.access }),
    );
    const page = await call(`/l/${link.code}`, { ip: freshIp() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`hivesync://link?code=${link.code}`);

    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await call(`/l/DDDD-DDD${"BCDFG"[i]}`, { ip })).status).toBe(404);
    expect((await call(`/l/${link.code}`, { ip })).status).toBe(429);
    const api = await call("/api/v1/devices/link/claim", {
      body: { code: link.code, device_name: "x", platform: "ios" },
      ip,
    });
    expect(api.status).toBe(429);
  });
});

describe("the page of a preview whose first build failed", () => {
  it("names the file, line and column, shows the code frame and says what to do", async () => {
    const { started } = await preview();
    const stub = env.PREVIEW_SESSION.get(env.PREVIEW_SESSION.idFromName(started.session_id));
    await stub.report({ status: "building", stage: "transforming", progress: 0.2 });
    await stub.report({
      status: "failed",
      error: {
        code: "build_error",
        message: "Unexpected token (3:9)",
        file: "App.js",
        line: 3,
        column: 9,
        frame: "> 3 |   return <View>\n    |         ^",
      },
    });
    const res = await call(`/p/${started.code}`, { ip: freshIp() });
    expect(res.status).toBe(410);
    const page = await res.text();
    expect(page).toContain("App.js:3:9");
    expect(page).toContain("Unexpected token (3:9)");
    expect(page).toContain('<pre class="frame">&gt; 3 |   return &lt;View&gt;');
    expect(page).toContain("The app did not build. Fix the error and start the preview again");
    expect(page).not.toContain("Ask for a new code");
  });
});
