import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { MAX_DEPENDENCIES } from "../../../../schema/api/dependencies";
import {
  BABEL_CONFIG_FILES,
  jsxImportSource,
} from "../../../../worker-consumers/src/build/jsx-import-source";
import { type HiveSyncClient, isHiveSyncError } from "../../../core/src";
import type { HashCacheOptions } from "../hash-cache";
import { uploadBlobs } from "../upload-blobs";
import { DEFAULT_MAX_FILE_BYTES, type LocalFile, type WalkOptions, walkFolder } from "../walk";
import { appLayout, localTarget, reachedImports } from "./app-graph";
import { ImportsCache } from "./imports-cache";
import { installCommand } from "./packages";
import { type PreparedDependencies, prepareDependencies } from "./prepare";
import { isRuntimeProvided } from "./runtime-names";
import { type FileImports, packageSpecifiers, SOURCE_EXTENSIONS, scanFileImports } from "./scan-imports";

/** Source files larger than this are not scanned (generated code, not the app's imports). */
const MAX_SCANNED_BYTES = 2 * 1024 * 1024;

/** How {@link syncDependencies} works. */
export type SyncDependenciesOptions = Pick<WalkOptions, "ignorePatterns" | "maxFileBytes"> & {
  signal?: AbortSignal;
  /** Where bundles are cached (default `<dir>/.hivesync/dependencies`). */
  cacheDir?: string;
  /** Before each package it bundles (not for cached ones). */
  onBundling?: (specifier: string) => void;
  /**
   * Whether the scan remembers each source file's imports in `<dir>/.hivesync/imports.json`
   * (default true; see `ImportsCache`), so a file whose size, mtime, ctime and inode are unchanged
   * is not read again. `false` reads every source file and writes no imports cache. The object
   * form keeps the cache and sets its clock (tests).
   */
  importsCache?: boolean | HashCacheOptions;
  /**
   * The folder's files as `walkFolder(dir, { ignorePatterns, maxFileBytes })` just listed them, for
   * a caller that walked already (one walk per push); by default the folder is walked.
   */
  files?: readonly LocalFile[];
  /**
   * The project's `entry` setting (a mirror path), which the build starts from before
   * `package.json` `main`; the scan starts there too. Default: none.
   */
  entry?: string | null;
};

/** What {@link scanAppImports} found, and how much it read to find it. */
export type AppImportsScan = {
  /** As {@link appImports} gives them. */
  imports: string[];
  /** Source files read and scanned; the others' imports came from the cache (0 when none changed). */
  scanned_files: number;
};

/** What {@link syncDependencies} did. */
export type SyncDependenciesResult =
  | { status: "no_node_modules" }
  | (PreparedDependencies & {
      status: "recorded" | "unsupported";
      /** The app's own package imports (bare, not the runtime set's). */
      imports: string[];
      /** Source files read to find them; the others' imports came from `.hivesync/imports.json`. */
      scanned_files: number;
      /** Modules bundled now (the rest came from the cache). */
      bundled: string[];
      /** Blobs sent (bundles the server did not have yet). */
      uploaded_files: number;
      uploaded_bytes: number;
      /** Whether the recorded set changed. */
      changed: boolean;
    });

/**
 * The package specifiers the app imports (`import`, `export … from`, `require`, `import()`),
 * sorted, without the runtime set's: those of the files its entry reaches (see
 * {@link scanAppImports}). Only the files new or changed since the last scan are read.
 *
 * @example
 * await appImports("/home/ada/app"); // ["date-fns/format", "lodash"]
 */
export async function appImports(dir: string, options: SyncDependenciesOptions = {}): Promise<string[]> {
  return (await scanAppImports(dir, options)).imports;
}

