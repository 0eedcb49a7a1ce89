import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeUtf8 } from "./utf8";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("decodeUtf8", () => {
  it("decodes 1- to 4-byte sequences without TextDecoder too", () => {
    const text = 'hi é € 🐝 {"path":"ñ/日本.ts"}';
    const bytes = new TextEncoder().encode(text);
    expect(decodeUtf8(bytes)).toBe(text);
    vi.stubGlobal("TextDecoder", undefined);
    expect(decodeUtf8(bytes)).toBe(text);
  });
});
