import { codeFrame } from "./code-frame";
import { cssModuleCode } from "./css-module";
import { assetModule, assetNeedsBytes, assetScale, jsonModule } from "./data-modules";
import { findEntry, PACKAGE_MAIN_PATH } from "./entry";
import { REACT_COMPILER_MIRROR_DIR, TAILWIND_MIRROR_DIR } from "./generated-paths";
import { lineColumn, topLevelValueOffset } from "./json-position";
import { BABEL_CONFIG_FILES, jsxImportSource } from "./jsx-import-source";
import { moduleKey, moduleUrl, sha256Hex } from "./keys";
import { extname } from "./paths";
import { rewriteRequireContexts } from "./require-context";
import { ASSET_EXTS, packageName, resolveSpecifier } from "./resolve";
import { routesContext, routesRoot } from "./routes-context";
import { sourceFlavor, transformModule, wrapModule } from "./transform";
import { aliasCandidates, type PathAlias, readPathAliases } from "./tsconfig-paths";
import type {
  AppGraph,
  BuildError,
  Dependencies,
  DependencyModule,
  ModuleEntry,
  RuntimeModules,
  SourceFile,
  Specifier,
} from "./types";
import { captureWorkletClosures, mayHoldWorklets } from "./worklets";

export interface BuildGraphOptions {
  /** The revision's files (the mirror's list). */
  files: readonly SourceFile[];
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
  /** The `app` of the session's previous manifest: modules whose key is unchanged are not read again. */
  previous?: AppGraph | null;
  /** The SDK's modules (`react`, `react-native`, `expo-router`, every path of them). */
  runtime: RuntimeModules;
  /** Expo Router's route pattern in this SDK (the RegExp source of its `require.context`). */
  routePattern?: string;
  /** The revision's app.json text (null: none), when the caller has read it already. */
  appJson?: string | null;
  dependencies?: Dependencies;
  /** The project's `entry` setting, if any. */
  entry?: string | null;
  transformVersion: string;
  /** Stores a module script create-only at R2 `modules/<key>.js`. */
  storeModule(key: string, code: string): Promise<void>;
  hasModule(key: string): Promise<boolean>;
  /** The URL an asset's bytes are served from (what `require('./icon.png').uri` is). */
  assetUrl(file: SourceFile): string;
  /**
   * Publishes an asset's bytes where `assetUrl` points, when that is not the mirror's own storage
   * (docs/previews.md §1: copied create-only to R2 `modules/blob/<sha256>`). Called for each asset
   * whose module is made in this build; a reused module's asset was published by the build that made it.
   */
  storeAsset?(file: SourceFile, bytes: Uint8Array): Promise<void>;
  /** Files read and transformed at once (each is an R2 read). */
  concurrency?: number;
}

/** A failed build names its first error (`error`) and every one found (`errors`, at most MAX_ERRORS). */
export type BuildGraphResult =
  | { app: AppGraph; transformed: number; reused: number; stored: number }
  | { error: BuildError; errors: BuildError[] };

/** The walk goes on past a failing module, so one build shows every broken file, up to this many. */
export const MAX_ERRORS = 20;

type Visit = { entry: ModuleEntry; next: string[] } | { errors: BuildError[] };
type Made = { code: string; specifiers: Specifier[] } | { error: BuildError };

/**
 * The app's module graph from its entry: every module the entry reaches (and nothing else), each
 * transformed and stored once per content, with its requires resolved. A module whose key is the
 * same as in `previous` keeps its script and is not read; its requires are resolved again, since
 * an added or removed file can change where they lead. Modules are visited breadth-first, a level
 * at a time, so a cycle ends where it meets a visited module and errors come in the same order
 * every time (visiting order), whichever read finishes first. The walk goes on past a module that
 * fails (not into what it requires, which is unknown) to report every broken file at once.
 */
