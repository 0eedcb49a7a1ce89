// Python analyser: a lexer-level scan (comments, single- and triple-quoted strings, bracket depth,
// backslash continuations) plus indentation, which is all Python needs to delimit top-level
// blocks. Statement-level strings (docstrings) count as comment lines, as cloc counts them.

import type { FileFacts, ImportFact, LineKind, Member, SymbolFact, TodoFact } from "./facts";
import { countLines, findTodo } from "./facts";
import type { Language } from "./language";
import { clip, oneLine } from "./text";

type PyLine = {
  /** Comments and docstrings blanked, other strings kept. */
  code: string;
  /** Also the contents of every string blanked. */
  masked: string;
  comment: string;
  touchedComment: boolean;
  nest: number;
  nestEnd: number;
  /** Starts inside a triple-quoted string. */
  inString: boolean;
  endInString: boolean;
  /** Previous line ended with a backslash continuation. */
  continued: boolean;
  indent: number;
};

type Docstring = { start: number; end: number; text: string };

const head = (text: string, maxChars = 2000) => (text.length > maxChars ? text.slice(0, maxChars) : text);

/** One pass over the lines; docstrings are collected with their (0-based) line span. */
function scanPython(lines: readonly string[]): { scan: PyLine[]; docstrings: Docstring[] } {
  const scan: PyLine[] = [];
  const docstrings: Docstring[] = [];
  let triple: string | null = null; // the open triple quote, if any
  let tripleIsDoc = false;
  let doc: { start: number; text: string } | null = null;
  let nest = 0;
  let continued = false;
  for (let lineNo = 0; lineNo < lines.length; lineNo++) {
    const raw = lines[lineNo]!;
    const inString = triple !== null;
    const n0 = nest;
    const wasContinued = continued;
    let code = "";
    let masked = "";
    let comment = "";
    let touched = inString && tripleIsDoc;
    const len = raw.length;
    let i = 0;
    // Index of the closing quote at or after `from`, or -1 when the string runs past this line.
    const closeAt = (quote: string, from: number): number => {
      let j = from;
      while (j < len) {
        if (raw[j] === "\\") j += 2;
        else if (raw.startsWith(quote, j)) return j;
        else j++;
      }
      return -1;
    };
    while (i < len) {
      if (triple !== null) {
        const at = closeAt(triple, i);
        const closed = at !== -1;
        const contentEnd = closed ? at : len;
        const stop = closed ? at + 3 : len;
        if (tripleIsDoc) {
          if (doc) doc.text += raw.slice(i, contentEnd);
          comment += raw.slice(i, contentEnd);
          code += " ".repeat(stop - i);
          masked += " ".repeat(stop - i);
        } else {
          code += raw.slice(i, stop);
          masked += " ".repeat(Math.max(0, contentEnd - i)) + (closed ? triple : "");
        }
        i = stop;
        if (closed) {
          if (tripleIsDoc && doc) {
            docstrings.push({ start: doc.start, end: lineNo, text: doc.text });
            doc = null;
          }
          triple = null;
        }
        continue;
      }
      const c = raw[i]!;
      if (c === "#") {
        comment += raw.slice(i + 1);
        touched = true;
        code += " ".repeat(len - i);
        masked += " ".repeat(len - i);
        break;
      }
      if (c === '"' || c === "'") {
        // A string that begins a statement (only a prefix like r/b/u/f before it) is a docstring.
        const before = masked.trim();
        const atStatement = !wasContinued && n0 === 0 && /^[rRbBuUfF]{0,2}$/.test(before) && nest === 0;
        const q3 = c.repeat(3);
        if (raw.startsWith(q3, i)) {
          triple = q3;
          tripleIsDoc = atStatement;
          if (atStatement) {
            doc = { start: lineNo, text: "" };
            code = " ".repeat(code.length);
            masked = " ".repeat(masked.length);
            touched = true;
            code += "   ";
            masked += "   ";
          } else {
            code += q3;
            masked += q3;
          }
          i += 3;
          continue;
        }
        const at = closeAt(c, i + 1);
        const closed = at !== -1;
        const stop = closed ? at + 1 : len;
        if (atStatement && closed && raw.slice(stop).trim() === "") {
          docstrings.push({ start: lineNo, end: lineNo, text: raw.slice(i + 1, stop - 1) });
          comment += raw.slice(i + 1, stop - 1);
          touched = true;
          code = " ".repeat(len);
          masked = " ".repeat(len);
          i = len;
          continue;
        }
        code += raw.slice(i, stop);
        masked += c + " ".repeat(Math.max(0, stop - i - (closed ? 2 : 1))) + (closed ? c : "");
        i = stop;
        continue;
      }
      if (c === "(" || c === "[" || c === "{") nest++;
      else if (c === ")" || c === "]" || c === "}") nest = Math.max(0, nest - 1);
      code += c;
      masked += c;
      i++;
    }
    continued = triple === null && /\\\s*$/.test(masked);
    if (doc && triple !== null) doc.text += "\n";
    scan.push({
      code,
      masked,
      comment,
      touchedComment: touched,
      nest: n0,
      nestEnd: nest,
      inString,
      endInString: triple !== null,
      continued: wasContinued,
      indent: /^[ \t]*/.exec(raw)![0].replace(/\t/g, "    ").length,
    });
  }
  if (doc) docstrings.push({ start: doc.start, end: lines.length - 1, text: doc.text });
  return { scan, docstrings };
}

