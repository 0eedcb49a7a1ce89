// Live previews in a real browser (issue 11): Debian's Chromium, driven by playwright-core, opens a
// preview's link_url the way a phone does. Each round: a cold open of examples/hello-app and of
// the vendored Expo blank template (a fresh browser context each: link_url → the app's text on
// screen), then one-line edits of hello-app's App.js committed through `syncFolder`, each timed
// from the commit's 202 to the new text on the page (no reload), with what the page fetched for
// it counted from CDP: bytes (encodedDataLength: headers + body as on the wire) and requests, by
// kind — module scripts (`/m/<key>.js`), the manifest (`/api/v1/preview/bundle/<id>`) and
// anything else. The socket's `revision` message is counted apart (its frame's payload bytes).
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core";
import { type HiveSyncClient, startPreview, syncFolder, watchPreview } from "../../clients/desktop/src";
import { unpackTemplate, vendoredTemplate } from "../../clients/e2e/expo-templates";
import { appFrame } from "../../clients/e2e/phone";
import { percentile } from "../harness/stats";
import type { Scenario } from "../harness/types";
import { signUp } from "../support/account";

const HELLO_APP = path.resolve(import.meta.dirname, "../../examples/hello-app");
const CHROMIUM = "/usr/bin/chromium";
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const BLANK = { name: "expo-template-blank", text: "Open up App.js to start working on your app!" };
/** create-expo-app's default (Expo Router): its home screen's row label, and the file it is in. */
const DEFAULT = { name: "expo-template-default", text: "Try editing", file: "src/app/index.tsx" };
/** Edits of the default template's home screen per round. */
const DEFAULT_EDITS = 3;
/** Edits over the whole run (≥ 20 asked for), spread over the rounds. */
const EDITS = 24;
const WAIT_MS = 30_000;

type Preview = { projectId: string; dir: string; linkUrl: string };
type State = {
  client: HiveSyncClient;
  browser: Browser;
  hello: Preview & { original: string; name: string };
  blank: Preview;
  defaultApp: Preview & { original: string; label: string };
  /** The default template's live page (opened on the first round, kept for the run). */
  defaultLive?: { context: BrowserContext; page: Page };
  perRound: number;
  /** The live page the edits land on (opened on the first round, kept for the run). */
  live?: { context: BrowserContext; page: Page; net: NetLog };
  editMs: number[];
  /** The most fetches beyond "changed module + manifest" any one edit made. */
  worstUnexpected: number;
};

/** The page's fetches since the last reset, from its own CDP session. */
type NetLog = {
  reset(): void;
  settled(): Promise<void>;
  take(): { bytes: number; modules: number; manifests: number; others: string[]; socketBytes: number };
};

/**
 * What a page and its app frame (another origin: Playwright reports its requests on the page's
 * context too) downloaded since the last reset. Call before the page opens, for its socket.
 */
function netLog(page: Page): NetLog {
  let urls: string[] = [];
  let bytes = 0;
  let socketBytes = 0;
  let pending = new Set<Request>();
  const context = page.context();
  context.on("request", (request) => {
    urls.push(request.url());
    pending.add(request);
  });
  context.on("requestfinished", (request) => {
    if (!pending.delete(request)) return;
    void request.sizes().then(
      (sizes) => {
        bytes += sizes.responseBodySize + sizes.responseHeadersSize;
      },
      () => undefined,
    );
  });
  context.on("requestfailed", (request) => pending.delete(request));
  page.on("websocket", (ws) =>
    ws.on("framereceived", (frame) => {
      socketBytes += Buffer.byteLength(frame.payload);
    }),
  );
  return {
    reset() {
      urls = [];
      pending = new Set();
      bytes = 0;
      socketBytes = 0;
    },
    async settled() {
      // Requests still in flight once the text shows (none expected) finish before they are counted.
      const until = Date.now() + 5_000;
      while (pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50));
    },
    take() {
      const paths = urls.map((u) => new URL(u).pathname);
      return {
        bytes,
        modules: paths.filter((p) => /^\/m\/[^/]+\.js$/.test(p)).length,
        manifests: paths.filter((p) => p.startsWith("/api/v1/preview/bundle/")).length,
        others: paths.filter((p) => !/^\/m\/[^/]+\.js$/.test(p) && !p.startsWith("/api/v1/preview/bundle/")),
        socketBytes,
      };
    },
  };
}

/** `text` shows in the app, which runs in the page's frame on the session's preview origin. */
const rootHas = async (page: Page, text: string) =>
  (await appFrame(page)).waitForFunction(
    (t) => (document.getElementById("root")?.innerText ?? "").includes(t),
    text,
    { timeout: WAIT_MS, polling: "raf" },
  );

async function readyPreview(client: HiveSyncClient, projectId: string): Promise<string> {
  const started = await startPreview(client, projectId, { platform: "ios" });
  const ready = await watchPreview(client, started.session_id, { until: "ready" });
  if (ready.status !== "ready") throw new Error(`preview of ${projectId} ended ${ready.status}`);
  return started.link_url;
}

