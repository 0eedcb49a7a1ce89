// The published Expo templates in a phone's browser (issue 11, docs/previews.md "What runs"). Each
// is the tarball `npm pack` gives (vendored in fixtures/expo-templates/, checked against npm's
// integrity), unpacked as a new app is — no node_modules — and pushed with the desktop's
// syncFolder; a preview is started and its link_url opened in Debian's headless Chromium at a
// phone's viewport.
// - expo-template-blank and expo-template-blank-typescript: the root screen's text is on screen,
//   centred on white (StyleSheet works under the page's CSP), no overlay, no console error.
// - expo-template-default (create-expo-app's default) and expo-template-tabs, both Expo Router
//   apps: the home screen with its icons (fonts loaded, glyphs drawn), the second tab after a tap,
//   a live edit of the home screen, a route file added and opened — with no CSP violation.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getPreviewBundle, HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { syncDependencies } from "../desktop/src/dependencies";
import { unpackTemplate, vendoredTemplate } from "./expo-templates";
import { appFrame, appOf, iconShot, inkOf, phonePage as openPhonePage } from "./phone";

const CHROMIUM = "/usr/bin/chromium";

let browser: Browser | undefined;
let desktop: HiveSyncClient;
const dirs: string[] = [];

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
  const name = `tpl${Date.now().toString(36)}`;
  await desktop.auth.register({
    email: `${name}@example.com`,
    username: name,
    password: "a long enough password",
  });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * The template as a fresh app folder, pushed to a new project (revision 1). `change` runs on the
 * folder first and says how many files it added (node_modules is never synced).
 */
async function pushTemplate(name: string, change?: (dir: string) => Promise<number>) {
  const template = await vendoredTemplate(name);
  const dir = await mkdtemp(path.join(tmpdir(), `hivesync-${name}-`));
  dirs.push(dir);
  const written = await unpackTemplate(template, dir);
  const added = change ? await change(dir) : 0;
  const project = await desktop.projects.create({ name, framework: "expo" });
  // What `hivesync push` does: the dependencies first (only with node_modules), then the commit.
  const dependencies = await syncDependencies(desktop, project.id, dir);
  const synced = await syncFolder(desktop, project.id, dir);
  expect(synced).toMatchObject({ revision: 1, files: written.length + added, excluded: [], withheld: [] });
  return { template, dir, project, dependencies };
}

/** Starts a preview of revision 1 and waits for it to be ready: its manifest. */
async function readyPreview(projectId: string) {
  const started = await startPreview(desktop, projectId, { platform: "ios" });
  const ready = await watchPreview(desktop, started.session_id, { until: "ready" });
  expect(ready).toMatchObject({ status: "ready", revision: 1 });
  const manifest = await getPreviewBundle(desktop, started.session_id);
  return { started, app: manifest.app as { entry: string; modules: Record<string, { deps: object }> } };
}

/**
 * Opens link_url on a phone and waits for `text` (cold open: goto → visible), then checks the
 * blank template's screen: its white container View fills the app area with the text centred in
 * it (StyleSheet applies under the page's CSP), the bar is live at r1, no overlay, no console
 * error, no failed request. Screenshot to `shot`.
 */
async function openAndSee(linkUrl: string, project: string, text: string, shot: string) {
  const { context, page, problems } = await openPhonePage(browser!);
  const t0 = performance.now();
  const response = await page.goto(linkUrl);
  expect(response?.status()).toBe(200);
  const shown = appOf(page).getByText(text, { exact: true });
  await shown.waitFor({ state: "visible", timeout: 30_000 });
  const coldOpen = performance.now() - t0;

  const layout = await shown.evaluate((el) => {
    const root = document.getElementById("root") as HTMLElement;
    const box = el.getBoundingClientRect();
    const area = root.getBoundingClientRect();
    const view = el.parentElement as HTMLElement; // the Text's parent: the template's container View
    return {
      dx: box.left + box.width / 2 - (area.left + area.width / 2),
      dy: box.top + box.height / 2 - (area.top + area.height / 2),
      background: getComputedStyle(view).backgroundColor,
      viewHeight: view.getBoundingClientRect().height,
      rootHeight: area.height,
    };
  });
  expect(Math.abs(layout.dx)).toBeLessThan(2);
  expect(Math.abs(layout.dy)).toBeLessThan(2);
  expect(layout.background).toBe("rgb(255, 255, 255)");
  expect(layout.rootHeight).toBeGreaterThan(700);
  expect(layout.viewHeight).toBe(layout.rootHeight); // flex: 1

  await page.waitForFunction(
    () => document.querySelector("#hs-bar .hs-status")?.getAttribute("data-state") === "live",
  );
  const bar = await page.locator("#hs-bar").innerText();
  expect(bar).toContain(project);
  expect(bar).toContain("r1");
  expect(await overlayShown(page)).toBe(false);
  await page.screenshot({ path: shot });
  expect(problems).toEqual([]);
  await context.close();
  return coldOpen;
}

