// Markdown analyser: heading outline (ATX and setext, ignoring fenced code), each heading's line
// range and opening paragraph, fenced code blocks with their languages, links and images.

import type { FileFacts, Heading, LineKind, MarkdownFacts, TodoFact } from "./facts";
import { findTodo, lineFacts } from "./facts";
import type { Language } from "./language";
import { clip, oneLine } from "./text";

const head = (text: string) => (text.length > 2000 ? text.slice(0, 2000) : text);

/** Analyses a Markdown file. */
export function analyzeMarkdown(path: string, language: Language, lines: string[]): FileFacts {
  const kinds: LineKind[] = [];
  const headings: Heading[] = [];
  const codeBlocks: MarkdownFacts["codeBlocks"] = [];
  const todos: TodoFact[] = [];
  let links = 0;
  let images = 0;
  let fence: { marker: string; line: number; lang: string } | null = null;
  let inHtmlComment = false;
  let frontMatterEnd: number | undefined;

  // YAML front matter: a `---` first line closed by another `---`.
  if (lines[0]?.trim() === "---") {
    const close = lines.findIndex((l, j) => j > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
    if (close > 0) frontMatterEnd = close;
  }

  for (let j = 0; j < lines.length; j++) {
    const line = head(lines[j]!);
    const trimmed = line.trim();
    if (frontMatterEnd !== undefined && j <= frontMatterEnd) {
      kinds.push(trimmed === "" ? "blank" : "code");
      continue;
    }
    if (fence) {
      kinds.push(trimmed === "" ? "blank" : "code");
      const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence.marker[0] && close[1]!.length >= fence.marker.length) {
        codeBlocks.push({ lang: fence.lang, line: fence.line + 1, line_end: j + 1 });
        fence = null;
      }
      continue;
    }
    const open = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (open) {
      fence = { marker: open[1]!, line: j, lang: open[2] ?? "" };
      kinds.push("code");
      continue;
    }
    // HTML comments are the only comments Markdown has.
    if (inHtmlComment || trimmed.startsWith("<!--")) {
      const todo = findTodo(trimmed, j + 1);
      if (todo) todos.push(todo);
      inHtmlComment = !trimmed.includes("-->");
      const after = trimmed.slice(trimmed.indexOf("-->") + 3).trim();
      kinds.push(trimmed === "" ? "blank" : inHtmlComment || after === "" ? "comment" : "code");
      continue;
    }
    kinds.push(trimmed === "" ? "blank" : "code");
    const todo = /\b(?:TODO|FIXME)\b/.test(line) ? findTodo(line, j + 1) : undefined;
    if (todo) todos.push(todo);
    images += (line.match(/!\[[^\]]*\]\([^)]*\)/g) ?? []).length;
    links += (line.match(/(?<!!)\[[^\]]*\]\([^)]*\)/g) ?? []).length;

    const atx = /^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/.exec(line);
    if (atx) {
      headings.push({
        level: atx[1]!.length,
        text: clip(oneLine(atx[2] ?? ""), 120),
        line: j + 1,
        line_end: j + 1,
      });
      continue;
    }
    // Setext: a paragraph line underlined by === (level 1) or --- (level 2).
    const next = lines[j + 1];
    const prev = lines[j - 1];
    if (
      next !== undefined &&
      trimmed !== "" &&
      (prev === undefined || prev.trim() === "") &&
      !/^\s{0,3}(?:[-*+]\s|\d+[.)]\s|>|\|)/.test(line) &&
      /^\s{0,3}(?:=+|-{2,})\s*$/.test(next)
    ) {
      headings.push({
        level: next.trim().startsWith("=") ? 1 : 2,
        text: clip(oneLine(trimmed), 120),
        line: j + 1,
        line_end: j + 1,
      });
    }
  }
  if (fence) codeBlocks.push({ lang: fence.lang, line: fence.line + 1, line_end: lines.length });

  // A heading's section runs to the line before the next heading of the same or a higher level.
  headings.forEach((h, idx) => {
    const next = headings.slice(idx + 1).find((o) => o.level <= h.level);
    let end = next ? next.line - 1 : lines.length;
    while (end > h.line && (lines[end - 1] ?? "").trim() === "") end--;
    h.line_end = end;
    const firstChild = headings[idx + 1];
    const limit = firstChild && firstChild.line <= end ? firstChild.line - 1 : end;
    const paragraph = firstParagraph(lines, h.line + (isSetextUnderline(lines[h.line]) ? 1 : 0), limit);
    if (paragraph) h.paragraph = paragraph;
  });

  const titleHeading = headings.find((h) => h.level === 1) ?? headings[0];
  const markdown: MarkdownFacts = { headings, codeBlocks, links, images };
  if (titleHeading?.text) markdown.title = titleHeading.text;
  if (frontMatterEnd !== undefined) markdown.frontMatterEnd = frontMatterEnd + 1;
  return { ...lineFacts(path, language, lines, kinds, todos), markdown };
}

const isSetextUnderline = (line: string | undefined) =>
  line !== undefined && /^\s{0,3}(?:=+|-{2,})\s*$/.test(line);

/** First paragraph of prose in lines [from, to) (0-based from, 1-based inclusive to), skipping code and HTML. */
function firstParagraph(lines: readonly string[], from: number, to: number): string | undefined {
  const parts: string[] = [];
  let inFence = false;
  for (let j = from; j < to && j < from + 80; j++) {
    const t = head(lines[j] ?? "").trim();
    if (/^(`{3,}|~{3,})/.test(t)) {
      if (parts.length > 0) break;
      inFence = !inFence;
      continue;
    }
    if (inFence || /^<!--/.test(t) || /^#{1,6}\s/.test(t)) {
      if (parts.length > 0) break;
      continue;
    }
    if (t === "") {
      if (parts.length > 0) break;
      continue;
    }
    parts.push(t);
  }
  const text = oneLine(parts.join(" "));
  return text ? clip(text, 300) : undefined;
}
