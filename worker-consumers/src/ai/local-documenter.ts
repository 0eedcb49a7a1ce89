// The "local" provider: offline, deterministic documentation from static analysis. It states
// facts it found (imports, symbols, doc comments, TODOs, line counts) in plain sentences and never
// imitates a language model: no guesses about intent, no "I".

import type { FileFacts, ImportFact, SymbolFact, SymbolKind } from "./facts";
import { binaryCheck, countLines, lineFacts } from "./facts";
import { analyzeJson } from "./lang-json";
import { analyzeMarkdown } from "./lang-markdown";
import { analyzePython } from "./lang-python";
import { analyzeScript } from "./lang-script";
import { analyzeText } from "./lang-text";
import { detectLanguage, type Language } from "./language";
import { clampInt, clip, firstSentence, listJoin, oneLine, plural, splitLines } from "./text";
import type { AiInput, AiProvider, AiResult, AiSection } from "./types";

/** `result.provider` of the static documenter (and its AI_PROVIDER value). */
export const LOCAL_PROVIDER = "local";
/** `result.model`: says plainly that no language model was involved. */
export const LOCAL_MODEL = "static-analysis";

// Results are stored in D1 and may be posted as a comment (≤ 10,000 characters): keep them bounded.
const MAX_SECTIONS = 100;
const MAX_SECTION_TEXT = 2000;
const MAX_SUMMARY = 3000;

/**
 * Static facts about one file. Never throws: content that does not look like text is reported as
 * binary, and an analyser failure (a bug) degrades to line counts only.
 */
export function analyzeFile(path: string, content: string): FileFacts {
  const language = detectLanguage(path);
  const binary = binaryCheck(content);
  if (binary) {
    return {
      path,
      language,
      lines: [],
      lineKinds: [],
      masked: [],
      counts: { total: 0, blank: 0, comment: 0, code: 0 },
      imports: [],
      symbols: [],
      todos: [],
      notes: [],
      binary,
    };
  }
  const lines = splitLines(content);
  try {
    switch (language.family) {
      case "script":
        return analyzeScript(path, language, lines);
      case "python":
        return analyzePython(path, language, lines);
      case "json":
        return analyzeJson(path, language, lines, content);
      case "markdown":
        return analyzeMarkdown(path, language, lines);
      default:
        return analyzeText(path, language, lines);
    }
  } catch {
    // Deliberately swallowed: a partial description beats a failed job for a deterministic bug.
    const kinds = lines.map((l) => (l.trim() === "" ? ("blank" as const) : ("code" as const)));
    return {
      ...lineFacts(path, language, lines, kinds, []),
      notes: ["Its structure could not be analysed; only lines were counted."],
    };
  }
}

/** Documents a file from static analysis alone. Deterministic, offline, never throws. */
export function documentLocally(input: AiInput): AiResult {
  const facts = analyzeFile(input.path, typeof input.content === "string" ? input.content : "");
  let summary: string;
  let sections: AiSection[];
  if (input.type === "explain_selection") {
    const total = facts.lines.length;
    const sel = input.selection ?? { start_line: 1, end_line: Math.max(1, total) };
    ({ summary, sections } = explainSelection(facts, sel.start_line, sel.end_line));
  } else if (input.type === "document_symbols") {
    summary = symbolsSummary(facts);
    sections = symbolSections(facts);
  } else {
    summary = fileSummary(facts);
    sections = [...importSection(facts), ...symbolSections(facts), ...todoSection(facts)];
  }
  return {
    summary: clip(summary, MAX_SUMMARY),
    sections: sections
      .slice(0, MAX_SECTIONS)
      .map((s) => ({ ...s, title: clip(s.title, 160), text: clip(s.text, MAX_SECTION_TEXT) })),
    provider: LOCAL_PROVIDER,
    model: LOCAL_MODEL,
  };
}

/** The default provider (AI_PROVIDER=local): static analysis, no network, same output for same input. */
export class LocalDocumenter implements AiProvider {
  readonly name = LOCAL_PROVIDER;
  readonly model = LOCAL_MODEL;

  /** Documents the file; only an already-aborted `signal` makes it throw (its reason). */
  async document(input: AiInput, signal?: AbortSignal): Promise<AiResult> {
    signal?.throwIfAborted();
    return documentLocally(input);
  }
}

