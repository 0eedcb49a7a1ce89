// Builds one Expo SDK's part of the preview runtime from the packages installed in
// runtime/sdks/<sdk>/node_modules (docs/previews.md §3): every file of a provided package, and
// every file those reach, becomes a CommonJS module of the runtime's graph (transformed file by
// file with esbuild, resolved with Metro's web rules through enhanced-resolve), grouped into
// content-addressed chunks so a page loads only the packages its app reaches.
//
// Returns { chunks: [{name, file, code, bytes}], assets: [{file, bytes}], table } where `table` is
// what the preview build needs (worker-consumers/src/build/sdk.ts): which module a specifier means, which chunks it
// needs, and the modules that read the app's own files (expo-router's routes context).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import enhancedResolve from "enhanced-resolve";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** Metro's web extension order (Expo's sourceExts, `.web` variants first per extension). */
const SOURCE_EXTS = ["ts", "tsx", "mjs", "js", "jsx", "json", "cjs"];
const EXTENSIONS = [...SOURCE_EXTS.map((e) => `.web.${e}`), ...SOURCE_EXTS.map((e) => `.${e}`)];
const CODE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
const ASSET_FILE = /\.(?:png|jpe?g|gif|webp|bmp|svg|ttf|otf|woff2?|mp3|wav|m4a|aac|mp4|webm)$/i;
const CSS_FILE = /\.css$/;
/** Folders of a package that hold no web code (native projects, config plugins, tests, sources). */
const SKIPPED_DIRS = new Set([
  "node_modules",
  "android",
  "ios",
  "plugin",
  "plugins",
  "scripts",
  "__tests__",
  "__mocks__",
  "__fixtures__",
  "mocks",
  "jest",
  "cli",
  "bin",
  "docs",
  "e2e",
  "local-maven-repo",
  "cpp",
  "apple",
  "tools",
  "Common",
  "common",
  "windows",
  "macos",
  "vendor-native",
  "lib-android",
  "fabric",
]);
const SKIPPED_FILES =
  /(?:tsconfig[\w.-]*\.json|\.d\.ts|\.map|\.flow|\.test\.[jt]sx?|\.spec\.[jt]sx?|app\.plugin\.js|\.config\.[cm]?js|babel\.js|\.native\.[jt]sx?|\.ios\.[jt]sx?|\.android\.[jt]sx?)$/;
/**
 * Public entries that are build tooling or server code, never what a page runs (Metro and config
 * plugins, React's server renderer and profiling build): left to the package's second chunk.
 */
const TOOLING_ENTRY =
  /^(?:metro-config|config-plugins|config|fingerprint|local-build-cache-provider|babel|plugin|app\.plugin|react-native\.config|server(?:\.\w+)?|static(?:\.\w+)?|profiling|node|rsc\/.*|testing-library|jest.*|internal\/.*)(?:\/.*)?$/;
/** Specifiers the preview build answers with a module of the app's (expo-router's routes). */
const APP_BOUND = ["expo-router/_ctx"];
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * @param {{ sdk: string, folder: string, esbuild: typeof import("esbuild"), define: Record<string,string>, packages: string[], cssModuleCode: (text: string, scope: string, scoped: boolean) => string }} options
 */
