// Reads PROVIDED_PACKAGES from runtime/src/set-names.ts (TypeScript, shared with the desktop
// client) for the build scripts, which run on plain Node.
import path from "node:path";

/** @param {typeof import("esbuild")} esbuild */
export async function loadProvided(esbuild) {
  const out = await esbuild.build({
    entryPoints: [path.join(import.meta.dirname, "../src/set-names.ts")],
    bundle: true,
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const { PROVIDED_PACKAGES } = await import(`data:text/javascript,${encodeURIComponent(out.outputFiles[0].text)}`);
  return PROVIDED_PACKAGES;
}