async function pushed(client: HiveSyncClient, name: string, dir: string): Promise<Preview> {
  const project = await client.projects.create({ name, framework: "expo" });
  await syncFolder(client, project.id, dir);
  return { projectId: project.id, dir, linkUrl: await readyPreview(client, project.id) };
}

/** A fresh phone context: goto(link_url) → `text` in #root, in ms. */
async function coldOpen(browser: Browser, linkUrl: string, text: string): Promise<number> {
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    const t0 = performance.now();
    const response = await page.goto(linkUrl);
    if (response?.status() !== 200) throw new Error(`link_url answered HTTP ${response?.status()}`);
    await rootHas(page, text);
    return performance.now() - t0;
  } finally {
    await context.close();
  }
}

const greeting = (name: string) => `Hello, ${name}!`;

/** Edits the default template's home screen on its live page: commit 202 → new text, in ms each. */
async function editDefault(state: State, r: number): Promise<number[]> {
  const app = state.defaultApp;
  if (!state.defaultLive) {
    const context = await state.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(app.linkUrl);
    await rootHas(page, app.label);
    await page.waitForFunction(
      () => document.querySelector("#hs-bar .hs-status")?.getAttribute("data-state") === "live",
      undefined,
      { timeout: WAIT_MS },
    );
    state.defaultLive = { context, page };
  }
  const { page } = state.defaultLive;
  const times: number[] = [];
  for (let i = 0; i < DEFAULT_EDITS; i++) {
    const label = `Try editing r${r} e${i}`;
    await writeFile(
      path.join(app.dir, DEFAULT.file),
      app.original.replace(`title="${DEFAULT.text}"`, `title="${label}"`),
    );
    await syncFolder(state.client, app.projectId, app.dir);
    const accepted = performance.now();
    await rootHas(page, label);
    times.push(performance.now() - accepted);
    app.label = label;
  }
  return times;
}