// ---------------------------------------------------------------------------------------------
// Wording helpers

const KIND_ORDER: SymbolKind[] = [
  "component",
  "function",
  "class",
  "interface",
  "type",
  "enum",
  "namespace",
  "object",
  "constant",
  "variable",
  "definition",
];
const KIND_PLURAL: Record<SymbolKind, string> = {
  component: "components",
  function: "functions",
  class: "classes",
  interface: "interfaces",
  type: "types",
  enum: "enums",
  namespace: "namespaces",
  object: "objects",
  constant: "constants",
  variable: "variables",
  definition: "definitions",
};

const article = (word: string) => (/^[aeiou]/i.test(word) && !/^(?:uni|use)/i.test(word) ? "an" : "a");

const lineRange = (a: number, b: number) => (a === b ? `line ${a}` : `lines ${a}–${b}`);

const isPython = (f: FileFacts) => f.language.family === "python";

const displayName = (s: SymbolFact) => (s.name === "default" ? "the default export" : s.name);

/** For a sentence start: only our own phrase is capitalised, never an identifier (qrSvg stays qrSvg). */
const capitalize = (text: string) => (text === "the default export" ? "The default export" : text);

/** Python has no doc comments for variables, so only its functions and classes count as documentable. */
const documentable = (f: FileFacts, s: SymbolFact) =>
  !isPython(f) || (s.kind !== "constant" && s.kind !== "variable");

/** Word for "code" lines in counts: Markdown's non-blank lines are prose, not code. */
const codeWord = (f: FileFacts) => (f.language.family === "markdown" ? "text" : "code");

/** "3 functions: a, b and c" for one group; "2 functions (a, b) and 1 class (C)" for several. */
function groupPhrase(symbols: readonly SymbolFact[]): string {
  const groups = KIND_ORDER.map((kind) => ({ kind, items: symbols.filter((s) => s.kind === kind) })).filter(
    (g) => g.items.length > 0,
  );
  const word = (kind: SymbolKind, n: number) => (n === 1 ? kind : KIND_PLURAL[kind]);
  if (groups.length === 1) {
    const g = groups[0]!;
    return `${g.items.length} ${word(g.kind, g.items.length)}: ${listJoin(g.items.map(displayName), 6)}`;
  }
  return listJoin(
    groups.map(
      (g) => `${g.items.length} ${word(g.kind, g.items.length)} (${listJoin(g.items.map(displayName), 4)})`,
    ),
    8,
  );
}

function countsPhrase(f: FileFacts): string {
  const c = f.counts;
  return `${plural(c.total, "line")} (${c.code} ${codeWord(f)}, ${c.comment} comment, ${c.blank} blank)`;
}

function todoSentence(f: FileFacts): string {
  const todos = f.todos;
  if (todos.length === 0) return "";
  if (todos.length === 1) {
    const t = todos[0]!;
    return `It has 1 ${t.tag} marker, on line ${t.line}${t.text ? `: "${clip(t.text, 100)}"` : ""}.`;
  }
  const tags = [...new Set(todos.map((t) => t.tag))].join("/");
  return `It has ${todos.length} ${tags} markers, on lines ${listJoin(
    todos.map((t) => String(t.line)),
    8,
  )}.`;
}

const importedModules = (f: FileFacts) => [
  ...new Set(f.imports.filter((i) => i.kind !== "re-export").map((i) => i.module)),
];

// ---------------------------------------------------------------------------------------------
// summarize_file

function fileSummary(f: FileFacts): string {
  const lead = leadSentence(f);
  if (lead.done) return lead.text;
  const parts = [lead.text];
  if (f.language.family === "script" || f.language.family === "python") parts.push(...codeSentences(f));
  if (f.json) parts.push(...jsonSentences(f));
  if (f.markdown) parts.push(...markdownSentences(f));
  parts.push(todoSentence(f), ...f.notes);
  return parts.filter(Boolean).join(" ");
}

