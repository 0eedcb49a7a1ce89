import { z } from "zod";

const MAX_PATH_BYTES = 512;
export const MIRROR_PATH_RULE = "mirror_path";
const encoder = new TextEncoder();

/**
 * Why `path` is not an acceptable mirror path, or null when it is (spec §4): relative,
 * `/`-separated, NFC, ≤ 512 bytes, no `..`/`.` segments, no leading `/`, no `\`, no control
 * characters, nothing inside `.git/`.
 */
export function mirrorPathProblem(path: string): string | null {
  if (path.length === 0) return "path is empty";
  if (encoder.encode(path).length > MAX_PATH_BYTES) return `path is longer than ${MAX_PATH_BYTES} bytes`;
  if (path.normalize("NFC") !== path) return "path is not in Unicode NFC form";
  if (path.startsWith("/")) return "path must be relative (no leading '/')";
  if (path.includes("\\")) return "path must use '/' separators, not '\\'";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(path)) return "path contains control characters";
  if (/[\uD800-\uDFFF]/.test(path) && !path.isWellFormed()) return "path contains unpaired surrogates";
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") return "path contains an empty segment ('//' or a trailing '/')";
    if (segment === "." || segment === "..") return "path contains '.' or '..' segments";
  }
  // Git itself refuses a `.git` segment anywhere, in any case (a nested repo, or a case-insensitive disk).
  if (segments.some((segment) => segment.toLowerCase() === ".git"))
    return "paths inside .git/ are not mirrored";
  return null;
}

/** A zod string that only accepts valid mirror paths. */
export const MirrorPath = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = mirrorPathProblem(value);
    // Tagged, so the API can answer a broken path with 422 INVALID_PATH rather than a generic 400.
    if (problem) ctx.addIssue({ code: "custom", message: problem, params: { rule: MIRROR_PATH_RULE } });
  })
  .meta({ example: "src/App.tsx" });
