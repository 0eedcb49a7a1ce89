// A page whose app ran but drew nothing must say why, not leave a blank screen or a spinner
// forever: after a while with nothing on screen, what the app is still waiting for.

/** Whether `root` shows anything: text, media, or a coloured box. */
export function hasDrawn(root: HTMLElement): boolean {
  if ((root.innerText ?? root.textContent ?? "").trim() !== "") return true;
  if (root.querySelector("img, svg, canvas, video, iframe, picture")) return true;
  for (const el of root.querySelectorAll<HTMLElement>("*")) {
    const style = getComputedStyle(el);
    if (style.backgroundImage !== "none") return true;
    const color = style.backgroundColor;
    const clear = !color || color === "transparent" || /^rgba\(.*,\s*0\)$/.test(color);
    // White is every app's default page: a white box alone is still a blank screen.
    if (!clear && color !== "rgb(255, 255, 255)" && el.getBoundingClientRect().width > 0) return true;
  }
  return false;
}

/** Requests the app started that have not finished: what a loading screen is usually waiting on. */
const inFlight = new Map<number, string>();
let nextRequest = 0;

/** Counts the page's fetches (once), so a blank screen can name the ones still open. */
export function trackFetches(): void {
  const original = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const id = nextRequest++;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    inFlight.set(id, url);
    return original(input, init).finally(() => inFlight.delete(id));
  };
}

/** What the app may be waiting for: fonts that failed or still load, requests still open. */
export function blankReasons(): string[] {
  const reasons: string[] = [];
  for (const font of document.fonts) {
    if (font.status === "error")
      reasons.push(`The font "${font.family}" failed to load (useFonts never resolves).`);
    else if (font.status === "loading") reasons.push(`The font "${font.family}" is still loading.`);
  }
  const own = [...inFlight.values()].filter(
    (url) => !new URL(url, location.href).pathname.startsWith("/runtime/"),
  );
  for (const url of own.slice(0, 3)) reasons.push(`A request has not finished: ${url}`);
  reasons.push(
    "The app's root component has rendered nothing so far. An app that waits for fonts, data or a splash screen before its first screen shows nothing until then.",
  );
  return reasons;
}

/**
 * Watches `root` from when the app first ran: calls `onDrawn` once it shows something, and
 * `onBlank` if it still shows nothing after `afterMs` (then `onDrawn` when it finally does).
 */
export function watchForBlank(
  root: HTMLElement,
  {
    afterMs,
    onBlank,
    onDrawn,
  }: { afterMs: number; onBlank: (reasons: string[]) => void; onDrawn: () => void },
): void {
  const started = Date.now();
  let reported = false;
  const tick = () => {
    if (hasDrawn(root)) return onDrawn();
    if (!reported && Date.now() - started >= afterMs) {
      reported = true;
      onBlank(blankReasons());
    }
    setTimeout(tick, 250);
  };
  setTimeout(tick, 50);
}