/** The opening sentence, or the whole summary for binary/empty files (`done`). */
function leadSentence(f: FileFacts): { text: string; done: boolean } {
  const lang = f.language.name;
  if (f.binary)
    return {
      text: `${f.path} does not look like a text file (${f.binary.suspicious} of its first ${f.binary.sampled} characters are control characters or undecodable bytes), so it was not analysed.`,
      done: true,
    };
  if (f.counts.total === 0) return { text: `${f.path} is an empty ${lang} file.`, done: true };
  if (f.counts.blank === f.counts.total)
    return { text: `${f.path} contains only ${plural(f.counts.total, "blank line")}.`, done: true };

  const fam = f.language.family;
  if (fam === "script" || fam === "python") {
    const noun = f.language.declaration ? "declaration file" : "module";
    let text = `${f.path} is ${article(lang)} ${lang} ${noun} of ${countsPhrase(f)}`;
    const modules = importedModules(f);
    if (modules.length > 0) text += ` that imports ${listJoin(modules, 6)}`;
    const shown = f.symbols.filter((s) => s.exported);
    if (shown.length > 0)
      text += `${modules.length > 0 ? " and" : " that"} ${fam === "python" ? "defines" : "exports"} ${groupPhrase(shown)}`;
    else if (f.symbols.length > 0)
      text += `${modules.length > 0 ? " and" : " that"} defines ${groupPhrase(f.symbols)}, ${f.symbols.length === 1 ? "not" : "none of them"} ${fam === "python" ? "public" : "exported"}`;
    return { text: `${text}.`, done: false };
  }
  if (fam === "json") return { text: jsonLead(f), done: false };
  if (fam === "markdown") {
    const md = f.markdown!;
    let text = `${f.path} is a Markdown document of ${plural(f.counts.total, "line")}`;
    if (md.title) text += ` titled "${md.title}"`;
    const outline = md.headings.filter((h) => h.text !== md.title && h.level <= 2).map((h) => h.text);
    if (md.headings.length > 0) text += ` with ${plural(md.headings.length, "heading")}`;
    if (outline.length > 0) text += ` (sections: ${listJoin(outline, 8)})`;
    return { text: `${text}.`, done: false };
  }
  const c = f.counts;
  // "a Dockerfile", not "a Dockerfile file".
  const kind =
    lang === "plain text"
      ? "a plain text file"
      : `${article(lang)} ${lang}${/file$/i.test(lang) ? "" : " file"}`;
  let text =
    lang === "plain text"
      ? `${f.path} is ${kind} of ${plural(c.total, "line")} (${c.total - c.blank} non-blank)`
      : `${f.path} is ${kind} of ${countsPhrase(f)}`;
  if (f.symbols.length > 0) text += ` that defines ${groupPhrase(f.symbols)}`;
  return { text: `${text}.`, done: false };
}

function codeSentences(f: FileFacts): string[] {
  const out: string[] = [];
  const py = isPython(f);
  const exported = f.symbols.filter((s) => s.exported && documentable(f, s));
  const [docOne, docMany] = py ? ["a docstring", "docstrings"] : ["a doc comment", "doc comments"];
  const what = py ? "public functions and classes" : "exported declarations";
  if (exported.length > 0) {
    const documented = exported.filter((s) => s.doc);
    const missing = exported.filter((s) => !s.doc).map(displayName);
    const n = exported.length;
    if (documented.length === n)
      out.push(
        n === 1
          ? `${capitalize(displayName(exported[0]!))} has ${docOne}.`
          : `${n === 2 ? "Both" : `All ${n}`} ${what} have ${docMany}.`,
      );
    else if (documented.length === 0)
      out.push(
        n === 1
          ? `${capitalize(missing[0]!)} has no ${docMany.replace(/s$/, "")}.`
          : `None of its ${n} ${what} has ${docOne}.`,
      );
    else
      out.push(
        `${documented.length} of ${n} ${what} ${documented.length === 1 ? `has ${docOne}` : `have ${docMany}`}; missing on ${listJoin(missing, 5)}.`,
      );
  }
  const defaultExport = f.symbols.find((s) => s.isDefault && s.name !== "default");
  if (defaultExport) out.push(`Its default export is ${defaultExport.name}.`);
  const reexports = [...new Set(f.imports.filter((i) => i.kind === "re-export").map((i) => i.module))];
  if (reexports.length > 0) out.push(`It re-exports from ${listJoin(reexports, 5)}.`);
  const worker = f.symbols.find((s) => s.name === "default" && s.kind === "object" && s.members?.length);
  if (worker)
    out.push(
      `Its default export is an object with ${listJoin(
        worker.members!.map((m) => m.name),
        8,
      )}.`,
    );
  if (f.fileDoc)
    out.push(`Its ${py ? "module docstring" : "header comment"} says: "${firstSentence(f.fileDoc)}"`);
  return out;
}

