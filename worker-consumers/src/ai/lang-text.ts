// Fallback analyser for every other text file: line counts using the language's comment syntax,
// TODO markers, and — for a few common languages — definitions found by one-line patterns
// (reported with their line only, since the block's end is not known without a parser).

import type { FileFacts, LineKind, SymbolFact, SymbolKind, TodoFact } from "./facts";
import { findTodo, lineFacts } from "./facts";
import type { Language } from "./language";
import { clip, oneLine } from "./text";

type Pattern = { re: RegExp; kind: SymbolKind; exported?: (m: RegExpExecArray) => boolean };

// Capture group 1 is the name. Patterns are anchored so they stay linear on long lines.
const DEFINITIONS: Record<string, Pattern[]> = {
  Go: [
    {
      re: /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/,
      kind: "function",
      exported: (m) => /^[A-Z]/.test(m[1]!),
    },
    {
      re: /^type\s+([A-Za-z_]\w*)\s+(?:struct|interface)\b/,
      kind: "type",
      exported: (m) => /^[A-Z]/.test(m[1]!),
    },
  ],
  Rust: [
    { re: /^\s*(pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+([A-Za-z_]\w*)/, kind: "function" },
    { re: /^\s*(pub(?:\([^)]*\))?\s+)?(?:struct|enum|trait|union)\s+([A-Za-z_]\w*)/, kind: "type" },
  ],
  Shell: [{ re: /^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{?/, kind: "function" }],
  Ruby: [
    { re: /^\s*def\s+([\w.?!]+)/, kind: "function" },
    { re: /^\s*(?:class|module)\s+([A-Z][\w:]*)/, kind: "class" },
  ],
  Kotlin: [
    {
      re: /^\s*(?:(?:public|internal|private|open|data|abstract|sealed)\s+)*(?:class|interface|object)\s+([A-Za-z_]\w*)/,
      kind: "class",
    },
    {
      re: /^\s*(?:(?:public|internal|private|override|suspend|inline)\s+)*fun\s+(?:<[^>]*>\s*)?([A-Za-z_][\w.]*)/,
      kind: "function",
    },
  ],
  Swift: [
    {
      re: /^\s*(?:(?:public|internal|private|fileprivate|open|final)\s+)*(?:class|struct|enum|protocol|extension)\s+([A-Za-z_]\w*)/,
      kind: "class",
    },
    {
      re: /^\s*(?:(?:public|internal|private|fileprivate|open|static|override|@\w+)\s+)*func\s+([A-Za-z_]\w*)/,
      kind: "function",
    },
  ],
  Java: [
    {
      re: /^\s*(?:(?:public|protected|private|abstract|final|static|sealed)\s+)*(?:class|interface|enum|record)\s+([A-Za-z_]\w*)/,
      kind: "class",
    },
  ],
};

/** Analyses any other text file. */
export function analyzeText(path: string, language: Language, lines: string[]): FileFacts {
  const kinds: LineKind[] = [];
  const todos: TodoFact[] = [];
  const symbols: SymbolFact[] = [];
  const patterns = DEFINITIONS[language.name] ?? [];
  const [open, close] = language.blockComment ?? ["", ""];
  let inBlock = false;
  lines.forEach((raw, j) => {
    const line = raw.length > 2000 ? raw.slice(0, 2000) : raw;
    const t = line.trim();
    let code = t;
    let comment = "";
    if (inBlock) {
      const end = close ? t.indexOf(close) : -1;
      comment = end === -1 ? t : t.slice(0, end);
      code = end === -1 ? "" : t.slice(end + close.length).trim();
      inBlock = end === -1;
    } else if (open && t.startsWith(open)) {
      const end = t.indexOf(close, open.length);
      comment = end === -1 ? t.slice(open.length) : t.slice(open.length, end);
      code = end === -1 ? "" : t.slice(end + close.length).trim();
      inBlock = end === -1;
    } else {
      const prefix = language.lineComments.find((p) => t.startsWith(p));
      if (prefix && !(prefix === "#" && t.startsWith("#!") && j === 0)) {
        comment = t.slice(prefix.length);
        code = "";
      } else {
        // A trailing comment on a code line still may carry a TODO.
        const at = language.lineComments.map((p) => line.indexOf(` ${p} `)).find((i) => i >= 0);
        if (at !== undefined) comment = line.slice(at);
      }
    }
    kinds.push(t === "" ? "blank" : code === "" ? "comment" : "code");
    const todo = comment ? findTodo(comment, j + 1) : undefined;
    if (todo) todos.push(todo);
    if (code === "" || symbols.length >= 200) return;
    for (const p of patterns) {
      const m = p.re.exec(line);
      if (!m) continue;
      // Rust patterns capture `pub` first; the name is the last group.
      const name = m[m.length - 1] ?? m[1]!;
      const exported = p.exported ? p.exported(m) : language.name === "Rust" ? Boolean(m[1]) : true;
      symbols.push({
        name,
        kind: p.kind,
        signature: clip(oneLine(line).replace(/\s*\{\s*$/, ""), 160),
        line_start: j + 1,
        line_end: j + 1,
        exported,
      });
      break;
    }
  });
  return lineFacts(path, language, lines, kinds, todos, symbols);
}
