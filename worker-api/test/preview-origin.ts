import { SELF } from "cloudflare:test";
import { sessionLabel } from "../src/preview-origin/origins";

/** A session's preview origin in the tests: the local default (no PREVIEW_ORIGIN_TEMPLATE). */
export function previewOriginOf(sessionId: string): string {
  return `https://${sessionLabel(sessionId)}.preview.localhost`;
}

/** A GET to a session's preview origin, as its frame makes them. */
export function callPreview(sessionId: string, path: string, headers: Record<string, string> = {}) {
  return SELF.fetch(`${previewOriginOf(sessionId)}${path}`, {
    headers: { "cf-connecting-ip": "203.0.113.9", ...headers },
  });
}
