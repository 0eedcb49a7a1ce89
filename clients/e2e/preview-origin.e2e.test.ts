// Untrusted app code on an origin of its own (issue 19), in a real Chromium: a hostile app's every
// probe fails and the bar above it stays as HiveSync drew it; an app that reaches the network (its
// backend's JSON, a remote image) works, as on a phone.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { solidPng } from "../../runtime/test/fixture-app";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { appFrame, appOf, phonePage } from "./phone";

const FIXTURES = path.resolve(import.meta.dirname, "fixtures");
let browser: Browser | undefined;
const folders: string[] = [];

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

/** A fixture app in a temp folder with `env` as its .env, pushed and previewed by a new user. */
async function preview(fixture: string, env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), `hivesync-${fixture}-`));
  folders.push(dir);
  await cp(path.join(FIXTURES, fixture), dir, { recursive: true });
  await writeFile(
    path.join(dir, ".env"),
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
  );
  const desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
  const name = `orig${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await desktop.auth.register({
    email: `${name}@example.com`,
    username: name,
    password: "a long enough password",
  });
  const project = await desktop.projects.create({ name: fixture, framework: "expo" });
  await syncFolder(desktop, project.id, dir);
  const started = await startPreview(desktop, project.id, { platform: "ios" });
  expect(await watchPreview(desktop, started.session_id, { until: "ready" })).toMatchObject({
    status: "ready",
  });
  return started;
}

describe("a preview's app runs on an origin of its own", () => {
  it("a hostile app: every probe fails, and the bar and its link stay HiveSync's", async () => {
    const api = inject("apiUrl");
    const victim = await preview("networked-app", { EXPO_PUBLIC_BACKEND: "http://127.0.0.1:9" });
    const { context: victimContext, page: victimPage } = await phonePage(browser!);
    await victimPage.goto(victim.link_url);
    const victimOrigin = new URL((await appFrame(victimPage)).url()).origin;
    await victimContext.close();

    const hostile = await preview("hostile-app", {
      EXPO_PUBLIC_API_ORIGIN: api,
      EXPO_PUBLIC_VICTIM_SESSION: victim.session_id,
      EXPO_PUBLIC_VICTIM_ORIGIN: victimOrigin,
    });
    const { context, page } = await phonePage(browser!);
    await page.goto(hostile.link_url);
    const app = await appFrame(page);
    expect(new URL(app.url()).hostname).toMatch(/^pvs-[0-9a-z]{36}\.preview\.localhost$/);
    expect(new URL(app.url()).origin).not.toBe(victimOrigin);
    await appOf(page).getByText("All probes done").waitFor({ state: "visible", timeout: 60_000 });
    const results = await appOf(page).getByTestId("probe").allInnerTexts();
    expect(results).toEqual([
      "read the shell page: blocked",
      "rewrite the bar: blocked",
      "point Open in app elsewhere: blocked",
      "drive the shell's live client: blocked",
      "navigate the shell away: blocked",
      "fake the shell's messages: blocked",
      "script an API page: blocked",
      "find a credential: blocked",
      "call the API: blocked",
      "read another session's manifest: blocked",
      "read another session's storage: blocked",
    ]);
    // The shell is as HiveSync drew it: still this page, its bar, its link, its revision.
    expect(page.url()).toBe(hostile.link_url);
    const bar = await page.locator("#hs-bar").innerText();
    expect(bar).toContain("hostile-app");
    expect(bar).not.toContain("expired");
    expect(await page.locator("#hs-bar .hs-open").getAttribute("href")).toBe(hostile.deep_link);
    expect(
      await page.evaluate(() => (window as unknown as { __hsLive: { revision: number } }).__hsLive.revision),
    ).toBe(1);
    await page.screenshot({ path: "/tmp/hostile-app.png" });
    await context.close();
  });

  it("an app fetches JSON from its backend, shows a remote image and keeps a count in localStorage", async () => {
    const photo = solidPng(8, 8, [200, 30, 30]);
    const backend: Server = createServer((req, res) => {
      if (req.url === "/greeting.json")
        res
          .writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" })
          .end(JSON.stringify({ greeting: "Hello from the internet" }));
      else if (req.url === "/photo.png") res.writeHead(200, { "content-type": "image/png" }).end(photo);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    try {
      const port = (backend.address() as AddressInfo).port;
      const started = await preview("networked-app", { EXPO_PUBLIC_BACKEND: `http://127.0.0.1:${port}` });
      const { context, page, problems } = await phonePage(browser!);
      await page.goto(started.link_url);
      await appOf(page).getByText("Hello from the internet").waitFor({ state: "visible", timeout: 30_000 });
      // Its storage works, though the browser counts the frame as third-party (Playwright's
      // contexts, like private windows, refuse third-party storage: the runtime keeps it in memory).
      await appOf(page).getByText("Visit 1").waitFor({ state: "visible" });
      const frame = await appFrame(page);
      await frame.waitForFunction(() =>
        [...document.images].some((img) => img.src.endsWith("/photo.png") && img.naturalWidth === 8),
      );
      await page.screenshot({ path: "/tmp/networked-app.png" });
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await new Promise((resolve) => backend.close(resolve));
    }
  });
});
