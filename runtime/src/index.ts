// The HiveSync preview runtime: one same-origin script (`/runtime/<hash>.js`) that defines `__hs`
// (the module registry the app's module scripts register with), provides the runtime set, and
// runs an app's module graph with its bar and error overlay. docs/previews.md is the contract.
import { createPage } from "./page";
import type { Manifest } from "./types";

declare const __HS_PACKAGES__: Record<string, string>;

const globals = globalThis as Record<string, unknown>;
// What React Native code expects of its environment (Metro and Expo's web build provide the same).
globals.global ??= globalThis;
globals.__DEV__ ??= true;
globals.process ??= {
  env: { NODE_ENV: "development" },
  browser: true,
  versions: {},
  nextTick: (fn: (...args: unknown[]) => void, ...args: unknown[]) => queueMicrotask(() => fn(...args)),
};

// Read now: currentScript is only set while this script first runs.
const script = document.currentScript as HTMLScriptElement | null;
const config = script?.dataset ?? {};
const page = createPage(script?.src ? new URL(script.src).pathname : undefined);

/**
 * Boots from the script tag's data attributes: `data-manifest` (the manifest URL, fetched
 * same-origin), `data-project` and `data-deep-link` for the bar before the manifest arrives.
 */
async function boot(): Promise<unknown> {
  page.bar({ project: config.project, deepLink: config.deepLink });
  if (!config.manifest) return undefined;
  const res = await fetch(config.manifest, { credentials: "same-origin", cache: "no-store" });
  if (!res.ok) throw new Error(`Could not load the preview's manifest (HTTP ${res.status})`);
  return page.load((await res.json()) as Manifest);
}

const hs = {
  ...page,
  /** The pinned versions the runtime set was built from. */
  packages: __HS_PACKAGES__,
  /** Settles when the boot from `data-manifest` (if any) has run. */
  ready: boot(),
};
// The page has nothing else to show: the overlay says why.
hs.ready.catch((error: unknown) => page.failLoad(error));
globals.__hs = hs;