export async function buildModuleGraph(options: BuildGraphOptions): Promise<BuildGraphResult> {
  const byPath = new Map(options.files.map((f) => [f.path, f]));
  const paths = new Set(byPath.keys());
  const readIfPresent = (path: string) => (paths.has(path) ? options.readText(path) : Promise.resolve(null));
  // app.json only matters to an SDK with Expo Router (its routes folder option); a caller that
  // read it already passes its text.
  const appJsonPath = options.routePattern && options.appJson === undefined ? "app.json" : "";
  const [packageJson, tsconfig, jsconfig, readAppJson] = await Promise.all(
    ["package.json", "tsconfig.json", "jsconfig.json", appJsonPath].map(readIfPresent),
  );
  const appJson = options.appJson ?? readAppJson;
  const babelConfigPath = BABEL_CONFIG_FILES.find((path) => paths.has(path));
  const jsxSource = jsxImportSource(
    babelConfigPath ? await options.readText(babelConfigPath) : null,
    tsconfig ?? jsconfig ?? null,
  );
  const aliases = readPathAliases(tsconfig ? "tsconfig.json" : "jsconfig.json", tsconfig ?? jsconfig ?? "{}");
  const entry = findEntry(paths, options.entry, packageJson);
  if ("error" in entry) return { error: entry.error, errors: [entry.error] };

  const dependencyById = new Map([...(options.dependencies?.values() ?? [])].map((d) => [d.id, d]));
  const counts = { transformed: 0, reused: 0, stored: 0 };
  const produced = new Map<string, Promise<Made>>();
  // Modules the build writes: the entry where Expo would have used one of its own, and Expo
  // Router's routes context (the `expo-router/_ctx` the SDK's router entry requires).
  const synthesized = new Map<string, string>();
  if (entry.source !== undefined) synthesized.set(entry.path, entry.source);
  const root = routesRoot(paths, appJson);
  const routes = options.routePattern ? routesContext(paths, root, options.routePattern) : undefined;
  if (routes) synthesized.set(routes.path, routes.source);
  const context: Context = {
    ...options,
    byPath,
    paths,
    aliases,
    dependencyById,
    counts,
    produced,
    synthesized,
    routes: routes ? { path: routes.path } : { missing: root },
    packageJson,
    jsxSource,
  };

  const modules: Record<string, ModuleEntry> = {};
  const errors: BuildError[] = [];
  const seen = new Set([entry.path]);
  let level = [entry.path];
  while (level.length > 0 && errors.length < MAX_ERRORS) {
    const visits = await mapLimit(level, options.concurrency ?? 8, (id) => visit(context, id));
    const next: string[] = [];
    for (const [i, result] of visits.entries()) {
      if ("errors" in result) {
        errors.push(...result.errors);
        continue;
      }
      modules[level[i] as string] = result.entry;
      for (const id of result.next) {
        if (seen.has(id)) continue;
        seen.add(id);
        next.push(id);
      }
    }
    level = next;
  }
  const [first] = errors;
  if (first) return { error: first, errors: errors.slice(0, MAX_ERRORS) };
  return { app: { entry: entry.path, modules }, ...counts };
}

type Context = Omit<BuildGraphOptions, "entry"> & {
  byPath: Map<string, SourceFile>;
  paths: Set<string>;
  aliases: PathAlias[];
  dependencyById: Map<string, DependencyModule>;
  counts: { transformed: number; reused: number; stored: number };
  produced: Map<string, Promise<Made>>;
  /** Modules the build writes (id → source): the entry Expo would supply, the routes context. */
  synthesized: Map<string, string>;
  /** The routes context module, or the folder Expo Router would read (which has no route). */
  routes: { path: string } | { missing: string };
  packageJson: string | null | undefined;
  /** The app's JSX import source when it is not React's (jsx-import-source.ts). */
  jsxSource: string | undefined;
};

/** An SDK module run in the app's graph has the id `sdk:<its runtime id>`. */
const SDK_PREFIX = "sdk:";

async function visit(ctx: Context, id: string): Promise<Visit> {
  const dependency = ctx.dependencyById.get(id);
  if (dependency) {
    const { key, deps } = dependency;
    return {
      entry: { key, url: moduleUrl(key), deps },
      next: Object.values(deps).filter((t) => t.startsWith("npm:")),
    };
  }
  if (id.startsWith(SDK_PREFIX)) return visitAppBound(ctx, id);
  const synthesized = ctx.synthesized.get(id);
  const file = ctx.byPath.get(id);
  const kind = moduleKind(id, file, ctx);
  const compiled = generatedFor(ctx, id);
  const key = await moduleKey(
    ctx.transformVersion,
    kind,
    synthesized !== undefined ? await sha256Hex(synthesized) : ((compiled ?? file)?.sha256 ?? ""),
  );

  const previous = ctx.previous?.modules[id];
  if (previous?.key === key) {
    const resolved = resolveAll(
      ctx,
      id,
      Object.keys(previous.deps).map((spec) => ({ spec, line: 0, column: 0 })),
    );
    // A require that no longer resolves needs its line: fall through and transform the file again.
    if (!("errors" in resolved)) {
      ctx.counts.reused++;
      return { entry: { key, url: moduleUrl(key), deps: resolved.deps }, next: resolved.next };
    }
  }

  let made = ctx.produced.get(key);
  if (!made) {
    made = produce(ctx, id, file, key, synthesized);
    ctx.produced.set(key, made);
  }
  const script = await made;
  if ("error" in script) return { errors: [{ ...script.error, file: id }] }; // a shared script: this file's error
  const resolved = resolveAll(ctx, id, script.specifiers);
  if ("errors" in resolved) {
    if (id === PACKAGE_MAIN_PATH) return { errors: resolved.errors.map((e) => atPackageMain(ctx, e)) };
    // Only a failing build reads the source again, for the overlay's code frame.
    const source = synthesized ?? (await ctx.readText(id));
    return {
      errors: resolved.errors.map((e) => ({ ...e, frame: codeFrame(source, e.line ?? 1, e.column ?? 1) })),
    };
  }
  return { entry: { key, url: moduleUrl(key), deps: resolved.deps }, next: resolved.next };
}

