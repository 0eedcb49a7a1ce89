// The preview runtime's packages, one capability each, in a phone's browser (issue 18): the
// examples/sdk-tour app, pushed without node_modules, uses @expo/vector-icons, a custom font with
// useFonts, react-native-svg, a react-native-reanimated animation, a react-navigation native stack,
// a CSS import, app.json through expo-constants and an EXPO_PUBLIC_ variable from its .env (the
// rest of which never leaves the machine); each is checked as a person would see it.
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { appFrame, appOf, iconShot, inkOf, phonePage } from "./phone";

const EXAMPLE = path.resolve(import.meta.dirname, "../../examples/sdk-tour");
let dir = "";
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "hivesync-sdk-tour-"));
  await cp(EXAMPLE, dir, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the SDK's packages in a phone's browser (examples/sdk-tour)", () => {
  it("icons, a custom font, svg, reanimated, a navigation stack, CSS, app.json and .env all work", async () => {
    const desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
    const name = `tour${Date.now().toString(36)}`;
    await desktop.auth.register({
      email: `${name}@example.com`,
      username: name,
      password: "a long enough password",
    });
    const project = await desktop.projects.create({ name: "sdk-tour", framework: "expo" });
    const synced = await syncFolder(desktop, project.id, dir);
    expect(synced.withheld).toEqual([".env"]);
    const started = await startPreview(desktop, project.id, { platform: "ios" });
    expect(await watchPreview(desktop, started.session_id, { until: "ready" })).toMatchObject({
      status: "ready",
    });

    const { context, page, problems } = await phonePage(browser!);
    await page.goto(started.link_url);
    // app.json reaches expo-constants.
    await appOf(page).getByText("Config name: SDK tour").waitFor({ state: "visible", timeout: 30_000 });
    // .env's EXPO_PUBLIC_ variable is process.env's; its secret is nowhere on the page.
    await appOf(page).getByText("Greeting: Hello from .env").waitFor({ state: "visible" });
    expect(
      await (await appFrame(page)).evaluate(() =>
        JSON.stringify((globalThis as { process?: object }).process),
      ),
    ).not.toContain("not-a-real-secret");
    // useFonts loaded the app's own font, and the text is drawn in it.
    const mono = appOf(page).getByText("Monospaced by useFonts");
    await mono.waitFor({ state: "visible" });
    expect(await mono.evaluate((el) => getComputedStyle(el).fontFamily)).toContain("SpaceMono");
    const frame = await appFrame(page);
    await frame.waitForFunction(() => document.fonts.check("16px SpaceMono"));
    // The icon font (Ionicons from @expo/vector-icons) loaded, and the glyph has ink.
    await frame.waitForFunction(() =>
      [...document.fonts].some((f) => f.family.toLowerCase() === "ionicons" && f.status === "loaded"),
    );
    expect(await inkOf(page, await iconShot(page, "ionicons"))).toBeGreaterThan(20);
    // react-native-svg drew its path.
    expect(await appOf(page).locator("svg path").first().getAttribute("d")).toContain("M4 36");
    // The reanimated spinner turns: its transform changes over time.
    const spinner = appOf(page).getByTestId("spinner");
    const first = await spinner.evaluate((el) => getComputedStyle(el).transform);
    await page.waitForTimeout(250);
    const second = await spinner.evaluate((el) => getComputedStyle(el).transform);
    expect(second).not.toBe(first);
    // The CSS file the app imports is a stylesheet of the page.
    expect(
      await frame.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue("--sdk-tour-accent"),
      ),
    ).toBe("rgb(12, 34, 56)");
    // At CSS scale: a device-scale screenshot leaves Chromium routing later taps into the
    // cross-origin app frame at half their coordinates.
    await page.screenshot({ path: "/tmp/sdk-tour.png", scale: "css" });
    // The native stack: a tap opens the details screen.
    await appOf(page).getByText("Open details").click();
    await appOf(page).getByText("The details screen").waitFor({ state: "visible" });
    expect(problems).toEqual([]);
    await context.close();
  });
});
