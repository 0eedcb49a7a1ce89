// What a person sees on a phone when a page has settled: the app's visible text, line by line, how
// much of the screen is drawn, whether HiveSync's error overlay is up, and the page's errors.
import type { Browser, Frame, Page } from "playwright-core";

export type Screen = {
  /** The app's visible text (#root's innerText), one entry per non-empty line. */
  lines: string[];
  /** Share of screenshot pixels that differ from the most common colour (0 = one flat colour). */
  drawn: number;
  /** The text of HiveSync's error overlay (`#hs-overlay`) when it is shown. */
  overlay?: string;
  /** What the overlay shows: `build`, `load`, `blank` (no app on screen) or `runtime` (an error the app threw). */
  overlayKind?: string;
  /** Uncaught errors and console errors, in order. */
  errors: string[];
  screenshot: Buffer;
};

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };

/** Reads the app's text until it has not changed for `quietMs` (an app still loading fonts or data). */
async function settledText(page: Frame, { quietMs, timeoutMs }: { quietMs: number; timeoutMs: number }) {
  const read = () =>
    page.evaluate(() => (document.getElementById("root") ?? document.body)?.innerText ?? "").catch(() => "");
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await page.waitForTimeout(250);
    const now = await read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (now !== "" && Date.now() - since >= quietMs) break;
  }
  return last;
}

/** How much of a PNG is drawn: the share of pixels unlike the most common colour, decoded by the browser. */
async function drawnShare(page: Page, png: Buffer): Promise<number> {
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate(
      async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        const counts = new Map<number, number>();
        for (let i = 0; i < data.length; i += 4) {
          const key =
            ((data[i] as number) >> 3) * 1024 +
            ((data[i + 1] as number) >> 3) * 32 +
            ((data[i + 2] as number) >> 3);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const most = Math.max(...counts.values());
        return 1 - most / (data.length / 4);
      },
      `data:image/png;base64,${png.toString("base64")}`,
    );
  } finally {
    await blank.close();
  }
}

/**
 * Opens `url` on a phone-sized page and returns what is on screen once the app's text is stable
 * (or `timeoutMs` has passed).
 *
 * @example
 * const screen = await readScreen(browser, "http://127.0.0.1:4000/");
 * console.log(screen.lines.join("\n"));
 */
export async function readScreen(browser: Browser, url: string, timeoutMs = 20_000): Promise<Screen> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text().slice(0, 300)}`);
  });
  try {
    let refused = false;
    const response = await page.goto(url, { waitUntil: "load", timeout: timeoutMs }).catch((error: Error) => {
      errors.push(`goto: ${error.message.split("\n")[0]}`);
      // An error status with an empty body: Chromium's own error page, no app.
      refused = /ERR_HTTP_RESPONSE_CODE_FAILURE|ERR_CONNECTION_REFUSED/.test(error.message);
      return null;
    });
    // The browser's own error page has text too: a page that is not there shows no app.
    if (response && response.status() >= 400) errors.push(`HTTP ${response.status()}`);
    // A HiveSync preview runs the app in its frame (on the session's own origin); an export is the page.
    const frame = await page
      .locator("iframe#hs-app")
      .elementHandle({ timeout: 2_000 })
      .catch(() => null);
    const app = (await frame?.contentFrame()) ?? page.mainFrame();
    const text = await settledText(app, { quietMs: 2_000, timeoutMs });
    // Animations and image decodes after the last text change.
    await page.waitForTimeout(500);
    // The shell's overlay (a build error) or the frame's (the app threw, drew nothing, did not load).
    const overlayOf = (target: Frame) =>
      target
        .evaluate(() => {
          const el = document.getElementById("hs-overlay");
          return el && el.getBoundingClientRect().height > 0
            ? { text: el.innerText, kind: el.dataset.kind }
            : undefined;
        })
        .catch(() => undefined);
    const overlay = (await overlayOf(page.mainFrame())) ?? (await overlayOf(app));
    const screenshot = await page.screenshot();
    // The app's own area (HiveSync's bar and overlay are outside it), or the page.
    const root = app.locator("#root");
    const appArea = (await root.count()) > 0 ? await root.screenshot().catch(() => screenshot) : screenshot;
    const missing = refused || (!!response && response.status() >= 400);
    return {
      lines: missing
        ? []
        : text
            .split("\n")
            .map((line) => line.replace(/\s+/g, " ").trim())
            .filter(Boolean),
      drawn: missing ? 0 : await drawnShare(page, appArea),
      overlay: overlay?.text,
      overlayKind: overlay?.kind,
      errors,
      screenshot,
    };
  } finally {
    await context.close();
  }
}
