import { describe, expect, it } from "vitest";
import { buildPrompt, parseAnswer, SYSTEM_PROMPT } from "./chat-prompt";
import { ProviderError } from "./types";

const FILE = "import x from 'x';\n\nexport const a = 1;\nexport const b = 2;\n";

describe("buildPrompt", () => {
  it("sends the whole file with line numbers for summarize_file", () => {
    const { messages, window } = buildPrompt(
      { type: "summarize_file", path: "src/a.ts", content: FILE },
      10_000,
    );
    expect(window).toEqual({ lo: 1, hi: 4 });
    expect(messages[0]).toEqual({ role: "system", content: SYSTEM_PROMPT });
    expect(messages[1]!.role).toBe("user");
    const user = messages[1]!.content;
    expect(user).toContain("File: src/a.ts\nLanguage: TypeScript\nTask: summarize this file.");
    expect(user).toContain("Content (all 4 lines");
    expect(user.endsWith("1| import x from 'x';\n2| \n3| export const a = 1;\n4| export const b = 2;")).toBe(
      true,
    );
  });

  it("sends only the selected lines, numbered as in the file, for explain_selection", () => {
    const content = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
    const { messages, window } = buildPrompt(
      { type: "explain_selection", path: "a.txt", content, selection: { start_line: 9, end_line: 11 } },
      10_000,
    );
    expect(window).toEqual({ lo: 9, hi: 11 });
    const user = messages[1]!.content;
    expect(user).toContain("Task: explain what lines 9–11 do");
    expect(user).toContain("Content (lines 9–11 of 12");
    expect(user.endsWith(" 9| line 9\n10| line 10\n11| line 11")).toBe(true);
    expect(user).not.toContain("line 8");
    expect(user).not.toContain("line 12");
  });

  it("clamps a selection to the file", () => {
    const { window } = buildPrompt(
      { type: "explain_selection", path: "a.ts", content: FILE, selection: { start_line: 3, end_line: 99 } },
      10_000,
    );
    expect(window).toEqual({ lo: 3, hi: 4 });
  });

  it("refuses input over the limit with a permanent input_too_large", () => {
    const attempt = () =>
      buildPrompt({ type: "summarize_file", path: "a.ts", content: "x".repeat(500) }, 100);
    expect(attempt).toThrow(ProviderError);
    try {
      attempt();
    } catch (err) {
      expect(err).toMatchObject({ code: "input_too_large", retryable: false });
    }
  });
});

describe("parseAnswer", () => {
  const window = { lo: 5, hi: 20 };

  it("validates sections, clamping and ordering line numbers into the window and dropping broken ones", () => {
    const parsed = parseAnswer(
      JSON.stringify({
        summary: "  Does things.  ",
        sections: [
          { title: "A", line_start: 1, line_end: 99, text: "a" },
          { title: "B", line_start: "12", line_end: "8", text: "b" },
          { title: "", line_start: 7, line_end: 7, text: "untitled" },
          { title: "no text", line_start: 7, line_end: 7 },
          "not an object",
          { title: "C", text: "no lines" },
          { title: "D", line_start: 6.7, line_end: null, text: "d" },
        ],
      }),
      window,
    );
    expect(parsed).toEqual({
      summary: "Does things.",
      sections: [
        { title: "A", line_start: 5, line_end: 20, text: "a" },
        { title: "B", line_start: 8, line_end: 12, text: "b" },
        { title: "Section", line_start: 7, line_end: 7, text: "untitled" },
        { title: "C", line_start: 5, line_end: 20, text: "no lines" },
        { title: "D", line_start: 6, line_end: 6, text: "d" },
      ],
    });
  });

  it("accepts an already-parsed object (JSON mode) and JSON inside code fences or chatter", () => {
    expect(parseAnswer({ summary: "S", sections: [] }, window)).toEqual({ summary: "S", sections: [] });
    expect(parseAnswer('```json\n{"summary": "Fenced", "sections": []}\n```', window).summary).toBe("Fenced");
    expect(
      parseAnswer('Here you go: {"summary": "Inline", "sections": []} Hope it helps.', window).summary,
    ).toBe("Inline");
    expect(parseAnswer('{"summary": "No sections key"}', window)).toEqual({
      summary: "No sections key",
      sections: [],
    });
  });

  it("uses a plain-prose answer as the summary instead of failing", () => {
    expect(parseAnswer("This module exports a router.", window)).toEqual({
      summary: "This module exports a router.",
      sections: [],
    });
    // Braces in prose that are not our JSON shape: still prose.
    expect(parseAnswer("It returns {ok: true} on success.", window).summary).toBe(
      "It returns {ok: true} on success.",
    );
  });

  it("rejects broken or summary-less JSON and empty answers as retryable invalid_response", () => {
    const cases: [unknown, RegExp][] = [
      ['{"summary": "cut off', /does not parse/],
      ["   ", /empty/],
      ['{"sections": []}', /no summary/],
      [{ summary: "" }, /no summary/],
      [42, /no summary/],
    ];
    for (const [reply, message] of cases) {
      let caught: unknown;
      try {
        parseAnswer(reply, window);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ProviderError);
      expect(caught).toMatchObject({ code: "invalid_response", retryable: true });
      expect((caught as Error).message).toMatch(message);
    }
    expect(() => parseAnswer('{"summary": "cut', window, { truncated: true })).toThrow(/token limit/);
  });
});
