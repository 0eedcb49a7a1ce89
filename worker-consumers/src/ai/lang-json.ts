// JSON analyser: parses the document (falling back to JSONC — comments and trailing commas, as in
// tsconfig.json), lists the top-level keys with their value types and line ranges, and reads
// package.json manifests in more detail.

import type { FileFacts, JsonFacts, JsonKey, LineKind, PackageInfo, TodoFact } from "./facts";
import { findTodo, lineFacts } from "./facts";
import type { Language } from "./language";
import { baseName, clip, listJoin } from "./text";

/** "string", "number", "array of 3 items", "object with 2 keys", … */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array of ${value.length} ${value.length === 1 ? "item" : "items"}`;
  if (typeof value === "object") {
    const n = Object.keys(value).length;
    return `object with ${n} ${n === 1 ? "key" : "keys"}`;
  }
  return typeof value;
}

/** A short, readable rendering of a value for a section text. */
function preview(value: unknown): string {
  if (value === null || typeof value !== "object") return clip(JSON.stringify(value) ?? String(value), 200);
  if (Array.isArray(value)) {
    const items = value
      .slice(0, 5)
      .map((v) =>
        typeof v === "object" && v !== null ? describeType(v) : clip(JSON.stringify(v) ?? "", 60),
      );
    return items.length === 0
      ? "an empty array"
      : `${value.length} items: ${items.join(", ")}${value.length > 5 ? ", …" : ""}`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "an empty object";
  // String maps (scripts, dependencies, env vars) read best as `name: value` lines.
  if (entries.length <= 40 && entries.every(([, v]) => typeof v === "string"))
    return entries.map(([k, v]) => clip(`${k}: ${v as string}`, 160)).join("\n");
  return `keys: ${listJoin(
    entries.map(([k]) => k),
    15,
  )}`;
}

type Scanned = {
  /** Top-level keys in document order with their 0-based line. */
  keys: { key: string; line: number }[];
  /** 0-based line of the root's closing bracket. */
  rootEnd: number;
  commentLines: Set<number>;
  /** Lines holding anything outside comments. */
  codeLines: Set<number>;
  /** Source with comments removed (same line structure), for the JSONC fallback. */
  stripped: string;
  todos: TodoFact[];
};

/** One pass over the text: strings, comments, nesting; records keys at depth 1 and comment lines. */
function scanJson(content: string): Scanned {
  const keys: { key: string; line: number }[] = [];
  const commentLines = new Set<number>();
  const codeLines = new Set<number>();
  const todos: TodoFact[] = [];
  let out = "";
  let line = 0;
  let depth = 0;
  let rootIsObject = false;
  let rootEnd = -1;
  let i = 0;
  const n = content.length;
  while (i < n) {
    const c = content[i]!;
    if (c === "\n") {
      line++;
      out += c;
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && content[j] !== '"' && content[j] !== "\n") j += content[j] === "\\" ? 2 : 1;
      const str = content.slice(i, Math.min(j + 1, n));
      out += str;
      codeLines.add(line);
      if (depth === 1 && rootIsObject) {
        let k = j + 1;
        while (k < n && /\s/.test(content[k]!) && content[k] !== "\n") k++;
        if (content[k] === ":") {
          try {
            keys.push({ key: JSON.parse(str) as string, line });
          } catch {
            keys.push({ key: str.slice(1, -1), line });
          }
        }
      }
      i = j + 1;
      continue;
    }
    if (c === "/" && (content[i + 1] === "/" || content[i + 1] === "*")) {
      const block = content[i + 1] === "*";
      const end = block ? content.indexOf("*/", i + 2) : content.indexOf("\n", i);
      const stop = end === -1 ? n : block ? end + 2 : end;
      const text = content.slice(i, stop);
      text.split("\n").forEach((part, offset) => {
        commentLines.add(line + offset);
        const todo = findTodo(part, line + offset + 1);
        if (todo) todos.push(todo);
      });
      // Keep the newlines so line numbers of the stripped text stay the same.
      out += text.replace(/[^\n]/g, " ");
      line += text.split("\n").length - 1;
      i = stop;
      continue;
    }
    if (c === "{" || c === "[") {
      if (depth === 0) rootIsObject = c === "{";
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0 && rootEnd === -1) rootEnd = line;
    }
    if (!/\s/.test(c)) codeLines.add(line);
    out += c;
    i++;
  }
  return { keys, rootEnd, commentLines, codeLines, stripped: out, todos };
}

function parse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: clip(err instanceof Error ? err.message : String(err), 200) };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const depNames = (v: unknown) => (isRecord(v) ? Object.keys(v) : []);

function packageInfo(pkg: Record<string, unknown>): PackageInfo {
  const scripts = isRecord(pkg.scripts)
    ? Object.entries(pkg.scripts).map(([name, command]) => ({ name, command: clip(String(command), 200) }))
    : [];
  const info: PackageInfo = {
    scripts,
    dependencies: depNames(pkg.dependencies),
    devDependencies: depNames(pkg.devDependencies),
    peerDependencies: depNames(pkg.peerDependencies),
  };
  const name = str(pkg.name);
  const version = str(pkg.version);
  const description = str(pkg.description);
  const moduleType = str(pkg.type);
  const main = str(pkg.main) ?? str(pkg.module);
  if (name) info.name = name;
  if (version) info.version = version;
  if (description) info.description = clip(description, 300);
  if (moduleType) info.moduleType = moduleType;
  if (main) info.main = main;
  return info;
}

/** Analyses a JSON (or JSONC) file. */
export function analyzeJson(path: string, language: Language, lines: string[], content: string): FileFacts {
  const scanned = scanJson(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  let parsed = parse(scanned.stripped.trim() === "" ? "null" : scanned.stripped);
  let withComments = scanned.commentLines.size > 0;
  if (!parsed.ok) {
    // Trailing commas are the other JSONC liberty.
    const relaxed = parse(scanned.stripped.replace(/,(\s*[}\]])/g, "$1"));
    if (relaxed.ok) {
      parsed = relaxed;
      withComments = true;
    }
  }
  const kinds: LineKind[] = lines.map((l, j) =>
    l.trim() === "" ? "blank" : !scanned.codeLines.has(j) && scanned.commentLines.has(j) ? "comment" : "code",
  );
  const json: JsonFacts = { valid: parsed.ok, withComments, rootType: "unknown", keys: [] };
  if (!parsed.ok) json.error = parsed.error;
  else {
    const value = parsed.value;
    json.rootType = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    if (Array.isArray(value)) json.arrayLength = value.length;
    if (isRecord(value)) {
      // The last key runs to the line before the closing brace (or the brace line if it shares it).
      const lastLine = scanned.rootEnd === -1 ? lines.length - 1 : scanned.rootEnd - 1;
      const located = scanned.keys.filter((k) => Object.hasOwn(value, k.key));
      json.keys = located.map((k, idx): JsonKey => {
        const nextLine = located[idx + 1]?.line;
        const end = nextLine === undefined ? lastLine : nextLine > k.line ? nextLine - 1 : k.line;
        const v = value[k.key];
        return {
          key: k.key,
          type: describeType(v),
          line: k.line + 1,
          line_end: Math.max(k.line, end) + 1,
          preview: preview(v),
        };
      });
      // Keys a minified one-line document holds that the scan could not place still get listed.
      for (const key of Object.keys(value)) {
        if (!json.keys.some((k) => k.key === key))
          json.keys.push({
            key,
            type: describeType(value[key]),
            line: 1,
            line_end: 1,
            preview: preview(value[key]),
          });
      }
      if (baseName(path).toLowerCase() === "package.json") json.packageInfo = packageInfo(value);
    }
  }
  return { ...lineFacts(path, language, lines, kinds, scanned.todos), json };
}
