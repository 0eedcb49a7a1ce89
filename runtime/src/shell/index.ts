// The preview's shell (`/shell/<hash>.js` on the API's origin, docs/previews.md §7): the page a
// preview's QR code opens. It has the HiveSync bar, the build-error overlay and the session's live
// channel (with the page's preview token, which never leaves this origin), and runs the app in an
// iframe on the session's own preview origin, sending it each revision's manifest by postMessage.
import { applyTitleAndIcon } from "../appearance";
import { Bar } from "../bar";
import type { FrameMessage } from "../frame-messages";
import { buildFailed, Overlay } from "../overlay";
import { applyStyles } from "../styles";
import type { Manifest } from "../types";
import { AppFrame } from "./frame";
import { fetchManifest, followSession } from "./live";

const MAX_REPORTED_ERRORS = 20;

// Read now: currentScript is only set while this script first runs.
const me = document.currentScript as HTMLScriptElement | null;
const { session, token, project, deepLink, base } = me?.dataset ?? {};

if (session && token) {
  // The manifest is on its way while the page and the frame start.
  const early = fetchManifest(session, token);
  early.catch(() => undefined);
  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", () => start(session, token, early), { once: true });
  else start(session, token, early);
}

function start(session: string, token: string, early: Promise<Manifest>) {
  const element = document.getElementById("hs-app");
  if (!(element instanceof HTMLIFrameElement)) return;
  applyStyles();
  const bar = new Bar(document.body);
  bar.set({ project, deepLink });
  const overlay = new Overlay(document.body);
  const onMessage = (message: FrameMessage) => {
    if (message.type === "runtime_error") {
      if (live.errors.length < MAX_REPORTED_ERRORS)
        live.errors.push({ message: message.message, ...(message.where ? { where: message.where } : {}) });
    } else if (message.type === "rendered") live.rendered = true;
    else if (message.type === "location" && base)
      history.replaceState(null, "", shellPath(base, message.path));
  };
  const frame = new AppFrame(element, { onMessage });
  frame.started().catch((error: unknown) => showLoadError(overlay, error, unreachableHint(element.src)));

  // Messages arrive from the next task on, when `live` is set.
  const live = followSession(
    {
      session,
      token,
      apply: (manifest) => frame.apply(manifest),
      showBuildErrors: (errors) => overlay.show(buildFailed(errors)),
      onApplied: (manifest, result) => {
        bar.set({ project: manifest.project?.name, revision: manifest.revision });
        if (result.ok && overlay.content?.kind !== "runtime") overlay.clear();
        // The app's name in the tab; the icon stays HiveSync's (the app's assets are its origin's
        // alone: same-origin resource policy).
        applyTitleAndIcon(manifest.app?.config);
      },
      onLoadError: (error) => showLoadError(overlay, error),
      setState: (state) => bar.set({ state }),
    },
    early,
  );
  (window as unknown as { __hsLive: unknown }).__hsLive = live;
}

function showLoadError(overlay: Overlay, error: unknown, hint?: string): void {
  const message = error instanceof Error ? error.message : String(error);
  overlay.show({ kind: "load", errors: [{ message: hint ? `${message}. ${hint}` : message }] });
}

/**
 * Why a frame on a `*.localhost` preview origin may not start: only the machine running the stack
 * resolves those names, so a phone that opened the shell over the LAN cannot reach them.
 */
function unreachableHint(frameUrl: string): string | undefined {
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);
  if (local || !new URL(frameUrl).hostname.endsWith(".localhost")) return undefined;
  return "Only the computer running HiveSync resolves *.localhost names: to preview on another device, set PREVIEW_ORIGIN_TEMPLATE to a wildcard name it can reach (docs/configuration.md)";
}

/** The link's key (`?hs=`): the shell's, kept in its URL so a reload still opens without a guess. */
const LINK_KEY = new URLSearchParams(location.search).get("hs");

/** The shell's URL for the app's `path` (its own path, query and hash) below `base` (`/p/<code>`). */
function shellPath(base: string, path: string): string {
  const url = new URL(base + (path === "/" ? "" : path), location.origin);
  if (LINK_KEY) url.searchParams.set("hs", LINK_KEY);
  return url.pathname + url.search + url.hash;
}