/** Docstring text with the common indentation removed (PEP 257), trimmed. */
function dedentDoc(text: string): string {
  const lines = text.replace(/\t/g, "    ").split("\n");
  const rest = lines.slice(1).filter((l) => l.trim() !== "");
  const indent = rest.length > 0 ? Math.min(...rest.map((l) => /^ */.exec(l)![0].length)) : 0;
  const out = [lines[0]!.trim(), ...lines.slice(1).map((l) => l.slice(indent).trimEnd())];
  return clip(out.join("\n").trim(), 1500);
}

const startsStatement = (l: PyLine) => !l.inString && !l.continued && l.nest === 0 && l.masked.trim() !== "";

/** Index of the `:` ending a def/class header that starts at line `start`, and the header text. */
function headerOf(scan: readonly PyLine[], start: number): { header: string; endLine: number } {
  let text = "";
  let nest = 0;
  for (let j = start; j < scan.length && j < start + 15; j++) {
    const code = head(scan[j]!.code, 800);
    const masked = head(scan[j]!.masked, 800);
    for (let i = 0; i < masked.length; i++) {
      const m = masked[i];
      if (m === "(" || m === "[" || m === "{") nest++;
      else if (m === ")" || m === "]" || m === "}") nest--;
      else if (m === ":" && nest <= 0) return { header: clip(oneLine(text), 240), endLine: j };
      text += code[i];
    }
    text += " ";
  }
  return { header: clip(oneLine(text), 240), endLine: start };
}

/** Last line (0-based) of the block whose header is at `start` with indentation `indent`. */
function blockEnd(
  scan: readonly PyLine[],
  kinds: readonly LineKind[],
  start: number,
  indent: number,
): number {
  let last = start;
  for (let j = start + 1; j < scan.length; j++) {
    const l = scan[j]!;
    if (startsStatement(l) && l.indent <= indent) break;
    if (kinds[j] !== "blank" && !(kinds[j] === "comment" && l.indent <= indent && !l.inString)) last = j;
  }
  return last;
}

function docAfter(
  docstrings: readonly Docstring[],
  kinds: readonly LineKind[],
  headerEnd: number,
): string | undefined {
  let k = headerEnd + 1;
  while (k < kinds.length && kinds[k] === "blank") k++;
  const doc = docstrings.find((d) => d.start === k);
  return doc ? dedentDoc(doc.text) || undefined : undefined;
}

