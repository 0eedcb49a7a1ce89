// The small typed message set between a preview's shell (the page on the API's origin, with the
// bar and the build-error overlay) and its frame (the app, on the session's preview origin). Both
// sides check the other's exact origin and window before reading a message (docs/previews.md §7).
import type { Manifest } from "./types";

/** Marks our messages among whatever else an app posts to its parent. */
export const CHANNEL = "hivesync-preview";

/** What one manifest did in the frame: the page's `ApplyResult`, without anything the app could fake usefully. */
export interface AppliedResult {
  ok: boolean;
  failed?: "build" | "load" | "module";
  skipped?: boolean;
  fetched: string[];
  ran: string[];
  ms: number;
}

/** Shell → frame. */
export type ShellMessage =
  /** Run this manifest (the first one loads the app; later ones update it in place). */
  | { channel: typeof CHANNEL; type: "apply"; id: number; manifest: Manifest }
  /** The shell listens now (the frame may have started first): the frame answers `ready`. */
  | { channel: typeof CHANNEL; type: "hello" };

/** Frame → shell. */
export type FrameMessage =
  /** The runtime runs and listens. */
  | { channel: typeof CHANNEL; type: "ready" }
  /** Manifest `id` was applied (or failed to). */
  | { channel: typeof CHANNEL; type: "applied"; id: number; result: AppliedResult }
  /** The app threw (the frame shows it too). */
  | { channel: typeof CHANNEL; type: "runtime_error"; message: string; where?: string }
  /** The app drew its first screen. */
  | { channel: typeof CHANNEL; type: "rendered" }
  /** The app navigated: its path, query and hash (so a reload of the shell opens it there). */
  | { channel: typeof CHANNEL; type: "location"; path: string };

const isRecord = (data: unknown): data is Record<string, unknown> =>
  typeof data === "object" && data !== null && !Array.isArray(data);

/** A message from the shell, or null for anything else. */
export function readShellMessage(data: unknown): ShellMessage | null {
  if (!isRecord(data) || data.channel !== CHANNEL) return null;
  if (data.type === "hello") return { channel: CHANNEL, type: "hello" };
  if (data.type === "apply" && typeof data.id === "number" && isRecord(data.manifest))
    return { channel: CHANNEL, type: "apply", id: data.id, manifest: data.manifest as unknown as Manifest };
  return null;
}

const MAX_TEXT = 2000;
const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value.slice(0, MAX_TEXT) : undefined;

/** A message from the frame, or null. Strings are cut to a bounded length: the app sends them. */
export function readFrameMessage(data: unknown): FrameMessage | null {
  if (!isRecord(data) || data.channel !== CHANNEL) return null;
  switch (data.type) {
    case "ready":
    case "rendered":
      return { channel: CHANNEL, type: data.type };
    case "applied": {
      const result = isRecord(data.result) ? data.result : null;
      if (typeof data.id !== "number" || !result || typeof result.ok !== "boolean") return null;
      const strings = (list: unknown) =>
        Array.isArray(list) ? list.filter((s): s is string => typeof s === "string") : [];
      const failed = result.failed;
      return {
        channel: CHANNEL,
        type: "applied",
        id: data.id,
        result: {
          ok: result.ok,
          ...(failed === "build" || failed === "load" || failed === "module" ? { failed } : {}),
          ...(result.skipped === true ? { skipped: true } : {}),
          fetched: strings(result.fetched),
          ran: strings(result.ran),
          ms: typeof result.ms === "number" ? result.ms : 0,
        },
      };
    }
    case "runtime_error": {
      const message = text(data.message);
      if (message === undefined) return null;
      const where = text(data.where);
      return { channel: CHANNEL, type: "runtime_error", message, ...(where ? { where } : {}) };
    }
    case "location": {
      const path = text(data.path);
      // A path on the app's own origin, nothing that could name another host ("//evil").
      if (path === undefined || !path.startsWith("/") || path.startsWith("//")) return null;
      return { channel: CHANNEL, type: "location", path };
    }
    default:
      return null;
  }
}