export async function buildSdk({ sdk, folder, esbuild, define, packages, cssModuleCode }) {
  const nm = path.join(folder, "node_modules");
  const resolver = enhancedResolve.create.sync({
    extensions: EXTENSIONS,
    conditionNames: ["browser", "import", "require", "default"],
    mainFields: ["browser", "module", "main"],
    aliasFields: ["browser"],
    exportsFields: ["exports"],
    alias: { "react-native$": path.join(nm, "react-native-web") },
    symlinks: true,
  });
  const provided = packages.filter((name) => existsSync(path.join(nm, name, "package.json")));

  /** Module id: the file's path under node_modules, posix. */
  const idOf = (file) => path.relative(nm, file).split(path.sep).join("/");
  /** The package folder a module id belongs to (`a/node_modules/@s/b` for nested copies). */
  const packageOf = (id) => {
    const parts = id.split("/");
    let end = 0;
    for (let i = 0; i < parts.length; ) {
      const width = parts[i].startsWith("@") ? 2 : 1;
      end = i + width;
      if (parts[end] === "node_modules") i = end + 1;
      else break;
    }
    return parts.slice(0, end).join("/");
  };

  function resolveFrom(dir, spec) {
    try {
      const found = resolver({}, dir, spec);
      return found === false ? false : found || undefined;
    } catch {
      return undefined;
    }
  }

  /** @type {Map<string, {id: string, code: string, deps: Record<string,string>, pkg: string}>} */
  const modules = new Map();
  const assets = [];
  const errors = [];
  const EMPTY = "\0empty";

  async function transform(file) {
    const id = idOf(file);
    if (ASSET_FILE.test(file)) {
      const bytes = readFileSync(file);
      const ext = path.extname(file).slice(1).toLowerCase();
      const name = `${sha256(bytes)}.${ext}`;
      assets.push({ file: `a/${name}`, bytes });
      // The URL itself: what every consumer of a package's asset accepts as a source (expo-font's
      // loadAsync, nested as `{uri: require("x.ttf")}` by expo-symbols; react-native-web's Image;
      // expo-asset's fromModule), where Metro's numeric asset ids need a registry the page lacks.
      return { code: `module.exports=${JSON.stringify(`/runtime/a/${name}`)};`, requires: [] };
    }
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".json"))
      return {
        code: `module.exports=JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(text)))});`,
        requires: [],
      };
    if (CSS_FILE.test(file))
      return { code: cssModuleCode(text, id, file.endsWith(".module.css")), requires: [] };
    const ext = path.extname(file).slice(1);
    const loader = ext === "ts" || ext === "mts" || ext === "cts" ? "ts" : ext === "tsx" ? "tsx" : "jsx";
    const out = await esbuild.transform(text, {
      loader,
      format: "cjs",
      target: "es2020",
      minify: true,
      jsx: "automatic",
      define,
      supported: { "dynamic-import": false },
      sourcefile: id,
      logLevel: "silent",
      tsconfigRaw: { compilerOptions: { jsx: "react-jsx", useDefineForClassFields: false } },
    });
    return { code: out.code, requires: requiresOf(out.code) };
  }

  /** While false, a dep into a package not provided and not yet reached is left missing. */
  let followAll = true;

  async function visit(file) {
    const id = idOf(file);
    if (modules.has(id)) return;
    const record = { id, code: "", deps: {}, pkg: packageOf(id) };
    modules.set(id, record);
    let result;
    try {
      result = await transform(file);
    } catch (error) {
      errors.push(`${id}: ${error.message.split("\n")[0]}`);
      result = {
        code: `throw new Error(${JSON.stringify(`${id} could not be built for the web preview`)});`,
        requires: [],
      };
    }
    record.code = result.code;
    const dir = path.dirname(file);
    const pending = [];
    for (const spec of result.requires) {
      if (record.deps[spec] !== undefined) continue;
      if (APP_BOUND.includes(spec)) {
        record.deps[spec] = `app:${spec}`;
        continue;
      }
      if (NODE_BUILTINS.has(spec) && !existsSync(path.join(nm, spec))) {
        record.deps[spec] = EMPTY;
        continue;
      }
      const target = resolveFrom(dir, spec);
      if (target === false) record.deps[spec] = EMPTY;
      else if (target === undefined) record.deps[spec] = `missing:${spec}`;
      else if (
        !(CODE_FILE.test(target) || ASSET_FILE.test(target) || CSS_FILE.test(target)) ||
        idOf(target).startsWith("../")
      )
        record.deps[spec] = `missing:${spec}`;
      else if (!followAll && !modules.has(idOf(target)) && !provided.includes(packageOf(idOf(target))))
        // Deep files of a package (its config plugin, its Metro config) reach Node tooling that
        // has no place in a browser: such a require fails when it runs, not the whole runtime.
        record.deps[spec] = `missing:${spec}`;
      else {
        record.deps[spec] = idOf(target);
        pending.push(target);
      }
    }
    for (const target of pending) await visit(target);
  }

  // 1. What each provided package's main entry reaches, package by package: those modules form the
  //    package's chunk (with the non-provided packages it brings along first).
  const owner = new Map();
  for (const name of provided) {
    const before = new Set(modules.keys());
    const main = resolveFrom(nm, name);
    if (typeof main === "string") await visit(main);
    for (const id of modules.keys()) if (!before.has(id)) owner.set(id, chunkOwner(id, name));
  }
  // 2. Its other public entries ("exports" subpaths, top-level files such as expo-router/stack),
  //    in the same chunk: apps name them as often as the main one.
  for (const name of provided) {
    const before = new Set(modules.keys());
    for (const file of publicEntries(nm, name, resolveFrom)) await visit(file);
    for (const id of modules.keys()) if (!before.has(id)) owner.set(id, chunkOwner(id, name));
  }
  // 3. Every other file (deep paths apps may require), in a second chunk per package that only a
  //    page requiring one of them loads.
  followAll = false;
  for (const name of provided) {
    const before = new Set(modules.keys());
    for (const file of packageFiles(path.join(nm, name))) await visit(file);
    for (const id of modules.keys()) if (!before.has(id)) owner.set(id, `${chunkOwner(id, name)}~rest`);
  }
  function chunkOwner(id, fallback) {
    const pkg = packageOf(id);
    return provided.includes(pkg) ? pkg : fallback;
  }

  // React's production build exports `jsxDEV` as undefined, but a development JSX transform (a
  // package's, or sucrase's default) calls it: `react/jsx-dev-runtime` is jsxDEV over jsx/jsxs.
  const jsxRuntime = resolveFrom(nm, "react/jsx-runtime");
  if (typeof jsxRuntime === "string") {
    const id = "react/jsx-dev-runtime.hivesync.js";
    modules.set(id, {
      id,
      pkg: "react",
      deps: { "react/jsx-runtime": idOf(jsxRuntime) },
      code: 'var r=require("react/jsx-runtime");exports.Fragment=r.Fragment;exports.jsxDEV=function(t,p,k,s){return s?r.jsxs(t,p,k):r.jsx(t,p,k)};',
    });
    owner.set(id, "react");
  }

  // 3. Chunks: the modules of each owner, as one script registering them with the page's registry.
  const chunkNames = [...new Set(owner.values())].sort();
  const chunkIndex = new Map(chunkNames.map((name, i) => [name, i]));
  const keyOf = new Map();
  for (const record of modules.values()) keyOf.set(record.id, sha256(`hs-sdk-1\n${record.code}`));
  const chunks = chunkNames.map((name) => {
    const members = [...modules.values()]
      .filter((m) => owner.get(m.id) === name)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const table = {};
    const parts = [];
    const needs = new Set();
    for (const m of members) {
      const deps = {};
      for (const [spec, target] of Object.entries(m.deps)) {
        deps[spec] = target;
        const other = owner.get(target);
        if (other !== undefined && other !== name) needs.add(chunkIndex.get(other));
      }
      table[m.id] = [keyOf.get(m.id), deps];
      parts.push(
        `${JSON.stringify(keyOf.get(m.id))}:function(require,module,exports,__filename,__dirname){${m.code}\n}`,
      );
    }
    const code = `__hs.c(${JSON.stringify(table)},{${parts.join(",\n")}});\n`;
    const hash = sha256(code).slice(0, 16);
    return {
      name,
      file: `c/${hash}.js`,
      url: `/runtime/c/${hash}.js`,
      code,
      bytes: Buffer.byteLength(code),
      needs: [...needs].sort((a, b) => a - b),
    };
  });

  // 4. The specifiers an app (or an uploaded dependency) may write for each module of a provided
  //    package: the exact path, without its extension, a folder for its index, and the package.
  const specifiers = {};
  const ids = [...modules.keys()].sort();
  const idIndex = new Map(ids.map((id, i) => [id, i]));
  for (const id of ids) {
    const pkg = packageOf(id);
    if (!provided.includes(pkg)) continue;
    const candidates = new Set([id]);
    const bare = id.replace(/(\.web)?\.[cm]?[jt]sx?$/, "");
    candidates.add(bare);
    if (bare.endsWith("/index")) candidates.add(bare.slice(0, -"/index".length));
    for (const spec of candidates) {
      if (specifiers[spec] !== undefined) continue;
      const found = resolveFrom(nm, spec);
      // A path the package's "exports" hides still resolves by file, as Metro falls back to.
      if (found === undefined ? spec === id || !existsSyncSpec(spec) : found && idOf(found) === id)
        specifiers[spec] = idIndex.get(id);
    }
  }
  for (const name of [...provided, "react-native"]) {
    const found = resolveFrom(nm, name);
    if (found && idIndex.has(idOf(found))) specifiers[name] = idIndex.get(idOf(found));
  }
  if (idIndex.has("react/jsx-dev-runtime.hivesync.js"))
    specifiers["react/jsx-dev-runtime"] = idIndex.get("react/jsx-dev-runtime.hivesync.js");
  function existsSyncSpec(spec) {
    return EXTENSIONS.some((e) => existsSync(path.join(nm, spec + e)));
  }

  // 5. Modules that read the app's files (and those that require them) are run as part of the
  //    app's graph, so they re-run when a route is added.
  const appBound = new Set();
  let grew = true;
  while (grew) {
    grew = false;
    for (const record of modules.values()) {
      if (appBound.has(record.id)) continue;
      if (Object.values(record.deps).some((t) => t.startsWith("app:") || appBound.has(t))) {
        appBound.add(record.id);
        grew = true;
      }
    }
  }

  const versions = Object.fromEntries(
    provided.map((name) => [
      name,
      JSON.parse(readFileSync(path.join(nm, name, "package.json"), "utf8")).version,
    ]),
  );
  const table = {
    sdk,
    packages: versions,
    routePattern: routePattern(nm),
    // The AppRegistry modules an app mounts through: react-native-web's, and expo's own web
    // AppRegistry (registerRootComponent's, backed by react-dom/client) — the page hooks both.
    appRegistries: ids.filter((id) => /^expo\/(?:src|build)\/launch\/AppRegistry\.web\.[jt]sx?$/.test(id)),
    chunks: chunks.map((c) => ({ name: c.name, url: c.url, needs: c.needs })),
    ids,
    chunkOf: ids.map((id) => chunkIndex.get(owner.get(id))),
    specifiers,
    appBound: Object.fromEntries(
      [...appBound].sort().map((id) => [id, { key: keyOf.get(id), deps: modules.get(id).deps }]),
    ),
  };
  return { chunks, assets, table, errors };
}

