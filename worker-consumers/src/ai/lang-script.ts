// TypeScript / JavaScript (and TSX/JSX) analyser. It is a lexer-level scan, not a parser: it
// knows comments, strings, template literals, regex literals and bracket depth, which is enough
// to find top-level statements reliably and to classify each line. Anything it cannot classify
// is skipped rather than guessed, and nothing here throws on odd input.

import type { FileFacts, ImportFact, LineKind, Member, SymbolFact, SymbolKind, TodoFact } from "./facts";
import { countLines, findTodo } from "./facts";
import type { Language } from "./language";
import { clip, oneLine } from "./text";

type ScanState = "code" | "block" | "template";

/** One line as the scanner saw it; code and masked stay column-aligned with the raw line. */
export type ScriptLine = {
  /** The line with comments replaced by spaces (same length as the raw line). */
  code: string;
  /** `code` with the contents of strings, templates and regex literals also blanked. */
  masked: string;
  comment: string;
  touchedComment: boolean;
  /** `{}` depth and `()[]` depth at the start and end of the line. */
  depth: number;
  nest: number;
  depthEnd: number;
  nestEnd: number;
  startState: ScanState;
  endState: ScanState;
};

// A `/` after one of these (or at the start) begins a regex literal, otherwise it divides. `<` is
// left out on purpose: in TSX, `</div>` is a closing tag, not a regex.
const REGEX_AFTER = new Set([
  "",
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
  "*",
  "%",
  ">",
  "~",
  "^",
]);
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "void",
  "yield",
  "await",
  "delete",
  "instanceof",
  "new",
  "throw",
]);
const WORD_CHAR = /[\w$]/;

/** Scans the lines once, carrying comment/template state and bracket depth across lines. */
export function scanScript(lines: readonly string[]): ScriptLine[] {
  const out: ScriptLine[] = [];
  let state: ScanState = "code";
  let depth = 0;
  let nest = 0;
  const exprStack: number[] = []; // brace depth at each open `${`
  let lastSig = "";
  for (const raw of lines) {
    const startState = state;
    const d0 = depth;
    const n0 = nest;
    let code = "";
    let masked = "";
    let comment = "";
    let touched = state === "block";
    const len = raw.length;
    let i = 0;
    while (i < len) {
      if (state === "block") {
        const end = raw.indexOf("*/", i);
        const stop = end === -1 ? len : end + 2;
        comment += `${raw.slice(i, end === -1 ? len : end)} `;
        code += " ".repeat(stop - i);
        masked += " ".repeat(stop - i);
        i = stop;
        if (end !== -1) state = "code";
        continue;
      }
      if (state === "template") {
        let j = i;
        while (j < len) {
          const ch = raw[j];
          if (ch === "\\") j += 2;
          else if (ch === "`" || (ch === "$" && raw[j + 1] === "{")) break;
          else j++;
        }
        if (j >= len) {
          code += raw.slice(i);
          masked += " ".repeat(len - i);
          i = len;
          continue;
        }
        code += raw.slice(i, j);
        masked += " ".repeat(j - i);
        if (raw[j] === "`") {
          code += "`";
          masked += "`";
          state = "code";
          lastSig = ")";
          i = j + 1;
        } else {
          code += "${";
          masked += "${";
          exprStack.push(depth);
          state = "code";
          lastSig = "{";
          i = j + 2;
        }
        continue;
      }
      const c = raw[i]!;
      const next = raw[i + 1] ?? "";
      if (c === "/" && next === "/") {
        comment += raw.slice(i + 2);
        touched = true;
        code += " ".repeat(len - i);
        masked += " ".repeat(len - i);
        i = len;
        break;
      }
      if (c === "/" && next === "*") {
        state = "block";
        touched = true;
        code += "  ";
        masked += "  ";
        i += 2;
        continue;
      }
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < len && raw[j] !== c) j += raw[j] === "\\" ? 2 : 1;
        const closed = j < len;
        const stop = closed ? j + 1 : len;
        code += raw.slice(i, stop);
        masked += c + " ".repeat(Math.max(0, stop - i - (closed ? 2 : 1))) + (closed ? c : "");
        lastSig = c;
        i = stop;
        continue;
      }
      if (c === "`") {
        state = "template";
        code += c;
        masked += c;
        i++;
        continue;
      }
      if (c === "/") {
        // The word before the slash, read from the raw line: slicing the `code` being built would
        // flatten it on every slash and make minified files quadratic.
        const word = WORD_CHAR.test(lastSig)
          ? (/([A-Za-z_$][\w$]*)\s*$/.exec(raw.slice(Math.max(0, i - 40), i))?.[1] ?? "")
          : "";
        if (REGEX_AFTER.has(lastSig) || REGEX_AFTER_WORD.has(word)) {
          let j = i + 1;
          let inClass = false;
          while (j < len) {
            const ch = raw[j];
            if (ch === "\\") j += 2;
            else if (inClass) {
              if (ch === "]") inClass = false;
              j++;
            } else if (ch === "[") {
              inClass = true;
              j++;
            } else if (ch === "/") break;
            else j++;
          }
          if (j < len) {
            j++;
            while (j < len && /[a-z]/i.test(raw[j]!)) j++;
            code += raw.slice(i, j);
            // Masked like a string literal, so a trailing `/` is not read as a division operator.
            masked += `"${" ".repeat(Math.max(0, j - i - 2))}"`;
            lastSig = ")";
            i = j;
            continue;
          }
        }
      }
      if (c === "{") depth++;
      else if (c === "}") {
        if (exprStack.length > 0 && exprStack[exprStack.length - 1] === depth) {
          exprStack.pop();
          state = "template";
          code += c;
          masked += c;
          i++;
          continue;
        }
        depth = Math.max(0, depth - 1);
      } else if (c === "(" || c === "[") nest++;
      else if (c === ")" || c === "]") nest = Math.max(0, nest - 1);
      code += c;
      masked += c;
      if (c !== " " && c !== "\t") lastSig = c;
      i++;
    }
    out.push({
      code,
      masked,
      comment,
      touchedComment: touched,
      depth: d0,
      nest: n0,
      depthEnd: depth,
      nestEnd: nest,
      startState,
      endState: state,
    });
  }
  return out;
}

