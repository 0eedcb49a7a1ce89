#!/usr/bin/env node
// Builds the preview runtime (runtime/src → runtime/dist) with esbuild: one minified IIFE holding
// the `__hs` registry and the runtime set from the pinned npm packages. Runs from npm's
// postinstall/predev/prebuild/pretest hooks, so it must be fast when nothing changed: it records a
// digest of every file the last build read and skips when none changed. Deterministic: the same
// inputs give the same bytes, so the same content hash and URL.
//
// Outputs (all git-ignored):
//   dist/hivesync-runtime.js     the runtime, imported as text (wrangler.toml [[rules]]) by
//   dist/index.js + index.d.ts   RUNTIME_SCRIPT (what worker-api serves)
//   dist/meta.js + meta.d.ts     RUNTIME_HASH, RUNTIME_URL, RUNTIME_MODULES, RUNTIME_PACKAGES, sizes
//   dist/stamp.json              what the skip check compares
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const here = import.meta.dirname;
const root = path.dirname(here);
const dist = path.join(here, "dist");
const OUT = "hivesync-runtime.js";
/** The packages the set is built from; their versions are recorded in the output's metadata. */
const PACKAGES = ["react", "react-dom", "react-native-web"];
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
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  return stamp.digest === inputsDigest(stamp.inputs) ? stamp : undefined;
}

async function main() {
  const fresh = upToDate();
  if (fresh) return log(`up to date (${fresh.hash})`);

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
  const started = performance.now();
  const packages = Object.fromEntries(
    PACKAGES.map((name) => [
      name,
      JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"))).version,
    ]),
  );
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["runtime/src/index.ts"],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["es2020", "chrome90", "safari15", "firefox90"],
    minify: true,
    // Production React: a phone downloads this, and the overlay shows errors without React's dev build.
    define: { "process.env.NODE_ENV": '"production"', __HS_PACKAGES__: JSON.stringify(packages) },
    legalComments: "eof",
    charset: "utf8",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const js = result.outputFiles[0].contents;
  const hash = sha256(js).slice(0, 16);
  const inputs = Object.keys(result.metafile.inputs).sort();

  // The set's names, from the same file the runtime's types check its set against.
  const names = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["runtime/src/set-names.ts"],
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const { RUNTIME_SET_NAMES } = await import(
    `data:text/javascript,${encodeURIComponent(names.outputFiles[0].text)}`
  );
  const modules = [...RUNTIME_SET_NAMES].sort();
  const meta = {
    hash,
    url: `/runtime/${hash}.js`,
    modules,
    packages,
    bytes: js.length,
    gzipBytes: gzipSync(js, { level: 9 }).length,
  };

  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, OUT), js);
  // The Worker imports the script through this module so the text import's specifier is
  // "./hivesync-runtime.js": with preserve_file_names wrangler writes the module under the name it
  // is imported by, so a specifier climbing out of runtime/dist would land outside the bundle.
  writeFileSync(
    path.join(dist, "index.js"),
    '// Generated by runtime/build.mjs.\nimport script from "./hivesync-runtime.js";\nexport const RUNTIME_SCRIPT = script;\n',
  );
  writeFileSync(
    path.join(dist, "index.d.ts"),
    "// Generated by runtime/build.mjs.\n/** The runtime script's text (served at RUNTIME_URL). */\nexport declare const RUNTIME_SCRIPT: string;\n",
  );
  writeFileSync(
    path.join(dist, "hivesync-runtime.d.ts"),
    "// Generated by runtime/build.mjs: the runtime script, imported as text.\ndeclare const text: string;\nexport default text;\n",
  );
  writeFileSync(
    path.join(dist, "meta.js"),
    `// Generated by runtime/build.mjs.\n${Object.entries({
      RUNTIME_HASH: meta.hash,
      RUNTIME_URL: meta.url,
      RUNTIME_MODULES: meta.modules,
      RUNTIME_PACKAGES: meta.packages,
      RUNTIME_BYTES: meta.bytes,
      RUNTIME_GZIP_BYTES: meta.gzipBytes,
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
/** The bare specifiers the runtime set provides (a build resolves them to "runtime:<name>"). */
export declare const RUNTIME_MODULES: readonly string[];
/** The pinned npm versions the set was built from. */
export declare const RUNTIME_PACKAGES: Readonly<Record<string, string>>;
export declare const RUNTIME_BYTES: number;
export declare const RUNTIME_GZIP_BYTES: number;
`,
  );
  writeFileSync(
    path.join(dist, "stamp.json"),
    `${JSON.stringify({ hash, inputs, digest: inputsDigest(inputs) }, null, 1)}\n`,
  );
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  log(
    `built ${meta.url} in ${Math.round(performance.now() - started)} ms: ${kib(meta.bytes)} raw, ${kib(meta.gzipBytes)} gzip; ${modules.join(", ")}`,
  );
}

main().catch((error) => {
  console.error(`runtime: build failed: ${error.stack ?? error}`);
  process.exit(1);
});