/**
 * {@link appImports}, and how many source files it read. The scan starts where the preview build
 * does — the project's `entry` option, `package.json` `main`, `index.*` or `App.*` — and follows
 * the app's own files as the build resolves them (relative imports, `compilerOptions.paths`
 * aliases, `require.context` folders, Expo Router's routes folder), so a config file nothing
 * requires (eslint.config.js, metro.config.js, scripts/) is never read and its tooling never
 * bundled. A folder where the build would find no entry has every source file scanned, as before
 * there was an entry to start from. Only new and changed files are read; the others' imports come
 * from `.hivesync/imports.json` (see `ImportsCache`), so a second scan of an unchanged folder reads
 * none.
 *
 * @example
 * const { imports, scanned_files } = await scanAppImports("/home/ada/app");
 * console.log(`${imports.length} package imports, ${scanned_files} files read`);
 */
export async function scanAppImports(
  dir: string,
  options: SyncDependenciesOptions = {},
): Promise<AppImportsScan> {
  const files = options.files ?? (await walkFolder(dir, options)).files;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const cache =
    options.importsCache === false
      ? null
      : await ImportsCache.load(dir, typeof options.importsCache === "object" ? options.importsCache : {});
  // As the build reads them: only files the sync mirrors count.
  const text = (name: string) =>
    byPath.has(name) ? readFile(path.join(dir, name), "utf8").catch(() => null) : Promise.resolve(null);
  const [packageJson, tsconfig, jsconfig, appJson] = await Promise.all(
    ["package.json", "tsconfig.json", "jsconfig.json", "app.json"].map(text),
  );
  const layout = appLayout(
    new Set(byPath.keys()),
    { packageJson, tsconfig, jsconfig, appJson },
    options.entry,
  );
  let scanned = 0;
  const readImports = async (filePath: string): Promise<FileImports | null> => {
    const file = byPath.get(filePath);
    if (!file || !SOURCE_EXTENSIONS.some((ext) => file.path.endsWith(ext)) || file.size > MAX_SCANNED_BYTES)
      return null;
    const cached = cache?.get(file);
    if (cached) return cached;
    options.signal?.throwIfAborted();
    scanned++;
    // Gone since the walk: it imports nothing now, and is not remembered.
    const bytes = await readFile(file.absolutePath).catch(() => null);
    if (!bytes) return null;
    const imports = scanFileImports(bytes.toString("utf8"));
    cache?.set(file, imports, bytes.length);
    return imports;
  };

  let specifiers: string[];
  if (layout.entry) specifiers = (await reachedImports(layout, readImports)).specifiers;
  else {
    const found = new Set<string>();
    for (const file of files) {
      const imports = await readImports(file.path);
      // An alias that leads to a project file is the app's; one that leads nowhere is a package to
      // the build too (docs/previews.md §2).
      for (const spec of imports?.specifiers ?? [])
        if (localTarget(layout, file.path, spec) === null) found.add(spec);
    }
    specifiers = packageSpecifiers(found);
  }
  await cache?.save();
  // JSX from another import source (NativeWind's) requires its jsx-runtime from every JSX file.
  const babelConfig = BABEL_CONFIG_FILES.find((name) => byPath.has(name));
  const source = jsxImportSource(babelConfig ? await text(babelConfig) : null, tsconfig ?? jsconfig);
  if (source) specifiers = [...new Set([...specifiers, `${source}/jsx-runtime`])];
  return { imports: specifiers.filter((spec) => !isRuntimeProvided(spec)).sort(), scanned_files: scanned };
}

/**
 * Gives the preview build the app's own dependencies (docs/previews.md §4): when `dir` has a
 * `node_modules` folder, scans the app's imports (reading only source files changed since the last
 * push, see {@link scanAppImports}), pre-bundles each third-party package they reach
 * (cached, see `prepareDependencies`), uploads the bundles the server lacks as blobs of the project,
 * and records the whole set (`PUT /projects/:id/dependencies`, which replaces the previous one). A
 * folder without `node_modules` changes nothing on the server, so pushing from a fresh clone keeps
 * the set a fuller checkout recorded. Packages it cannot bundle are reported, not thrown: a preview
 * that reaches one fails naming it. A server without the dependencies route gives `unsupported`.
 *
 * Run it before committing the revision that needs the set: a build started by the commit then
 * finds it.
 *
 * @example
 * const result = await syncDependencies(client, projectId, "/home/ada/app");
 * if (result.status === "recorded") console.log(`${result.modules.length} dependency modules`);
 */
