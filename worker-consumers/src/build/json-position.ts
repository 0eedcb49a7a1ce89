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
