import { type FSWatcher, watch as fsWatch } from "node:fs";
import { lstat } from "node:fs/promises";
import path from "node:path";
import { EXPO_ENV_FILES, expoPublicEnvChanged } from "./expo-public-env";
import { ALWAYS_IGNORED_DIRECTORIES, IgnoreRules } from "./ignore-rules";
import { walkFolder } from "./walk";

/** How {@link watchFolder} tells a change: by file-system events, or by walking the folder again. */
export type WatchMode = "native" | "poll";

/** How {@link watchFolder} watches. */
export type WatchFolderOptions = {
  /**
   * Called once per burst of changes that a sync would see, with their paths (posix, relative to
   * the folder; "" when the system did not say which). Changes to ignored files, to `.git/` and to
   * `.hivesync/` (where a sync keeps its own state) never call it.
   */
  onChange: (paths: string[]) => void;
  /** Told which mode runs, and why when it is polling. */
  onMode?: (mode: WatchMode, reason?: string) => void;
  signal?: AbortSignal;
  /** Quiet time after the last change before `onChange` (default 150 ms). */
  debounceMs?: number;
  /** A stream of changes that never pauses is still reported this often (default 1 s). */
  maxDelayMs?: number;
  /** `auto` (default): file-system events (`fs.watch`, recursive), polling where they are unavailable. */
  mode?: "auto" | WatchMode;
  /** Polling: time between two walks of the folder (default 500 ms). */
  pollIntervalMs?: number;
  /** More gitignore patterns, as for a sync (`SyncFolderOptions.ignorePatterns`). */
  ignorePatterns?: readonly string[];
  /** `fs.watch` (tests pass one that throws, as an unsupported platform does). */
  watch?: typeof fsWatch;
};

/** A running watch. */
export type FolderWatcher = {
  /** The mode now running (a native watch that fails later turns into polling). */
  readonly mode: WatchMode;
  /** Stops watching; no `onChange` after it. */
  close(): void;
};

/**
 * Watches folder `dir` for changes a sync would mirror and reports each burst once, debounced:
 * the editor that writes a file three times in 20 ms causes one `onChange`. It uses recursive
 * file-system events (`fs.watch`; Linux since Node 19.1, macOS, Windows) and falls back to
 * walking the folder every `pollIntervalMs` where those are unavailable or fail (an inotify limit,
 * say). The ignore rules are the sync's (`.gitignore`, `.hivesyncignore`, the built-in ignores),
 * so a build tool writing into `node_modules/` or the sync's own cache writes into `.hivesync/`
 * never trigger a push.
 *
 * @example
 * const watcher = watchFolder("/home/ada/hello-app", {
 *   onChange: (paths) => console.log("changed:", paths.join(", ")),
 *   signal: controller.signal,
 * });
 * // … later
 * watcher.close();
 */
