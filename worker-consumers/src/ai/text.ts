// Small string helpers shared by the local documenter and the LLM prompt code.

/**
 * Splits file content into lines the way editors number them: any of \r\n, \r, \n ends a line, a
 * final newline does not start an extra line, and a UTF-8 BOM is not content. "" has no lines.
 */
export function splitLines(content: string): string[] {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  if (text === "") return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** `text` cut to `max` characters with an ellipsis, so one pathological line cannot bloat a result. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** Whitespace runs (including newlines) collapsed to single spaces, trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** "a", "a and b", "a, b and c", or "a, b, c, d, e and 3 more" beyond `max` items. */
export function listJoin(items: readonly string[], max = 5): string {
  if (items.length === 0) return "";
  if (items.length > max) return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "1 function", "2 functions"; `many` for irregular plurals ("classes"). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The last path segment: "src/app.ts" → "app.ts". */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** First sentence (or first line) of a doc comment, for one-line mentions in summaries. */
export function firstSentence(text: string, max = 160): string {
  const paragraph = text.split(/\n\s*\n/)[0] ?? "";
  const flat = oneLine(paragraph.split(/\n\s*@/)[0] ?? "");
  const end = flat.search(/[.!?](\s|$)/);
  return clip(end === -1 ? flat : flat.slice(0, end + 1), max);
}

/** Integer within [lo, hi]; NaN becomes `lo`. */
export function clampInt(value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value)) return lo;
  return Math.min(hi, Math.max(lo, Math.trunc(value)));
}