/** An overlay over the app: the shell's (a build error) or the app frame's (a runtime error). */
const overlayShown = async (page: Page) => {
  const shown = (target: Page | Frame) =>
    target.evaluate(() => {
      const overlay = document.getElementById("hs-overlay");
      return !!overlay && !overlay.hidden;
    });
  return (await shown(page)) || (await shown(await appFrame(page)));
};

const BLANK = [
  { name: "expo-template-blank", app: "App.js", text: "Open up App.js to start working on your app!" },
  {
    name: "expo-template-blank-typescript",
    app: "App.tsx",
    text: "Open up App.tsx to start working on your app!",
  },
];

describe("the published Expo templates in a phone's browser", () => {
  for (const { name, app, text } of BLANK) {
    it(`${name} renders its root screen's text from link_url`, async () => {
      const { template, dir, project, dependencies } = await pushTemplate(name);
      expect(dependencies).toEqual({ status: "no_node_modules" });
      // The text the template's own App shows (a refresh that changes it fails here, by name).
      expect(await readFile(path.join(dir, app), "utf8")).toContain(`<Text>${text}</Text>`);

      const { started, app: graph } = await readyPreview(project.id);
      // The graph is the template's two files and the runtime set: nothing else was needed.
      const entry = app.replace("App", "index").replace(".tsx", ".ts");
      expect(graph.entry).toBe(entry);
      expect(Object.keys(graph.modules).sort()).toEqual([app, entry].sort());

      const shot = `/tmp/template-${name.replace("expo-template-", "")}.png`;
      const coldOpen = await openAndSee(started.link_url, name, text, shot);
      console.log(
        `${name}@${template.version}: cold open (link_url → "${text}" visible) ${coldOpen.toFixed(0)} ms; ${shot}`,
      );
    });
  }

  it("expo-template-blank with a package from node_modules: the desktop pre-bundles it, the app runs it", async () => {
    const text = "Open up App.js, HiveSync!";
    const { dir, project, dependencies } = await pushTemplate("expo-template-blank", async (dir) => {
      // A small CommonJS package as npm installs one, that itself requires the runtime's react-native.
      const pkg = path.join(dir, "node_modules/hs-greeting");
      await mkdir(path.join(pkg, "lib"), { recursive: true });
      await writeFile(
        path.join(pkg, "package.json"),
        JSON.stringify({ name: "hs-greeting", version: "1.2.3", main: "lib/index.js" }),
      );
      await writeFile(
        path.join(pkg, "lib/index.js"),
        'const { Platform } = require("react-native");\n' +
          'exports.greet = (name) => "Open up App.js, " + name + (Platform.OS === "web" ? "!" : "?");\n',
      );
      const appJs = path.join(dir, "App.js");
      const source = await readFile(appJs, "utf8");
      await writeFile(
        appJs,
        `import { greet } from 'hs-greeting';\n${source.replace(
          "<Text>Open up App.js to start working on your app!</Text>",
          '<Text>{greet("HiveSync")}</Text>',
        )}`,
      );
      return 0;
    });
    expect(dependencies).toMatchObject({ status: "recorded", imports: ["hs-greeting"], failed: [] });
    expect(await readFile(path.join(dir, "App.js"), "utf8")).toContain("greet(");

    const { started, app } = await readyPreview(project.id);
    expect(app.modules["App.js"]?.deps).toMatchObject({ "hs-greeting": "npm:hs-greeting@1.2.3" });
    expect(app.modules["npm:hs-greeting@1.2.3"]?.deps).toEqual({
      "react-native": "runtime:react-native-web/dist/index.js",
    });
    const coldOpen = await openAndSee(
      started.link_url,
      "expo-template-blank",
      text,
      "/tmp/template-blank-dependency.png",
    );
    console.log(`expo-template-blank + node_modules/hs-greeting: cold open ${coldOpen.toFixed(0)} ms`);
  });

  it("expo-template-tabs (Expo Router): home with icons, the second tab, a live edit, a new route", async () => {
    // Each step says when it finished: a slow one is named in the failing test's output.
    const begun = performance.now();
    const step = (what: string) =>
      console.log(`expo-template-tabs: ${what} at ${(performance.now() - begun).toFixed(0)} ms`);
    const { template, dir, project } = await pushTemplate("expo-template-tabs");
    expect(JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")).main).toBe("expo-router/entry");
    const { started, app } = await readyPreview(project.id);
    step("ready");
    expect(app.modules["package.json#main"]?.deps).toEqual({
      "expo-router/entry": "sdk:expo-router/entry.js",
    });

    const { context, page, problems } = await openPhonePage(browser!);
    const t0 = performance.now();
    await page.goto(started.link_url);
    const home = appOf(page).getByText("Tab One", { exact: true }).first();
    await home.waitFor({ state: "visible", timeout: 30_000 });
    const coldOpen = performance.now() - t0;
    step("home shown");
    // The tab icons are expo-symbols glyphs in the Material Symbols font the SDK ships: loaded
    // through the FontFace machinery under the page's CSP, and drawn (ink where the icon is).
    await (await appFrame(page)).waitForFunction(() =>
      [...document.fonts].some((f) => f.family.includes("MaterialSymbols") && f.status === "loaded"),
    );
    expect(await inkOf(page, await iconShot(page, "MaterialSymbols"))).toBeGreaterThan(20);
    await page.screenshot({ path: "/tmp/template-tabs.png", scale: "css" }); // see template-default
    step("icons drawn");

    // Tap the second tab: its screen, under the app's own path below the page's.
    await appOf(page).getByText("Tab Two", { exact: true }).last().click();
    await appOf(page).getByText("app/(tabs)/two.tsx").waitFor({ state: "visible" });
    expect(new URL(page.url()).pathname).toBe(`${new URL(started.link_url).pathname}/two`);
    // The link's key stays in the shell's URL (a reload opens without a guess), never the app's.
    expect(new URL(page.url()).searchParams.get("hs")).toBe(new URL(started.link_url).searchParams.get("hs"));
    expect(new URL((await appFrame(page)).url()).searchParams.has("hs")).toBe(false);
    await appOf(page).getByText("Tab One", { exact: true }).last().click();
    await home.waitFor({ state: "visible" });
    step("tabs switched");

    // A live edit of the home screen, then a new route file, each pushed as the desktop does.
    const index = path.join(dir, "app/(tabs)/index.tsx");
    const source = await readFile(index, "utf8");
    expect(source).toContain(">Tab One</Text>");
    await writeFile(index, source.replace(">Tab One</Text>", ">Edited live!</Text>"));
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(2);
    await appOf(page).getByText("Edited live!").waitFor({ state: "visible", timeout: 20_000 });
    step("edit shown");
    await writeFile(
      path.join(dir, "app/hello.tsx"),
      'import { Text } from "react-native";\nexport default function Hello() { return <Text>A brand new route</Text>; }\n',
    );
    expect((await syncFolder(desktop, project.id, dir)).revision).toBe(3);
    await page.waitForFunction(
      () => document.querySelector("#hs-bar .hs-revision")?.textContent === "r3",
      null,
      {
        timeout: 20_000,
      },
    );
    const hello = new URL(started.link_url);
    hello.pathname += "/hello";
    await page.goto(hello.href);
    await appOf(page).getByText("A brand new route").waitFor({ state: "visible", timeout: 20_000 });
    step("new route shown");

    expect(problems).toEqual([]);
    await context.close();
    console.log(
      `expo-template-tabs@${template.version}: cold open (link_url → home) ${coldOpen.toFixed(0)} ms`,
    );
  });

  it("expo-template-default (create-expo-app's default): its home, its icon, the Explore tab", async () => {
    const { template, project } = await pushTemplate("expo-template-default");
    const { started } = await readyPreview(project.id);
    const { context, page, problems } = await openPhonePage(browser!);
    const t0 = performance.now();
    await page.goto(started.link_url);
    await appOf(page).getByText("Welcome to\u00a0Expo").waitFor({ state: "visible", timeout: 30_000 });
    const coldOpen = performance.now() - t0;
    // The Expo logo (expo-image) is drawn from the app's own asset.
    const logo = appOf(page).locator("img").first();
    await expect.poll(() => logo.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // At CSS scale: a device-scale screenshot leaves Chromium routing later taps into the
    // cross-origin app frame at half their coordinates.
    await page.screenshot({ path: "/tmp/template-default.png", scale: "css" });
    await appOf(page).getByText("Explore", { exact: true }).first().click();
    await appOf(page).getByText("Expo documentation").waitFor({ state: "visible" });
    expect(problems).toEqual([]);
    await context.close();
    console.log(
      `expo-template-default@${template.version}: cold open (link_url → home) ${coldOpen.toFixed(0)} ms`,
    );
  });
});
