#!/usr/bin/env node
// Builds the preview runtime (runtime/src → runtime/dist) with esbuild: the core, one minified IIFE
// holding the `__hs` registry, page, bar and overlay; and for each supported Expo SDK the chunks
// made of the real packages pinned in runtime/sdks/<sdk>/ (installed here from their lock file;
// runtime/sdks/build-sdk.mjs). Runs from npm's postinstall/predev/prebuild/pretest hooks, so it
// must be fast when nothing changed: it records a digest of every input of the last build and
// skips when none changed. Deterministic: the same inputs give the same bytes, so the same URLs.
//
// Outputs (all git-ignored):
//   dist/hivesync-runtime.js     the core (the app's frame), and
//   dist/hivesync-shell.js       the shell (bar, overlay, live channel; runtime/src/shell), both
//                                imported as text (wrangler.toml [[rules]]) by
//   dist/index.js + index.d.ts   RUNTIME_SCRIPT and SHELL_SCRIPT (what worker-api serves)
//   dist/meta.js + meta.d.ts     RUNTIME_HASH, RUNTIME_URL, RUNTIME_PACKAGES, SDK_VERSIONS, sizes
//   dist/sdks.js + sdks.d.ts     SDK_TABLES: per SDK, what the preview build resolves against
//   dist/public/c/<hash>.js      the SDK chunks, served at /runtime/c/<hash>.js (wrangler [assets])
//   dist/public/a/<sha256>.<ext> the packages' fonts and images, served at /runtime/a/…
//   dist/stamp.json, dist/sdk-<sdk>.json   what the skip checks compare
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildSdk } from "./sdks/build-sdk.mjs";
import { loadCssModuleCode, loadProvided } from "./sdks/load-provided.mjs";

const here = import.meta.dirname;
const root = path.dirname(here);
const dist = path.join(here, "dist");
const OUT = "hivesync-runtime.js";
/** The preview's shell on the API's origin (runtime/src/shell): bar, overlay, live channel, the app's frame. */
const SHELL_OUT = "hivesync-shell.js";
/** The Expo SDKs previews run, newest last: each is a folder runtime/sdks/<sdk>/ (runtime/sdks/pin.mjs). */
const SDKS = ["54", "55", "56", "57", "58"];
/** What the SDK packages are compiled with (Metro's inlined values for a web build). */
const SDK_DEFINE = {
  "process.env.NODE_ENV": '"production"',
  "process.env.EXPO_OS": '"web"',
  __DEV__: "false",
};
const force = process.argv.includes("--force");
const quiet = process.argv.includes("--quiet");

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const log = (message) => quiet || console.log(`runtime: ${message}`);

