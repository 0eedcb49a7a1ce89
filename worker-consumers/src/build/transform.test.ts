import { describe, expect, it } from "vitest";
import { SCREEN_TSX } from "./fixtures";
import { sourceFlavor, TRANSFORM_VERSION, transformModule, wrapModule } from "./transform";

const KEY = "k".repeat(64);

function ok(path: string, source: string) {
  const result = transformModule(path, source, KEY);
  if ("error" in result) throw new Error(`unexpected error: ${JSON.stringify(result.error)}`);
  return result;
}

function lineOf(code: string, needle: string): number {
  const at = code.indexOf(needle);
  expect(at, `${needle} in output`).toBeGreaterThanOrEqual(0);
  return code.slice(0, at).split("\n").length;
}

describe("transformModule", () => {
  it("wraps the module in the contract's format, opening on the source's first line", () => {
    const { code } = ok("App.js", "module.exports = 1;");
    expect(code).toBe(
      `__hs.f("${KEY}",function(require,module,exports,__filename,__dirname){module.exports = 1;\n});`,
    );
    expect(wrapModule(KEY, "x")).toBe(code.replace("module.exports = 1;", "x"));
  });

  it("keeps every line of a TSX screen on its line (markers L<n>)", () => {
    const { code } = ok("Screen.tsx", SCREEN_TSX);
    const markers = [...SCREEN_TSX.matchAll(/L(\d+)/g)].map((m) => Number(m[1]));
    expect(markers.length).toBeGreaterThan(8);
    for (const n of markers) {
      expect(SCREEN_TSX.split("\n")[n - 1], `fixture marks L${n} on its own line`).toContain(`L${n}`);
      expect(lineOf(code, `L${n}`), `L${n}`).toBe(n);
    }
    // A throw on line 41 of the source is on line 41 of the script, so its stack frame says :41.
    expect(lineOf(code, 'throw new Error("L41")')).toBe(41);
    expect(code.split("\n")).toHaveLength(SCREEN_TSX.split("\n").length + 1);
  });

  it("turns JSX into the automatic runtime and imports into require, type-only imports dropped", () => {
    const { code, specifiers } = ok("Screen.tsx", SCREEN_TSX);
    expect(code).toContain('require("react/jsx-runtime")');
    expect(code).not.toMatch(/\bimport\b(?!\()/);
    expect(code).not.toContain("interface");
    expect(specifiers.map((s) => s.spec)).toEqual([
      "react/jsx-runtime",
      "react",
      "react-native",
      "./components/Button",
      "./assets/icon.png",
      "./analytics",
    ]);
    expect(specifiers.map((s) => s.spec)).not.toContain("./navigation");
  });

  it("positions each specifier where the source writes it", () => {
    const { specifiers } = ok("Screen.tsx", SCREEN_TSX);
    const lines = SCREEN_TSX.split("\n");
    const written = (spec: string, line: number) => ({
      spec,
      line,
      column: lines[line - 1]!.indexOf(`"${spec}"`) + 1,
    });
    const at = (spec: string) => specifiers.find((s) => s.spec === spec);
    expect(at("react")).toEqual({ spec: "react", line: 1, column: 33 });
    expect(at("react-native")).toEqual(written("react-native", 6)); // `} from "react-native"`, 5 lines below `import {`
    expect(at("./analytics")).toEqual(written("./analytics", 23)); // a dynamic import()
    expect(at("react/jsx-runtime")).toEqual({ spec: "react/jsx-runtime", line: 1, column: 1 }); // added by JSX
  });

  it("does not add 'use strict' (Metro does not), so sloppy CommonJS still runs", () => {
    const { code } = ok("legacy.js", "x = require('./y');\nmodule.exports = x;");
    expect(code).not.toContain("use strict");
    const esm = ok("esm.js", "export const a = 1;");
    expect(esm.code).not.toContain("use strict");
    expect(esm.code).toContain("exports.a = a");
  });

  it("keeps a file's own 'use strict'", () => {
    expect(ok("s.js", '"use strict";\nexport default 1;').code).toContain('"use strict"');
  });

  it("reads plain JavaScript that Flow's grammar would misread", () => {
    const { code } = ok("plain.js", "const f = a ? (b) : c => d;\nexport default f;");
    expect(code).toContain("a ? (b) : c => d");
  });

  it("strips Flow annotations from .js files, with or without @flow", () => {
    for (const pragma of ["// @flow\n", ""]) {
      const source = `${pragma}import type { T } from './t';\nfunction f(x: number): string { return String(x); }\nexport default f;`;
      const { code, specifiers } = ok("flow.js", source);
      expect(code).toContain("function f(x) {");
      expect(specifiers).toEqual([]);
    }
  });

  it("allows JSX in .js and .jsx, TypeScript casts in .ts", () => {
    expect(ok("a.js", "export default () => <View/>;").code).toContain("jsx-runtime");
    expect(ok("a.jsx", "export default () => <View/>;").code).toContain("jsx-runtime");
    const ts = ok("a.ts", "const n = <number>value;\nexport default n;");
    expect(ts.code).toContain("const n = value;");
  });

  it("collects require(), export-from and import() but not strings, comments or obj.require", () => {
    const source = [
      'const a = require("./a");',
      "// require('./commented')",
      "const s = \"require('./in-string')\";",
      "const t = `require('./in-template')`;",
      'loader.require("./method");',
      'export * from "./star";',
      'export { b } from "./b";',
      "const lazy = () => import('./lazy');",
      "require(dynamicName);",
    ].join("\n");
    const { specifiers } = ok("deps.js", source);
    expect(specifiers.map((s) => [s.spec, s.line])).toEqual([
      ["./a", 1],
      ["./star", 6],
      ["./b", 7],
      ["./lazy", 8],
    ]);
  });

  it("turns a hashbang into a comment so the wrapped script still parses", () => {
    const { code } = ok("bin.js", "#!/usr/bin/env node\nrequire('./main');");
    expect(code).toContain("{///usr/bin/env node\n");
    expect(lineOf(code, "require('./main')")).toBe(2);
  });

  it("reports a syntax error with the file, line and column", () => {
    const result = transformModule("src/Broken.tsx", "const a = 1;\nconst b = {\n  c: ,\n};\n", KEY);
    expect(result).toEqual({
      error: {
        code: "build_error",
        file: "src/Broken.tsx",
        line: 3,
        column: 6,
        message: "SyntaxError: Unexpected token",
        frame: "  1 | const a = 1;\n  2 | const b = {\n> 3 |   c: ,\n    |      ^\n  4 | };",
      },
    });
  });

  it("reports an unclosed JSX element where the parser gives up", () => {
    const result = transformModule("App.js", "export default function App() {\n  return <View>\n}\n", KEY);
    expect("error" in result && result.error).toMatchObject({ file: "App.js", line: 3, code: "build_error" });
  });

  it("reports the likelier error when neither plain JS nor Flow reads a .js file", () => {
    // Flow gets past the annotation and fails at the real error on line 3.
    const result = transformModule("f.js", "function f(x: number) {\n  return x;\n}}\n", KEY);
    expect("error" in result && result.error).toMatchObject({ line: 3, column: 2 });
  });

  it("knows which files it transforms", () => {
    expect(
      ["a.ts", "a.tsx", "a.js", "a.jsx", "a.mjs", "a.cjs", "a.d.ts", "a.json", "a.png"].map(sourceFlavor),
    ).toEqual(["ts", "tsx", "js", "js", "js", "js", null, null, null]);
    expect(TRANSFORM_VERSION).toMatch(/^hs\d+\+sucrase@\d+\.\d+\.\d+$/);
  });
});
