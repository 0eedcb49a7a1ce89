import { dirname, extname, joinPath } from "./paths";
import { aliasCandidates, type PathAlias } from "./tsconfig-paths";
import type { Dependencies, RuntimeModules } from "./types";

/** Expo's source extensions, in Metro's order of preference; each is tried as `.web.<ext>` first. */
export const SOURCE_EXTS = ["ts", "tsx", "mjs", "js", "jsx", "json", "cjs"] as const;

/** Files that `require()` turns into `{uri, width?, height?}` (Metro's asset extensions and web fonts). */
export const ASSET_EXTS: ReadonlySet<string> = new Set(
  "png jpg jpeg gif webp bmp svg ttf otf woff woff2 mp3 wav m4a aac mp4 webm mov pdf html".split(" "),
);

// Metro's default asset resolutions, best first for a phone browser (devicePixelRatio 2–3): the
// sharpest image up to @3x, then @4x, rather than the smallest.
const SCALE_PREFERENCE = ["@3x", "@2x", "@1.5x", "", "@1x", "@4x"];

export type Resolution =
  | { kind: "file"; path: string }
  | { kind: "runtime"; id: string }
  | { kind: "dependency"; id: string }
  | { kind: "missing" };

/**
 * Where `require(spec)` in `fromPath` leads, by Metro's rules for the web platform (docs/previews.md
 * §2): a project file, a module of the runtime set, an uploaded dependency, or nothing.
 */
export function resolveSpecifier(
  fromPath: string,
  spec: string,
  files: ReadonlySet<string>,
  runtime: RuntimeModules,
  dependencies?: Dependencies,
  aliases: readonly PathAlias[] = [],
): Resolution {
  if (/^\.\.?(\/|$)/.test(spec)) {
    const base = joinPath(dirname(fromPath), spec);
    const path = base === null ? null : resolvePath(base, files);
    return path === null ? { kind: "missing" } : { kind: "file", path };
  }
  if (spec.startsWith("/")) return { kind: "missing" }; // an absolute path means nothing in a mirror
  for (const candidate of aliasCandidates(aliases, spec)) {
    const path = resolvePath(candidate, files);
    if (path !== null) return { kind: "file", path };
  }
  const id = runtime.resolve(spec);
  if (id !== undefined) return { kind: "runtime", id };
  const dependency = dependencies?.get(spec);
  return dependency ? { kind: "dependency", id: dependency.id } : { kind: "missing" };
}

/** `@scope/pkg/sub/path` → `@scope/pkg`; `pkg/sub` → `pkg`. */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec);
}

/** A project-relative path without its extension → the file Metro picks, or `null`. */
export function resolvePath(base: string, files: ReadonlySet<string>): string | null {
  if (ASSET_EXTS.has(extname(base))) return resolveAsset(base, files);
  if (files.has(base)) return base;
  return withSourceExt(base, files) ?? withSourceExt(base ? `${base}/index` : "index", files);
}

function withSourceExt(prefix: string, files: ReadonlySet<string>): string | null {
  for (const ext of SOURCE_EXTS) {
    for (const candidate of [`${prefix}.web.${ext}`, `${prefix}.${ext}`])
      if (files.has(candidate)) return candidate;
  }
  return null;
}

/**
 * `dir/icon.png` → the file to show: a `.web` variant if there is one (`icon.web.png`,
 * `icon@2x.web.png`), then the preferred density among `icon.png`, `icon@2x.png`, `icon@3x.png`….
 * Metro refuses to require a density variant by name; here it is simply that file.
 */
function resolveAsset(base: string, files: ReadonlySet<string>): string | null {
  if (files.has(base) && /@\d+(\.\d+)?x\.[^./]+$/.test(base)) return base;
  const ext = extname(base);
  const stem = base.slice(0, base.length - ext.length - 1);
  for (const platform of [".web", ""]) {
    for (const scale of SCALE_PREFERENCE) {
      const candidate = `${stem}${scale}${platform}.${ext}`;
      if (files.has(candidate)) return candidate;
    }
  }
  return null;
}