/** Digest of the files a build depends on: the listed inputs, every source file, this script. */
function inputsDigest(inputs) {
  const sources = readdirSync(path.join(here, "src"), { recursive: true })
    .map((f) => path.join("runtime/src", String(f)))
    .filter((f) => /\.[cm]?[jt]sx?$/.test(f));
  const files = [
    ...new Set([...inputs, ...sources, "runtime/build.mjs", "node_modules/esbuild/package.json"]),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file}\0${existsSync(full) ? sha256(readFileSync(full)) : "missing"}\0`);
  }
  return hash.digest("hex");
}

function upToDate() {
  const stampFile = path.join(dist, "stamp.json");
  if (force || !existsSync(stampFile) || !existsSync(path.join(dist, OUT))) return undefined;
  if (!existsSync(path.join(dist, SHELL_OUT))) return undefined;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  return stamp.digest === inputsDigest(stamp.inputs) ? stamp : undefined;
}

/** Installs an SDK folder's packages from its lock file, unless that lock is what is installed. */
function installSdk(folder) {
  const lock = sha256(readFileSync(path.join(folder, "package-lock.json")));
  const marker = path.join(folder, "node_modules", ".hivesync-lock");
  if (existsSync(marker) && readFileSync(marker, "utf8") === lock) return;
  log(`installing ${path.relative(root, folder)} (npm install from its lock file)`);
  // The outer npm's settings (npm_config_*: its command, global, omit…) are not this install's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: folder,
    env,
    stdio: quiet ? "ignore" : ["ignore", "inherit", "inherit"],
  });
  writeFileSync(marker, lock);
}

/** Builds each SDK's chunks and table, skipping an SDK whose inputs are unchanged. */
async function buildSdks(esbuild) {
  const provided = await loadProvided(esbuild);
  const cssModuleCode = await loadCssModuleCode(esbuild);
  const tables = {};
  const packages = {};
  for (const sdk of SDKS) {
    const folder = path.join(here, "sdks", sdk);
    installSdk(folder);
    const digest = sha256(
      JSON.stringify({
        lock: sha256(readFileSync(path.join(folder, "package-lock.json"))),
        builder: sha256(readFileSync(path.join(here, "sdks/build-sdk.mjs"))),
        css: sha256(readFileSync(path.join(root, "worker-consumers/src/build/css-module.ts"))),
        provided,
        define: SDK_DEFINE,
        esbuild: esbuild.version,
      }),
    );
    const stampFile = path.join(dist, `sdk-${sdk}.json`);
    let table;
    if (!force && existsSync(stampFile)) {
      const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
      if (
        stamp.digest === digest &&
        stamp.table.chunks.every((c) =>
          existsSync(path.join(dist, "public", c.url.slice("/runtime/".length))),
        )
      )
        table = stamp.table;
    }
    if (!table) {
      const started = performance.now();
      const built = await buildSdk({
        sdk,
        folder,
        esbuild,
        define: SDK_DEFINE,
        packages: Object.keys(provided),
        cssModuleCode,
      });
      for (const out of [...built.chunks.map((c) => ({ file: c.file, bytes: c.code })), ...built.assets]) {
        const target = path.join(dist, "public", out.file);
        mkdirSync(path.dirname(target), { recursive: true });
        if (!existsSync(target)) writeFileSync(target, out.bytes);
      }
      table = built.table;
      writeFileSync(stampFile, JSON.stringify({ digest, table }));
      const bytes = built.chunks.reduce((sum, c) => sum + c.bytes, 0);
      log(
        `built Expo SDK ${sdk} in ${Math.round(performance.now() - started)} ms: ${built.chunks.length} chunks, ${table.ids.length} modules, ${(bytes / 1048576).toFixed(1)} MiB${built.errors.length ? `; ${built.errors.length} files left out: ${built.errors.join("; ")}` : ""}`,
      );
    }
    tables[sdk] = table;
    packages[sdk] = table.packages;
  }
  writeFileSync(
    path.join(dist, "sdks.js"),
    `// Generated by runtime/build.mjs: per Expo SDK, what a preview build resolves against.\nexport const SDK_VERSIONS = ${JSON.stringify(SDKS)};\nexport const SDK_PACKAGES = ${JSON.stringify(packages)};\nexport const SDK_TABLES = ${JSON.stringify(tables)};\n`,
  );
  writeFileSync(
    path.join(dist, "sdks.d.ts"),
    `// Generated by runtime/build.mjs.
/** One Expo SDK's runtime (runtime/sdks/build-sdk.mjs): its chunks and how specifiers resolve in it. */
export interface SdkTable {
  sdk: string;
  /** Provided package → pinned version. */
  packages: Record<string, string>;
  /** Chunks: URL and the chunks (indices) its modules require. */
  chunks: { name: string; url: string; needs: number[] }[];
  /** Every module id, sorted; chunkOf[i] is the chunk of ids[i]. */
  ids: string[];
  chunkOf: number[];
  /** Bare specifier an app may write → index in ids. */
  specifiers: Record<string, number>;
  /** Modules that require the app's own files (expo-router/_ctx) and those that require them. */
  appBound: Record<string, { key: string; deps: Record<string, string> }>;
  /** Expo Router's route pattern (the RegExp source of its _ctx require.context). */
  routePattern?: string;
  /** Module ids of AppRegistry implementations besides react-native-web's (expo's web one). */
  appRegistries: string[];
}
/** The supported SDK majors, oldest first. */
export declare const SDK_VERSIONS: readonly string[];
/** Per SDK: provided package → pinned version. */
export declare const SDK_PACKAGES: Readonly<Record<string, Readonly<Record<string, string>>>>;
export declare const SDK_TABLES: Readonly<Record<string, SdkTable>>;
`,
  );
}

