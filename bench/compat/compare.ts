// Whether two first screens are the same to a person: the preview must show the text Expo's web
// export shows (most of it: a clock or a random id may differ), or, for an app that draws without
// text (a canvas, an image), draw a comparable share of the screen; and HiveSync's overlay is down.

export type ScreenSummary = { lines: string[]; drawn: number; overlay?: string; overlayKind?: string };

/** Below this share of drawn pixels a screen is blank (one flat colour, a stray hairline). */
export const BLANK_BELOW = 0.002;
/** The share of Expo's lines the preview must show. */
export const SAME_TEXT_SHARE = 0.9;

/**
 * Whether a screen shows the app: some text, or more than a hairline drawn, and no overlay standing
 * in for it. An error the running app threw (`runtime`) is shown beside the app, not instead of it.
 */
export function rendered(screen: ScreenSummary): boolean {
  const blocking = screen.overlay !== undefined && screen.overlayKind !== "runtime";
  return !blocking && (screen.lines.length > 0 || screen.drawn >= BLANK_BELOW);
}

/** The share of `expected` lines that `actual` shows (each line counted as often as it appears). */
export function textShare(expected: string[], actual: string[]): number {
  if (expected.length === 0) return 1;
  const left = new Map<string, number>();
  for (const line of actual) left.set(line, (left.get(line) ?? 0) + 1);
  let found = 0;
  for (const line of expected) {
    const n = left.get(line) ?? 0;
    if (n > 0) {
      found++;
      left.set(line, n - 1);
    }
  }
  return found / expected.length;
}

/**
 * "same" when the preview renders what Expo renders, "different" when it renders something else,
 * "blank" when it renders nothing (or its overlay is up).
 *
 * @example
 * sameScreen({ lines: ["Hello"], drawn: 0.1 }, { lines: ["Hello"], drawn: 0.1 }); // "same"
 */
export function sameScreen(expo: ScreenSummary, ours: ScreenSummary): "same" | "different" | "blank" {
  if (!rendered(ours)) return "blank";
  if (expo.lines.length > 0)
    return textShare(expo.lines, ours.lines) >= SAME_TEXT_SHARE ? "same" : "different";
  // No text on either side: a drawn screen of about the same weight.
  return ours.lines.length === 0 && ours.drawn >= expo.drawn / 2 ? "same" : "different";
}
