/**
 * The offset where JSON text stops being valid JSON, or -1 if it is valid. JSON.parse says only
 * what went wrong, and workerd's V8 does not say where, but an error overlay needs a line and column.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail();
      i += c === 0x5c ? 2 : 1;
    }
    fail();
  };
  const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const sequence = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === ",") i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const member = () => {
    space();
    if (text[i] !== '"') fail();
    string();
    space();
    if (text[i] !== ":") fail();
    i++;
    value();
  };
  const value = (): void => {
    space();
    const c = text[i];
    number.lastIndex = i;
    const literal = ["true", "false", "null"].find((word) => text.startsWith(word, i));
    if (c === "{") sequence("}", member);
    else if (c === "[") sequence("]", value);
    else if (c === '"') string();
    else if (number.test(text)) i = number.lastIndex;
    else if (literal) i += literal.length;
    else fail();
  };
  try {
    value();
    space();
    return i < text.length ? i : -1;
  } catch (e) {
    if (e instanceof JsonStop) return e.offset;
    throw e;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

/**
 * The offset of the value of `key` in the top-level object of valid JSON text (where its first
 * character is), or -1 if there is no such key. For errors that belong to a field of package.json.
 */
export function topLevelValueOffset(text: string, key: string): number {
  let depth = 0;
  let found = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (depth !== 1 || !isKey(text, i + 1)) continue;
      if (JSON.parse(text.slice(start, i + 1)) === key) found = valueStart(text, i + 1);
    }
  }
  return found; // the last one, as JSON.parse keeps the last of a repeated key
}

/** Whether the string that ended just before `i` is a member's name (a `:` follows it). */
function isKey(text: string, i: number): boolean {
  while (" \t\n\r".includes(text[i] ?? "x")) i++;
  return text[i] === ":";
}

function valueStart(text: string, i: number): number {
  while (text[i] !== ":") i++;
  for (i++; " \t\n\r".includes(text[i] ?? "x"); i++);
  return i;
}

/** A 0-based offset of `text` → its 1-based line and column, as editors count. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}
