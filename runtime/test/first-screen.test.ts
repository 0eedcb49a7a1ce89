// The page around an app's first screen, in headless Chromium under the page's CSP: what the
// app's Expo config says (name, favicon, background, splash colour, light or dark), and an app
// that runs but draws nothing is told about instead of leaving a blank screen.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureApp } from "./fixture-app";

const ROOT = path.join(import.meta.dirname, "../..");
const INDEX =
  "import { registerRootComponent } from 'expo';\nimport App from './App';\nregisterRootComponent(App);\n";
const SCHEME_APP = `import { Text, useColorScheme } from 'react-native';
export default function App() {
  return <Text>Scheme: {useColorScheme()}</Text>;
}
`;
/** An app that waits for something that never comes before drawing its first screen. */
const WAITING_APP = `import { useEffect, useState } from 'react';
import { Text } from 'react-native';
export default function App() {
  const [ready, setReady] = useState(false);
  useEffect(() => { globalThis.__ready = () => setReady(true); }, []);
  return ready ? <Text>Finally ready</Text> : null;
}
`;

describe("the page around the app's first screen", () => {
  const fixture = new FixtureApp();
  let browser: Browser;

  beforeAll(async () => {
    execFileSync("node", [path.join(ROOT, "runtime/build.mjs"), "--quiet"], { stdio: "inherit" });
    await fixture.start();
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fixture.stop();
  });

  /** A fresh phone page (the browser prefers light) on revision 1. */
  async function open(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(`${fixture.origin}/`);
    return page;
  }

  it("applies the config: name as title, favicon, background, and the dark scheme the app asks for", async () => {
    const config = { name: "Scheme tour", userInterfaceStyle: "dark", backgroundColor: "#102030" };
    fixture.build(1, { "index.js": INDEX, "App.js": SCHEME_APP }, "index.js", {
      config,
      favicon: "/m/blob/favicon.png",
    });
    const page = await open();
    await page.getByText("Scheme: dark").waitFor({ state: "visible", timeout: 15_000 });
    expect(await page.title()).toBe("Scheme tour");
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/m/blob/favicon.png");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(16, 32, 48)",
    );
    await page.context().close();
  });

  it("runs an app without userInterfaceStyle light, as Expo does, and 'automatic' as the phone is", async () => {
    fixture.build(1, { "index.js": INDEX, "App.js": SCHEME_APP }, "index.js", { config: { name: "x" } });
    const light = await open();
    await light.getByText("Scheme: light").waitFor({ state: "visible", timeout: 15_000 });
    await light.context().close();

    fixture.build(1, { "index.js": INDEX, "App.js": SCHEME_APP }, "index.js", {
      config: { userInterfaceStyle: "automatic" },
    });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const dark = await context.newPage();
    await dark.goto(`${fixture.origin}/`);
    await dark.getByText("Scheme: dark").waitFor({ state: "visible", timeout: 15_000 });
    await context.close();
  });

  it("loads a font a pre-bundled package carries as a data: URL, under the page's CSP", async () => {
    const font = readFileSync(path.join(ROOT, "examples/sdk-tour/assets/SpaceMono-Regular.ttf")).toString(
      "base64",
    );
    const inline = `import { Text } from 'react-native';
const face = new FontFace('InlineMono', 'url(data:font/ttf;base64,${font})');
document.fonts.add(face);
export default function App() {
  return <Text style={{ fontFamily: 'InlineMono' }}>Inline font</Text>;
}
`;
    fixture.build(1, { "index.js": INDEX, "App.js": inline }, "index.js", {});
    const page = await open();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") violations.push(m.text());
    });
    await page.getByText("Inline font").waitFor({ state: "visible", timeout: 15_000 });
    await page.waitForFunction(() => document.fonts.check("16px InlineMono"), undefined, { timeout: 10_000 });
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it("shows the splash colour until the app draws, then says why when it draws nothing, until it does", async () => {
    fixture.build(1, { "index.js": INDEX, "App.js": WAITING_APP }, "index.js", {
      config: { splash: { backgroundColor: "#ffcc00" } },
    });
    const page = await open();
    const root = page.locator("#root");
    await expect
      .poll(() => root.evaluate((el) => getComputedStyle(el).backgroundColor))
      .toBe("rgb(255, 204, 0)");
    const overlay = page.locator("#hs-overlay");
    await overlay.waitFor({ state: "visible", timeout: 15_000 });
    expect(await overlay.textContent()).toContain("Nothing on screen");
    expect(await overlay.textContent()).toContain("has rendered nothing so far");
    await page.screenshot({ path: path.join(ROOT, "runtime/test/screenshots/nothing-on-screen.png") });

    await page.evaluate(() => (globalThis as unknown as { __ready: () => void }).__ready());
    await page.getByText("Finally ready").waitFor({ state: "visible" });
    await overlay.waitFor({ state: "hidden" });
    expect(await root.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgba(0, 0, 0, 0)");
    await page.context().close();
  }, 30_000);
});
