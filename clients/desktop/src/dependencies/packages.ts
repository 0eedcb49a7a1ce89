import { readFile, realpath } from "node:fs/promises";
import path from "node:path";

/** An installed package: its folder (real path) and its package.json's version. */
export type InstalledPackage = { name: string; version: string; dir: string };

/**
 * The copy of package `name` that code in `fromDir` gets, by Node's rule: the first
 * `node_modules/<name>/package.json` in `fromDir` or a folder above it; null when none is
 * installed or it has no version. Symbolic links (pnpm, `npm link`) are followed.
 *
 * @example
 * await findPackage("/home/ada/app", "lodash"); // { name: "lodash", version: "4.17.21", dir: "/home/ada/app/node_modules/lodash" }
 */
export async function findPackage(fromDir: string, name: string): Promise<InstalledPackage | null> {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (path.basename(dir) !== "node_modules") {
      const candidate = path.join(dir, "node_modules", ...name.split("/"));
      const manifest = await readFile(path.join(candidate, "package.json"), "utf8").catch(() => null);
      if (manifest !== null) {
        let version: unknown;
        try {
          version = (JSON.parse(manifest) as { version?: unknown }).version;
        } catch {
          version = undefined;
        }
        if (typeof version !== "string" || version === "") return null;
        return { name, version, dir: await realpath(candidate) };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Whether `file` is `dir` or inside it. */
export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
