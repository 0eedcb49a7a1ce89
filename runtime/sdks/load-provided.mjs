// Reads TypeScript modules shared with the rest of the project (runtime/src/set-names.ts,
// worker-consumers/src/build/css-module.ts) for the build scripts, which run on plain Node.
import path from "node:path";

const root = path.join(import.meta.dirname, "../..");

/** @param {typeof import("esbuild")} esbuild @param {string} file relative to the repository */
async function loadTs(esbuild, file) {
  const out = await esbuild.build({
    entryPoints: [path.join(root, file)],
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  return import(`data:text/javascript,${encodeURIComponent(out.outputFiles[0].text)}`);
}

/** PROVIDED_PACKAGES of runtime/src/set-names.ts. @param {typeof import("esbuild")} esbuild */
export async function loadProvided(esbuild) {
  return (await loadTs(esbuild, "runtime/src/set-names.ts")).PROVIDED_PACKAGES;
}

/** cssModuleCode of worker-consumers/src/build/css-module.ts: one CSS module format for both builds. */
export async function loadCssModuleCode(esbuild) {
  return (await loadTs(esbuild, "worker-consumers/src/build/css-module.ts")).cssModuleCode;
}
