/**
 * The lines around a position, Babel-style, for the error overlay (docs/previews.md §5 `frame`):
 *
 *        8 |   <Image …/>
 *     >  9 |   <Text>Oops</Tex>
 *          |              ^
 *       10 | );
 *
 * `line` and `column` are 1-based. Tabs before the column stay tabs so the caret lines up.
 */
export function codeFrame(source: string, line: number, column: number, before = 2, after = 1): string {
  const lines = source.split("\n");
  const first = Math.max(1, line - before);
  const last = Math.min(lines.length, line + after);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? "").replace(/\r$/, "");
    const gutter = `${n === line ? ">" : " "} ${String(n).padStart(width)} |`;
    out.push(text ? `${gutter} ${text}` : gutter);
    if (n === line) {
      const lead = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, " ");
      out.push(`  ${" ".repeat(width)} | ${lead}^`);
    }
  }
  return out.join("\n");
}