/**
 * The pattern Expo Router matches route files with: the RegExp of its own web `_ctx` module's
 * `require.context` (what babel-preset-expo and Metro evaluate), read from this SDK's copy.
 */
function routePattern(nm) {
  const file = path.join(nm, "expo-router/_ctx.web.js");
  if (!existsSync(file)) return undefined;
  const match = /require\.context\([^,]+,\s*true,\s*\/(.+)\/,/.exec(readFileSync(file, "utf8"));
  return match?.[1];
}

/** A package's "exports" subpaths and top-level files, resolved. */
function publicEntries(nm, name, resolveFrom) {
  const base = path.join(nm, name);
  const pkg = JSON.parse(readFileSync(path.join(base, "package.json"), "utf8"));
  const specs = [];
  if (pkg.exports && typeof pkg.exports === "object" && !Array.isArray(pkg.exports))
    for (const key of Object.keys(pkg.exports))
      if (key.startsWith("./") && !key.includes("*") && key !== "./package.json")
        specs.push(`${name}/${key.slice(2)}`);
  for (const f of readdirSync(base))
    if (/^[\w-]+\.js$/.test(f) && !SKIPPED_FILES.test(f)) specs.push(`${name}/${f.replace(/\.js$/, "")}`);
  return [...new Set(specs)]
    .filter((s) => !TOOLING_ENTRY.test(s.slice(name.length + 1).replace(/\.js$/, "")))
    .map((s) => resolveFrom(nm, s))
    .filter(
      (f) =>
        typeof f === "string" &&
        CODE_FILE.test(f) &&
        !SKIPPED_FILES.test(f) &&
        !path
          .relative(base, f)
          .split(path.sep)
          .some((d) => SKIPPED_DIRS.has(d)),
    );
}

/** Every code, style and asset file of a package a deep require could name (not its native parts). */
function packageFiles(base) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(full);
      } else if (
        (CODE_FILE.test(entry.name) || CSS_FILE.test(entry.name)) &&
        !SKIPPED_FILES.test(entry.name) &&
        statSync(full).size < 4_000_000
      )
        files.push(full);
    }
  };
  walk(base);
  // A package that ships both its sources and a build: the sources are for its own tooling.
  const hasBuild = ["build", "lib", "dist"].some((d) => existsSync(path.join(base, d)));
  return files.filter((f) => !(hasBuild && path.relative(base, f).startsWith(`src${path.sep}`))).sort();
}

/** The static `require("…")` specifiers of esbuild's CommonJS output. */
function requiresOf(code) {
  const found = new Set();
  for (const match of code.matchAll(/(?<![\w$.])require\(\s*(["'`])((?:(?!\1)[^\\\n])+)\1\s*\)/g))
    found.add(match[2]);
  return [...found];
}
