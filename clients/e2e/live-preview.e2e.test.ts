// Runnable, live previews end to end (issue 11): the desktop client syncs a copy of
// examples/hello-app and starts a preview; a real headless Chromium (Debian's, driven by
// playwright-core) opens the preview's link_url in a phone-sized viewport and sees the app itself
// running; each commit of the folder then shows on that page without the test reloading it — an
// edit, a syntax error (an overlay naming the file and line while the last good app keeps
// running), and the fix (the overlay goes).
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { appFrame } from "./phone";

const EXAMPLE = path.resolve(import.meta.dirname, "../../examples/hello-app");
const CHROMIUM = "/usr/bin/chromium";

let dir = "";
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hivesync-live-"));
  await cp(EXAMPLE, dir, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Probes run in the page as functions (a string would be eval'd, which the page's CSP forbids).
// The app runs in the page's frame on the session's preview origin; the bar and the build-error
// overlay are the page's own (the shell's).
const rootHas = async (page: Page, text: string) =>
  (await appFrame(page)).waitForFunction(
    (t) => (document.getElementById("root")?.innerText ?? "").includes(t),
    text,
    { timeout: 30_000, polling: "raf" },
  );
const rootText = async (page: Page) =>
  (await appFrame(page)).evaluate(() => document.getElementById("root")?.innerText ?? "");
const overlayIs = (page: Page | Frame, shown: boolean) =>
  page.waitForFunction(
    (want) => {
      const overlay = document.getElementById("hs-overlay");
      return (!!overlay && !overlay.hidden) === want;
    },
    shown,
    { timeout: 30_000, polling: "raf" },
  );
const barIs = (page: Page, selector: string, attribute: "state" | "text", value: string) =>
  page.waitForFunction(
    ([sel, attr, want]) => {
      const el = document.querySelector(sel as string) as HTMLElement | null;
      return (attr === "state" ? el?.dataset.state : el?.textContent) === want;
    },
    [selector, attribute, value],
    { timeout: 30_000 },
  );
/** The app's frame was not reloaded: it keeps what the test set on it. */
const notReloaded = async (page: Page) =>
  (await appFrame(page)).evaluate(
    () => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true,
  );

describe("a live preview in a phone's browser", () => {
  it("runs hello-app from link_url, and every commit shows live: edit, syntax error overlay, fix", async () => {
    const desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
    const name = `live${Date.now().toString(36)}`;
    await desktop.auth.register({
      email: `${name}@example.com`,
      username: name,
      password: "a long enough password",
    });
    const project = await desktop.projects.create({ name: "hello-app", framework: "expo" });
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(1);
    const started = await startPreview(desktop, project.id, { platform: "ios" });
    const ready = await watchPreview(desktop, started.session_id, { until: "ready" });
    expect(ready).toMatchObject({ status: "ready", revision: 1 });

    const context = await browser!.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    page.on("response", (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${new URL(res.url()).pathname}`);
    });

    // Cold open: the link the QR code encodes, to the greeting on screen.
    const t0 = performance.now();
    const response = await page.goto(started.link_url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await rootHas(page, "Hello, HiveSync!");
    const coldOpen = performance.now() - t0;
    await barIs(page, "#hs-bar .hs-status", "state", "live");
    const bar = await page.locator("#hs-bar").innerText();
    expect(bar).toContain("hello-app");
    expect(bar).toContain("r1");
    expect(await page.locator("#hs-bar .hs-open").getAttribute("href")).toBe(started.deep_link);
    await page.screenshot({ path: "/tmp/live-1-open.png" });
    // No secret in any URL the page asked for (the token travels in headers and the subprotocol).
    for (const url of requests) expect(url).not.toMatch(/pvt_|token=/);

    // An app that reloaded would lose this.
    await (await appFrame(page)).evaluate(() => {
      (window as unknown as { __notReloaded?: boolean }).__notReloaded = true;
    });
    const app = path.join(dir, "App.js");
    const original = await readFile(app, "utf8");

    // An edit: committed by the desktop, on screen without a reload.
    await writeFile(app, original.replace('name="HiveSync"', 'name="live edit"'));
    const t1 = performance.now();
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(2);
    const committed = performance.now();
    await rootHas(page, "Hello, live edit!");
    const editToRender = performance.now() - t1;
    const commitToRender = performance.now() - committed;
    expect(await notReloaded(page)).toBe(true);
    await barIs(page, "#hs-bar .hs-revision", "text", "r2");
    await page.screenshot({ path: "/tmp/live-2-edit.png" });

    // A syntax error: the overlay names App.js and the line, the last good app keeps running.
    const broken = original
      .replace('name="HiveSync"', 'name="broken"')
      .replace("<StatusBar", "<StatusBar oops=");
    const brokenLine = broken.split("\n").findIndex((l) => l.includes("oops=")) + 1;
    await writeFile(app, broken);
    const t2 = performance.now();
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(3);
    await overlayIs(page, true);
    const editToOverlay = performance.now() - t2;
    const overlay = await page.locator("#hs-overlay").innerText();
    expect(overlay).toContain(`App.js:${brokenLine}:`);
    expect(overlay).toMatch(/SyntaxError/);
    expect(await rootText(page)).toContain("Hello, live edit!");
    expect(await notReloaded(page)).toBe(true);
    await page.screenshot({ path: "/tmp/live-3-error.png" });
    const status = await desktop.previews.status(started.session_id);
    expect(status).toMatchObject({
      status: "ready",
      revision: 2,
      build_error: { revision: 3, file: "App.js" },
    });

    // The fix: the overlay goes and the new text shows.
    await writeFile(app, original.replace('name="HiveSync"', 'name="fixed"'));
    const t3 = performance.now();
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(4);
    await rootHas(page, "Hello, fixed!");
    const fixToRender = performance.now() - t3;
    await overlayIs(page, false);
    expect(await notReloaded(page)).toBe(true);
    await page.screenshot({ path: "/tmp/live-4-fixed.png" });

    // A network that passes no WebSocket: a second phone falls back to long-polling the status
    // and still follows, beside the first one on its socket.
    const blocked = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    await blocked.routeWebSocket(/\/live$/, (ws) => ws.close({ code: 1006 }));
    const polled = await blocked.newPage();
    const polls: string[] = [];
    polled.on("request", (request) => {
      if (request.url().includes("/status?wait=")) polls.push(request.url());
    });
    await polled.goto(started.link_url);
    await rootHas(polled, "Hello, fixed!");
    await writeFile(app, original.replace('name="HiveSync"', 'name="polled"'));
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(5);
    await rootHas(page, "Hello, polled!");
    await rootHas(polled, "Hello, polled!");
    expect(polls.length).toBeGreaterThan(0);
    await polled.screenshot({ path: "/tmp/live-5-long-poll.png" });
    await blocked.close();

    // An exception while rendering: the runtime's overlay in the app's frame, its stack mapped to the
    // user's file and line.
    const greeting = path.join(dir, "src/components/Greeting.js");
    const greetingSource = await readFile(greeting, "utf8");
    const throwing = greetingSource.replace(
      "  return <Text",
      '  if (name) throw new Error("boom while rendering");\n  return <Text',
    );
    const throwLine = throwing.split("\n").findIndex((l) => l.includes("boom while rendering")) + 1;
    await writeFile(greeting, throwing);
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(6);
    const frame = await appFrame(page);
    await overlayIs(frame, true);
    const runtimeOverlay = await frame.locator("#hs-overlay").innerText();
    expect(runtimeOverlay).toContain("boom while rendering");
    expect(runtimeOverlay).toContain(`src/components/Greeting.js:${throwLine}:`);
    await page.screenshot({ path: "/tmp/live-6-runtime-error.png" });
    await writeFile(greeting, greetingSource);
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(7);
    await overlayIs(frame, false);
    await rootHas(page, "Hello, polled!");

    // Nothing went wrong but the error the test itself made the app throw (React logs it).
    expect(problems.filter((p) => !p.includes("boom while rendering"))).toEqual([]);
    // Every change came over the one hibernatable socket (no long-poll fallback, no reconnect),
    // and no URL the page used carried a secret.
    expect(sockets).toEqual([
      `${new URL(started.link_url).origin.replace("http", "ws")}/api/v1/preview/sessions/${started.session_id}/live`,
    ]);
    expect(requests.filter((url) => url.includes("/status"))).toEqual([]);
    for (const url of [...requests, ...sockets]) expect(url).not.toMatch(/pvt_|token=/);
    console.log(
      `live preview: cold open ${coldOpen.toFixed(0)} ms; edit→render ${editToRender.toFixed(0)} ms ` +
        `(commit accepted→render ${commitToRender.toFixed(0)} ms); ` +
        `edit→error overlay ${editToOverlay.toFixed(0)} ms; fix→render ${fixToRender.toFixed(0)} ms ` +
        "(each from the desktop's sync call: hash, upload, commit, build, push, swap)",
    );
    await context.close();
  });
});
