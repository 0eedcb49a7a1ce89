import { joinPath } from "./paths";
import { resolvePath } from "./resolve";
import type { BuildError } from "./types";

/**
 * The module the app starts from: a file of the revision, or a small module the build writes
 * (`source`) where Expo would have used one of its own.
 */
export interface Entry {
  path: string;
  source?: string;
}

/** Expo's legacy `main`: its AppEntry.js registers the project's `App` as the root component. */
const EXPO_APP_ENTRY = /^(\.\/)?(node_modules\/)?expo\/AppEntry(\.js)?$/;
export const APP_ENTRY_PATH = "node_modules/expo/AppEntry.js";
// Written as Expo's AppEntry is, and placed where it lives, so `../../App` is the project's App.
const APP_ENTRY_SOURCE =
  'import { registerRootComponent } from "expo";\nimport App from "../../App";\nregisterRootComponent(App);\n';
/** The module id of a `main` that names a package (`expo-router/entry`): it only requires it. */
export const PACKAGE_MAIN_PATH = "package.json#main";

/**
 * The entry, in order: the project's `entry` setting; `package.json` `main` (a file, Expo's
 * AppEntry, or a package such as `expo-router/entry`); the first `index.*`; else `App.*` registered
 * the way Expo's AppEntry does it.
 */
export function findEntry(
  files: ReadonlySet<string>,
  projectEntry?: string | null,
  packageJsonText?: string | null,
): Entry | { error: BuildError } {
  if (projectEntry) {
    if (files.has(projectEntry)) return { path: projectEntry };
    return missing(projectEntry, `The project's entry ${projectEntry} is not in this revision.`);
  }
  const main = packageMain(packageJsonText);
  if (main) {
    if (EXPO_APP_ENTRY.test(main)) {
      return (
        appEntry(files) ??
        missing("App", `package.json main is ${main}, but the project has no App.js or App.tsx.`)
      );
    }
    const path = joinPath("", main);
    const file = path ? resolvePath(path, files) : null;
    if (file) return { path: file };
    if (/^(@[\w.-]+\/)?\w[\w.-]*(\/[\w./-]+)?$/.test(main) && !/\.(m|c)?[jt]sx?$/.test(main)) {
      return { path: PACKAGE_MAIN_PATH, source: `require(${JSON.stringify(main)});\n` };
    }
    return missing(main, `package.json main is ${main}, which is not in this revision.`);
  }
  const index = resolvePath("index", files);
  if (index) return { path: index };
  return (
    appEntry(files) ??
    missing("index.js", "No entry: set the project's entry or package.json main, or add index.js or App.js.")
  );
}

function appEntry(files: ReadonlySet<string>): Entry | null {
  return resolvePath("App", files) ? { path: APP_ENTRY_PATH, source: APP_ENTRY_SOURCE } : null;
}

function packageMain(text?: string | null): string | null {
  if (!text) return null;
  try {
    const main = (JSON.parse(text) as { main?: unknown }).main;
    return typeof main === "string" && main.trim() ? main.trim() : null;
  } catch {
    return null; // an unreadable package.json falls back to index.*/App.* rather than failing
  }
}

function missing(file: string, message: string): { error: BuildError } {
  return { error: { code: "entry_missing", file, message } };
}
