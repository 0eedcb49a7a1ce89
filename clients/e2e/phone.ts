// A phone's browser for the e2e tests: Debian's Chromium at a phone's viewport, recording every
// problem a person would never see but a developer must (console errors, CSP violations, failed
// requests), and a way to tell that a glyph was actually drawn.
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { expect } from "vitest";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** A phone's page that records every console error (CSP violations are), uncaught error and failed request. */
export async function phonePage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${new URL(res.url()).pathname}`);
  });
  return { context, page, problems };
}

/**
 * The app of an open preview page: the frame `#hs-app` on the session's own preview origin (the page
 * itself is the shell with the bar). The same Frame stays valid when the app's frame reloads.
 */
export async function appFrame(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector("iframe#hs-app", { timeout: 30_000 })).contentFrame();
  if (!frame) throw new Error("the preview page has no app frame");
  return frame;
}

/** Locators inside the app's frame of an open preview page (`getByText`, `getByTestId`, …). */
export const appOf = (page: Page) => page.frameLocator("iframe#hs-app");

/** A screenshot of the first element drawn in `fontFamily` (an icon glyph), as PNG bytes. */
export async function iconShot(page: Page, fontFamily: string): Promise<Buffer> {
  // The app's frame fills the page from its top-left corner: its coordinates are the page's.
  const box = await (await appFrame(page)).evaluate((family) => {
    const el = [...document.querySelectorAll("#root *")].find(
      (e) => getComputedStyle(e).fontFamily.includes(family) && (e.textContent ?? "") !== "",
    );
    const r = el?.getBoundingClientRect();
    return r ? { x: r.x, y: r.y, width: Math.max(1, r.width), height: Math.max(1, r.height) } : null;
  }, fontFamily);
  expect(box, `an element drawn in ${fontFamily}`).not.toBeNull();
  return page.screenshot({ clip: box! });
}

/** How many pixels of a PNG are not near-white: the browser itself decodes it, on a blank page. */
export async function inkOf(page: Page, png: Buffer): Promise<number> {
  const blank = await page.context().newPage();
  const ink = await blank.evaluate(
    async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d")!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4)
        if ((data[i]! + data[i + 1]! + data[i + 2]!) / 3 < 200) count++;
      return count;
    },
    `data:image/png;base64,${png.toString("base64")}`,
  );
  await blank.close();
  return ink;
}
