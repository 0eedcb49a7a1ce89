import { z } from "zod";

const MAX_PATH_BYTES = 512;
export const MIRROR_PATH_RULE = "mirror_path";
const encoder = new TextEncoder();

// C0 controls and DEL, and the C1 controls U+0080–U+009F (NEL among them): never part of a name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidirectional formatting — embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, and the
// marks LRM U+200E, RLM U+200F, ALM U+061C — reorders how a name is *shown*, so
// `invoice\u202Efdp.exe` displays as `invoiceexe.pdf`.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Zero-width characters that have no job inside a file name and only make two names that look
// identical differ: ZWSP U+200B, word joiner and invisible operators U+2060–U+2064, ZWNBSP/BOM
// U+FEFF, Mongolian vowel separator U+180E.
const INVISIBLE = /[\u180e\u200b\u2060-\u2064\ufeff]/;
// ZWNJ U+200C and ZWJ U+200D are different: Persian, Indic scripts and emoji sequences need them
// between two letters or symbols. Allowed there (both neighbours non-ASCII); next to ASCII, a `/`
// or a name's edge they join nothing and only hide (`App\u200D.tsx` next to `App.tsx`).
// (Printable ASCII is enough for "ASCII" here: control characters are refused before this check.)
const LOOSE_JOINER = /(?:^|[\u0020-\u007e])[\u200c\u200d]|[\u200c\u200d](?:$|[\u0020-\u007e])/;

/**
 * Why `path` is not an acceptable mirror path, or null when it is (spec §4): relative,
 * `/`-separated, NFC, ≤ 512 bytes, no `..`/`.` segments, no leading `/`, no `\`, nothing inside
 * `.git/`, and no character that can disguise a name: no control characters (C0, DEL, C1), no
 * bidirectional controls, no invisible zero-width characters (ZWNJ/ZWJ only between two non-ASCII
 * characters, where scripts and emoji need them), no unpaired surrogates.
 */
export function mirrorPathProblem(path: string): string | null {
  if (path.length === 0) return "path is empty";
  if (encoder.encode(path).length > MAX_PATH_BYTES) return `path is longer than ${MAX_PATH_BYTES} bytes`;
  if (path.normalize("NFC") !== path) return "path is not in Unicode NFC form";
  if (path.startsWith("/")) return "path must be relative (no leading '/')";
  if (path.includes("\\")) return "path must use '/' separators, not '\\'";
  if (CONTROL.test(path)) return "path contains control characters";
  if (BIDI.test(path)) return "path contains bidirectional control characters";
  if (INVISIBLE.test(path) || LOOSE_JOINER.test(path)) return "path contains invisible characters";
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
  .meta({
    example: "src/App.tsx",
    description:
      "Relative, `/`-separated, NFC, at most 512 bytes; no `.`/`..` segment, `\\`, `.git` segment, " +
      "control character (C0, DEL, C1), bidirectional control or invisible zero-width character " +
      "(ZWNJ/ZWJ only between two non-ASCII characters). Otherwise 422 `INVALID_PATH`.",
  });