/**
 * An SDK module that requires the app's own files (expo-router's entry and the modules between it
 * and `expo-router/_ctx`): its script is in the SDK's chunk, and it runs as a module of the app's
 * graph so that it runs again when a route is added or removed.
 */
function visitAppBound(ctx: Context, id: string): Visit {
  const runtimeId = id.slice(SDK_PREFIX.length);
  const record = ctx.runtime.appBound(runtimeId);
  if (!record) throw new Error(`${runtimeId} is not an app-bound module of the SDK`);
  const deps: Record<string, string> = {};
  const next: string[] = [];
  for (const [spec, target] of Object.entries(record.deps)) {
    if (target.startsWith("app:")) {
      if ("missing" in ctx.routes) {
        return {
          errors: [
            {
              code: "module_not_found",
              file: ctx.routes.missing,
              line: 1,
              column: 1,
              message: `Expo Router found no routes: ${ctx.routes.missing}/ has no route file (an index.tsx, say). Add one, or set the folder with the expo-router plugin's "root" option in app.json.`,
            },
          ],
        };
      }
      deps[spec] = ctx.routes.path;
    } else if (ctx.runtime.appBound(target)) deps[spec] = SDK_PREFIX + target;
    else deps[spec] = `runtime:${target}`;
    if (!deps[spec]?.startsWith("runtime:")) next.push(deps[spec] as string);
  }
  return { entry: { key: record.key, url: record.url, deps }, next };
}

/**
 * An error of the module the build writes for a `main` naming a package: it is package.json's, at
 * its `main` (the user never saw `require("expo-router/entry")`).
 */
function atPackageMain(ctx: Context, error: BuildError): BuildError {
  const text = ctx.packageJson ?? "";
  const offset = topLevelValueOffset(text, "main");
  const { line, column } = offset < 0 ? { line: 1, column: 1 } : lineColumn(text, offset);
  return { ...error, file: "package.json", line, column, frame: codeFrame(text, line, column) };
}

/**
 * What the desktop made of a file for the build (generated-paths.ts), used in its place: the CSS
 * Tailwind compiled for a stylesheet with `@tailwind` directives, or a source file as the React
 * Compiler made it.
 */
function generatedFor(ctx: Context, id: string): SourceFile | undefined {
  if (extname(id) === "css") return ctx.byPath.get(`${TAILWIND_MIRROR_DIR}/${id}`);
  return sourceFlavor(id) ? ctx.byPath.get(`${REACT_COMPILER_MIRROR_DIR}/${id}`) : undefined;
}

/** What a module's script is made from besides its bytes (keys.ts). */
function moduleKind(id: string, file: SourceFile | undefined, ctx: Context): string {
  const flavor = sourceFlavor(id);
  // The same file compiles to other code under another JSX import source.
  if (flavor || !file) return `${flavor ?? "js"}${ctx.jsxSource ? ` jsx:${ctx.jsxSource}` : ""}`;
  if (extname(id) === "json") return "json";
  if (extname(id) === "css") return id.endsWith(".module.css") ? `css-module ${id}` : "css";
  return `asset ${assetScale(id)} ${ctx.assetUrl(file)}`;
}

/**
 * Makes and stores the script of `key`, once per build: files with equal content share it (their
 * requires are the same text, resolved from each file's own folder).
 */
async function produce(
  ctx: Context,
  id: string,
  file: SourceFile | undefined,
  key: string,
  synthesized: string | undefined,
): Promise<Made> {
  const made = await makeModule(ctx, id, file, key, synthesized);
  if ("error" in made) return made;
  ctx.counts.transformed++;
  if (!(await ctx.hasModule(key))) {
    await ctx.storeModule(key, made.code);
    ctx.counts.stored++;
  }
  return made;
}

