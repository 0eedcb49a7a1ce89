// What every common file system can hold. A mirrored tree is written out by whoever opens it — a
// phone, a Windows or macOS desktop — so a tree that one of them cannot hold would be written half,
// or with one file silently in place of two. The mirror refuses such trees when they are made.

/** Windows reserves these device names as a file or folder name, in any case and with any extension. */
const RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\.|$)/i;
// Line and paragraph separators end a line in editors and logs while looking like nothing; the
// other control characters are refused by every mirror path already (schema/api/paths.ts).
const SEPARATORS = /[\u2028\u2029]/;

/**
 * Why a file system could not hold `path` (already a valid mirror path), or null: a reserved
 * Windows name (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with or without an
 * extension, any case, as any segment), a segment ending in a dot or a space (Windows drops them,
 * so `a.` and `a` are one file), or a line/paragraph separator (U+2028/U+2029).
 */
export function portablePathProblem(path: string): string | null {
  if (SEPARATORS.test(path)) return "it contains a line or paragraph separator (U+2028/U+2029)";
  for (const segment of path.split("/")) {
    if (RESERVED.test(segment)) return `'${segment}' is a reserved device name on Windows`;
    if (/[. ]$/.test(segment)) return `'${segment}' ends in a dot or a space, which Windows drops`;
  }
  return null;
}

/** A path that may not join the tree, and why (the message names the paths involved). */
export type TreeProblem = { path: string; message: string };

// Windows and macOS compare names without case by default.
const fold = (path: string) => path.toLowerCase();

/** `a/b/c.js` → `a`, `a/b`. */
function folders(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/**
 * The problems the `added` paths bring into a tree that holds `kept` (the rest of the tree as it
 * will be: paths that stay, including those a change rewrites): each added path that breaks
 * {@link portablePathProblem}, or that a case-insensitive file system could not hold beside the
 * others — the same path in another case (`Readme.md`, `README.md`), a file where another path
 * needs a folder (`dir`, `dir/x.js`), or a folder spelled in two cases (`Src/a.js`, `src/b.js`).
 * Only added paths are judged: a tree accepted before stays as it is until a path is added to it.
 *
 * @example
 * treeProblems(["dir"], ["dir/x.js"]);
 * // → [{ path: "dir/x.js", message: "'dir/x.js' cannot be written: 'dir' is a file" }]
 */
export function treeProblems(kept: Iterable<string>, added: readonly string[]): TreeProblem[] {
  const files = new Map<string, string>();
  const dirs = new Map<string, string>();
  const hold = (path: string) => {
    files.set(fold(path), path);
    for (const dir of folders(path)) if (!dirs.has(fold(dir))) dirs.set(fold(dir), dir);
  };
  for (const path of kept) hold(path);
  const problems: TreeProblem[] = [];
  for (const path of added) {
    const message = problemOf(path, files, dirs);
    if (message) problems.push({ path, message });
    else hold(path);
  }
  return problems;
}

function problemOf(path: string, files: Map<string, string>, dirs: Map<string, string>): string | null {
  const own = portablePathProblem(path);
  if (own) return `'${path}': ${own}`;
  const same = files.get(fold(path));
  if (same !== undefined)
    return `'${path}' and '${same}' differ only in case: Windows and macOS hold one of them`;
  const dir = dirs.get(fold(path));
  if (dir !== undefined) return `'${path}' cannot be a file: '${dir}' is a folder in this tree`;
  for (const folder of folders(path)) {
    const file = files.get(fold(folder));
    if (file !== undefined) return `'${path}' cannot be written: '${file}' is a file`;
    const spelled = dirs.get(fold(folder));
    if (spelled !== undefined && spelled !== folder)
      return `'${path}': folder '${folder}' differs only in case from '${spelled}': Windows and macOS make them one`;
  }
  return null;
}