async function main() {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch (error) {
    // An install without devDependencies (npm ci --omit=dev) has no esbuild: the Worker build will
    // say the runtime is missing, which is where it matters.
    if (process.env.npm_lifecycle_event === "postinstall")
      return log(`skipped, esbuild unavailable (${error.message})`);
    throw error;
  }
  mkdirSync(dist, { recursive: true });
  await buildSdks(esbuild);
  const fresh = upToDate();
  if (fresh) return log(`up to date (${fresh.hash})`);

  const started = performance.now();
  const build = (entry) =>
    esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: ["es2020", "chrome90", "safari15", "firefox90"],
      minify: true,
      // Production React: a phone downloads this, and the overlay shows errors without React's dev build.
      define: { "process.env.NODE_ENV": '"production"' },
      legalComments: "eof",
      charset: "utf8",
      metafile: true,
      write: false,
      logLevel: "warning",
    });
  const [result, shellResult] = await Promise.all([
    build("runtime/src/index.ts"),
    build("runtime/src/shell/index.ts"),
  ]);
  const js = result.outputFiles[0].contents;
  const hash = sha256(js).slice(0, 16);
  const shellJs = shellResult.outputFiles[0].contents;
  const shellHash = sha256(shellJs).slice(0, 16);
  const inputs = [
    ...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(shellResult.metafile.inputs)]),
  ].sort();

  const meta = {
    hash,
    url: `/runtime/${hash}.js`,
    bytes: js.length,
    gzipBytes: gzipSync(js, { level: 9 }).length,
  };

  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, OUT), js);
  writeFileSync(path.join(dist, SHELL_OUT), shellJs);
  // The Worker imports the script through this module so the text import's specifier is
  // "./hivesync-runtime.js": with preserve_file_names wrangler writes the module under the name it
  // is imported by, so a specifier climbing out of runtime/dist would land outside the bundle.
  writeFileSync(
    path.join(dist, "index.js"),
    '// Generated by runtime/build.mjs.\nimport script from "./hivesync-runtime.js";\nimport shell from "./hivesync-shell.js";\nexport const RUNTIME_SCRIPT = script;\nexport const SHELL_SCRIPT = shell;\n',
  );
  writeFileSync(
    path.join(dist, "index.d.ts"),
    "// Generated by runtime/build.mjs.\n/** The runtime script's text (served at RUNTIME_URL). */\nexport declare const RUNTIME_SCRIPT: string;\n/** The shell script's text (served at SHELL_URL). */\nexport declare const SHELL_SCRIPT: string;\n",
  );
  for (const name of ["hivesync-runtime.d.ts", "hivesync-shell.d.ts"])
    writeFileSync(
      path.join(dist, name),
      "// Generated by runtime/build.mjs: a script, imported as text.\ndeclare const text: string;\nexport default text;\n",
    );
  writeFileSync(
    path.join(dist, "meta.js"),
    `// Generated by runtime/build.mjs.\n${Object.entries({
      RUNTIME_HASH: meta.hash,
      RUNTIME_URL: meta.url,
      RUNTIME_BYTES: meta.bytes,
      RUNTIME_GZIP_BYTES: meta.gzipBytes,
      SHELL_HASH: shellHash,
      SHELL_URL: `/shell/${shellHash}.js`,
      SHELL_BYTES: shellJs.length,
    })
      .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`)
      .join("\n")}\n`,
  );
  writeFileSync(
    path.join(dist, "meta.d.ts"),
    `// Generated by runtime/build.mjs.
/** Content hash of the runtime script (hex, 16 digits): the immutable part of its URL. */
export declare const RUNTIME_HASH: string;
/** Where worker-api serves it: "/runtime/<hash>.js" (manifests' app.runtime). */
export declare const RUNTIME_URL: string;
export declare const RUNTIME_BYTES: number;
export declare const RUNTIME_GZIP_BYTES: number;
/** Content hash of the shell script: the immutable part of SHELL_URL ("/shell/<hash>.js"). */
export declare const SHELL_HASH: string;
export declare const SHELL_URL: string;
export declare const SHELL_BYTES: number;
`,
  );
  writeFileSync(
    path.join(dist, "stamp.json"),
    `${JSON.stringify({ hash, inputs, digest: inputsDigest(inputs) }, null, 1)}\n`,
  );
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  log(
    `built ${meta.url} and /shell/${shellHash}.js (${kib(shellJs.length)}) in ${Math.round(performance.now() - started)} ms: ${kib(meta.bytes)} raw, ${kib(meta.gzipBytes)} gzip`,
  );
}

main().catch((error) => {
  console.error(`runtime: build failed: ${error.stack ?? error}`);
  process.exit(1);
});