async function makeModule(
  ctx: Context,
  id: string,
  file: SourceFile | undefined,
  key: string,
  synthesized: string | undefined,
): Promise<Made> {
  if (synthesized !== undefined) return transformModule(id, synthesized, key, ctx.jsxSource);
  if (!file) throw new Error(`module ${id} has no file`); // resolution only yields files of the revision
  if (sourceFlavor(id)) {
    const made = transformModule(
      id,
      await ctx.readText(generatedFor(ctx, id)?.path ?? id),
      key,
      ctx.jsxSource,
    );
    if (!("code" in made)) return made;
    // Reanimated's worklets need the closures its Babel plugin would record (worklets.ts).
    const code = mayHoldWorklets(made.code) ? captureWorkletClosures(made.code) : made.code;
    // Metro's require.context: a module the build writes per call (require-context.ts).
    const contexts = rewriteRequireContexts(code, id, ctx.paths);
    if (!contexts) return { ...made, code };
    for (const written of contexts.contexts) {
      ctx.synthesized.set(written.path, written.source);
      ctx.paths.add(written.path);
    }
    return { code: contexts.code, specifiers: [...made.specifiers, ...contexts.specifiers] };
  }
  if (extname(id) === "json") {
    const made = jsonModule(id, await ctx.readText(id), key);
    return "error" in made ? made : { code: made.code, specifiers: [] };
  }
  if (extname(id) === "css") {
    const text = await ctx.readText(generatedFor(ctx, id)?.path ?? id);
    const code = cssModuleCode(text, id, id.endsWith(".module.css"));
    return { code: wrapModule(key, code), specifiers: [] };
  }
  const bytes = assetNeedsBytes(id) || ctx.storeAsset ? await ctx.readBytes(id) : null;
  if (bytes && ctx.storeAsset) await ctx.storeAsset(file, bytes);
  return { code: assetModule(id, bytes, ctx.assetUrl(file), key).code, specifiers: [] };
}

function resolveAll(
  ctx: Context,
  from: string,
  specifiers: readonly Specifier[],
): { deps: Record<string, string>; next: string[] } | { errors: BuildError[] } {
  const deps: Record<string, string> = {};
  const next: string[] = [];
  const errors: BuildError[] = [];
  const failed = new Set<string>();
  for (const { spec, line, column } of specifiers) {
    if (spec in deps || failed.has(spec)) continue;
    const r = resolveSpecifier(from, spec, ctx.paths, ctx.runtime, ctx.dependencies, ctx.aliases);
    if (r.kind === "missing") {
      failed.add(spec);
      errors.push(notFound(ctx, from, spec, line, column));
      continue;
    }
    const target =
      r.kind === "file"
        ? r.path
        : r.kind === "runtime"
          ? ctx.runtime.appBound(r.id)
            ? SDK_PREFIX + r.id
            : `runtime:${r.id}`
          : r.id;
    deps[spec] = target;
    if (!target.startsWith("runtime:")) next.push(target);
  }
  return errors.length > 0 ? { errors } : { deps, next };
}

function notFound(ctx: Context, file: string, spec: string, line: number, column: number): BuildError {
  let reason: string;
  if (spec.startsWith(".") || spec.startsWith("/")) {
    reason = ASSET_EXTS.has(extname(spec))
      ? "there is no such asset in this revision (nor a .web, @2x or @3x variant of it)"
      : "there is no such file in this revision (tried the .web and plain variants of .ts .tsx .mjs .js .jsx .json .cjs, and index files)";
  } else if (aliasCandidates(ctx.aliases, spec).length > 0) {
    reason = `it matches a tsconfig "paths" alias, but none of ${aliasCandidates(ctx.aliases, spec).join(", ")} is a file of this revision`;
  } else {
    const name = packageName(spec);
    const uploaded = [...(ctx.dependencies?.keys() ?? [])].some((d) => packageName(d) === name);
    if (ctx.runtime.providesPackage(name)) {
      reason = `the preview runtime provides "${name}" but not "${spec}"`;
    } else if (uploaded) {
      reason = `the package "${name}" is an uploaded dependency of the project, but "${spec}" is not (a deep import is uploaded when a source file imports it by that name)`;
    } else {
      reason = `the package "${name}" is neither in the preview runtime nor an uploaded dependency of the project`;
    }
  }
  const from = file === PACKAGE_MAIN_PATH ? "package.json main" : file;
  return {
    code: "module_not_found",
    file,
    line,
    column,
    message: `Unable to resolve "${spec}" from ${from}: ${reason}.`,
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let cursor = 0;
  const worker = async () => {
    while (cursor < items.length) {
      const i = cursor++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
