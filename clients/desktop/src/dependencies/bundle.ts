import { readFile, realpath } from "node:fs/promises";
import { isBuiltin } from "node:module";
import path from "node:path";
import type { BuildFailure, Message, Plugin } from "esbuild";
import { transform } from "sucrase";
import { parseBareSpecifier } from "../../../../schema/api/dependencies";
import { cssModuleCode } from "../../../../worker-consumers/src/build/css-module";
import { metroSubpathFile } from "./metro-subpath";
import { findPackage, type InstalledPackage, isInside } from "./packages";
import { isRuntimeProvided } from "./runtime-names";

/** A file that declares itself Flow-typed, as Babel's flow-strip-types (without `all`) requires. */
const FLOW_PRAGMA = /@flow\b/;

/**
 * Changes whenever the bundler's options change what a bundle holds: part of every cache key, with
 * esbuild's version.
 */
export const BUNDLE_FORMAT = "hs-deps-2";

/** Metro's order for the web: `.web.*` variants first. */
const RESOLVE_EXTENSIONS = [
  ".web.tsx",
  ".web.ts",
  ".web.jsx",
  ".web.js",
  ".tsx",
  ".ts",
  ".jsx",
  ".js",
  ".mjs",
  ".cjs",
  ".json",
];
/** Images and fonts inside a package become data: URLs (react-native-web's Image takes a URI string). */
const DATA_URL_EXTENSIONS = [
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".webp",
  ".bmp",
  ".svg",
  ".ttf",
  ".otf",
  ".woff",
  ".woff2",
];
const ENTRY = "<hivesync-dependency>";

/** One bundled dependency module. */
export type BundledModule = {
  /** The CommonJS body of the module script (the build wraps it, docs/previews.md §1). */
  body: string;
  /** The bare specifiers it still requires: the runtime set's, and other packages' modules. */
  requires: string[];
  /** Every file it was made from (absolute), to tell whether a cached bundle is still right. */
  inputs: string[];
  /** Each package name it met and the folder its shared copy is in (null: none installed). */
  packages: Record<string, string | null>;
};

/** Why a package could not be bundled, with esbuild's first message and where it points. */
export class BundleError extends Error {
  override name = "BundleError";
}

let esbuildModule: Promise<typeof import("esbuild")> | undefined;

/**
 * esbuild's JS API, loaded on first use (a push that bundles nothing never starts it). Its absence
 * is a {@link BundleError}, so a push without it reports the packages it could not bundle.
 */
export function loadEsbuild(): Promise<typeof import("esbuild")> {
  esbuildModule ??= import("esbuild").catch((error: unknown) => {
    esbuildModule = undefined;
    throw new BundleError(`esbuild is not installed (${(error as Error).message})`);
  });
  return esbuildModule;
}

/** The shared copy of every package: the one the app's folder resolves to. Cached per bundling run. */
export type PackageLookup = (name: string) => Promise<InstalledPackage | null>;

/** A {@link PackageLookup} of the copies `root` resolves to, each looked up once. */
export function packageLookup(root: string): PackageLookup {
  const known = new Map<string, Promise<InstalledPackage | null>>();
  return (name) => {
    let found = known.get(name);
    if (!found) {
      found = findPackage(root, name);
      known.set(name, found);
    }
    return found;
  };
}

function describe(message: Message): string {
  const where = message.location ? ` (${message.location.file}:${message.location.line})` : "";
  return `${message.text}${where}`;
}

/** esbuild's namespace for the empty modules Node built-ins get. */
const EMPTY_NAMESPACE = "hivesync-empty";

/**
 * Bundles what `require(specifier)` gives in `root` (the app's folder, with its node_modules) into
 * one CommonJS module body: esbuild, platform browser, `process.env.NODE_ENV` "production",
 * `.web.*` files first, `import()` turned into `require`. Left external (kept as `require`):
 *
 * - the runtime set's modules and every path of its packages (react, react-native, expo…);
 * - another package, when the copy the bundled code gets is the shared one (the copy `root`
 *   resolves to): it becomes a module of its own, so every dependency shares one instance of it,
 *   as under Metro. A nested copy of another version is bundled in, as it is private to its user.
 *
 * The package's own deep imports of itself are bundled in. A subpath the package's `exports` do not
 * resolve (`three/examples/jsm/loaders/ColladaLoader`, whose target has no extension) is found as
 * Metro finds it: the file itself, with the extensions, or its `index` (see `metroSubpathFile`).
 *
 * @example
 * const { body, requires } = await bundleDependency("/home/ada/app", "lodash/debounce");
 */
