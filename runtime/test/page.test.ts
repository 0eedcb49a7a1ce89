// The preview page in headless Chromium, phone-sized, under the page's strict CSP: the runtime
// boots a two-module Expo-style app from its manifest, swaps in an edit without a reload (fetching
// only the changed script), shows build and render errors in the overlay with the user's file and
// line while keeping the last good version, and clears the overlay on the next good revision.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureApp, solidPng } from "./fixture-app";

const ROOT = path.join(import.meta.dirname, "../..");
const SHOTS = path.join(ROOT, "runtime/test/screenshots");

const INDEX = `import { registerRootComponent } from 'expo';

import App from './App';

registerRootComponent(App);
`;

/** The blank template's App, with an image and a version line so each revision is recognisable. */
const app = (label: string, extra = "") => `import { StatusBar } from 'expo-status-bar';
import { Image, Platform, StyleSheet, Text, View } from 'react-native';
import icon from './icon.png';
${extra}
export default function App() {
  return (
    <View style={styles.container}>
      <Image source={icon} style={styles.icon} accessibilityLabel="icon" />
      <Text style={styles.title}>${label}</Text>
      <Text testID="platform">Running on {Platform.OS}</Text>
      <StatusBar style="auto" />
    </View>
  );
}

const styles = StyleSheet.create({
  container: { flex: 1, backgroundColor: '#fff', alignItems: 'center', justifyContent: 'center' },
  icon: { width: 96, height: 96, borderRadius: 20, marginBottom: 16 },
  title: { fontSize: 22, fontWeight: '600', color: '#1b1f24' },
});
`;

/** An App whose child component throws while rendering, on a line the test knows. */
const BROKEN = `import { Text, View } from 'react-native';

function Greeting({ name }) {
  if (!name.first) {
    throw new Error('Greeting needs a first name');
  }
  return <Text>Hello {name.first}</Text>;
}

export default function App() {
  return <View style={{ flex: 1 }}><Greeting name={{}} /></View>;
}
`;
const BROKEN_LINE = 5;
const BROKEN_COLUMN = BROKEN.split("\n")[BROKEN_LINE - 1]!.indexOf("new Error") + 1;

const ICON = solidPng(48, 48, [245, 166, 35]);