export function watchFolder(dir: string, options: WatchFolderOptions): FolderWatcher {
  const root = path.resolve(dir);
  const debounceMs = options.debounceMs ?? 150;
  const maxDelayMs = options.maxDelayMs ?? 1_000;
  const pending = new Set<string>();
  let firstPendingAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let mode: WatchMode = "native";
  let native: FSWatcher | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const flush = () => {
    timer = undefined;
    const paths = [...pending];
    pending.clear();
    const filter = mode === "native";
    flushing = flushing.then(async () => {
      const relevant = filter ? await relevantPaths(root, paths, options.ignorePatterns) : paths;
      if (!closed && relevant.length > 0) options.onChange(relevant);
    });
  };
  const changed = (rel: string) => {
    if (closed) return;
    if (pending.size === 0) firstPendingAt = Date.now();
    pending.add(rel);
    clearTimeout(timer);
    const due = Math.min(debounceMs, Math.max(0, firstPendingAt + maxDelayMs - Date.now()));
    timer = setTimeout(flush, due);
  };

  const startPolling = (reason: string) => {
    mode = "poll";
    options.onMode?.("poll", reason);
    let previous: Map<string, string> | undefined;
    let previousEnv: Map<string, string> | undefined;
    const tick = async () => {
      if (closed) return;
      try {
        const { files } = await walkFolder(root, { ignorePatterns: options.ignorePatterns });
        const now = new Map(files.map((f) => [f.path, `${f.size}:${f.mtimeMs}:${f.ctimeMs}:${f.ino}`]));
        const envNow = new Map<string, string>();
        for (const name of EXPO_ENV_FILES) {
          const info = await lstat(path.join(root, name)).catch(() => null);
          if (info) envNow.set(name, `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`);
        }
        if (previous && previousEnv) {
          for (const [p, stamp] of now) if (previous.get(p) !== stamp) changed(p);
          for (const p of previous.keys()) if (!now.has(p)) changed(p);
          const envEdited = EXPO_ENV_FILES.filter((name) => envNow.get(name) !== previousEnv?.get(name));
          if (envEdited.length > 0 && (await expoPublicEnvChanged(root)))
            for (const name of envEdited) changed(name);
        }
        previous = now;
        previousEnv = envNow;
      } catch {
        // The folder is being rewritten (or gone for a moment): look again next time.
      }
      if (!closed) pollTimer = setTimeout(tick, options.pollIntervalMs ?? 500);
    };
    void tick();
  };

  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    clearTimeout(pollTimer);
    native?.close();
    options.signal?.removeEventListener("abort", close);
  };

  if (options.signal?.aborted) closed = true;
  else {
    options.signal?.addEventListener("abort", close, { once: true });
    if (options.mode === "poll") startPolling("asked to poll");
    else {
      try {
        native = (options.watch ?? fsWatch)(root, { recursive: true }, (_event, filename) =>
          changed(filename ? String(filename).split(path.sep).join("/") : ""),
        );
        native.on("error", (error) => {
          native?.close();
          native = undefined;
          if (!closed)
            startPolling(
              `file-system events failed (${(error as NodeJS.ErrnoException).code ?? error.message})`,
            );
        });
        options.onMode?.("native");
      } catch (error) {
        if (options.mode === "native") throw error;
        startPolling(
          `recursive file-system events are unavailable here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
    }
  }

  return {
    get mode() {
      return mode;
    },
    close,
  };
}

/** The paths of `paths` that a sync would mirror (or, for a deleted one, might have). */
async function relevantPaths(
  root: string,
  paths: string[],
  ignorePatterns: readonly string[] | undefined,
): Promise<string[]> {
  const rulesOf = new Map<string, Promise<IgnoreRules>>();
  // The rules that apply inside `dir`, or null when `dir` itself (or a folder above it) is ignored.
  const rulesIn = (dir: string): Promise<IgnoreRules | null> => {
    if (dir === "") {
      let rules = rulesOf.get("");
      if (!rules) {
        rules = IgnoreRules.create(ignorePatterns).loadDirectory(root, "");
        rulesOf.set("", rules);
      }
      return rules;
    }
    const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
    return rulesIn(parent).then((outer) => {
      if (!outer || outer.ignores(dir, true)) return null;
      let rules = rulesOf.get(dir);
      if (!rules) {
        rules = outer.loadDirectory(root, dir);
        rulesOf.set(dir, rules);
      }
      return rules;
    });
  };
  const relevant: string[] = [];
  for (const rel of paths) {
    if (rel === "") {
      relevant.push(rel);
      continue;
    }
    // An Expo environment file is withheld, but its EXPO_PUBLIC_ values are pushed (expo-public-env.ts).
    if ((EXPO_ENV_FILES as readonly string[]).includes(rel)) {
      if (await expoPublicEnvChanged(root)) relevant.push(rel);
      continue;
    }
    const segments = rel.split("/");
    if (segments.some((s) => (ALWAYS_IGNORED_DIRECTORIES as readonly string[]).includes(s.toLowerCase())))
      continue;
    const rules = await rulesIn(segments.slice(0, -1).join("/"));
    if (!rules) continue;
    const info = await lstat(path.join(root, ...segments)).catch(() => null);
    if (!rules.ignores(rel, info?.isDirectory() ?? false)) relevant.push(rel);
  }
  return relevant;
}
