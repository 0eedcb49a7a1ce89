import { describe, expect, it } from "vitest";
import { lineColumn, topLevelValueOffset } from "./json-position";

describe("topLevelValueOffset", () => {
  const at = (text: string, key: string) => {
    const offset = topLevelValueOffset(text, key);
    return offset < 0 ? null : { ...lineColumn(text, offset), rest: text.slice(offset, offset + 5) };
  };

  it("finds a top-level member's value, not a nested one, a value string or a key's lookalike", () => {
    const text = [
      "{",
      '  "exports": { "main": "no" },',
      '  "files": ["main"],',
      '  "description": "main",',
      '  "main"  :  "expo-router/entry"',
      "}",
    ].join("\n");
    expect(at(text, "main")).toEqual({ line: 5, column: 14, rest: '"expo' });
    expect(at(text, "exports")).toEqual({ line: 2, column: 14, rest: '{ "ma' });
    expect(at(text, "version")).toBeNull();
  });

  it("reads escaped names and strings, and takes the last of a repeated key as JSON.parse does", () => {
    expect(at('{"m\\u0061in":"a","x":"\\"main\\":","main":1}', "main")).toEqual({
      line: 1,
      column: 41,
      rest: "1}",
    });
    expect(at('["main", {"main": 1}]', "main")).toBeNull();
  });
});
