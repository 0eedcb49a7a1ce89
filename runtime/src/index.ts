// The HiveSync preview runtime's core: one same-origin script (`/runtime/<hash>.js`) that defines
// `__hs` (the module registry the app's module scripts and the SDK's chunks register with) and runs
// an app's module graph with its bar and error overlay. React, react-native-web and the Expo
// packages come from the SDK's chunks, which the manifest names. docs/previews.md is the contract.
// First: react-native-web must find its stylesheet in place when it initialises.
import "./rnw-stylesheet";
// Before any package can add a <style>: the page's CSP would refuse its text.
import "./style-bridge";
import { linkToShell } from "./frame-link";
import { createPage } from "./page";
import { ensureStorage } from "./storage-fallback";
import type { Manifest } from "./types";

const globals = globalThis as Record<string, unknown>;
// What React Native code expects of its environment (Metro and Expo's web build provide the same).
globals.global ??= globalThis;
globals.__DEV__ ??= true;
globals.process ??= {
  env: { NODE_ENV: "development", EXPO_OS: "web" },
  browser: true,
  versions: {},
  nextTick: (fn: (...args: unknown[]) => void, ...args: unknown[]) => queueMicrotask(() => fn(...args)),
};

// Read now: currentScript is only set while this script first runs.
const script = document.currentScript as HTMLScriptElement | null;
const config = script?.dataset ?? {};
// In a preview's frame (`data-shell-origins`: the API origins allowed to embed it), the shell has
// the bar and sends the manifests; on its own (the runtime's tests) the page has the bar too.
const shellOrigins = config.shellOrigins?.split(" ").filter(Boolean);
let shell: ReturnType<typeof linkToShell> | undefined;
const page = createPage(script?.src ? new URL(script.src).pathname : undefined, {
  embedded: shellOrigins !== undefined,
  onRuntimeError: (error) =>
    shell?.post({
      type: "runtime_error",
      message: error.message,
      ...(error.where ? { where: error.where } : {}),
    }),
  onDrawn: () => shell?.post({ type: "rendered" }),
});
if (shellOrigins) {
  // Before any app code: a third-party frame may be refused its storage.
  const replaced = ensureStorage();
  if (replaced.length)
    console.info(
      `HiveSync: this browser keeps the preview's ${replaced.join(" and ")} in memory until the page reloads`,
    );
  shell = linkToShell(page, shellOrigins);
}

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
  /** Settles when the boot from `data-manifest` (if any) has run. */
  ready: boot(),
};
// The page has nothing else to show: the overlay says why.
hs.ready.catch((error: unknown) => page.failLoad(error));
globals.__hs = hs;
