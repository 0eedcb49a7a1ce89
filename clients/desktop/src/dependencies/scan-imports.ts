import { parseBareSpecifier } from "../../../../schema/api/dependencies";

/** The source files whose imports are scanned (the preview build's module extensions, docs/previews.md §1). */
export const SOURCE_EXTENSIONS = [".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"] as const;

// What may come before a `/` that starts a regular expression literal (otherwise it divides).
const REGEX_AFTER = new Set([..."(,=:[!&|?{};+-*%<>~^"]);
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

/**
 * `source` with its comments blanked and every string literal replaced by a placeholder `"\uE000<n>"`
 * (its text in `strings[n]`), so the import patterns see code only: nothing inside a comment or a
 * string (`"import x from 'y'"`) counts. Newlines are kept. Template literals with substitutions
 * are blanked whole; a quote left open at the end of a line (an apostrophe in JSX text) is text.
 */
export function codeWithoutStrings(source: string): { code: string; strings: string[] } {
  const strings: string[] = [];
  let out = "";
  let i = 0;
  let lastSignificant = ""; // the previous non-space character of code, or a word
  const n = source.length;
  while (i < n) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? n : end;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      let text = "";
      let closed = false;
      let substituted = false;
      while (j < n) {
        const c = source[j] as string;
        if (c === "\\") {
          text += source.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (c === ch) {
          closed = true;
          break;
        }
        if (c === "\n" && ch !== "`") break;
        if (ch === "`" && c === "$" && source[j + 1] === "{") substituted = true;
        text += c;
        j++;
      }
      if (!closed) {
        // Not a string after all (JSX text): the quote is an ordinary character.
        out += ch;
        i++;
        continue;
      }
      if (substituted) out += source.slice(i, j + 1).replace(/[^\n]/g, " ");
      else {
        out += `"\uE000${strings.length}"`;
        strings.push(decodeEscapes(text));
      }
      lastSignificant = '"';
      i = j + 1;
      continue;
    }
    if (
      ch === "/" &&
      (lastSignificant === "" || REGEX_AFTER.has(lastSignificant) || REGEX_AFTER_WORDS.has(lastSignificant))
    ) {
      // A regular expression literal: skip it (a quote inside it is not a string).
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== "\n") {
        const c = source[j];
        if (c === "\\") j++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        j++;
      }
      if (source[j] === "/") {
        out += " ".repeat(j + 1 - i);
        i = j + 1;
        lastSignificant = "/regex";
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(ch)) {
      const word = /^[A-Za-z0-9_$]+/.exec(source.slice(i, i + 64))?.[0] ?? ch;
      out += word;
      i += word.length;
      lastSignificant = word;
      continue;
    }
    out += ch;
    if (!/\s/.test(ch)) lastSignificant = ch;
    i++;
  }
  return { code: out, strings };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  0: "\0",
};

/** A string literal's text with its escapes decoded (`\x41`, `\u0041`, `\u{41}`, `\'`, …). */
function decodeEscapes(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(
    /\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|[\s\S])/g,
    (_, e: string) => {
      if (e.startsWith("u{"))
        return String.fromCodePoint(Math.min(0x10ffff, Number.parseInt(e.slice(2, -1), 16)));
      if (e.length > 1 && (e[0] === "u" || e[0] === "x"))
        return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      if (e === "\n") return "";
      return SIMPLE_ESCAPES[e] ?? e;
    },
  );
}

const STR = String.raw`"\uE000(\d+)"`;
// `import … from "x"`, `export … from "x"` (the clause may span lines; `type`-only ones are left out).
const FROM = new RegExp(
  String.raw`(?:^|[^\w$.])(import|export)(\s+(?:type|typeof)\b)?([^;"]*?)\bfrom\s*${STR}`,
  "g",
);
// `import "x"` (for its side effects).
const BARE_IMPORT = new RegExp(String.raw`(?:^|[^\w$.])import\s*${STR}`, "g");
// `require("x")`, `import("x")` (not `obj.require("x")`).
const CALL = new RegExp(String.raw`(?:^|[^\w$.])(?:require|import)\s*\(\s*${STR}\s*\)`, "g");