/** `(params) -> returns` of a def header. */
function paramsOf(header: string): { params?: string; returns?: string } {
  const open = header.indexOf("(");
  if (open === -1) return {};
  let depth = 0;
  for (let i = open; i < header.length; i++) {
    if (header[i] === "(") depth++;
    else if (header[i] === ")" && --depth === 0) {
      const ret = /^\s*->\s*(.+)$/.exec(header.slice(i + 1))?.[1];
      return {
        params: oneLine(header.slice(open + 1, i)).replace(/,\s*$/, ""),
        ...(ret ? { returns: ret.trim() } : {}),
      };
    }
  }
  return {};
}

/** Analyses a Python file. */
export function analyzePython(path: string, language: Language, lines: string[]): FileFacts {
  const { scan, docstrings } = scanPython(lines);
  const kinds: LineKind[] = scan.map((l, j) =>
    lines[j]!.trim() === ""
      ? "blank"
      : l.code.trim() === "" && (l.touchedComment || l.inString)
        ? "comment"
        : "code",
  );
  const todos: TodoFact[] = [];
  scan.forEach((l, j) => {
    const todo = l.comment && /#/.test(lines[j]!) ? findTodo(l.comment, j + 1) : undefined;
    if (todo) todos.push(todo);
  });

  const imports: ImportFact[] = [];
  const symbols: SymbolFact[] = [];
  const notes: string[] = [];
  let allNames: string[] | undefined;
  const seen = new Set<string>();

  for (let j = 0; j < scan.length; j++) {
    const l = scan[j]!;
    if (!startsStatement(l)) continue;
    const text = head(l.masked).trim();
    // Statement text across bracket / backslash continuations, for imports and __all__.
    const joined = () => {
      const parts = [head(l.code)];
      for (let k = j + 1; k < scan.length && k < j + 60 && (scan[k]!.nest > 0 || scan[k]!.continued); k++)
        parts.push(head(scan[k]!.code));
      return oneLine(parts.join(" ").replace(/\\\s/g, " "));
    };
    const imp = /^(?:import|from)\s/.test(text);
    if (imp) {
      const stmt = joined();
      const from = /^from\s+(\S+)\s+import\s+(.*)$/.exec(stmt);
      if (from) {
        const names = from[2]!
          .replace(/[()]/g, "")
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => /\bas\s+(\w+)$/.exec(p)?.[1] ?? p.split(/\s/)[0]!);
        imports.push({ module: from[1]!, names, line: j + 1, kind: "import" });
      } else {
        for (const part of stmt.replace(/^import\s+/, "").split(",")) {
          const m = /^\s*([\w.]+)(?:\s+as\s+(\w+))?/.exec(part);
          if (m)
            imports.push({
              module: m[1]!,
              names: [m[2] ?? m[1]!.split(".")[0]!],
              line: j + 1,
              kind: "import",
            });
        }
      }
      continue;
    }
    if (l.indent !== 0) continue;

    if (/^if\s+__name__\s*==\s*["']\s*__main__\s*["']\s*:/.test(head(l.code).trim()))
      notes.push(`It can run as a script: its \`if __name__ == "__main__":\` block starts at line ${j + 1}.`);

    // Decorators directly above a def/class belong to it.
    const decorators: string[] = [];
    let k = j;
    while (k < scan.length && /^@/.test(head(scan[k]!.masked).trim())) {
      decorators.push(clip(oneLine(head(scan[k]!.code)), 80));
      k++;
      while (k < scan.length && scan[k]!.nest > 0) k++;
    }
    const defLine = scan[k];
    const def = defLine ? /^(async\s+)?(def|class)\s+([A-Za-z_]\w*)/.exec(head(defLine.masked).trim()) : null;
    if (def && defLine && defLine.indent === 0) {
      const start = j;
      const { header, endLine } = headerOf(scan, k);
      const end = blockEnd(scan, kinds, endLine, 0);
      const name = def[3]!;
      const sym: SymbolFact = {
        name,
        kind: def[2] === "class" ? "class" : "function",
        signature: header,
        line_start: start + 1,
        line_end: end + 1,
        exported: !name.startsWith("_"),
        ...(def[1] ? { async: true } : {}),
      };
      if (decorators.length > 0) sym.decorators = decorators;
      if (def[2] === "def") Object.assign(sym, paramsOf(header));
      else {
        const bases = /^class\s+\w+\s*\((.*)\)\s*$/.exec(header)?.[1];
        if (bases?.trim()) sym.bases = bases.trim();
        const members = classMembers(scan, kinds, docstrings, endLine, end);
        if (members.length > 0) sym.members = members;
      }
      const doc = docAfter(docstrings, kinds, endLine);
      if (doc) sym.doc = doc;
      symbols.push(sym);
      j = end;
      continue;
    }
    if (decorators.length > 0) continue;

    const assign = /^([A-Za-z_]\w*)\s*(?::\s*[^=]+?)?\s*=(?!=)/.exec(text);
    if (assign) {
      const name = assign[1]!;
      if (name === "__all__") {
        allNames = [...joined().matchAll(/["'](\w+)["']/g)].map((m) => m[1]!);
      } else if (!seen.has(name) && (!name.startsWith("_") || /^__\w+__$/.test(name))) {
        seen.add(name);
        let end = j;
        while (
          end + 1 < scan.length &&
          (scan[end + 1]!.nest > 0 || scan[end + 1]!.continued || scan[end + 1]!.inString)
        )
          end++;
        symbols.push({
          name,
          kind: /^[A-Z][A-Z0-9_]*$/.test(name) ? "constant" : "variable",
          signature: clip(oneLine(head(l.code)).replace(/\s*[([{]+$/, ""), 160),
          line_start: j + 1,
          line_end: end + 1,
          exported: !name.startsWith("_"),
        });
        j = end;
      }
    }
  }

  if (allNames) {
    const exported = new Set(allNames);
    for (const sym of symbols) sym.exported = exported.has(sym.name);
    notes.push(`Its public API is declared in \`__all__\`: ${clip(allNames.join(", "), 200)}.`);
  }

  // The module docstring is the first statement of the file.
  const firstCode = kinds.findIndex((k, j) => k !== "blank" && !(k === "comment" && /^\s*#/.test(lines[j]!)));
  const moduleDoc = docstrings.find((d) => d.start === firstCode);

  return {
    path,
    language,
    lines,
    lineKinds: kinds,
    masked: scan.map((l) => l.masked),
    counts: countLines(kinds),
    imports,
    symbols,
    todos,
    ...(moduleDoc ? { fileDoc: dedentDoc(moduleDoc.text) } : {}),
    notes,
  };
}

/** Methods and class attributes at the class body's indentation. */
function classMembers(
  scan: readonly PyLine[],
  kinds: readonly LineKind[],
  docstrings: readonly Docstring[],
  headerEnd: number,
  end: number,
): Member[] {
  const members: Member[] = [];
  let bodyIndent = -1;
  for (let j = headerEnd + 1; j <= end && members.length < 60; j++) {
    const l = scan[j]!;
    if (!startsStatement(l)) continue;
    if (bodyIndent === -1) bodyIndent = l.indent;
    if (l.indent !== bodyIndent) continue;
    const text = head(l.masked).trim();
    const method = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(text);
    const attr = /^([A-Za-z_]\w*)\s*(?::[^=]*)?(?:=|$)/.exec(text);
    const name = method?.[1] ?? attr?.[1];
    if (!name || (name.startsWith("_") && !/^__\w+__$/.test(name))) continue;
    if (method) {
      const { endLine } = headerOf(scan, j);
      const doc = docAfter(docstrings, kinds, endLine);
      members.push({ name, line: j + 1, kind: "method", ...(doc ? { doc } : {}) });
    } else members.push({ name, line: j + 1, kind: "property" });
  }
  return members;
}
