import { type AppRegistryLike, hookAppRegistry } from "./app-registry";
import { applyAppearance, splashColor } from "./appearance";
import { Bar, type BarInfo } from "./bar";
import { trackFetches, watchForBlank } from "./blank-watch";
import { boundaryWrapper, type ReactLike } from "./boundary";
import { loadChunks, loadMissing } from "./loader";
import { buildFailed, Overlay, type OverlayError } from "./overlay";
import { Registry } from "./registry";
import { type Frame, mapLocation, mapStack, primaryFrame } from "./stack";
import { adoptStyleSheet, applyStyles } from "./styles";
import type { AppSection, ChunkTable, Factory, Manifest, SdkSection } from "./types";

/** What one `load`/`update` did. */
export interface ApplyResult {
  ok: boolean;
  /** Why it did not run: a build error in the manifest, a script that failed to load, or a module that threw. */
  failed?: "build" | "load" | "module";
  /** True when a newer manifest arrived before this one's turn (it was not applied). */
  skipped?: boolean;
  /** Keys whose scripts were fetched. */
  fetched: string[];
  /** Module ids that executed (the rest kept their instances). */
  ran: string[];
  /** Milliseconds from the call to the app's new tree being handed to React. */
  ms: number;
}

const MAX_ERRORS = 5;
/** How long an app may show nothing after it first ran before the page says so. */
const BLANK_AFTER_MS = 10_000;
const RELOAD_KEY = "hivesync:runtime-reload";

/** How the page runs: on its own with the bar, or embedded in a shell that has the bar. */
export interface PageOptions {
  /** In a preview's frame: no bar (the shell has it), and the app takes the whole frame. */
  embedded?: boolean;
  /** Told of every error the app throws, as the overlay shows it. */
  onRuntimeError?: (error: OverlayError) => void;
  /** Told when the app first draws. */
  onDrawn?: () => void;
}

/**
 * Creates the page runtime: the module registry with the runtime set, the bar, the overlay, and
 * `load`/`update` which run a manifest's module graph into #root. `ownUrl` is the path this
 * runtime was loaded from (`/runtime/<hash>.js`), to notice a manifest built for another one.
 */
