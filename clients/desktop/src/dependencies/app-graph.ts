// Which of the folder's files the app runs: the preview build's own rules (docs/previews.md §2),
// by the build's own code, so the scan reads what the build will reach and nothing else — not
// eslint.config.js, metro.config.js or scripts/, whose packages (webpack, eslint plugins) are Node
// tooling that would only be bundled for nothing and reported as failures.
import { type Entry, findEntry } from "../../../../worker-consumers/src/build/entry";
import { dirname, joinPath } from "../../../../worker-consumers/src/build/paths";
import { resolveSpecifier } from "../../../../worker-consumers/src/build/resolve";
import { routesRoot } from "../../../../worker-consumers/src/build/routes-context";
import { type PathAlias, readPathAliases } from "../../../../worker-consumers/src/build/tsconfig-paths";
import type { RuntimeModules } from "../../../../worker-consumers/src/build/types";
import { type FileImports, packageSpecifiers, scanFileImports } from "./scan-imports";

/** The project files that decide what the app's entry reaches (mirror paths, `/`-separated). */
export type AppLayout = {
  files: ReadonlySet<string>;
  /** Null when the build would find no entry (`entry_missing`). */
  entry: Entry | null;
  aliases: readonly PathAlias[];
  /** Expo Router's routes folder (`app`, `src/app`, or app.json's `root`). */
  routesRoot: string;
};

/** The texts of the project files the layout is read from; null when the file is not there. */
export type LayoutTexts = {
  packageJson: string | null;
  tsconfig: string | null;
  jsconfig: string | null;
  appJson: string | null;
};

/**
 * The app's entry, aliases and routes folder, as the preview build finds them: the project's
 * `entry` setting, else `package.json` `main` (a file, Expo's `AppEntry`, or a package such as
 * `expo-router/entry`), else `index.*`, else `App.*`; `compilerOptions.paths` of tsconfig.json
 * (else jsconfig.json).
 *
 * @example
 * const layout = appLayout(new Set(["package.json", "app/index.tsx"]), {
 *   packageJson: '{"main":"expo-router/entry"}', tsconfig: null, jsconfig: null, appJson: null,
 * });
 * layout.entry; // { path: "package.json#main", source: 'require("expo-router/entry");\n' }
 */
export function appLayout(
  files: ReadonlySet<string>,
  texts: LayoutTexts,
  entrySetting?: string | null,
): AppLayout {
  const found = findEntry(files, entrySetting ?? null, texts.packageJson);
  return {
    files,
    entry: "error" in found ? null : found,
    aliases: readPathAliases(
      texts.tsconfig !== null ? "tsconfig.json" : "jsconfig.json",
      texts.tsconfig ?? texts.jsconfig ?? "{}",
    ),
    routesRoot: routesRoot(files, texts.appJson),
  };
}

// Only the project's files matter here: a bare specifier is reported, whatever provides it.
const NO_RUNTIME: RuntimeModules = {
  resolve: () => undefined,
  providesPackage: () => false,
  appBound: () => undefined,
};

/**
 * The project file `spec`, required from `fromPath`, means (relative, or a `paths` alias that
 * matches a file), or null: a package, or a path that leads nowhere.
 *
 * @example
 * localTarget(layout, "app/index.tsx", "@/components/Card"); // "components/Card.tsx"
 */
export function localTarget(layout: AppLayout, fromPath: string, spec: string): string | null {
  const found = resolveSpecifier(fromPath, spec, layout.files, NO_RUNTIME, undefined, layout.aliases);
  return found.kind === "file" ? found.path : null;
}

/**
 * Expo Router's own `require.context` pattern for the routes folder (the runtime table's
 * `routePattern`, from `expo-router/_ctx-shared.js`): every script but API routes, middleware,
 * `+html` and `+native-intent`, which never run in the page.
 */
const ROUTE_KEY =
  /^(?:\.\/)(?!(?:(?:(?:.*\+api)|(?:\+middleware)|(?:\+(html|native-intent))))\.[tj]sx?$).*(?:\.android|\.ios|\.native)?\.[tj]sx?$/;
/** SDK modules whose chain ends in `expo-router/_ctx`: requiring one brings in the routes folder. */
const ROUTER_ENTRIES = new Set([
  "expo-router/entry",
  "expo-router/entry-classic",
  "expo-router/_ctx",
  "expo-router/build/qualified-entry",
]);

/** The files of `layout` in folder `dir` (`""`: the root), all the way down or only its own. */
function filesIn(layout: AppLayout, dir: string, recursive: boolean): string[] {
  const prefix = dir ? `${dir}/` : "";
  return [...layout.files].filter(
    (f) => f.startsWith(prefix) && (recursive || !f.slice(prefix.length).includes("/")),
  );
}

/**
 * The package specifiers of the files the app's entry reaches, and those files (each sorted): from the entry,
 * every relative or aliased import that leads to a project file is followed (Metro's web order:
 * `Button.web.tsx` over `Button.tsx`, never `Button.ios.tsx`), and so is every file a
 * `require.context` call with a literal folder may require; Expo Router's entry brings in its
 * routes folder. `readImports` gives a project file's imports (null: not a script, or unreadable);
 * a file nothing reaches is never asked for. Call it only with a layout that has an entry.
 *
 * @example
 * const { specifiers } = await reachedImports(layout, (p) => importsOfFile(p));
 * // ["date-fns/format", "expo-router/entry", "lodash"]
 */
export async function reachedImports(
  layout: AppLayout,
  readImports: (path: string) => Promise<FileImports | null>,
): Promise<{ specifiers: string[]; files: string[] }> {
  const entry = layout.entry;
  if (!entry) throw new Error("reachedImports needs a layout with an entry");
  const queue: string[] = [];
  const seen = new Set<string>();
  const reach = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    queue.push(file);
  };
  const bare = new Set<string>();
  let routesIn = false;
  reach(entry.path);
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i] as string;
    // The entry the build writes itself (Expo's AppEntry, `package.json#main`) is no file.
    const imports =
      from === entry.path && entry.source !== undefined
        ? scanFileImports(entry.source)
        : await readImports(from);
    if (!imports) continue;
    for (const spec of imports.specifiers) {
      const local = localTarget(layout, from, spec);
      if (local !== null) {
        reach(local);
        continue;
      }
      bare.add(spec);
      if (ROUTER_ENTRIES.has(spec) && !routesIn) {
        routesIn = true;
        for (const file of filesIn(layout, layout.routesRoot, true))
          if (ROUTE_KEY.test(`./${file.slice(layout.routesRoot.length + 1)}`)) reach(file);
      }
    }
    for (const context of imports.contexts) {
      const dir = joinPath(dirname(from), context.dir);
      if (dir !== null) for (const file of filesIn(layout, dir, context.recursive)) reach(file);
    }
  }
  return {
    specifiers: packageSpecifiers(bare).sort(),
    files: [...seen].filter((f) => layout.files.has(f)).sort(),
  };
}
