import { describe, expect, it } from "vitest";
import { mapStack, primaryFrame, wrapperPrefix } from "../src/stack";

const KEY = "ab".repeat(32);
const ids = new Map([[KEY, "src/App.tsx"]]);
const lookup = (key: string) => ids.get(key);

describe("mapStack: stack frames → the app's files", () => {
  it("maps V8 frames of module scripts to the module id, keeping line and column", () => {
    const stack = [
      "TypeError: x is undefined",
      `    at Greeting (https://hs.example/m/${KEY}.js:12:7)`,
      "    at Xo (https://hs.example/runtime/0123456789abcdef.js:1:9000)",
      `    at https://hs.example/m/${KEY}.js:20:3`,
    ].join("\n");
    const frames = mapStack(stack, lookup);
    expect(frames).toEqual([
      { fn: "Greeting", file: "src/App.tsx", line: 12, column: 7, user: true },
      {
        fn: "Xo",
        file: "https://hs.example/runtime/0123456789abcdef.js",
        line: 1,
        column: 9000,
        user: false,
      },
      { fn: undefined, file: "src/App.tsx", line: 20, column: 3, user: true },
    ]);
    expect(primaryFrame(frames)).toMatchObject({ file: "src/App.tsx", line: 12 });
  });

  it("reads Gecko/WebKit frames and takes the wrapper off columns on line 1", () => {
    const column = wrapperPrefix(KEY).length + 5;
    const frames = mapStack(
      `App@https://hs.example/m/${KEY}.js:1:${column}\n@https://hs.example/m/${KEY}.js:3:1`,
      lookup,
    );
    expect(frames.map((f) => [f.fn, f.file, f.line, f.column])).toEqual([
      ["App", "src/App.tsx", 1, 5],
      [undefined, "src/App.tsx", 3, 1],
    ]);
  });

  it("leaves unknown keys and packages out of the headline", () => {
    const pkg = "cd".repeat(32);
    const frames = mapStack(`    at f (/m/${"ef".repeat(32)}.js:1:1)\n    at g (/m/${pkg}.js:4:2)`, (k) =>
      k === pkg ? "npm:lodash@4.17.21" : undefined,
    );
    expect(frames.map((f) => f.user)).toEqual([false, false]);
    expect(primaryFrame(frames)).toMatchObject({ file: "npm:lodash@4.17.21", line: 4 });
  });
});