export async function bundleDependency(
  root: string,
  specifier: string,
  options: { lookup?: PackageLookup } = {},
): Promise<BundledModule> {
  const esbuild = await loadEsbuild();
  const lookup = options.lookup ?? packageLookup(root);
  const self = parseBareSpecifier(specifier)?.name;
  const requires = new Set<string>();
  const packages: Record<string, string | null> = {};
  const external = (spec: string) => {
    requires.add(spec);
    return { path: spec, external: true };
  };

  const plugin: Plugin = {
    name: "hivesync-dependency-links",
    setup(build) {
      // A Node built-in in a package's web build (expo-font's node:async_hooks, an `fs` behind a
      // server check) gets the empty module Metro gives the web — unless the app installed a
      // package of that name (the `buffer` or `events` polyfill), which it then gets, as in Metro.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.kind === "entry-point" || !isBuiltin(args.path)) return undefined;
        const name = args.path.startsWith("node:") ? undefined : parseBareSpecifier(args.path)?.name;
        if (name && (await lookup(name))) return undefined;
        // Remembered, so installing the polyfill later makes a cached bundle stale.
        if (name) packages[name] = null;
        return { path: args.path, namespace: EMPTY_NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: EMPTY_NAMESPACE }, () => ({
        contents: "module.exports = {};",
        loader: "js",
      }));
      // A stylesheet a package ships (`@xyflow/react/dist/base.css`, or one its code imports): a
      // module that adopts it, in the same format as the app's own CSS (css-module.ts).
      build.onLoad({ filter: /\.css$/ }, async (args) => ({
        contents: cssModuleCode(
          await readFile(args.path, "utf8"),
          path.relative(root, args.path),
          args.path.endsWith(".module.css"),
        ),
        loader: "js",
      }));
      // Flow-typed sources (older React Native libraries ship them: react-native-view-shot), which
      // Metro's Babel preset strips and esbuild cannot parse: stripped here, JSX left to esbuild.
      build.onLoad({ filter: /\.jsx?$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!FLOW_PRAGMA.test(source.slice(0, 4096))) return undefined;
        try {
          const { code } = transform(source, {
            transforms: ["flow", "jsx"],
            jsxRuntime: "preserve",
            filePath: args.path,
          });
          return { contents: code, loader: "jsx" };
        } catch {
          return undefined; // not Flow after all: esbuild reads it as it is
        }
      });
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if ((args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
        if (args.kind === "entry-point" || path.isAbsolute(args.path)) return undefined;
        const spec = args.path;
        const parsed = parseBareSpecifier(spec);
        if (!parsed) return undefined;
        if (isRuntimeProvided(spec)) return external(spec);
        const bundledIn = args.importer === ENTRY || parsed.name === self;
        const shared = bundledIn ? null : await lookup(parsed.name);
        if (!bundledIn) packages[parsed.name] = shared?.dir ?? null;
        const resolved = await build.resolve(spec, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { inner: true },
        });
        let fallback: string | null = null;
        if (resolved.errors.length > 0) {
          // Metro's file-based fallback for a subpath the package's `exports` do not resolve;
          // without one, esbuild's own error names what is missing.
          const owner = await findPackage(args.resolveDir, parsed.name);
          fallback = owner && (await metroSubpathFile(owner.dir, parsed.subpath, RESOLVE_EXTENSIONS));
          if (!fallback) return undefined;
        } else if (!resolved.path || resolved.external) return undefined;
        // A private copy, a browser-field mapping: bundled in, wherever esbuild (or Metro) found it.
        if (!shared) return fallback ? { path: fallback } : undefined;
        const file = await realpath(fallback ?? resolved.path).catch(() => fallback ?? resolved.path);
        if (isInside(file, shared.dir)) return external(spec);
        return fallback ? { path: fallback } : undefined;
      });
    },
  };

  let result: Awaited<ReturnType<typeof esbuild.build<{ write: false; metafile: true }>>>;
  try {
    result = await esbuild.build({
      stdin: {
        contents: `module.exports = require(${JSON.stringify(specifier)});\n`,
        resolveDir: root,
        sourcefile: ENTRY,
        loader: "js",
      },
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      format: "cjs",
      platform: "browser",
      define: { "process.env.NODE_ENV": '"production"' },
      supported: { "dynamic-import": false },
      resolveExtensions: RESOLVE_EXTENSIONS,
      loader: {
        ".js": "jsx",
        ...Object.fromEntries(DATA_URL_EXTENSIONS.map((ext) => [ext, "dataurl" as const])),
      },
      logLevel: "silent",
      plugins: [plugin],
    });
  } catch (error) {
    const first = (error as BuildFailure).errors?.[0];
    throw new BundleError(first ? describe(first) : String((error as Error).message ?? error));
  }
  const body = result.outputFiles[0]?.text ?? "";
  // Not files: the stdin entry, and the empty modules of built-ins (`hivesync-empty:fs`), which
  // would otherwise be inputs that never exist and make the cached bundle stale at every push.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.startsWith("<") && !p.startsWith(`${EMPTY_NAMESPACE}:`))
    .map((p) => path.resolve(root, p))
    .sort();
  return { body, requires: [...requires].sort(), inputs, packages };
}