export const livePreview: Scenario<State> = {
  id: "live-preview",
  title: "live preview in Chromium",
  // Direct only: the figures are the runtime's and the preview path's, the page is same-origin
  // HTTP on either target, and a second browser run through wrangler dev doubles a long scenario.
  targets: ["direct"],
  figures: {
    edit_ms: { label: "edit: commit 202 → new text visible", kind: "ms" },
    edit_p95_ms: { label: "edit: p95 over all edits", kind: "ms" },
    edit_sent_ms: { label: "edit: commit sent → new text visible", kind: "ms" },
    edit_total_ms: { label: "edit: syncFolder call → new text visible", kind: "ms" },
    cold_hello_ms: { label: "cold open hello-app (link_url → text)", kind: "ms" },
    cold_blank_ms: { label: "cold open blank template", kind: "ms" },
    cold_default_ms: { label: "cold open default template (Expo Router)", kind: "ms" },
    edit_default_ms: { label: "default template edit: commit 202 → new text visible", kind: "ms" },
    edit_bytes: { label: "bytes the page fetched per edit", kind: "bytes" },
    edit_requests: { label: "requests per edit", kind: "count" },
    edit_modules: { label: "module scripts per edit", kind: "count" },
    edit_manifests: { label: "manifests per edit", kind: "count" },
    edit_unexpected: { label: "fetches beyond changed module + manifest", kind: "count" },
    edit_unexpected_max: { label: "… in the worst edit", kind: "count" },
    edit_count: { label: "edits timed", kind: "count" },
    edit_socket_bytes: { label: "socket message bytes per edit", kind: "bytes" },
  },
  goals: [
    {
      id: "live-preview-edit-p50",
      text: "edit-to-render p50 ≤ 300 ms (aim ≤ 150 ms)",
      source: "issue 11",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.edit_ms ?? null,
      threshold: 300,
    },
    {
      id: "live-preview-cold-hello",
      text: "cold open of hello-app ≤ 1.5 s",
      source: "issue 11",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.cold_hello_ms ?? null,
      threshold: 1500,
    },
    {
      id: "live-preview-cold-blank",
      text: "cold open of the blank template ≤ 1.5 s",
      source: "issue 11",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.cold_blank_ms ?? null,
      threshold: 1500,
    },
    {
      id: "live-preview-cold-default",
      text: "cold open of the default template (Expo Router) ≤ 2.5 s",
      source: "issue 18",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.cold_default_ms ?? null,
      threshold: 2500,
    },
    {
      id: "live-preview-edit-default-p50",
      text: "edit-to-render p50 on the default template ≤ 300 ms",
      source: "issue 18",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.edit_default_ms ?? null,
      threshold: 300,
    },
    {
      // The once-figure is the worst edit of the run, so one stray fetch anywhere fails it.
      id: "live-preview-edit-moves",
      text: "an edit moves at most the changed modules plus the new map (worst edit)",
      source: "issue 11",
      target: "direct",
      op: "<=",
      unit: "",
      value: (m) => m.edit_unexpected_max ?? null,
      threshold: 0,
    },
  ],
  async setup({ target, mode, work }) {
    const client = await signUp(target.url, "livepreview");
    const helloDir = path.join(work, "hello-app");
    await cp(HELLO_APP, helloDir, { recursive: true });
    const blankDir = path.join(work, "blank");
    await mkdir(blankDir, { recursive: true });
    await unpackTemplate(await vendoredTemplate(BLANK.name), blankDir);
    const defaultDir = path.join(work, "default");
    await mkdir(defaultDir, { recursive: true });
    await unpackTemplate(await vendoredTemplate(DEFAULT.name), defaultDir);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const hello = await pushed(client, "hello-app", helloDir);
      const blank = await pushed(client, BLANK.name, blankDir);
      const defaultApp = await pushed(client, DEFAULT.name, defaultDir);
      const defaultSource = await readFile(path.join(defaultDir, DEFAULT.file), "utf8");
      if (!defaultSource.includes(`title="${DEFAULT.text}"`))
        throw new Error(`${DEFAULT.name}'s ${DEFAULT.file} has no title="${DEFAULT.text}"`);
      const original = await readFile(path.join(helloDir, "App.js"), "utf8");
      if (!original.includes('name="HiveSync"'))
        throw new Error('hello-app\'s App.js has no name="HiveSync"');
      return {
        client,
        browser,
        hello: { ...hello, original, name: "HiveSync" },
        blank,
        defaultApp: { ...defaultApp, original: defaultSource, label: DEFAULT.text },
        perRound: Math.ceil(EDITS / mode.rounds),
        editMs: [],
        worstUnexpected: 0,
      };
    } catch (error) {
      await browser.close();
      throw error;
    }
  },
  async round(state, r) {
    const { browser, hello, blank, client } = state;
    const cold_hello_ms = await coldOpen(browser, hello.linkUrl, greeting(hello.name));
    const cold_blank_ms = await coldOpen(browser, blank.linkUrl, BLANK.text);
    const cold_default_ms = await coldOpen(browser, state.defaultApp.linkUrl, state.defaultApp.label);
    const edit_default_ms = await editDefault(state, r);

    if (!state.live) {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      const net = netLog(page);
      await page.goto(hello.linkUrl);
      await rootHas(page, greeting(hello.name));
      // The live channel is up before the first edit (the bar says so).
      await page.waitForFunction(
        () => document.querySelector("#hs-bar .hs-status")?.getAttribute("data-state") === "live",
        undefined,
        { timeout: WAIT_MS },
      );
      await (await appFrame(page)).evaluate(() => {
        (window as unknown as { __notReloaded?: boolean }).__notReloaded = true;
      });
      state.live = { context, page, net };
    }
    const { page, net } = state.live;
    const samples = {
      edit_ms: [] as number[],
      edit_sent_ms: [] as number[],
      edit_total_ms: [] as number[],
      edit_bytes: [] as number[],
      edit_requests: [] as number[],
      edit_modules: [] as number[],
      edit_manifests: [] as number[],
      edit_unexpected: [] as number[],
      edit_socket_bytes: [] as number[],
    };
    const app = path.join(hello.dir, "App.js");
    for (let i = 0; i < state.perRound; i++) {
      // A name never used before: a new module key, so nothing comes from a cache.
      const name = `edit r${r} e${i}`;
      await writeFile(app, hello.original.replace('name="HiveSync"', `name="${name}"`));
      net.reset();
      const saved = performance.now();
      let sent = saved;
      await syncFolder(client, hello.projectId, hello.dir, {
        onProgress: (p) => {
          if (p.phase === "committing") sent = performance.now();
        },
      });
      const accepted = performance.now();
      await rootHas(page, greeting(name));
      const shown = performance.now();
      const ms = shown - accepted;
      await net.settled();
      const got = net.take();
      const reloaded = !(await (
        await appFrame(page)
      ).evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true));
      if (reloaded) throw new Error(`edit ${name}: the page reloaded`);
      hello.name = name;
      state.editMs.push(ms);
      samples.edit_ms.push(ms);
      samples.edit_sent_ms.push(shown - sent);
      samples.edit_total_ms.push(shown - saved);
      samples.edit_bytes.push(got.bytes);
      samples.edit_requests.push(got.modules + got.manifests + got.others.length);
      samples.edit_modules.push(got.modules);
      samples.edit_manifests.push(got.manifests);
      // One file changed: one module script and one manifest at most; anything else is extra.
      const unexpected = Math.max(0, got.modules - 1) + Math.max(0, got.manifests - 1) + got.others.length;
      samples.edit_unexpected.push(unexpected);
      state.worstUnexpected = Math.max(state.worstUnexpected, unexpected);
      samples.edit_socket_bytes.push(got.socketBytes);
      if (got.others.length > 0)
        console.error(`  live-preview: edit ${name} also fetched ${got.others.join(", ")}`);
    }
    return { cold_hello_ms, cold_blank_ms, cold_default_ms, edit_default_ms, ...samples };
  },
  async once(state) {
    // Over every edit of the run (goals see medians only, so the p95 and the worst are figures).
    return {
      edit_p95_ms: percentile(state.editMs, 95),
      edit_count: state.editMs.length,
      edit_unexpected_max: state.worstUnexpected,
    };
  },
  async teardown(state) {
    await state.live?.context.close().catch(() => {});
    await state.defaultLive?.context.close().catch(() => {});
    await state.browser.close();
  },
};
