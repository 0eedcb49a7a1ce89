import { parse } from "sucrase/dist/esm/parser/index.js";
import { TokenType } from "sucrase/dist/esm/parser/tokenizer/types.js";
import type { Specifier } from "./types";

/**
 * Every static `require("…")` of transformed (plain) JavaScript, positioned in the original source.
 * It reads tokens, not text, so a `require("x")` inside a string, a comment or a template is not a
 * dependency, and `obj.require("x")` is not one either. Sucrase keeps lines, so a require's line is
 * its line in the source; the column is where the quoted specifier is written there (an import
 * spread over several lines becomes one require on its first line, so the next lines are searched).
 */
export function requireSpecifiers(code: string, source: string): Specifier[] {
  const { tokens } = parse(code, false, false, false);
  const lineStarts = lineStartsOf(code);
  const sourceLines = source.split("\n");
  const found: Specifier[] = [];
  for (let i = 0; i + 3 < tokens.length; i++) {
    const [t, open, str, close] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    if (!t || !open || !str || !close) break;
    if (t.type !== TokenType.name || code.slice(t.start, t.end) !== "require") continue;
    if (open.type !== TokenType.parenL || str.type !== TokenType.string || close.type !== TokenType.parenR)
      continue;
    const before = tokens[i - 1];
    if (before && (before.type === TokenType.dot || before.type === TokenType.questionDot)) continue;
    const spec = unquote(code.slice(str.start, str.end));
    found.push({ spec, ...positionInSource(sourceLines, lineOf(lineStarts, t.start), spec) });
  }
  return found;
}

// A require the transform added (`react/jsx-runtime` for JSX) is written nowhere: its line, column 1.
function positionInSource(lines: string[], line: number, spec: string) {
  const quoted = [`"${spec}"`, `'${spec}'`];
  for (let l = line; l <= Math.min(lines.length, line + 50); l++) {
    const text = lines[l - 1] ?? "";
    const at = Math.min(...quoted.map((q) => text.indexOf(q)).filter((i) => i >= 0));
    if (Number.isFinite(at)) return { line: l, column: at + 1 };
  }
  return { line, column: 1 };
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (!body.includes("\\")) return body;
  // Escapes are rare in specifiers; JSON reads the common ones once the quotes are double.
  const double = literal.startsWith('"')
    ? literal
    : `"${body.replace(/\\'/g, "'").replace(/(^|[^\\])"/g, '$1\\"')}"`;
  try {
    return JSON.parse(double) as string;
  } catch {
    return body;
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