/** Whether an import clause `{ type A, type B }` names types only (TypeScript and sucrase drop it). */
function typesOnly(clause: string): boolean {
  const braces = /^\s*\{([^}]*)\}\s*$/.exec(clause);
  if (!braces) return false;
  const names = (braces[1] as string)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((s) => /^type\s/.test(s));
}

/**
 * Every specifier `source` imports or requires — `import … from`, `import "x"`, `export … from`,
 * `require("x")`, `import("x")` — in order of appearance, once each. Type-only imports
 * (`import type`, `export type`, `import { type A }`) are not imports at run time and are left
 * out; so is anything inside comments and strings.
 *
 * @example
 * scanImports('import React from "react";\nconst _ = require("lodash/fp");'); // ["react", "lodash/fp"]
 */
export function scanImports(source: string): string[] {
  const { code, strings } = codeWithoutStrings(source);
  return importsIn(code, strings);
}

/** {@link scanImports} of code already passed through {@link codeWithoutStrings}. */
function importsIn(code: string, strings: readonly string[]): string[] {
  const found: Array<{ at: number; spec: string }> = [];
  for (const m of code.matchAll(FROM)) {
    if (m[2] || typesOnly(m[3] as string)) continue;
    found.push({ at: m.index, spec: strings[Number(m[4])] as string });
  }
  for (const pattern of [BARE_IMPORT, CALL]) {
    for (const m of code.matchAll(pattern))
      found.push({ at: m.index, spec: strings[Number(m[1])] as string });
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.spec))];
}

/** A `require.context(dir, recursive)` call with a literal folder: the files it may require. */
export type RequireContextCall = { dir: string; recursive: boolean };

/** What one source file asks for (what the imports cache keeps per file). */
export type FileImports = {
  /** Every specifier, as {@link scanImports} gives them: relative, aliased and bare alike. */
  specifiers: string[];
  /** Its `require.context` folders, relative to the file's own. */
  contexts: RequireContextCall[];
};

// `require.context("./dir"` and an optional literal `recursive` (Metro's default is true); the
// pattern, a regular expression literal, is blanked by codeWithoutStrings and not read: the scan
// takes every file of the folder, which can only find more than the build.
const REQUIRE_CONTEXT = new RegExp(
  String.raw`(?:^|[^\w$.])require\s*\.\s*context\s*\(\s*${STR}\s*(?:,\s*(true|false)\b)?`,
  "g",
);

/**
 * Everything `source` needs to run: its specifiers ({@link scanImports}) and the folders its
 * `require.context` calls read (Expo Router's custom entry: `require.context("./app")`), so the
 * scan of an app can follow its own files from its entry.
 *
 * @example
 * scanFileImports('import "./a";\nconst ctx = require.context("./app");');
 * // { specifiers: ["./a"], contexts: [{ dir: "./app", recursive: true }] }
 */
export function scanFileImports(source: string): FileImports {
  const { code, strings } = codeWithoutStrings(source);
  const contexts: RequireContextCall[] = [];
  for (const m of code.matchAll(REQUIRE_CONTEXT))
    contexts.push({ dir: strings[Number(m[1])] as string, recursive: m[2] !== "false" });
  return { specifiers: importsIn(code, strings), contexts };
}

/**
 * The package specifiers among `specs`: `name`, `@scope/name` and their deep paths
 * (`lodash/debounce`), not relative or absolute paths, `node:` built-ins, or aliases that cannot be
 * package names (`@/components`, `~/x`, `#internal`).
 *
 * @example
 * packageSpecifiers(["./App", "react", "@acme/ui/button", "@/lib"]); // ["react", "@acme/ui/button"]
 */
export function packageSpecifiers(specs: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const spec of specs) if (parseBareSpecifier(spec) && !spec.startsWith("~")) out.add(spec);
  return [...out];
}