function jsonLead(f: FileFacts): string {
  const j = f.json!;
  if (!j.valid)
    return `${f.path} is not valid JSON (${j.error ?? "parse error"}); it has ${countsPhrase(f)}.`;
  const pkg = j.packageInfo;
  if (pkg) {
    const id = pkg.name
      ? `"${pkg.name}"${pkg.version ? ` version ${pkg.version}` : ""}`
      : "an unnamed package";
    const description = pkg.description?.replace(/[.\s]+$/, "");
    return `${f.path} is an npm package manifest for ${id}${description ? ` (${clip(description, 120)})` : ""}.`;
  }
  if (j.rootType === "object") {
    const keys = j.keys.map((k) => `${k.key} (${k.type})`);
    return `${f.path} is a JSON file of ${plural(f.counts.total, "line")} whose top-level object has ${plural(j.keys.length, "key")}${keys.length > 0 ? `: ${listJoin(keys, 8)}` : ""}.`;
  }
  if (j.rootType === "array")
    return `${f.path} is a JSON file of ${plural(f.counts.total, "line")} holding an array of ${plural(j.arrayLength ?? 0, "item")}.`;
  return `${f.path} is a JSON file holding a single ${j.rootType} value.`;
}

function jsonSentences(f: FileFacts): string[] {
  const j = f.json!;
  const out: string[] = [];
  const pkg = j.packageInfo;
  if (pkg) {
    const scripts = pkg.scripts.map((s) => s.name);
    const parts = [
      `${plural(scripts.length, "script")}${scripts.length > 0 ? ` (${listJoin(scripts, 6)})` : ""}`,
      `${plural(pkg.dependencies.length, "dependency", "dependencies")}${pkg.dependencies.length > 0 ? ` (${listJoin(pkg.dependencies, 6)})` : ""}`,
      plural(pkg.devDependencies.length, "devDependency", "devDependencies"),
    ];
    if (pkg.peerDependencies.length > 0)
      parts.push(plural(pkg.peerDependencies.length, "peerDependency", "peerDependencies"));
    out.push(`It defines ${listJoin(parts, 4)}.`);
    if (pkg.moduleType === "module") out.push(`Its "type" is "module", so .js files are ES modules.`);
    if (pkg.main) out.push(`Its entry point is ${pkg.main}.`);
  }
  if (j.withComments)
    out.push("It uses comments or trailing commas (JSONC), which strict JSON parsers reject.");
  return out;
}

