import { isBuiltin } from "node:module";
import path from "node:path";
import { dependencyModuleId, parseBareSpecifier } from "../../../../schema/api/dependencies";
import { BUNDLE_FORMAT, BundleError, bundleDependency, loadEsbuild, packageLookup } from "./bundle";
import { BundleCache } from "./bundle-cache";
import { packagesToInstall } from "./packages";
import { isRuntimeProvided } from "./runtime-names";

/**
 * The version in the module id of a Node built-in's empty module (`npm:fs@0.0.0-empty-builtin`):
 * the server wants an npm version, and no published package has this one.
 */
export const EMPTY_BUILTIN_VERSION = "0.0.0-empty-builtin";

/** A dependency module ready to upload: its record and the file holding its body. */
export type PreparedModule = {
  specifier: string;
  module_id: string;
  name: string;
  version: string;
  sha256: string;
  size: number;
  requires: string[];
  bodyPath: string;
  /** Whether it came from the cache (no bundling). */
  cached: boolean;
};

/** What {@link prepareDependencies} made of the app's imports. */
export type PreparedDependencies = {
  modules: PreparedModule[];
  /** Imported but not installed (no `node_modules/<name>/package.json` with a version). */
  notInstalled: string[];
  /** The npm packages that would provide {@link notInstalled}: what `npm install` needs. */
  toInstall: string[];
  /** Installed but not bundled, and why (esbuild's message, or the size limit). */
  failed: Array<{ specifier: string; module_id: string; reason: string }>;
};

/** How {@link prepareDependencies} works. */
export type PrepareOptions = {
  /** Where bundles are cached (default `<root>/.hivesync/dependencies`). */
  cacheDir?: string;
  /** Bundles larger than this fail (the server's MAX_FILE_BYTES; default 10 MiB). */
  maxBundleBytes?: number;
  /** The most modules (the server's MAX_DEPENDENCIES); further ones fail. */
  maxModules?: number;
  signal?: AbortSignal;
  onBundling?: (specifier: string) => void;
};

/** esbuild's version and the bundle format: what a cached bundle must have been made with. */
export async function bundlerTool(): Promise<string> {
  const version = await loadEsbuild().then(
    (esbuild) => esbuild.version,
    () => "unavailable",
  );
  return `esbuild@${version};${BUNDLE_FORMAT}`;
}

/**
 * Pre-bundles the packages the app imports (`specifiers`: bare, e.g. from `scanImports`) from the
 * node_modules of `root`, each into one module per specifier (`npm:<name>@<version>` or
 * `npm:<name>@<version>/<subpath>`), and the packages those bundles leave external in turn, until
 * every shared package they reach is a module. The runtime set's modules are never bundled. A
 * bundle comes from the cache when nothing it was made from changed, so a second run bundles
 * nothing.
 *
 * @example
 * const { modules, notInstalled, failed } = await prepareDependencies("/home/ada/app", ["lodash", "date-fns/format"]);
 */
export async function prepareDependencies(
  root: string,
  specifiers: readonly string[],
  options: PrepareOptions = {},
): Promise<PreparedDependencies> {
  const lookup = packageLookup(root);
  const cache = new BundleCache(
    options.cacheDir ?? path.join(root, ".hivesync", "dependencies"),
    await bundlerTool(),
  );
  const maxBytes = options.maxBundleBytes ?? 10 * 1024 * 1024;
  const maxModules = options.maxModules ?? 500;
  const result: PreparedDependencies = { modules: [], notInstalled: [], toInstall: [], failed: [] };
  const queued = new Set<string>();
  const queue: string[] = [];
  const enqueue = (spec: string) => {
    if (queued.has(spec) || isRuntimeProvided(spec) || !parseBareSpecifier(spec)) return;
    queued.add(spec);
    queue.push(spec);
  };
  for (const spec of [...specifiers].sort()) enqueue(spec);

  for (let spec = queue.shift(); spec !== undefined; spec = queue.shift()) {
    options.signal?.throwIfAborted();
    const { name, subpath } = parseBareSpecifier(spec) as { name: string; subpath: string };
    const installed = await lookup(name);
    // A Node built-in nobody installed a package for (`fs`, `path`, `crypto`) is the empty module
    // Metro gives the web: bundled like any other, as bundleDependency answers it so.
    const builtin = !installed && isBuiltin(spec);
    if (!installed && !builtin) {
      result.notInstalled.push(spec);
      continue;
    }
    const version = installed?.version ?? EMPTY_BUILTIN_VERSION;
    const moduleId = dependencyModuleId(name, version, subpath);
    const fail = (reason: string) => result.failed.push({ specifier: spec, module_id: moduleId, reason });
    if (result.modules.length >= maxModules) {
      fail(`more than ${maxModules} dependency modules (MAX_DEPENDENCIES)`);
      continue;
    }
    let made = await cache.get(moduleId, lookup);
    const cached = made !== null;
    if (!made) {
      options.onBundling?.(spec);
      try {
        made = await cache.put(moduleId, await bundleDependency(root, spec, { lookup }));
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        fail(error.message);
        continue;
      }
    }
    if (made.size > maxBytes) {
      fail(`the bundle is ${made.size} bytes, over the limit of ${maxBytes} bytes per file (MAX_FILE_BYTES)`);
      continue;
    }
    result.modules.push({
      specifier: spec,
      module_id: moduleId,
      name,
      version,
      sha256: made.sha256,
      size: made.size,
      requires: made.requires,
      bodyPath: made.bodyPath,
      cached,
    });
    for (const required of made.requires) enqueue(required);
  }
  const bySpecifier = (a: { specifier: string }, b: { specifier: string }) =>
    a.specifier < b.specifier ? -1 : a.specifier > b.specifier ? 1 : 0;
  result.modules.sort(bySpecifier);
  result.failed.sort(bySpecifier);
  result.notInstalled.sort();
  result.toInstall = packagesToInstall(result.notInstalled);
  return result;
}
