import { stat } from "node:fs/promises";
import path from "node:path";

/**
 * The file Metro takes for `<package>/<subpath>` when the package's `exports` do not give one —
 * the subpath is not exported, or its target does not exist, as `three`'s
 * `"./examples/jsm/*": "./examples/jsm/*"` for `three/examples/jsm/loaders/ColladaLoader`, which
 * names no extension. Metro warns and falls back to resolving the path as a file (Node and esbuild
 * fail): the path itself, then with each of `extensions` in order, then `<path>/index` with each.
 * Null when none exists, or for no subpath (a package's main is its `package.json`'s business).
 *
 * @example
 * await metroSubpathFile("/app/node_modules/three", "examples/jsm/loaders/ColladaLoader", [".web.js", ".js"]);
 * // "/app/node_modules/three/examples/jsm/loaders/ColladaLoader.js"
 */
export async function metroSubpathFile(
  packageDir: string,
  subpath: string,
  extensions: readonly string[],
): Promise<string | null> {
  if (subpath === "" || subpath.split("/").some((s) => s === "" || s === "." || s === "..")) return null;
  const base = path.join(packageDir, ...subpath.split("/"));
  const index = path.join(base, "index");
  for (const candidate of [base, ...extensions.map((e) => base + e), ...extensions.map((e) => index + e)]) {
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile()) return candidate;
  }
  return null;
}