/** The first `maxChars` of a line for regex matching: keeps every pattern linear on minified code. */
const head = (text: string, maxChars = 2000) => (text.length > maxChars ? text.slice(0, maxChars) : text);

const isTopLevelStart = (l: ScriptLine) =>
  l.depth === 0 && l.nest === 0 && l.startState === "code" && l.masked.trim() !== "";

/**
 * The last line of the statement starting at `start`: brackets must be closed, the line must not
 * end in an operator that continues it, and the next code line must not continue it either
 * (`| "b"` in a union, `.then()`, a `{` on its own line).
 */
function statementEnd(scan: readonly ScriptLine[], start: number): number {
  for (let j = start; j < scan.length; j++) {
    const l = scan[j]!;
    if (l.depthEnd !== 0 || l.nestEnd !== 0 || l.endState !== "code") continue;
    const tail = head(l.masked.trimEnd().slice(-200));
    if (/(?:[=,([{|&?:+\-*/<.]|=>|\b(?:extends|implements|as|from))$/.test(tail) && !/\+\+$|--$/.test(tail))
      continue;
    let k = j + 1;
    while (k < scan.length && scan[k]!.masked.trim() === "" && scan[k]!.startState !== "template") k++;
    const next = scan[k];
    if (next && /^\s*(?:[|&.?:{]|=>|\?\?|as\b|extends\b|implements\b)/.test(head(next.masked))) continue;
    return j;
  }
  return scan.length - 1;
}

/** Whether the doc-comment text is a tooling directive rather than documentation. */
const isDirective = (text: string) =>
  /^\s*(?:eslint|@ts-|biome-ignore|prettier-ignore|istanbul|c8|#region|#endregion|\/\s*<reference)/.test(
    text,
  );

/** Strips JSDoc decoration: the opening and closing markers and each line's leading `*`. */
function cleanBlockDoc(raw: string): string {
  const body = raw.replace(/^\s*\/\*\*?/, "").replace(/\*\/\s*$/, "");
  const lines = body.split("\n").map((l) => l.replace(/^\s*\*(?!\/) ?/, "").trimEnd());
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)![0].length));
  return clip(lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join("\n"), 1500);
}

/**
 * The doc comment directly above line `index` (0-based): a `/** … *\/` block, or consecutive `//`
 * lines, with single-line decorators (`@Injectable()`) allowed in between. A blank line breaks
 * the attachment, as in every doc tool.
 */
export function docAbove(
  lines: readonly string[],
  scan: readonly ScriptLine[],
  index: number,
): string | undefined {
  let k = index - 1;
  while (k >= 0 && /^\s*@[\w$.]+(\(.*\))?\s*$/.test(head(scan[k]!.masked))) k--;
  if (k < 0) return undefined;
  const l = scan[k]!;
  if (l.masked.trim() !== "" || !l.touchedComment) return undefined;
  const trimmed = lines[k]!.trim();
  if (trimmed.endsWith("*/")) {
    let m = k;
    while (m > 0 && !lines[m]!.includes("/*")) m--;
    const start = lines[m]!.indexOf("/*");
    if (start === -1 || lines[m]![start + 2] !== "*") return undefined;
    const raw = [lines[m]!.slice(start), ...lines.slice(m + 1, k + 1)].join("\n");
    const text = cleanBlockDoc(raw.slice(0, raw.lastIndexOf("*/") + 2));
    return text && !isDirective(text) ? text : undefined;
  }
  if (trimmed.startsWith("//") && !trimmed.startsWith("///")) {
    const parts: string[] = [];
    for (let m = k; m >= 0; m--) {
      const t = lines[m]!.trim();
      if (!t.startsWith("//") || t.startsWith("///") || scan[m]!.masked.trim() !== "") break;
      parts.unshift(t.replace(/^\/\/\s?/, ""));
    }
    const text = parts
      .filter((p) => !isDirective(p))
      .join("\n")
      .trim();
    return text ? clip(text, 1500) : undefined;
  }
  return undefined;
}

/**
 * Declaration header from `start`: code text up to the body's `{` or the statement's `;` (at
 * bracket depth 0), across at most 12 lines, whitespace collapsed.
 */
function headerOf(scan: readonly ScriptLine[], start: number, end: number): string {
  let text = "";
  let nest = 0;
  let angle = 0;
  for (let j = start; j <= Math.min(end, start + 11); j++) {
    const code = head(scan[j]!.code, 600);
    const masked = head(scan[j]!.masked, 600);
    for (let i = 0; i < code.length; i++) {
      const m = masked[i];
      if (m === "(" || m === "[") nest++;
      else if (m === ")" || m === "]") nest--;
      else if (m === "<") angle++;
      else if (m === ">" && masked[i - 1] !== "=") angle = Math.max(0, angle - 1);
      else if (nest <= 0 && angle === 0 && m === "=" && masked[i + 1] === ">") {
        // An arrow function's header ends at its arrow; an expression body is not signature.
        return clip(oneLine(`${text}=>`), 240);
      } else if (nest <= 0 && angle === 0 && (m === "{" || m === ";") && masked[i - 1] !== "$") {
        // `type X = { … }` keeps the brace as a hint of an object type; everything else stops.
        return oneLine(text).replace(/\s*=$/, m === "{" && /\btype\s/.test(text) ? " = {…}" : "");
      }
      text += code[i];
    }
    text += " ";
    if (text.length > 400) break;
  }
  return clip(oneLine(text).replace(/;$/, ""), 240);
}

/** `(params): returns` after the first `(` at or after `from` in a header. */
function paramsOf(header: string, from = 0): { params?: string; returns?: string } {
  const open = header.indexOf("(", from);
  if (open === -1) return {};
  let depth = 0;
  for (let i = open; i < header.length; i++) {
    const c = header[i];
    if (c === "(") depth++;
    else if (c === ")" && --depth === 0) {
      const params = oneLine(header.slice(open + 1, i)).replace(/,\s*$/, "");
      const rest = header.slice(i + 1).trim();
      const ret = /^:\s*(.+?)\s*(?:=>\s*)?$/.exec(rest)?.[1];
      return { params, ...(ret ? { returns: ret } : {}) };
    }
  }
  return {};
}

const MEMBER_MODIFIERS = String.raw`(?:(?:public|private|protected|static|readonly|abstract|override|declare|async|get|set|accessor)\s+)*`;
const METHOD_RE = new RegExp(
  String.raw`^\s*${MEMBER_MODIFIERS}\*?\s*(#?[A-Za-z_$][\w$]*)\s*\??\s*(?:<[^>]*>)?\s*\(`,
);
const PROPERTY_RE = new RegExp(
  String.raw`^\s*${MEMBER_MODIFIERS}(#?[A-Za-z_$][\w$]*|"[^"]+"|'[^']+')\s*[?!]?\s*[:=;,]`,
);
const NOT_MEMBERS = new Set(["if", "for", "while", "switch", "catch", "return", "function", "constructor"]);

/** Members declared one level inside a class, interface, enum or object literal. */
function membersOf(
  lines: readonly string[],
  scan: readonly ScriptLine[],
  start: number,
  end: number,
  kind: SymbolKind,
): Member[] {
  const members: Member[] = [];
  const bodyDepth = scan[start]!.depth + 1;
  for (let j = start + 1; j <= end && members.length < 60; j++) {
    const l = scan[j]!;
    if (l.depth !== bodyDepth || l.nest !== 0 || l.startState !== "code") continue;
    const text = head(l.masked, 400);
    const isPrivate = /^\s*(?:private|protected)\b/.test(text);
    let name: string | undefined;
    let memberKind: Member["kind"] = "member";
    const method = METHOD_RE.exec(text);
    if (method && (!NOT_MEMBERS.has(method[1]!) || method[1] === "constructor")) {
      name = method[1];
      memberKind = "method";
    } else if (kind === "enum") {
      name = /^\s*([A-Za-z_$][\w$]*|"[^"]*")\s*(?:=|,|$)/.exec(head(l.code, 400))?.[1];
    } else {
      const prop = PROPERTY_RE.exec(kind === "object" ? head(l.code, 400) : text);
      if (prop) {
        name = prop[1];
        memberKind = "property";
      } else if (kind === "object") {
        // Shorthand properties in an object literal: `{ fetch, queue }` written one per line.
        name = /^\s*([A-Za-z_$][\w$]*)\s*,?\s*$/.exec(text)?.[1];
        memberKind = "property";
      }
    }
    if (!name || isPrivate || name.startsWith("#")) continue;
    const doc = docAbove(lines, scan, j);
    members.push({
      name: name.replace(/^["']|["']$/g, ""),
      line: j + 1,
      kind: memberKind,
      ...(doc ? { doc } : {}),
    });
  }
  return members;
}

const HOOK_RE = /\b(use[A-Z]\w*)\s*\(/g;

/** React hooks called on lines start..end (0-based), in first-use order. */
function hooksIn(scan: readonly ScriptLine[], start: number, end: number): string[] {
  const hooks = new Set<string>();
  for (let j = start; j <= end && hooks.size < 20; j++) {
    for (const m of head(scan[j]!.masked).matchAll(HOOK_RE)) hooks.add(m[1]!);
  }
  return [...hooks];
}

/** Parses an import clause (`React, { useState as s, type X }`) into the local names it binds. */
function importedNames(clause: string): string[] {
  const names: string[] = [];
  const cleaned = clause.replace(/^\s*type\s+/, "");
  const braces = /\{([^}]*)\}/.exec(cleaned);
  const outside = cleaned.replace(/\{[^}]*\}/, "");
  const ns = /\*\s*as\s+([\w$]+)/.exec(outside);
  const def = /^\s*([A-Za-z_$][\w$]*)\s*(?:,|$)/.exec(outside);
  if (def) names.push(def[1]!);
  if (ns) names.push(ns[1]!);
  if (braces) {
    for (const part of braces[1]!.split(",")) {
      const p = part.trim().replace(/^type\s+/, "");
      if (!p) continue;
      const alias = /\bas\s+([\w$]+)$/.exec(p);
      names.push(alias ? alias[1]! : p.split(/\s/)[0]!);
    }
  }
  return names;
}

const DECLARATIONS: readonly (readonly [RegExp, SymbolKind])[] = [
  [/^function\s*\*?\s*([A-Za-z_$][\w$]*)?/, "function"],
  [/^class\b\s*([A-Za-z_$][\w$]*)?/, "class"],
  [/^interface\s+([A-Za-z_$][\w$]*)/, "interface"],
  [/^type\s+([A-Za-z_$][\w$]*)\s*(?:<|=)/, "type"],
  [/^(?:const\s+)?enum\s+([A-Za-z_$][\w$]*)/, "enum"],
  [/^(?:namespace|module)\s+([\w$.]+|"[^"]+"|'[^']+')/, "namespace"],
];

/** Whether a variable's initialiser is a function: `function…`, `async (…) =>`, `x =>`, `<T>(…) =>`. */
function isFunctionValue(value: string): boolean {
  const v = value.replace(/^async\s+/, "");
  if (/^function\b/.test(v) || /^[A-Za-z_$][\w$]*\s*=>/.test(v)) return true;
  const open = v.startsWith("(") ? 0 : /^<[^>]*>\s*\(/.test(v) ? v.indexOf("(") : -1;
  if (open === -1) return false;
  let depth = 0;
  for (let i = open; i < v.length && i < 2000; i++) {
    if (v[i] === "(") depth++;
    else if (v[i] === ")" && --depth === 0) return /^\s*(?::[^=]*?)?=>/.test(v.slice(i + 1, i + 400));
  }
  return false;
}

type Statement = { start: number; end: number; text: string; first: string };

/** Analyses a TypeScript/JavaScript file. */
export function analyzeScript(path: string, language: Language, lines: string[]): FileFacts {
  const scan = scanScript(lines);
  const lineKinds: LineKind[] = scan.map((l, j) =>
    lines[j]!.trim() === "" ? "blank" : l.masked.trim() === "" && l.code.trim() === "" ? "comment" : "code",
  );
  const todos: TodoFact[] = [];
  scan.forEach((l, j) => {
    if (l.comment) {
      const todo = findTodo(l.comment, j + 1);
      if (todo) todos.push(todo);
    }
  });

  // Top-level statements, in order.
  const statements: Statement[] = [];
  for (let j = 0; j < scan.length; j++) {
    if (!isTopLevelStart(scan[j]!)) continue;
    const end = statementEnd(scan, j);
    const parts: string[] = [];
    for (let k = j; k <= Math.min(end, j + 60); k++) parts.push(head(scan[k]!.code, 1000));
    statements.push({ start: j, end, text: oneLine(parts.join(" ")), first: head(scan[j]!.code).trim() });
    j = end;
  }

  const imports: ImportFact[] = [];
  const symbols: SymbolFact[] = [];
  const exportedNames = new Set<string>();
  let defaultName: string | undefined;
  const notes: string[] = [];

  for (const st of statements) {
    const line = st.start + 1;
    const text = head(st.text, 4000);
    // import … from "m" / import "m" / import x = require("m")
    if (/^import\b(?!\s*\()/.test(text)) {
      const from = /\bfrom\s*["']([^"']+)["']/.exec(text) ?? /^import\s*["']([^"']+)["']/.exec(text);
      const req = /^import\s+([\w$]+)\s*=\s*require\s*\(\s*["']([^"']+)["']/.exec(text);
      if (req) imports.push({ module: req[2]!, names: [req[1]!], line, kind: "require" });
      else if (from) {
        const clause = /^import\s+(.*?)\s*\bfrom\b/.exec(text)?.[1] ?? "";
        imports.push({
          module: from[1]!,
          names: clause ? importedNames(clause) : [],
          line,
          kind: "import",
          ...(/^import\s+type\b/.test(text) ? { typeOnly: true } : {}),
        });
      }
      continue;
    }
    // export { a, b as c } [from "m"] / export * [as ns] from "m"
    const reexport =
      /^export\s+(type\s+)?(\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*(?:from\s*["']([^"']+)["'])?/.exec(text);
    if (reexport) {
      const list = reexport[2]!;
      const names = list.startsWith("*")
        ? [/as\s+([\w$]+)/.exec(list)?.[1] ?? "*"]
        : list
            .slice(1, -1)
            .split(",")
            .map((p) => p.trim().replace(/^type\s+/, ""))
            .filter(Boolean)
            .map((p) => {
              const [local, , alias] = p.split(/\s+/);
              if (!reexport[3] && local) exportedNames.add(local);
              if (alias === "default" && local) defaultName = local;
              return alias ?? local ?? p;
            });
      if (reexport[3]) imports.push({ module: reexport[3], names, line, kind: "re-export" });
      continue;
    }

    let rest = text;
    let exported = false;
    let isDefault = false;
    let isAsync = false;
    const take = (re: RegExp) => {
      const m = re.exec(rest);
      if (m) rest = rest.slice(m[0].length);
      return Boolean(m);
    };
    if (take(/^export\s+/)) exported = true;
    if (exported && take(/^default\s+/)) isDefault = true;
    take(/^declare\s+/);
    take(/^abstract\s+/);
    if (take(/^async\s+/)) isAsync = true;

    let kind: SymbolKind | undefined;
    let name: string | undefined;
    const decl = DECLARATIONS.map(([re, k]) => [re.exec(rest), k] as const).find(([found]) => found);
    const variable = /^(const|let|var)\s+([A-Za-z_$][\w$]*)/.exec(rest);
    if (decl) {
      kind = decl[1];
      name = decl[0]?.[1];
      if (name === "extends" || name === "implements") name = undefined;
    } else if (variable) {
      const value = /^(?:const|let|var)\s+[\w$]+\s*(?::\s*[^=]+?)?\s*=(?![=>])\s*(.*)$/.exec(rest)?.[1] ?? "";
      if (isFunctionValue(value)) {
        kind = "function";
        if (/^async\b/.test(value)) isAsync = true;
      } else if (/^class\b/.test(value)) kind = "class";
      else if (/^\{/.test(value)) kind = "object";
      else kind = variable[1] === "const" ? "constant" : "variable";
      name = variable[2];
    } else if (isDefault) {
      const ident = /^([A-Za-z_$][\w$]*)\s*;?\s*$/.exec(rest);
      if (ident) {
        defaultName = ident[1];
        continue;
      }
      kind = rest.startsWith("{") ? "object" : "constant";
      name = "default";
    } else {
      const cjs = /^(module\.exports|exports\.([\w$]+))\s*=\s*(.*)$/.exec(rest);
      if (!cjs) continue;
      if (cjs[2]) exportedNames.add(cjs[2]);
      else {
        const value = cjs[3] ?? "";
        for (const p of /^\{([^}]*)\}/.exec(value)?.[1]?.split(",") ?? []) {
          const n = /^\s*([\w$]+)/.exec(p)?.[1];
          if (n) exportedNames.add(n);
        }
        const single = /^([A-Za-z_$][\w$]*)\s*;?$/.exec(value)?.[1];
        if (single) exportedNames.add(single);
      }
      continue;
    }
    if (!name) name = isDefault ? "default" : "(anonymous)";

    const header =
      kind === "constant" || kind === "variable" || kind === "object"
        ? clip(
            oneLine(st.first)
              .replace(/\s*[=:]?\s*[{[(]+$/, "")
              .replace(/;$/, ""),
            160,
          )
        : headerOf(scan, st.start, st.end);
    const sym: SymbolFact = {
      name,
      kind,
      signature: header,
      line_start: line,
      line_end: st.end + 1,
      exported,
      ...(isDefault ? { isDefault: true } : {}),
      ...(isAsync ? { async: true } : {}),
    };
    if (kind === "function") {
      // `function f(a = 1)` has its parameters first; `const f = (a) =>` after the `=`.
      const eq = /\bfunction\b/.test(header.split("(")[0] ?? "") ? -1 : header.search(/=(?![=>])/);
      Object.assign(sym, paramsOf(header, Math.max(0, eq)));
      if (language.jsx && /^[A-Z]/.test(name)) {
        sym.kind = "component";
        const hooks = hooksIn(scan, st.start, st.end);
        if (hooks.length > 0) sym.hooks = hooks;
      }
    }
    if (kind === "class" || kind === "interface") {
      const bases = /\b(extends\s+.+?)(?:\s*\{|$)/.exec(header)?.[1];
      if (bases) sym.bases = bases;
    }
    if (kind === "class" || kind === "interface" || kind === "enum" || kind === "object" || kind === "type") {
      const members = membersOf(lines, scan, st.start, st.end, kind);
      if (members.length > 0) sym.members = members;
    }
    const doc = docAbove(lines, scan, st.start);
    if (doc) sym.doc = doc;
    symbols.push(sym);
  }

  for (const sym of symbols) {
    if (exportedNames.has(sym.name)) sym.exported = true;
    if (defaultName && sym.name === defaultName) {
      sym.exported = true;
      sym.isDefault = true;
    }
  }

  // require("m") and import("m") anywhere in code (CommonJS and lazy loading).
  scan.forEach((l, j) => {
    if (!/\b(?:require|import)\s*\(/.test(l.masked)) return;
    for (const m of head(l.code, 4000).matchAll(/\b(require|import)\s*\(\s*["'`]([^"'`$]+)["'`]\s*\)/g)) {
      const statementImport = imports.some((imp) => imp.line === j + 1 && imp.module === m[2]);
      if (!statementImport)
        imports.push({
          module: m[2]!,
          names: [],
          line: j + 1,
          kind: m[1] === "require" ? "require" : "dynamic",
        });
    }
  });
  imports.sort((a, b) => a.line - b.line);

  // The file's own header comment: the leading comment block when a blank line separates it from
  // the code, or the doc above the first statement when that statement is no declaration (imports).
  const firstCode = lineKinds.indexOf("code");
  let fileDoc: string | undefined;
  if (firstCode === -1) fileDoc = docAbove(lines, scan, lineKinds.lastIndexOf("comment") + 1);
  else {
    const attached = docAbove(lines, scan, firstCode);
    const firstIsSymbol = symbols.some((sym) => sym.line_start === firstCode + 1);
    fileDoc = leadingBlock(lines, scan, firstCode) ?? (firstIsSymbol ? undefined : attached);
  }

  const longest = lines.reduce((max, l, j) => (l.length > (lines[max]?.length ?? 0) ? j : max), 0);
  if ((lines[longest]?.length ?? 0) > 1000)
    notes.push(
      `Line ${longest + 1} is ${lines[longest]!.length.toLocaleString("en-US")} characters long, so the file is probably minified or generated.`,
    );
  if (language.declaration)
    notes.push("As a declaration file it describes types only and contains no runtime code.");

  return {
    path,
    language,
    lines,
    lineKinds,
    masked: scan.map((l) => l.masked),
    counts: countLines(lineKinds),
    imports,
    symbols,
    todos,
    ...(fileDoc ? { fileDoc } : {}),
    notes,
  };
}

/** A comment block at the very top of the file that is separated from the first code by a blank line. */
function leadingBlock(
  lines: readonly string[],
  scan: readonly ScriptLine[],
  firstCode: number,
): string | undefined {
  let start = 0;
  while (start < firstCode && lines[start]!.trim() === "") start++;
  if (start >= firstCode || !scan[start]!.touchedComment) return undefined;
  let end = start;
  while (end + 1 < firstCode && lines[end + 1]!.trim() !== "") end++;
  if (end + 1 >= firstCode) return undefined; // directly above code: that is the symbol's doc
  return docAbove(lines, scan, end + 1);
}
