import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { MAX_DEPENDENCIES } from "../../../../schema/api/dependencies";
import { type HiveSyncClient, isHiveSyncError } from "../../../core/src";
import type { HashCacheOptions } from "../hash-cache";
import { uploadBlobs } from "../upload-blobs";
import { DEFAULT_MAX_FILE_BYTES, type LocalFile, type WalkOptions, walkFolder } from "../walk";
import { ImportsCache } from "./imports-cache";
import { type PreparedDependencies, prepareDependencies } from "./prepare";
import { isRuntimeProvided } from "./runtime-names";
import { codeWithoutStrings, packageSpecifiers, SOURCE_EXTENSIONS, scanImports } from "./scan-imports";

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
 * The package specifiers the app's source files import (`import`, `export … from`, `require`,
 * `import()`), sorted, without the runtime set's and without the project's own path aliases
 * (`compilerOptions.paths` in tsconfig.json or jsconfig.json). The files are those a sync mirrors;
 * only the ones new or changed since the last scan are read (see {@link scanAppImports}).
 *
 * @example
 * await appImports("/home/ada/app"); // ["date-fns/format", "lodash"]
 */
export async function appImports(dir: string, options: SyncDependenciesOptions = {}): Promise<string[]> {
  return (await scanAppImports(dir, options)).imports;
}

/**
 * {@link appImports}, and how many source files it read. Only new and changed source files are
 * read and scanned; the others' imports come from `.hivesync/imports.json` (see `ImportsCache`),
 * so a second scan of an unchanged folder reads none.
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
  const cache =
    options.importsCache === false
      ? null
      : await ImportsCache.load(dir, typeof options.importsCache === "object" ? options.importsCache : {});
  const aliases = await pathAliases(dir);
  const found = new Set<string>();
  let scanned = 0;
  for (const file of files) {
    if (!SOURCE_EXTENSIONS.some((ext) => file.path.endsWith(ext)) || file.size > MAX_SCANNED_BYTES) continue;
    let specs = cache?.get(file);
    if (!specs) {
      options.signal?.throwIfAborted();
      scanned++;
      // Gone since the walk: it imports nothing now, and is not remembered.
      const bytes = await readFile(file.absolutePath).catch(() => null);
      specs = bytes ? packageSpecifiers(scanImports(bytes.toString("utf8"))) : [];
      if (bytes) cache?.set(file, specs, bytes.length);
    }
    for (const spec of specs) found.add(spec);
  }
  await cache?.save();
  const imports = [...found]
    .filter(
      (spec) =>
        !isRuntimeProvided(spec) &&
        !aliases.some((a) => spec === a.exact || (a.prefix !== null && spec.startsWith(a.prefix))),
    )
    .sort();
  return { imports, scanned_files: scanned };
}

/** The `paths` patterns of the project's tsconfig.json / jsconfig.json (`@/*`, `~/*`, `utils`). */
async function pathAliases(dir: string): Promise<Array<{ exact: string; prefix: string | null }>> {
  for (const name of ["tsconfig.json", "jsconfig.json"]) {
    const text = await readFile(path.join(dir, name), "utf8").catch(() => null);
    if (text === null) continue;
    try {
      const { code, strings } = codeWithoutStrings(text);
      const json = code
        .replace(/"\uE000(\d+)"/g, (_, i: string) => JSON.stringify(strings[Number(i)]))
        .replace(/,(\s*[}\]])/g, "$1");
      const paths = (JSON.parse(json) as { compilerOptions?: { paths?: Record<string, unknown> } })
        .compilerOptions?.paths;
      return Object.keys(paths ?? {}).map((key) => {
        const star = key.indexOf("*");
        return { exact: key, prefix: star < 0 ? null : key.slice(0, star) };
      });
    } catch {
      return [];
    }
  }
  return [];
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
  if (result.notInstalled.length > 0)
    lines.push(
      `Not in node_modules: ${result.notInstalled.join(", ")}. A preview that imports ${result.notInstalled.length === 1 ? "it" : "one"} fails naming it; install it and push again.`,
    );
  return lines;
}
