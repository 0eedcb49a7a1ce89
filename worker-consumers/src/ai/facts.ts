// What the local documenter knows about a file. The per-language analysers fill it in; the
// writer in local-documenter.ts turns it into sentences. Every line number is 1-based.

import type { Language } from "./language";
import { clip, oneLine } from "./text";

export type SymbolKind =
  | "component"
  | "function"
  | "class"
  | "interface"
  | "type"
  | "enum"
  | "namespace"
  | "object"
  | "constant"
  | "variable"
  | "definition";

export type Member = { name: string; line: number; kind: "method" | "property" | "member"; doc?: string };

export type SymbolFact = {
  name: string;
  kind: SymbolKind;
  /** Declaration header as written, whitespace collapsed ("function createApp(name: string): Hono"). */
  signature: string;
  line_start: number;
  line_end: number;
  exported: boolean;
  isDefault?: boolean;
  async?: boolean;
  params?: string;
  returns?: string;
  /** Doc comment text: JSDoc above, consecutive // lines above, or the Python docstring below. */
  doc?: string;
  /** Class methods/properties, interface or enum members, Python methods. */
  members?: Member[];
  /** Base classes / extended types as written. */
  bases?: string;
  /** Python decorators as written ("@dataclass"). */
  decorators?: string[];
  /** React hooks a component calls (useState, …). */
  hooks?: string[];
};

export type ImportFact = {
  module: string;
  /** Local names it binds (default, namespace or named); empty for side-effect imports. */
  names: string[];
  line: number;
  kind: "import" | "require" | "dynamic" | "re-export";
  typeOnly?: boolean;
};

export type TodoFact = { tag: string; text: string; line: number };

export type LineKind = "blank" | "comment" | "code";

export type LineCounts = { total: number; blank: number; comment: number; code: number };

export type JsonKey = {
  key: string;
  type: string;
  line: number;
  line_end: number;
  /** Short rendering of the value: the value itself, its keys, or `name: value` lines for string maps. */
  preview: string;
};

export type PackageInfo = {
  name?: string;
  version?: string;
  description?: string;
  moduleType?: string;
  main?: string;
  scripts: { name: string; command: string }[];
  dependencies: string[];
  devDependencies: string[];
  peerDependencies: string[];
};

export type JsonFacts = {
  valid: boolean;
  error?: string;
  /** Parsed only after removing comments / trailing commas (tsconfig-style JSONC). */
  withComments: boolean;
  rootType: string;
  keys: JsonKey[];
  arrayLength?: number;
  packageInfo?: PackageInfo;
};

export type Heading = { level: number; text: string; line: number; line_end: number; paragraph?: string };

export type MarkdownFacts = {
  title?: string;
  headings: Heading[];
  codeBlocks: { lang: string; line: number; line_end: number }[];
  links: number;
  images: number;
  frontMatterEnd?: number;
};

export type FileFacts = {
  path: string;
  language: Language;
  lines: string[];
  /** Per line: blank, comment-only or code (anything that is not blank or only comment). */
  lineKinds: LineKind[];
  /** Per line: the code with comments and string contents blanked, for finding calls and keywords. */
  masked: string[];
  counts: LineCounts;
  imports: ImportFact[];
  symbols: SymbolFact[];
  todos: TodoFact[];
  /** The file's own leading doc comment or module docstring. */
  fileDoc?: string;
  /** Extra facts worth a sentence ("has a __main__ block at line 40"). */
  notes: string[];
  json?: JsonFacts;
  markdown?: MarkdownFacts;
  /** Set when the content does not look like text; nothing else is analysed then. */
  binary?: { suspicious: number; sampled: number };
};

/**
 * Facts of a file read line by line only (no parser, so the lines are their own "masked" form):
 * the shared shape of the JSON, Markdown and plain-text analysers, which add their own extras.
 *
 * @example
 * return { ...lineFacts(path, "JSON", lines, kinds, todos), json };
 */
export function lineFacts(
  path: string,
  language: Language,
  lines: string[],
  kinds: LineKind[],
  todos: TodoFact[],
  symbols: SymbolFact[] = [],
): FileFacts {
  return {
    path,
    language,
    lines,
    lineKinds: kinds,
    masked: lines,
    counts: countLines(kinds),
    imports: [],
    symbols,
    todos,
    notes: [],
  };
}

/** Counts per line kind. */
export function countLines(kinds: readonly LineKind[]): LineCounts {
  const counts = { total: kinds.length, blank: 0, comment: 0, code: 0 };
  for (const kind of kinds) counts[kind]++;
  return counts;
}

const TAGS = "TODO|FIXME|HACK|XXX|BUG";
// A marker opens the comment (`// TODO fix`, `<!-- FIXME -->`, ` * HACK:`) or carries a colon or an
// owner (`… TODO(ana): x`). Prose that merely mentions "TODO markers" is not one, and neither are
// lower-case words or identifiers like TODO_LIST.
const TODO_AT_START = new RegExp(
  String.raw`^[\s*#!/<>-]*\b(${TAGS})\b(?![-_\w])(?:\s*\(([^)]{0,40})\))?[\s:\-–]*(.*)$`,
);
const TODO_ANYWHERE = new RegExp(String.raw`\b(${TAGS})\b(?:\s*\(([^)]{0,40})\))?\s*:[\s\-–]*(.*)$`);

/** A TODO-style marker in comment text, with its owner (`TODO(ana)`) kept after the text. */
export function findTodo(commentText: string, line: number): TodoFact | undefined {
  const text = commentText.length > 2000 ? commentText.slice(0, 2000) : commentText;
  const m = TODO_AT_START.exec(text) ?? TODO_ANYWHERE.exec(text);
  if (!m) return undefined;
  const owner = m[2] ? ` (${m[2].trim()})` : "";
  const rest = clip(oneLine((m[3] ?? "").replace(/\*\/\s*$/, "").replace(/-->\s*$/, "")), 200);
  return { tag: m[1]!, text: `${rest}${owner}`.trim(), line };
}

/**
 * Whether the content looks binary: any NUL, or over 5% control characters / U+FFFD (bytes that
 * were not valid UTF-8 when R2's text() decoded them) in the first 8,192 characters.
 */
export function binaryCheck(content: string): { suspicious: number; sampled: number } | undefined {
  const sampled = Math.min(content.length, 8192);
  let suspicious = 0;
  let nul = false;
  for (let i = 0; i < sampled; i++) {
    const c = content.charCodeAt(i);
    if (c === 0) nul = true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd || c === 127) suspicious++;
  }
  return nul || (sampled > 0 && suspicious / sampled > 0.05) ? { suspicious, sampled } : undefined;
}