export function createPage(ownUrl?: string, options: PageOptions = {}) {
  const registry = new Registry();
  trackFetches();

  const idOfKey = new Map<string, string>();
  const domReady = new Promise<void>((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
  });
  let ui: { bar?: Bar; overlay: Overlay } | undefined;
  const pendingBar: BarInfo = {};
  const reported = new WeakSet<object>();

  /** The bar and overlay, created once the body exists. */
  function page() {
    if (!ui) {
      applyStyles();
      if (options.embedded) document.documentElement.classList.add("hs-embedded");
      if (!document.getElementById("root"))
        document.body.prepend(Object.assign(document.createElement("div"), { id: "root" }));
      ui = { overlay: new Overlay(document.body) };
      if (!options.embedded) {
        ui.bar = new Bar(document.body);
        ui.bar.set(pendingBar);
      }
    }
    return ui;
  }

  function setBar(info: BarInfo): void {
    if (ui) ui.bar?.set(info);
    else Object.assign(pendingBar, info);
  }

  const lookup = (key: string) => idOfKey.get(key);

  /** Shows an error the running app threw (or React caught), its stack mapped to the user's files. */
  function reportRuntimeError(error: unknown, componentStack?: string): void {
    if (!document.body) {
      void domReady.then(() => reportRuntimeError(error, componentStack));
      return;
    }
    if (typeof error === "object" && error !== null) {
      if (reported.has(error)) return;
      reported.add(error);
    }
    const shown: OverlayError = describe(error, lookup, componentStack);
    options.onRuntimeError?.(shown);
    const { overlay } = page();
    const previous = overlay.content?.kind === "runtime" ? overlay.content.errors : [];
    const same = previous.some((e) => e.where === shown.where && e.message === shown.message);
    if (!same) overlay.show({ kind: "runtime", errors: [...previous, shown].slice(0, MAX_ERRORS) });
  }

  /** Shows that the manifest or a module script could not be downloaded. */
  function reportLoadError(error: unknown): void {
    page().overlay.show({
      kind: "load",
      errors: [{ message: error instanceof Error ? error.message : String(error) }],
    });
  }

  /**
   * The SDK the page runs (one per page: its React and react-native-web), hooked on first use:
   * react-native-web's AppRegistry and every other one an app mounts through (expo's web
   * registerRootComponent has its own, backed by react-dom/client).
   */
  let sdk:
    | {
        version: string;
        appRegistry: AppRegistryLike;
        hooks: Map<string, ReturnType<typeof hookAppRegistry>>;
      }
    | undefined;
  let wrap: ReturnType<typeof boundaryWrapper> | undefined;

  function hookSdk(section: SdkSection) {
    if (!sdk) {
      const react = registry.requireRuntime(section.react) as ReactLike;
      const reactNative = registry.requireRuntime(section.reactNative) as { AppRegistry: AppRegistryLike };
      wrap = boundaryWrapper(react, reportRuntimeError);
      sdk = {
        version: section.version,
        appRegistry: reactNative.AppRegistry,
        hooks: new Map([[section.reactNative, hookAppRegistry(reactNative.AppRegistry, wrap)]]),
      };
    }
    for (const id of section.appRegistries ?? []) {
      if (sdk.hooks.has(id) || !wrap) continue;
      const exports = registry.requireRuntime(id) as { default?: AppRegistryLike } & AppRegistryLike;
      sdk.hooks.set(id, hookAppRegistry(exports.default ?? exports, wrap));
    }
    const all = [...sdk.hooks.values()];
    return {
      beginRun: () => {
        for (const h of all) h.beginRun();
      },
      get mounted() {
        return all.some((h) => h.mounted);
      },
      get registered() {
        return all.flatMap((h) => h.registered);
      },
    };
  }

  window.addEventListener("error", (event) => {
    if (event.error !== undefined && event.error !== null) return reportRuntimeError(event.error);
    // A syntax error in a module script comes with its location but no error object.
    const frame = mapLocation(event.filename ?? "", event.lineno ?? 0, event.colno ?? 0, lookup);
    if (!frame.user) return;
    reportRuntimeError({ name: "SyntaxError", message: event.message, stack: "", frames: [frame] });
  });
  window.addEventListener("unhandledrejection", (event) => reportRuntimeError(event.reason));

  let latest: unknown;
  let queue: Promise<unknown> = Promise.resolve();

  async function apply(manifest: Manifest): Promise<ApplyResult> {
    const started = performance.now();
    const app = appSection(manifest);
    await domReady;
    const { overlay } = page();
    const result = (
      failed: ApplyResult["failed"],
      fetched: string[] = [],
      ran: string[] = [],
    ): ApplyResult => ({
      ok: failed === undefined,
      ...(failed ? { failed } : {}),
      fetched,
      ran,
      ms: performance.now() - started,
    });

    if (app.errors?.length) {
      overlay.show(buildFailed(app.errors));
      return result("build");
    }

    // A manifest built for another runtime (a deploy changed the set): only a reload can swap
    // the runtime itself. Once per runtime URL, so a page that keeps naming the old one cannot loop.
    if (app.runtime && ownUrl && app.runtime !== ownUrl) {
      if (readReloadMark() !== app.runtime) {
        writeReloadMark(app.runtime);
        window.location.reload();
      } else reportLoadError(new Error(`This page runs ${ownUrl}; the preview needs ${app.runtime}`));
      return result("load");
    }

    // A project that moved to another Expo SDK needs that SDK's React: only a reload swaps it.
    if (app.sdk && sdk && app.sdk.version !== sdk.version) {
      if (readReloadMark() !== `sdk:${app.sdk.version}`) {
        writeReloadMark(`sdk:${app.sdk.version}`);
        window.location.reload();
      } else
        reportLoadError(
          new Error(`This page runs Expo SDK ${sdk.version}; the preview needs SDK ${app.sdk.version}`),
        );
      return result("load");
    }

    // The splash screen's colour while the app loads, as a device shows it (until it draws).
    const splash = splashColor(app.config);
    const root = document.getElementById("root");
    if (splash && root && !watchingBlank) root.style.backgroundColor = splash;

    let fetched: string[];
    try {
      const chunks = app.sdk ? await loadChunks(app.sdk.chunks) : [];
      fetched = [...chunks, ...(await loadMissing(registry, Object.values(app.modules ?? {})))];
    } catch (error) {
      // The previous version keeps running: nothing of the new one has run yet.
      reportLoadError(error);
      return result("load");
    }
    // Keys are content, so a key names the same code in every graph: keep the older ones too, for
    // errors the previous version may still throw.
    for (const [id, record] of Object.entries(app.modules ?? {})) idOfKey.set(record.key, id);
    overlay.clear();
    // What babel-preset-expo inlines for expo-constants: read once, when expo-constants first runs
    // (a changed app.json shows after a reload, as on a device).
    const env = (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env;
    if (env && app.config && env.APP_MANIFEST === undefined) env.APP_MANIFEST = app.config;
    // What Expo inlines from .env: modules that run (again) read the current values.
    if (env && app.env) Object.assign(env, app.env);
    applyAppearance(app.config, app.favicon);
    let hooks: ReturnType<typeof hookSdk>;
    try {
      if (!app.sdk)
        throw new Error("This preview was built without an Expo SDK: rebuild it with a current HiveSync");
      hooks = hookSdk(app.sdk);
    } catch (error) {
      reportRuntimeError(error);
      return result("module", fetched);
    }
    hooks.beginRun();
    try {
      const run = registry.run(app);
      // Nothing ran: the same graph again, already mounted — keep its state.
      if (!hooks.mounted && run.ran.length > 0) mountExports(run.exports, hooks.registered);
      setBar({ project: manifest.project?.name, revision: manifest.revision });
      if (!watchingBlank) watchFirstScreen();
      return result(undefined, fetched, run.ran);
    } catch (error) {
      reportRuntimeError(error);
      return result("module", fetched);
    }
  }

  let watchingBlank = false;
  /**
   * From the app's first run until it draws: then the splash screen's colour goes, and if it draws
   * nothing for a while, the overlay says what it may be waiting for.
   */
  function watchFirstScreen(): void {
    const root = document.getElementById("root");
    if (!root) return;
    watchingBlank = true;
    watchForBlank(root, {
      afterMs: BLANK_AFTER_MS,
      onBlank: (reasons) => {
        if (!ui?.overlay.content)
          ui?.overlay.show({ kind: "blank", errors: reasons.map((message) => ({ message })) });
      },
      onDrawn: () => {
        options.onDrawn?.();
        root.style.backgroundColor = "";
        if (ui?.overlay.content?.kind === "blank") ui.overlay.clear();
      },
    });
  }

  /**
   * An entry that mounts nothing: run what it registered with AppRegistry (React Native's
   * index.js), or mount the component it exports (Expo's legacy AppEntry, where the entry is the
   * project's App).
   */
  function mountExports(exports: unknown, registered: readonly string[]): void {
    if (!sdk) return;
    const { appRegistry } = sdk;
    const rootTag = document.getElementById("root");
    const [first] = registered;
    if (first !== undefined) {
      appRegistry.runApplication(registered.includes("main") ? "main" : first, { rootTag });
      return;
    }
    const component = (exports as { default?: unknown } | undefined)?.default ?? exports;
    if (typeof component !== "function")
      throw new Error("The app's entry neither registered a root component nor exports one");
    appRegistry.registerComponent("main", () => component as never);
    appRegistry.runApplication("main", { rootTag });
  }

  /** Applies manifests in order; one superseded before its turn is skipped (only the newest matters). */
  function enqueue(manifest: Manifest): Promise<ApplyResult> {
    latest = manifest;
    const next = queue.then(() =>
      latest === manifest ? apply(manifest) : { ok: true, skipped: true, fetched: [], ran: [], ms: 0 },
    );
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    /** Registers a module script's factory: what every `/m/<key>.js` calls. */
    f: (key: string, factory: Factory) => registry.define(key, factory),
    /** Registers an SDK chunk: what every `/runtime/c/<hash>.js` calls. */
    c: (table: ChunkTable, factories: Record<string, Factory>) => registry.defineChunk(table, factories),
    /** Adds a stylesheet (a CSS file the app or a package imports) to the document. */
    css: (text: string) => adoptStyleSheet(text),
    /** Adds (or replaces) a runtime-set module. */
    provide: (name: string, exports: unknown) => registry.provide(name, exports),
    /** The runtime set's module names. */
    modules: () => registry.providedNames(),
    /** Loads the manifest's missing scripts and runs the app into #root. */
    load: enqueue,
    /** Loads only the scripts whose keys are new, re-runs what changed and re-mounts in place. */
    update: enqueue,
    /** Sets the bar's project, revision, deep link or live state. */
    bar: setBar,
    /** Shows a failed download (of the manifest, say) in the overlay. */
    failLoad: (error: unknown) => domReady.then(() => reportLoadError(error)),
  };
}

/**
 * The reload mark lives in `window.name`, which a reload of the same window or frame keeps whatever
 * the browser allows of storage: a frame refused third-party storage has an in-memory
 * sessionStorage (storage-fallback.ts) that a reload forgets, which would let it reload forever.
 */
function readReloadMark(): string | null {
  return window.name.startsWith(RELOAD_KEY) ? window.name.slice(RELOAD_KEY.length + 1) : null;
}

function writeReloadMark(value: string): void {
  window.name = `${RELOAD_KEY}:${value}`;
}

function appSection(manifest: Manifest): AppSection {
  const app = manifest && typeof manifest === "object" ? manifest.app : undefined;
  if (!app || typeof app !== "object") throw new TypeError("The manifest has no app section");
  return app;
}

/** An error as the overlay shows it: headline location from the first frame in the user's files. */
function describe(
  error: unknown,
  lookup: (key: string) => string | undefined,
  componentStack?: string,
): OverlayError {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    name?: string;
    message?: string;
    stack?: string;
    frames?: Frame[];
  };
  const message =
    typeof error === "object" && error !== null
      ? `${e.name ?? "Error"}: ${e.message ?? String(error)}`
      : `Uncaught ${typeof error === "string" ? JSON.stringify(error) : String(error)}`;
  const frames = e.frames ?? mapStack(typeof e.stack === "string" ? e.stack : "", lookup);
  // React's component stack names the component being rendered when the error's own stack has no
  // user frame (a throw inside a library the component called, say).
  const where = primaryFrame(frames) ?? primaryFrame(mapStack(componentStack ?? "", lookup));
  return {
    where: where ? `${where.file}:${where.line}:${where.column}` : undefined,
    message,
    frames,
  };
}