function markdownSentences(f: FileFacts): string[] {
  const md = f.markdown!;
  const out: string[] = [];
  const langs = [...new Set(md.codeBlocks.map((b) => b.lang).filter(Boolean))];
  const things: string[] = [];
  if (md.codeBlocks.length > 0)
    things.push(
      `${plural(md.codeBlocks.length, "code block")}${langs.length > 0 ? ` (${listJoin(langs, 5)})` : ""}`,
    );
  if (md.links > 0) things.push(plural(md.links, "link"));
  if (md.images > 0) things.push(plural(md.images, "image"));
  if (things.length > 0) out.push(`It contains ${listJoin(things)}.`);
  if (md.frontMatterEnd) out.push(`It starts with YAML front matter (lines 1–${md.frontMatterEnd}).`);
  const intro = md.headings[0]?.paragraph;
  if (intro) out.push(`It opens with: "${firstSentence(intro)}"`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sections

function importSection(f: FileFacts): AiSection[] {
  const imports = f.imports.filter(
    (i) => i.kind === "import" || i.kind === "require" || i.kind === "re-export",
  );
  if (imports.length === 0) return [];
  const lines = imports.map((i) => `${i.module}${importDetail(i)}`);
  const first = Math.min(...imports.map((i) => i.line));
  const last = Math.max(...imports.map((i) => i.line));
  return [
    { title: `Imports (${imports.length})`, line_start: first, line_end: last, text: lines.join("\n") },
  ];
}

function importDetail(i: ImportFact): string {
  // `import json` binds the module's own name: listing it again says nothing.
  const bound = i.names.filter((n) => n !== i.module);
  const names =
    bound.length > 0
      ? `: ${listJoin(bound, 10)}`
      : i.kind === "import" && i.names.length === 0
        ? " (for its side effects)"
        : "";
  const kind = i.kind === "re-export" ? " (re-exported)" : i.kind === "require" ? " (require)" : "";
  return `${names}${i.typeOnly ? " (types only)" : ""}${kind} — line ${i.line}`;
}

function todoSection(f: FileFacts, lo = 1, hi = Number.MAX_SAFE_INTEGER): AiSection[] {
  const todos = f.todos.filter((t) => t.line >= lo && t.line <= hi);
  if (todos.length === 0) return [];
  const tags = [...new Set(todos.map((t) => t.tag))].join("/");
  return [
    {
      title: `${tags} markers (${todos.length})`,
      line_start: todos[0]!.line,
      line_end: todos[todos.length - 1]!.line,
      text: todos.map((t) => `Line ${t.line} — ${t.tag}${t.text ? `: ${t.text}` : ""}`).join("\n"),
    },
  ];
}

/** A title that reads like the declaration: "function createApp(name: string): Hono". */
export function symbolTitle(s: SymbolFact, language: Language): string {
  if (language.family === "python") {
    if (s.kind === "function")
      return `${s.async ? "async " : ""}def ${s.name}(${s.params ?? ""})${s.returns ? ` -> ${s.returns}` : ""}`;
    if (s.kind === "class") return `class ${s.name}${s.bases ? `(${s.bases})` : ""}`;
    return `${s.kind} ${s.name}`;
  }
  if (language.family === "text") return s.signature;
  if (s.kind === "function" || s.kind === "component")
    return `${s.kind} ${s.name === "default" ? "(default export)" : s.name}(${s.params ?? ""})${s.returns ? `: ${s.returns}` : ""}`;
  if (s.kind === "class" || s.kind === "interface")
    return `${s.kind} ${s.name}${s.bases ? ` ${s.bases}` : ""}`;
  if (s.name === "default") return `default export (${s.kind === "object" ? "object" : "expression"})`;
  return `${s.kind === "constant" ? "const" : s.kind} ${s.name}`;
}

const KIND_WORD: Record<SymbolKind, string> = {
  component: "component",
  function: "function",
  class: "class",
  interface: "interface",
  type: "type alias",
  enum: "enum",
  namespace: "namespace",
  object: "object",
  constant: "constant",
  variable: "variable",
  definition: "definition",
};

/** Doc comment if there is one, otherwise a factual description of the declaration. */
function symbolText(s: SymbolFact, f: FileFacts): string {
  const py = isPython(f);
  const parts: string[] = [];
  if (s.doc) parts.push(s.doc);
  else {
    const visibility = s.isDefault
      ? "Default-exported"
      : s.exported
        ? py
          ? "Public"
          : "Exported"
        : py
          ? "Private"
          : "Top-level, not exported,";
    let d = `${visibility} ${s.async ? "async " : ""}${KIND_WORD[s.kind]}`;
    if (s.kind === "function" || s.kind === "component") {
      d += s.params ? ` taking (${clip(s.params, 200)})` : " with no parameters";
      if (s.returns) d += `, returning ${clip(s.returns, 120)}`;
    } else if (s.kind === "constant" || s.kind === "variable" || s.kind === "type")
      d += `: \`${clip(s.signature, 200)}\``;
    parts.push(`${d}. It has no ${py ? "docstring" : "doc comment"}.`);
  }
  if (s.decorators?.length) parts.push(`Decorated with ${listJoin(s.decorators, 5)}.`);
  if (s.hooks?.length) parts.push(`Uses the hooks ${listJoin(s.hooks, 8)}.`);
  const methods = s.members?.filter((m) => m.kind === "method") ?? [];
  const others = s.members?.filter((m) => m.kind !== "method") ?? [];
  if (methods.length > 0)
    parts.push(
      `Methods:\n${methods
        .slice(0, 25)
        .map((m) => `- ${m.name} (line ${m.line})${m.doc ? `: ${firstSentence(m.doc, 120)}` : ""}`)
        .join("\n")}`,
    );
  if (others.length > 0) {
    const label = s.kind === "enum" ? "Members" : s.kind === "class" ? "Properties" : "Members";
    parts.push(
      `${label}: ${listJoin(
        others.map((m) => m.name),
        20,
      )}.`,
    );
  }
  return parts.join("\n\n");
}

function symbolSections(f: FileFacts, lo = 1, hi = Number.MAX_SAFE_INTEGER): AiSection[] {
  if (f.markdown) {
    return f.markdown.headings
      .filter((h) => h.line >= lo && h.line <= hi)
      .map((h) => ({
        title: `${"#".repeat(h.level)} ${h.text}`,
        line_start: h.line,
        line_end: Math.min(h.line_end, hi),
        text: h.paragraph ?? headingFallback(f, h.line, h.line_end),
      }));
  }
  if (f.json) {
    return f.json.keys
      .filter((k) => k.line >= lo && k.line <= hi)
      .map((k) => ({
        title: `"${k.key}" (${k.type})`,
        line_start: k.line,
        line_end: Math.min(k.line_end, hi),
        text: k.preview,
      }));
  }
  return f.symbols
    .filter((s) => s.line_start <= hi && s.line_end >= lo)
    .map((s) => ({
      title: symbolTitle(s, f.language),
      line_start: Math.max(s.line_start, lo),
      line_end: Math.min(s.line_end, hi),
      text: symbolText(s, f),
    }));
}

/** Text for a heading with no prose under it: what the section holds instead. */
function headingFallback(f: FileFacts, line: number, end: number): string {
  const blocks = f.markdown?.codeBlocks.filter((b) => b.line > line && b.line <= end) ?? [];
  const langs = [...new Set(blocks.map((b) => b.lang).filter(Boolean))];
  const what =
    blocks.length > 0
      ? `${plural(blocks.length, "code block")}${langs.length > 0 ? ` (${listJoin(langs)})` : ""}`
      : "no prose";
  return `Section of ${lineRange(line, end)} with ${what}.`;
}

// ---------------------------------------------------------------------------------------------
// document_symbols

function symbolsSummary(f: FileFacts): string {
  const lead = leadSentence(f);
  if (lead.done) return lead.text;
  if (f.markdown) {
    const n = f.markdown.headings.length;
    return n === 0
      ? `${f.path} has no headings to document.`
      : `${f.path} has ${plural(n, "heading")}; each section below is one heading with its line range and opening paragraph.`;
  }
  if (f.json) {
    if (!f.json.valid)
      return `${f.path} is not valid JSON (${f.json.error ?? "parse error"}), so it has no keys to document.`;
    return `${f.path} has ${plural(f.json.keys.length, "top-level key")}${
      f.json.keys.length > 0
        ? `: ${listJoin(
            f.json.keys.map((k) => k.key),
            10,
          )}`
        : ""
    }.`;
  }
  if (f.symbols.length === 0)
    return `No top-level declarations were found in ${f.path} (${f.language.name}, ${plural(f.counts.total, "line")}).`;
  const py = isPython(f);
  const exported = f.symbols.filter((s) => s.exported);
  let text = `${f.path} declares ${plural(f.symbols.length, "top-level symbol")}`;
  if (f.language.family !== "text") text += `, ${exported.length} of them ${py ? "public" : "exported"}`;
  text += `: ${groupPhrase(f.symbols)}.`;
  const candidates = f.symbols.filter((s) => documentable(f, s));
  const documented = candidates.filter((s) => s.doc).length;
  if (f.language.family !== "text" && candidates.length > 0) {
    const undocumented = exported.filter((s) => !s.doc && documentable(f, s)).map(displayName);
    const [one, many] = py ? ["a docstring", "docstrings"] : ["a doc comment", "doc comments"];
    text += ` ${documented} of ${candidates.length}${py ? " functions and classes" : ""} ${documented === 1 ? `has ${one}` : `have ${many}`}`;
    text +=
      undocumented.length > 0
        ? `; undocumented ${py ? "public" : "exported"} symbols: ${listJoin(undocumented, 6)}.`
        : ".";
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// explain_selection

const CONTROL: Record<string, RegExp> = {
  script: /\b(if|else|for|while|do|switch|case|try|catch|finally|return|throw|await|yield|break|continue)\b/g,
  python:
    /\b(if|elif|else|for|while|try|except|finally|with|return|raise|yield|await|break|continue|lambda)\b/g,
};
const NOT_CALLS = new Set([
  "if",
  "for",
  "while",
  "switch",
  "catch",
  "function",
  "return",
  "typeof",
  "await",
  "yield",
  "super",
  "def",
  "class",
  "elif",
  "with",
  "except",
  "lambda",
  "not",
  "and",
  "or",
  "in",
  "is",
  "assert",
  "del",
  "import",
  "from",
  "constructor",
]);
const CALL_RE = /(\bnew\s+)?([A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)*)\s*(?:<[^<>()]{0,80}>)?\s*\(/g;

/** Calls on the given lines, in first-use order: "fetch", "app.get", "new Hono". */
function callsIn(f: FileFacts, lo: number, hi: number): string[] {
  const calls = new Set<string>();
  for (let n = lo; n <= hi && calls.size < 40; n++) {
    const raw = f.masked[n - 1] ?? "";
    const line = raw.length > 2000 ? raw.slice(0, 2000) : raw;
    const trimmed = line.trim();
    for (const m of line.matchAll(CALL_RE)) {
      const name = m[2]!.replace(/\s+/g, "").replace(/\?\./g, ".");
      const first = name.split(".")[0]!;
      if (NOT_CALLS.has(first) && !name.includes(".")) continue;
      const before = line.slice(Math.max(0, m.index - 12), m.index);
      if (/(?:function\*?|def|class)\s*$/.test(before)) continue;
      // `name(args) {` at the start of a line declares a method; it calls nothing.
      if (!m[1] && trimmed.startsWith(m[0].trim()) && /\)\s*(?::[^{]*)?\{\s*$/.test(trimmed)) continue;
      calls.add(`${m[1] ? "new " : ""}${name}`);
    }
  }
  return [...calls];
}

function keywordsIn(f: FileFacts, lo: number, hi: number): string[] {
  const re = CONTROL[f.language.family];
  if (!re) return [];
  const found = new Set<string>();
  for (let n = lo; n <= hi; n++) {
    const line = f.masked[n - 1] ?? "";
    for (const m of (line.length > 2000 ? line.slice(0, 2000) : line).matchAll(re)) found.add(m[1]!);
  }
  return [...found];
}

function explainSelection(
  f: FileFacts,
  start: number,
  end: number,
): { summary: string; sections: AiSection[] } {
  const total = f.lines.length;
  const lead = leadSentence(f);
  if (f.binary || total === 0) return { summary: lead.text, sections: [] };
  const from = clampInt(Math.min(start, end), 1, Number.MAX_SAFE_INTEGER);
  const to = clampInt(Math.max(start, end), 1, Number.MAX_SAFE_INTEGER);
  if (from > total)
    return {
      summary: `The selection (${lineRange(from, to)}) starts after the end of ${f.path}, which has ${plural(total, "line")}; there is nothing to explain.`,
      sections: [],
    };
  const lo = from;
  const hi = Math.min(to, total);
  const where = `The selection (${lineRange(lo, hi)}) of ${f.path} (${f.language.name})`;
  const c = countLines(f.lineKinds.slice(lo - 1, hi));
  const sentences: string[] = [];
  const details: string[] = [];

  // Context: the innermost declaration or Markdown section that encloses the whole selection.
  const enclosing = f.symbols
    .filter((s) => s.line_start <= lo && s.line_end >= hi && !(s.line_start >= lo && s.line_end <= hi))
    .sort((a, b) => a.line_end - a.line_start - (b.line_end - b.line_start))[0];
  const heading = f.markdown?.headings
    .filter((h) => h.line <= lo && h.line_end >= hi)
    .sort((a, b) => b.level - a.level)[0];
  // Declarations the selection cuts through: it starts or ends inside them.
  const partial = f.symbols.filter((s) => s !== enclosing && s.line_start < lo && s.line_end >= lo);
  const keys = f.json?.keys.filter((k) => k.line <= hi && k.line_end >= lo) ?? [];
  if (enclosing)
    sentences.push(
      `${where} is inside ${KIND_WORD[enclosing.kind]} ${enclosing.name} (${lineRange(enclosing.line_start, enclosing.line_end)}).`,
    );
  else if (heading)
    sentences.push(
      `${where} is in the section "${heading.text}" (${lineRange(heading.line, heading.line_end)}).`,
    );
  else if (partial.length > 0)
    sentences.push(
      `${where} starts inside ${listJoin(partial.map((s) => `${KIND_WORD[s.kind]} ${s.name} (${lineRange(s.line_start, s.line_end)})`))}.`,
    );
  else if (keys.length > 0)
    sentences.push(
      `${where} covers the top-level ${keys.length === 1 ? "key" : "keys"} ${listJoin(
        keys.map((k) => `"${k.key}" (${k.type})`),
        8,
      )}.`,
    );
  else sentences.push(`${where} is at the top level of the file.`);
  sentences.push(
    `It has ${c.code} ${codeWord(f)}, ${c.comment} comment and ${c.blank} blank ${c.blank === 1 ? "line" : "lines"}.`,
  );
  if (to > total) sentences.push(`The file ends at line ${total}, before the selection's end (line ${to}).`);

  const declared = [
    ...f.symbols
      .filter((s) => s.line_start >= lo && s.line_start <= hi)
      .map((s) => `${KIND_WORD[s.kind]} ${s.name}`),
    ...(enclosing?.members ?? [])
      .filter((m) => m.line >= lo && m.line <= hi)
      .map((m) => `${m.kind} ${m.name}`),
  ];
  if (declared.length > 0) {
    const text = `It declares ${listJoin(declared, 6)}.`;
    sentences.push(text);
    details.push(text);
  }
  const imports = f.imports.filter((i) => i.line >= lo && i.line <= hi);
  if (imports.length > 0) {
    const text = `It imports ${listJoin([...new Set(imports.map((i) => i.module))], 6)}.`;
    sentences.push(text);
    details.push(text);
  }
  const calls = f.language.family === "script" || f.language.family === "python" ? callsIn(f, lo, hi) : [];
  if (calls.length > 0) {
    const text = `It calls ${listJoin(calls, 10)}.`;
    sentences.push(text);
    details.push(text);
  }
  const keywords = keywordsIn(f, lo, hi);
  if (keywords.length > 0) {
    const text = `Control flow: ${keywords.join(", ")}.`;
    sentences.push(text);
    details.push(text);
  }
  const headings = f.markdown?.headings.filter((h) => h.line >= lo && h.line <= hi) ?? [];
  if (headings.length > 0)
    details.push(
      `Headings: ${listJoin(
        headings.map((h) => h.text),
        10,
      )}.`,
    );
  const blocks = f.markdown?.codeBlocks.filter((b) => b.line <= hi && b.line_end >= lo) ?? [];
  if (blocks.length > 0)
    details.push(
      `${plural(blocks.length, "code block")} (${listJoin(
        blocks.map((b) => b.lang || "no language"),
        5,
      )}).`,
    );
  if (keys.length > 0)
    details.push(
      `Top-level keys: ${listJoin(
        keys.map((k) => `"${k.key}" (${k.type})`),
        8,
      )}.`,
    );
  const todos = f.todos.filter((t) => t.line >= lo && t.line <= hi);
  if (todos.length > 0)
    sentences.push(
      todos.length === 1
        ? `It contains a ${todos[0]!.tag} on line ${todos[0]!.line}${todos[0]!.text ? `: "${clip(todos[0]!.text, 100)}"` : ""}.`
        : `It contains ${todos.length} TODO-style markers (lines ${listJoin(
            todos.map((t) => String(t.line)),
            8,
          )}).`,
    );

  const excerpt = f.lines
    .slice(lo - 1, Math.min(hi, lo + 2))
    .map((l) => oneLine(l))
    .filter(Boolean)
    .join(" ⏎ ");
  const sections: AiSection[] = [
    {
      title: `Selection (${lineRange(lo, hi)})`,
      line_start: lo,
      line_end: hi,
      text: [
        `${c.code} ${codeWord(f)}, ${c.comment} comment, ${c.blank} blank ${c.blank === 1 ? "line" : "lines"}.`,
        ...details,
        excerpt ? `Starts with: ${clip(excerpt, 200)}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    },
  ];
  if (enclosing)
    sections.push({
      title: `Inside ${symbolTitle(enclosing, f.language)}`,
      line_start: lo,
      line_end: hi,
      text: symbolText(enclosing, f),
    });
  const contained = symbolSections(f, lo, hi).filter(
    (s) => !enclosing || s.title !== symbolTitle(enclosing, f.language),
  );
  sections.push(...contained, ...todoSection(f, lo, hi));
  return { summary: sentences.join(" "), sections };
}
