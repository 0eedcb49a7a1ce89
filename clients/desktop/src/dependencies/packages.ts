import { readFile, realpath } from "node:fs/promises";
import { isBuiltin } from "node:module";
import path from "node:path";
import { parseBareSpecifier } from "../../../../schema/api/dependencies";

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

/**
 * The npm packages to install for `specifiers` the build could not find, each once, sorted: the
 * package a specifier names (`@scope/name/sub/path` → `@scope/name`, `lodash/fp` → `lodash`), never
 * a relative or absolute path, an alias or a Node built-in's name (`fs`, `node:path`, which the web
 * gets as an empty module, not from npm).
 *
 * @example
 * packagesToInstall(["lodash/fp", "@scope/name/sub/path", "./local", "fs"]); // ["@scope/name", "lodash"]
 */
export function packagesToInstall(specifiers: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const spec of specifiers) {
    const name = parseBareSpecifier(spec)?.name;
    if (name && !spec.startsWith("~") && !isBuiltin(name)) names.add(name);
  }
  return [...names].sort();
}

/**
 * The command that installs `packages` (from {@link packagesToInstall}), or null for none.
 *
 * @example
 * installCommand(["@scope/name", "lodash"]); // "npm install @scope/name lodash"
 */
export function installCommand(packages: readonly string[]): string | null {
  return packages.length > 0 ? `npm install ${packages.join(" ")}` : null;
}