export async function syncDependencies(
  client: HiveSyncClient,
  projectId: string,
  dir: string,
  options: SyncDependenciesOptions = {},
): Promise<SyncDependenciesResult> {
  const { signal } = options;
  const modulesDir = await stat(path.join(dir, "node_modules")).catch(() => null);
  if (!modulesDir?.isDirectory()) return { status: "no_node_modules" };

  const { imports, scanned_files } = await scanAppImports(dir, options);
  const bundled: string[] = [];
  const prepared = await prepareDependencies(dir, imports, {
    cacheDir: options.cacheDir,
    maxBundleBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxModules: MAX_DEPENDENCIES,
    signal,
    onBundling: (spec) => {
      bundled.push(spec);
      options.onBundling?.(spec);
    },
  });

  const hashes = [...new Set(prepared.modules.map((m) => m.sha256))];
  const missing = new Set(hashes.length ? await client.blobs.missing(projectId, hashes, { signal }) : []);
  const toSend = new Map(
    prepared.modules
      .filter((m) => missing.has(m.sha256))
      .map((m) => [
        m.sha256,
        { sha256: m.sha256, size: m.size, absolutePath: m.bodyPath, path: m.module_id },
      ]),
  );
  await uploadBlobs(client, projectId, [...toSend.values()], { signal });
  const uploadedBytes = [...toSend.values()].reduce((sum, b) => sum + b.size, 0);

  let changed = false;
  let status: "recorded" | "unsupported" = "recorded";
  try {
    const recorded = await client.dependencies.replace(
      projectId,
      prepared.modules.map(({ name, version, module_id, sha256, size, requires }) => ({
        name,
        version,
        module_id,
        sha256,
        size,
        requires,
      })),
      { signal },
    );
    changed = recorded.changed;
  } catch (error) {
    // A server from before dependencies: its 404 (or 405) is not about this project, which exists.
    if (!isHiveSyncError(error, "NOT_FOUND", "METHOD_NOT_ALLOWED")) throw error;
    status = "unsupported";
  }
  return {
    status,
    ...prepared,
    imports,
    scanned_files,
    bundled: bundled.sort(),
    uploaded_files: toSend.size,
    uploaded_bytes: uploadedBytes,
    changed,
  };
}

/**
 * What a push says about the dependencies, one line each; nothing when the folder has no
 * node_modules, or when nothing changed and nothing failed.
 *
 * @example
 * for (const line of describeDependencies(result)) console.log(line);
 */
export function describeDependencies(result: SyncDependenciesResult): string[] {
  if (result.status === "no_node_modules") return [];
  const lines: string[] = [];
  if (result.status === "unsupported")
    lines.push("This server does not take pre-bundled dependencies: previews use only the runtime set.");
  else if (result.changed || result.bundled.length > 0 || result.uploaded_files > 0)
    lines.push(
      `Dependencies: ${result.modules.length} module${result.modules.length === 1 ? "" : "s"} (${result.bundled.length} bundled now), sent ${result.uploaded_files}.`,
    );
  for (const f of result.failed)
    lines.push(
      `Could not bundle ${f.specifier} (${f.module_id}): ${f.reason}. A preview that imports it fails naming it.`,
    );
  if (result.notInstalled.length > 0) {
    const one = result.notInstalled.length === 1;
    // The exact line to run: the packages, not the specifiers (`lodash/fp` is in `lodash`).
    const command = installCommand(result.toInstall);
    lines.push(
      `Not in node_modules: ${result.notInstalled.join(", ")}. A preview that imports ${one ? "it" : "one"} fails naming it; install ${one ? "it" : "them"}${command ? ` (${command})` : ""} and push again.`,
    );
  }
  return lines;
}
