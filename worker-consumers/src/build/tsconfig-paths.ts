import { dirname, joinPath } from "./paths";

/** A `compilerOptions.paths` entry with its targets made project-relative: `@/*` → [`*`]. */
export interface PathAlias {
  pattern: string;
  targets: string[];
}

/**
 * The import aliases of a tsconfig.json/jsconfig.json (Expo resolves `paths` like TypeScript; the
 * tabs template imports `@/components/…`). Its text is JSON with comments and trailing commas;
 * anything unreadable gives no aliases rather than failing the build.
 */
export function readPathAliases(configPath: string, text: string): PathAlias[] {
  let config: { compilerOptions?: { baseUrl?: unknown; paths?: unknown } };
  try {
    config = JSON.parse(stripJsonComments(text));
  } catch {
    return [];
  }
  const options = config?.compilerOptions;
  const paths = options?.paths;
  if (!paths || typeof paths !== "object") return [];
  const base = joinPath(dirname(configPath), typeof options.baseUrl === "string" ? options.baseUrl : ".");
  if (base === null) return [];
  return Object.entries(paths as Record<string, unknown>).flatMap(([pattern, targets]) => {
    if (!Array.isArray(targets)) return [];
    const resolved = targets.flatMap((t) => {
      const joined = typeof t === "string" ? joinPath(base, t) : null;
      return joined === null ? [] : [joined];
    });
    return [{ pattern, targets: resolved }];
  });
}

/**
 * Every project-relative path an aliased specifier may mean, in the order TypeScript tries them:
 * an exact pattern wins, else the matching `*` pattern with the longest prefix.
 */
export function aliasCandidates(aliases: readonly PathAlias[], spec: string): string[] {
  let best: { prefixLength: number; paths: string[] } | null = null;
  for (const { pattern, targets } of aliases) {
    const star = pattern.indexOf("*");
    if (star === -1) {
      if (spec === pattern) return targets;
      continue;
    }
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)];
    if (spec.length < prefix.length + suffix.length || !spec.startsWith(prefix) || !spec.endsWith(suffix))
      continue;
    if (best && best.prefixLength >= prefix.length) continue;
    const captured = spec.slice(prefix.length, spec.length - suffix.length);
    best = { prefixLength: prefix.length, paths: targets.map((t) => t.replace("*", captured)) };
  }
  return best?.paths ?? [];
}

function stripJsonComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}
