import { describe, expect, it } from "vitest";
import { codeFrame } from "./code-frame";

describe("codeFrame", () => {
  const source = ["one", "two", "\tthree();", "four", "five"].join("\n");

  it("shows two lines before and one after, the caret under the column (tabs kept)", () => {
    expect(codeFrame(source, 3, 3)).toBe("  1 | one\n  2 | two\n> 3 | \tthree();\n    | \t ^\n  4 | four");
  });

  it("clips at the start and the end of the file, and widens the gutter for long files", () => {
    expect(codeFrame(source, 1, 1)).toBe("> 1 | one\n    | ^\n  2 | two");
    expect(codeFrame(source, 5, 2)).toBe("  3 | \tthree();\n  4 | four\n> 5 | five\n    |  ^");
    const long = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join("\r\n");
    expect(codeFrame(long, 100, 6).split("\n")).toEqual([
      "   98 | line 98",
      "   99 | line 99",
      "> 100 | line 100",
      "      |      ^",
      "  101 | line 101",
    ]);
  });
});
