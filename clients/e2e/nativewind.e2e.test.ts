// NativeWind in a phone's browser (issue 18): examples/nativewind-tour, set up as NativeWind's docs
// say, with its two packages installed from the registry (the rest — expo, react-native — is the
// preview runtime's), pushed as `hivesync push` does: the desktop compiles global.css with the
// app's own Tailwind and pre-bundles nativewind/jsx-runtime; className styles the app.
import { rm } from "node:fs/promises";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HiveSyncClient, startPreview, syncFolder, watchPreview } from "../desktop/src";
import { syncDependencies } from "../desktop/src/dependencies";
import { exampleWithPackages } from "./examples";
import { appOf, phonePage } from "./phone";

let dir = "";
let browser: Browser | undefined;

beforeAll(async () => {
  // Only what the runtime does not provide: NativeWind and the Tailwind that compiles its CSS.
  dir = await exampleWithPackages("nativewind-tour", ["nativewind@4.2.7", "tailwindcss@3.4.9"]);
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("NativeWind in a phone's browser (examples/nativewind-tour)", () => {
  it("className styles React Native components with the app's Tailwind theme", async () => {
    const desktop = new HiveSyncClient({ baseUrl: inject("apiUrl") });
    const name = `wind${Date.now().toString(36)}`;
    await desktop.auth.register({
      email: `${name}@example.com`,
      username: name,
      password: "a long enough password",
    });
    const project = await desktop.projects.create({ name: "nativewind-tour", framework: "expo" });
    const dependencies = await syncDependencies(desktop, project.id, dir);
    expect(dependencies).toMatchObject({ status: "recorded", failed: [], notInstalled: [] });
    const synced = await syncFolder(desktop, project.id, dir);
    expect(synced.excluded).toEqual([]);
    const started = await startPreview(desktop, project.id, { platform: "ios" });
    expect(await watchPreview(desktop, started.session_id, { until: "ready" })).toMatchObject({
      status: "ready",
    });

    const { context, page, problems } = await phonePage(browser!);
    await page.goto(started.link_url);
    const title = appOf(page).getByText("Styled by NativeWind");
    await title.waitFor({ state: "visible", timeout: 30_000 });
    const style = (locator: typeof title) =>
      locator.evaluate((el) => {
        const s = getComputedStyle(el);
        return { color: s.color, size: s.fontSize, weight: s.fontWeight, background: s.backgroundColor };
      });
    // text-2xl font-bold text-white, on the theme's own `bg-tour` that fills the screen.
    expect(await style(title)).toMatchObject({ color: "rgb(255, 255, 255)", size: "24px", weight: "700" });
    const screen = await title.evaluate((el) => {
      const parent = el.parentElement as HTMLElement;
      const box = parent.getBoundingClientRect();
      return { background: getComputedStyle(parent).backgroundColor, height: box.height };
    });
    expect(screen.background).toBe("rgb(12, 34, 56)");
    expect(screen.height).toBeGreaterThan(700);
    // bg-amber-400 rounded-full px-4: Tailwind's default palette and spacing.
    const pill = appOf(page).getByTestId("pill");
    expect(await pill.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(251, 191, 36)");
    expect(await pill.evaluate((el) => getComputedStyle(el).paddingLeft)).toBe("16px");
    await page.screenshot({ path: "/tmp/nativewind-tour.png" });
    expect(problems).toEqual([]);
    await context.close();
  });
});