describe("the preview page (Chromium, phone viewport, strict CSP)", () => {
  const fixture = new FixtureApp();
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  let navigations = 0;

  beforeAll(async () => {
    execFileSync("node", [path.join(ROOT, "runtime/build.mjs"), "--quiet"], { stdio: "inherit" });
    mkdirSync(SHOTS, { recursive: true });
    await fixture.start();
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        (window as unknown as { __violations: string[] }).__violations ??= [];
        (window as unknown as { __violations: string[] }).__violations.push(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.stop();
  });

  /** Applies a revision in the page and times it until `text` is on screen. */
  async function update(revision: number, text: string) {
    return page.evaluate(
      async ({ revision, text }) => {
        const hs = (
          window as unknown as { __hs: { update(m: unknown): Promise<{ fetched: string[]; ran: string[] }> } }
        ).__hs;
        const manifest = await (await fetch(`/manifest/${revision}.json`)).json();
        const started = performance.now();
        const result = await hs.update(manifest);
        while (!document.getElementById("root")?.textContent?.includes(text))
          await new Promise((resolve) => requestAnimationFrame(resolve));
        return { ...result, renderMs: performance.now() - started };
      },
      { revision, text },
    );
  }

  const overlay = () => page.locator("#hs-overlay");

  it("boots the app from its manifest: react-native-web renders it, the bar names project and revision", async () => {
    const r1 = fixture.build(1, {
      "index.js": INDEX,
      "App.js": app("Hello from revision 1"),
      "icon.png": ICON,
    });
    const started = Date.now();
    await page.goto(`${fixture.origin}/`);
    await expect
      .poll(() => page.getByText("Hello from revision 1").isVisible(), { timeout: 15_000 })
      .toBe(true);
    console.log(
      `first load to render: ${Date.now() - started} ms (runtime ${(fixture.runtime.script.length / 1024) | 0} KiB)`,
    );

    await expect.poll(() => page.getByText("Running on web").isVisible()).toBe(true);
    // StyleSheet.create styles apply under the strict CSP: the title is large, bold and centred.
    const title = page.getByText("Hello from revision 1");
    expect(await title.evaluate((el) => getComputedStyle(el).fontSize)).toBe("22px");
    expect(await title.evaluate((el) => getComputedStyle(el).fontWeight)).toBe("600");
    const titleBox = (await title.boundingBox())!;
    expect(Math.abs(titleBox.x + titleBox.width / 2 - 195)).toBeLessThan(2);
    expect(Math.abs(titleBox.y - (844 - 28) / 2)).toBeLessThan(80);
    // The image is the module's blob URL, laid out at the style's size.
    const img = page.locator("img");
    await expect.poll(async () => (await img.getAttribute("src")) ?? "").toMatch(/^\/m\/blob\/[0-9a-f]{64}$/);
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(48);
    // The app fills the screen above the bar.
    const rootBox = await page.locator("#root").boundingBox();
    const barBox = await page.locator("#hs-bar").boundingBox();
    expect(rootBox).toMatchObject({ x: 0, y: 0, width: 390 });
    expect(rootBox!.height + barBox!.height).toBeCloseTo(844, 0);
    await expect.poll(() => page.locator("#hs-bar").textContent()).toContain("Demo");
    expect(await page.locator("#hs-bar").textContent()).toContain("r1");
    expect(await page.locator("#hs-bar a").getAttribute("href")).toBe("hivesync://preview?code=ABCD-EFGH");

    // Every script came from this origin, each module once.
    const scripts = fixture.requests.filter((r) => r.startsWith("/m/") && r.endsWith(".js"));
    expect(scripts.sort()).toEqual(
      Object.values(r1.keys)
        .map((k) => `/m/${k}.js`)
        .sort(),
    );
    expect(fixture.requests).toContain(fixture.runtime.url);
    // The live state is the live client's to report; until then the bar claims none.
    expect(await page.locator("#hs-bar .hs-status").isVisible()).toBe(false);
    await page.evaluate(() =>
      (window as unknown as { __hs: { bar(i: object): void } }).__hs.bar({ state: "live" }),
    );
    expect(await page.locator("#hs-bar .hs-status").textContent()).toBe("live");
    await page.screenshot({ path: path.join(SHOTS, "1-booted.png") });
    await page.evaluate(() => {
      (window as unknown as { __marker: number }).__marker = 42;
    });
  });

  it("swaps in an edited App.js without a reload, fetching only its script", async () => {
    const r2 = fixture.build(2, {
      "index.js": INDEX,
      "App.js": app("Edited in revision 2"),
      "icon.png": ICON,
    });
    fixture.requests.length = 0;
    const result = await update(2, "Edited in revision 2");
    console.log(`update to render: ${result.renderMs.toFixed(1)} ms (fetch + run + React commit)`);

    expect(result.fetched).toEqual([r2.keys["App.js"]]);
    expect(fixture.requests.filter((r) => r.startsWith("/m/"))).toEqual([`/m/${r2.keys["App.js"]}.js`]);
    // App.js changed, so it and its dependent (the entry) ran again; the image module did not.
    expect(result.ran.sort()).toEqual(["App.js", "index.js"]);
    expect(await page.getByText("Hello from revision 1").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    expect(navigations).toBe(1);
    expect(await page.locator("#hs-bar").textContent()).toContain("r2");
    // One react-dom root: the previous tree was unmounted, not left beside the new one.
    expect(await page.locator("#root > *").count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, "2-updated.png") });
  });

  it("shows a build error's file, line, column and message while the last good version keeps running", async () => {
    fixture.buildError(3, [
      {
        file: "App.js",
        line: 9,
        column: 14,
        message: 'Unexpected token, expected ","',
        frame:
          "   8 |       <Image source={icon} style={styles.icon} />\n>  9 |       <Text style={styles.title}>Oops</Tex>\n     |              ^",
      },
    ]);
    const result = await page.evaluate(async () => {
      const manifest = await (await fetch("/manifest/3.json")).json();
      return (window as unknown as { __hs: { update(m: unknown): Promise<unknown> } }).__hs.update(manifest);
    });
    expect(result).toMatchObject({ ok: false, failed: "build" });
    await expect.poll(() => overlay().isVisible()).toBe(true);
    const text = await overlay().textContent();
    expect(text).toContain("Build failed");
    expect(text).toContain("App.js:9:14");
    expect(text).toContain('Unexpected token, expected ","');
    expect(await page.getByText("Edited in revision 2").isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "3-build-error.png") });
  });

  it("clears the overlay on the next good revision", async () => {
    fixture.build(4, { "index.js": INDEX, "App.js": app("Fixed in revision 4"), "icon.png": ICON });
    const result = await update(4, "Fixed in revision 4");
    expect(result).toMatchObject({ ok: true });
    expect(await overlay().isVisible()).toBe(false);
    expect(await page.locator("#hs-bar").textContent()).toContain("r4");
  });

  it("shows an exception thrown while rendering with the user's file and line", async () => {
    fixture.build(5, { "index.js": INDEX, "App.js": BROKEN });
    const result = await page.evaluate(async () => {
      const manifest = await (await fetch("/manifest/5.json")).json();
      return (window as unknown as { __hs: { update(m: unknown): Promise<unknown> } }).__hs.update(manifest);
    });
    expect(result).toMatchObject({ ok: true });
    await expect.poll(() => overlay().isVisible()).toBe(true);
    const text = (await overlay().textContent()) ?? "";
    expect(text).toContain("Runtime error");
    expect(text).toContain("Error: Greeting needs a first name");
    expect(await page.locator("#hs-overlay .hs-where").textContent()).toBe(
      `App.js:${BROKEN_LINE}:${BROKEN_COLUMN}`,
    );
    // The mapped stack names the component in the user's file.
    expect(await page.locator("#hs-overlay .hs-frames li.hs-user").first().textContent()).toBe(
      `Greeting App.js:${BROKEN_LINE}:${BROKEN_COLUMN}`,
    );
    // React's own frames are folded into one line, not listed as minified noise.
    expect(await page.locator("#hs-overlay .hs-frames li").allTextContents()).toContainEqual(
      expect.stringMatching(/^… \d+ frames? in the runtime$/),
    );
    await page.screenshot({ path: path.join(SHOTS, "4-render-error.png") });
  });

  it("shows an exception thrown while a module first runs, and keeps the last good tree", async () => {
    fixture.build(6, { "index.js": INDEX, "App.js": app("Fixed in revision 6"), "icon.png": ICON });
    await update(6, "Fixed in revision 6");
    expect(await overlay().isVisible()).toBe(false);
    const extra = "const config = JSON.parse('{not json');";
    fixture.build(7, { "index.js": INDEX, "App.js": app("Never shown", extra), "icon.png": ICON });
    const result = await page.evaluate(async () => {
      const manifest = await (await fetch("/manifest/7.json")).json();
      return (window as unknown as { __hs: { update(m: unknown): Promise<unknown> } }).__hs.update(manifest);
    });
    expect(result).toMatchObject({ ok: false, failed: "module" });
    expect(await page.locator("#hs-overlay .hs-where").textContent()).toMatch(/^App\.js:4:\d+$/);
    expect(await page.getByText("Fixed in revision 6").isVisible()).toBe(true);
  });

  it("says so when a module script cannot be downloaded, and keeps the last good tree", async () => {
    const result = await page.evaluate(async () => {
      const manifest = await (await fetch("/manifest/6.json")).json();
      const key = "f".repeat(64);
      manifest.revision = 8;
      manifest.app.modules["App.js"] = { ...manifest.app.modules["App.js"], key, url: `/m/${key}.js` };
      return (window as unknown as { __hs: { update(m: unknown): Promise<unknown> } }).__hs.update(manifest);
    });
    expect(result).toMatchObject({ ok: false, failed: "load" });
    expect(await overlay().textContent()).toContain(`Could not load /m/${"f".repeat(64)}.js`);
    expect(await page.getByText("Fixed in revision 6").isVisible()).toBe(true);
  });

  it("mounts an entry that only exports a component (Expo's legacy AppEntry), and clears the overlay", async () => {
    fixture.build(9, { "App.js": app("Mounted from its default export"), "icon.png": ICON }, "App.js");
    const result = await update(9, "Mounted from its default export");
    expect(result).toMatchObject({ ok: true });
    expect(await overlay().isVisible()).toBe(false);
    expect(await page.locator("#root > *").count()).toBe(1);
  });

  it("fills a desktop window the same way", async () => {
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // A browser that refuses this page its storage (a frame of a private window, say): the reload
    // below must still happen only once.
    await desktop.addInitScript(() => {
      Object.defineProperty(window, "sessionStorage", {
        get() {
          throw new DOMException("The operation is insecure.", "SecurityError");
        },
      });
    });
    try {
      await desktop.goto(`${fixture.origin}/`);
      await expect
        .poll(() => desktop.getByText("Hello from revision 1").isVisible(), { timeout: 15_000 })
        .toBe(true);
      expect(await desktop.locator("#root").boundingBox()).toMatchObject({
        x: 0,
        y: 0,
        width: 1280,
        height: 772,
      });
      const title = (await desktop.getByText("Hello from revision 1").boundingBox())!;
      expect(Math.abs(title.x + title.width / 2 - 640)).toBeLessThan(2);
      await desktop.screenshot({ path: path.join(SHOTS, "5-desktop.png") });

      // A manifest built for another runtime (after a deploy): the page reloads once to get it…
      const other = {
        revision: 10,
        project: { name: "Demo" },
        app: { runtime: "/runtime/0123456789abcdef.js" },
      };
      await Promise.all([
        desktop.waitForEvent("load"),
        desktop.evaluate(
          (m) => (window as unknown as { __hs: { update(m: unknown): unknown } }).__hs.update(m),
          other,
        ),
      ]);
      await expect
        .poll(() => desktop.getByText("Hello from revision 1").isVisible(), { timeout: 15_000 })
        .toBe(true);
      // …and if the page still runs the old one, it says so instead of reloading again.
      await desktop.evaluate(
        (m) => (window as unknown as { __hs: { update(m: unknown): unknown } }).__hs.update(m),
        other,
      );
      expect(await desktop.locator("#hs-overlay").textContent()).toContain(
        "the preview needs /runtime/0123456789abcdef.js",
      );
    } finally {
      await desktop.close();
    }
  });

  it("ran with no CSP violation and no console error other than the ones the app caused", async () => {
    expect(
      await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
    ).toEqual([]);
    expect(
      consoleErrors.filter((e) => !/Greeting needs a first name|not json|JSON|status of 404/.test(e)),
    ).toEqual([]);
    expect(navigations).toBe(1);
  });
});
