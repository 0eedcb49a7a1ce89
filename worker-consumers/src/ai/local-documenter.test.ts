import { describe, expect, it } from "vitest";
import { analyzeFile, documentLocally, LocalDocumenter } from "./local-documenter";
import { API_TS, BUTTON_TSX, PACKAGE_JSON, README_MD, STORE_PY } from "./test-fixtures";
import type { AiResult, AiSection } from "./types";

const summarize = (path: string, content: string) =>
  documentLocally({ type: "summarize_file", path, content });
const section = (result: AiResult, title: string): AiSection => {
  const found = result.sections.find((s) => s.title === title);
  if (!found) throw new Error(`no section "${title}" in ${result.sections.map((s) => s.title).join(" | ")}`);
  return found;
};

describe("local documenter: TypeScript module", () => {
  const result = summarize("src/api.ts", API_TS);

  it("reports itself as static analysis, not a model", () => {
    expect(result.provider).toBe("local");
    expect(result.model).toBe("static-analysis");
    expect(result.summary).not.toMatch(/\bI\b|language model|as an AI/i);
  });

  it("writes the summary from the facts: counts, imports, exports, doc coverage, header, TODOs", () => {
    expect(result.summary).toContain(
      "src/api.ts is a TypeScript module of 54 lines (32 code, 12 comment, 10 blank) that imports hono, zod and ./db " +
        "and exports 2 functions (createApp and parseId), 1 class (Store), 1 interface (Options), 1 type (Id) and 1 constant (MAX_PAGE).",
    );
    expect(result.summary).toContain(
      "3 of 6 exported declarations have doc comments; missing on Options, Id and parseId.",
    );
    expect(result.summary).toContain('Its header comment says: "HTTP API of the demo service."');
    expect(result.summary).toContain("It has 2 TODO/FIXME markers, on lines 18 and 48.");
    // The private helper is not an export.
    expect(result.summary).not.toMatch(/exports[^.]*helper/);
  });

  it("lists imports with the names they bind, type-only imports marked", () => {
    const imports = section(result, "Imports (3)");
    expect(imports).toMatchObject({ line_start: 5, line_end: 7 });
    expect(imports.text).toBe("hono: Hono — line 5\nzod: z — line 6\n./db: Db (types only) — line 7");
  });

  it("documents each symbol with its signature, line range and JSDoc", () => {
    const createApp = section(result, "function createApp(name: string, db: Db): Hono");
    expect(createApp).toMatchObject({ line_start: 16, line_end: 24 });
    expect(createApp.text).toBe("Builds the HTTP app.\n@param name Service name shown in /health.");

    expect(section(result, "const MAX_PAGE")).toMatchObject({
      line_start: 10,
      line_end: 10,
      text: "Largest page a list endpoint returns.",
    });

    const store = section(result, "class Store extends Base");
    expect(store).toMatchObject({ line_start: 27, line_end: 38 });
    expect(store.text).toContain("Keeps items in memory.");
    expect(store.text).toContain("- add (line 31): Adds an item.");
    expect(store.text).toContain("- size (line 35)");
    expect(store.text).not.toContain("items (line"); // private field

    const options = section(result, "interface Options");
    expect(options).toMatchObject({ line_start: 40, line_end: 43 });
    expect(options.text).toBe("Exported interface. It has no doc comment.\n\nMembers: port and verbose.");

    expect(section(result, "type Id").text).toBe(
      "Exported type alias: `export type Id = string | number`. It has no doc comment.",
    );
    expect(section(result, "function parseId(raw: string): Promise<Id>")).toMatchObject({
      line_start: 47,
      line_end: 50,
      text: "Exported async function taking (raw: string), returning Promise<Id>. It has no doc comment.",
    });
    expect(section(result, "function helper()").text).toContain(
      "Top-level, not exported, function with no parameters.",
    );
  });

  it("collects TODO/FIXME markers with their lines in one section, after the symbols", () => {
    const todos = section(result, "TODO/FIXME markers (2)");
    expect(todos).toMatchObject({ line_start: 18, line_end: 48 });
    expect(todos.text).toBe(
      "Line 18 — TODO: add auth before launch\nLine 48 — FIXME: reject negative numbers",
    );
    expect(result.sections.map((s) => s.title)[0]).toBe("Imports (3)");
    expect(result.sections.at(-1)).toBe(todos);
  });

  it("exposes the underlying facts", () => {
    const facts = analyzeFile("src/api.ts", API_TS);
    expect(facts.language.name).toBe("TypeScript");
    expect(facts.counts).toEqual({ total: 54, blank: 10, comment: 12, code: 32 });
    expect(facts.imports.map((i) => [i.module, i.names, i.line, i.typeOnly ?? false])).toEqual([
      ["hono", ["Hono"], 5, false],
      ["zod", ["z"], 6, false],
      ["./db", ["Db"], 7, true],
    ]);
    expect(facts.symbols.map((s) => [s.name, s.kind, s.exported])).toEqual([
      ["MAX_PAGE", "constant", true],
      ["createApp", "function", true],
      ["Store", "class", true],
      ["Options", "interface", true],
      ["Id", "type", true],
      ["parseId", "function", true],
      ["helper", "function", false],
    ]);
    expect(facts.todos).toEqual([
      { tag: "TODO", text: "add auth before launch", line: 18 },
      { tag: "FIXME", text: "reject negative numbers", line: 48 },
    ]);
  });
});

describe("local documenter: TSX component", () => {
  const result = summarize("src/Button.tsx", BUTTON_TSX);

  it("describes components, hooks, side-effect imports and the default export", () => {
    expect(result.summary).toContain(
      "src/Button.tsx is a TypeScript (TSX) module of 22 lines (18 code, 1 comment, 3 blank) that imports react and ./button.css " +
        "and exports 1 component (Button) and 1 interface (ButtonProps).",
    );
    expect(result.summary).toContain(
      "1 of 2 exported declarations has a doc comment; missing on ButtonProps.",
    );
    expect(result.summary).toContain("Its default export is Button.");
    expect(section(result, "Imports (2)").text).toBe(
      "react: useState and useEffect — line 1\n./button.css (for its side effects) — line 2",
    );
    // The apostrophe in the JSX text must not swallow the rest of the file: the component ends on
    // its own closing brace and `export default Button` is still seen.
    const button = section(result, "component Button({ label, onClick }: ButtonProps)");
    expect(button).toMatchObject({ line_start: 10, line_end: 20 });
    expect(button.text).toBe("A button that counts its clicks.\n\nUses the hooks useState and useEffect.");
    expect(section(result, "interface ButtonProps")).toMatchObject({ line_start: 4, line_end: 7 });
  });
});

describe("local documenter: Python module", () => {
  const result = summarize("pkg/store.py", STORE_PY);

  it("summarizes imports, definitions, docstrings, TODOs and the __main__ block", () => {
    expect(result.summary).toContain(
      "pkg/store.py is a Python module of 50 lines (28 code, 7 comment, 15 blank) that imports json, os.path, dataclasses and typing " +
        "and defines 1 function (load), 1 class (Store) and 1 constant (DEFAULT_PATH).",
    );
    expect(result.summary).toContain("Both public functions and classes have docstrings.");
    expect(result.summary).toContain('Its module docstring says: "Key-value storage backed by a JSON file."');
    expect(result.summary).toContain('It has 1 TODO marker, on line 26: "write atomically".');
    expect(result.summary).toContain('`if __name__ == "__main__":` block starts at line 49.');
  });

  it("documents defs and classes with docstrings below, decorators, methods and attributes", () => {
    expect(section(result, "Imports (4)").text).toBe(
      "json — line 3\nos.path: osp — line 4\ndataclasses: dataclass and field — line 5\ntyping: Any and Optional — line 6",
    );
    const load = section(result, "def load(path: str = DEFAULT_PATH) -> Store");
    expect(load).toMatchObject({ line_start: 34, line_end: 42 });
    expect(load.text).toBe("Load a store from path.\n\nMissing files give an empty store.");

    const store = section(result, "class Store");
    expect(store).toMatchObject({ line_start: 14, line_end: 31 });
    expect(store.text).toBe(
      "In-memory store that can be saved to disk.\n\nDecorated with @dataclass.\n\n" +
        "Methods:\n- get (line 21): Return the value for key, or None.\n- save (line 25)\n\nProperties: path and data.",
    );
    expect(section(result, "def _private()").text).toBe(
      "Private function with no parameters. It has no docstring.",
    );
    expect(section(result, "TODO markers (1)")).toMatchObject({ line_start: 26, line_end: 26 });
  });
});

describe("local documenter: JSON and Markdown", () => {
  it("reads package.json: name, version, scripts, dependency counts; keys with types and lines", () => {
    const result = summarize("package.json", PACKAGE_JSON);
    expect(result.summary).toBe(
      'package.json is an npm package manifest for "demo-app" version 1.2.3 (A demo application). ' +
        "It defines 3 scripts (dev, test and build), 2 dependencies (hono and zod) and 3 devDependencies. " +
        'Its "type" is "module", so .js files are ES modules.',
    );
    expect(section(result, '"scripts" (object with 3 keys)')).toEqual({
      title: '"scripts" (object with 3 keys)',
      line_start: 6,
      line_end: 10,
      text: "dev: wrangler dev\ntest: vitest run\nbuild: tsc -p .",
    });
    expect(section(result, '"version" (string)')).toMatchObject({
      line_start: 3,
      line_end: 3,
      text: '"1.2.3"',
    });
    expect(section(result, '"devDependencies" (object with 3 keys)')).toMatchObject({
      line_start: 15,
      line_end: 19,
    });
  });

  it("describes other JSON by its top-level keys and value types; accepts JSONC; reports invalid JSON", () => {
    const tsconfig = summarize(
      "tsconfig.json",
      '{\n  // strict\n  "compilerOptions": { "strict": true },\n  "include": ["src"],\n}\n',
    );
    expect(tsconfig.summary).toBe(
      "tsconfig.json is a JSON file of 5 lines whose top-level object has 2 keys: compilerOptions (object with 1 key) and include (array of 1 item). " +
        "It uses comments or trailing commas (JSONC), which strict JSON parsers reject.",
    );
    expect(tsconfig.sections.map((s) => [s.title, s.line_start, s.line_end])).toEqual([
      ['"compilerOptions" (object with 1 key)', 3, 3],
      ['"include" (array of 1 item)', 4, 4],
    ]);
    const broken = summarize("data.json", '{ "a": 1,, }');
    expect(broken.summary).toMatch(/^data\.json is not valid JSON \(.+\); it has 1 line/);
    expect(broken.sections).toEqual([]);
  });

  it("outlines Markdown: title, headings with ranges and first paragraphs, code blocks, links, TODOs", () => {
    const result = summarize("README.md", README_MD);
    expect(result.summary).toBe(
      'README.md is a Markdown document of 20 lines titled "Demo App" with 4 headings (sections: Install and Usage). ' +
        'It contains 1 code block (bash), 2 links and 1 image. It opens with: "A tiny demo that shows the API." ' +
        'It has 1 TODO marker, on line 20: "document deployment".',
    );
    expect(result.sections.map((s) => [s.title, s.line_start, s.line_end])).toEqual([
      ["# Demo App", 1, 20],
      ["## Install", 5, 10],
      ["## Usage", 12, 20],
      ["### Options", 16, 20],
      ["TODO markers (1)", 20, 20],
    ]);
    // "# not a heading" sits inside the fenced block.
    expect(section(result, "## Install").text).toBe("Section of lines 5–10 with 1 code block (bash).");
    expect(section(result, "## Usage").text).toBe(
      "Run `npm run dev` and open [the app](http://localhost:8787).",
    );
  });
});

describe("local documenter: explain_selection", () => {
  const explain = (path: string, content: string, start_line: number, end_line: number) =>
    documentLocally({ type: "explain_selection", path, content, selection: { start_line, end_line } });

  it("describes the enclosing function, calls, control flow and TODOs of the selected lines only", () => {
    const result = explain("src/api.ts", API_TS, 17, 24);
    expect(result.summary).toBe(
      "The selection (lines 17–24) of src/api.ts (TypeScript) is inside function createApp (lines 16–24). " +
        "It has 7 code, 1 comment and 0 blank lines. It calls new Hono, app.get, c.json and new Error. " +
        'Control flow: if, throw, return. It contains a TODO on line 18: "add auth before launch".',
    );
    expect(result.sections.map((s) => s.title)).toEqual([
      "Selection (lines 17–24)",
      "Inside function createApp(name: string, db: Db): Hono",
      "TODO markers (1)",
    ]);
    for (const s of result.sections) {
      expect(s.line_start).toBeGreaterThanOrEqual(17);
      expect(s.line_end).toBeLessThanOrEqual(24);
    }
    // The FIXME on line 48 is outside the selection.
    expect(result.summary).not.toContain("48");
  });

  it("lists declarations inside the selection as sections", () => {
    const result = explain("src/api.ts", API_TS, 40, 45);
    expect(result.summary).toContain("It declares interface Options and type alias Id.");
    expect(result.sections.map((s) => [s.title, s.line_start, s.line_end])).toEqual([
      ["Selection (lines 40–45)", 40, 45],
      ["interface Options", 40, 43],
      ["type Id", 45, 45],
    ]);
  });

  it("works for Python methods and Markdown sections", () => {
    const py = explain("store.py", STORE_PY, 21, 23);
    expect(py.summary).toBe(
      "The selection (lines 21–23) of store.py (Python) is inside class Store (lines 14–31). " +
        "It has 2 code, 1 comment and 0 blank lines. It declares method get. It calls self.data.get. Control flow: return.",
    );
    const md = explain("README.md", README_MD, 14, 14);
    expect(md.summary).toContain(
      'The selection (line 14) of README.md (Markdown) is in the section "Usage" (lines 12–20).',
    );
    expect(md.summary).toContain("It has 1 text, 0 comment and 0 blank lines.");
  });

  it("handles selections past the end, reversed, or partly outside the file", () => {
    expect(explain("src/api.ts", API_TS, 90, 95)).toEqual({
      summary:
        "The selection (lines 90–95) starts after the end of src/api.ts, which has 54 lines; there is nothing to explain.",
      sections: [],
      provider: "local",
      model: "static-analysis",
    });
    const reversed = explain("src/api.ts", API_TS, 24, 17);
    expect(reversed.summary).toBe(explain("src/api.ts", API_TS, 17, 24).summary);
    const tail = explain("src/api.ts", API_TS, 52, 80);
    expect(tail.summary).toContain("The file ends at line 54, before the selection's end (line 80).");
    expect(tail.sections[0]).toMatchObject({ line_start: 52, line_end: 54 });
  });

  it("explains the whole file when no selection is given", () => {
    const result = documentLocally({ type: "explain_selection", path: "src/api.ts", content: API_TS });
    expect(result.sections[0]).toMatchObject({
      title: "Selection (lines 1–54)",
      line_start: 1,
      line_end: 54,
    });
  });
});

describe("local documenter: document_symbols", () => {
  it("returns one section per symbol and a doc-coverage summary", () => {
    const result = documentLocally({ type: "document_symbols", path: "src/api.ts", content: API_TS });
    expect(result.summary).toBe(
      "src/api.ts declares 7 top-level symbols, 6 of them exported: 3 functions (createApp, parseId and helper), 1 class (Store), " +
        "1 interface (Options), 1 type (Id) and 1 constant (MAX_PAGE). 3 of 7 have doc comments; " +
        "undocumented exported symbols: Options, Id and parseId.",
    );
    expect(result.sections.map((s) => [s.title, s.line_start, s.line_end])).toEqual([
      ["const MAX_PAGE", 10, 10],
      ["function createApp(name: string, db: Db): Hono", 16, 24],
      ["class Store extends Base", 27, 38],
      ["interface Options", 40, 43],
      ["type Id", 45, 45],
      ["function parseId(raw: string): Promise<Id>", 47, 50],
      ["function helper()", 52, 54],
    ]);
  });

  it("uses headings for Markdown and top-level keys for JSON", () => {
    const md = documentLocally({ type: "document_symbols", path: "README.md", content: README_MD });
    expect(md.sections.map((s) => s.title)).toEqual(["# Demo App", "## Install", "## Usage", "### Options"]);
    const json = documentLocally({ type: "document_symbols", path: "package.json", content: PACKAGE_JSON });
    expect(json.summary).toBe(
      "package.json has 7 top-level keys: name, version, description, type, scripts, dependencies and devDependencies.",
    );
    expect(json.sections).toHaveLength(7);
  });
});

describe("local documenter: robustness", () => {
  const all = (path: string, content: string) =>
    (["summarize_file", "explain_selection", "document_symbols"] as const).map((type) =>
      documentLocally({ type, path, content, selection: { start_line: 1, end_line: 3 } }),
    );

  it("describes empty, blank-only and binary-looking files without analysing them", () => {
    expect(summarize("src/empty.ts", "").summary).toBe("src/empty.ts is an empty TypeScript file.");
    expect(summarize("notes.txt", "\n\n  \n").summary).toBe("notes.txt contains only 3 blank lines.");
    const binary = summarize("logo.png", "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR");
    expect(binary.summary).toMatch(/^logo\.png does not look like a text file/);
    expect(binary.sections).toEqual([]);
  });

  it("never throws on hostile input and keeps every section range valid", () => {
    const inputs: [string, string][] = [
      ["min.js", "var a=function(b){return b/2};".repeat(9000)],
      ["open.ts", "const s = `never closed ${ {\n/* and a comment"],
      ["braces.ts", `${"{".repeat(3000)}\n${"}".repeat(4000)}`],
      ["regex.ts", "const re = /[/]\\//g; export const y = a / b / c;\nexport function z() {}\n"],
      ["doc.py", '"""never closed\ndef f():\n  pass\n'],
      ["tabs.py", "class A:\n\tdef m(self):\n\t\treturn 1\n"],
      ["fence.md", "```\nunclosed\n# not a heading"],
      ["weird.json", `[[[[[[[[[[${'"'.repeat(50)}`],
      ["unicode.ts", "// 🎉\nexport const ünïcode = '✓';\n"],
      ["lone-cr.ts", "export const a = 1;\r// TODO: cr only\rexport const b = 2;"],
    ];
    for (const [path, content] of inputs) {
      for (const result of all(path, content)) {
        expect(result.summary.length).toBeGreaterThan(0);
        expect(result.summary.length).toBeLessThanOrEqual(3000);
        for (const s of result.sections) {
          expect(Number.isInteger(s.line_start) && s.line_start >= 1 && s.line_end >= s.line_start).toBe(
            true,
          );
        }
      }
    }
    expect(summarize("min.js", inputs[0]![1]).summary).toContain(
      "so the file is probably minified or generated",
    );
    expect(summarize("lone-cr.ts", inputs[9]![1]).sections.at(-1)).toMatchObject({
      line_start: 2,
      title: "TODO markers (1)",
    });
  });

  it("counts CRLF files like LF files", () => {
    expect(summarize("src/api.ts", API_TS.replace(/\n/g, "\r\n"))).toEqual(summarize("src/api.ts", API_TS));
  });

  it("is deterministic", () => {
    expect(summarize("pkg/store.py", STORE_PY)).toEqual(summarize("pkg/store.py", STORE_PY));
  });

  it("falls back to line counts and TODOs for other languages, with simple definitions for some", () => {
    const go = summarize(
      "cmd/main.go",
      "package main\n\n// TODO: flags\nfunc Run() {\n}\n\nfunc helper() {}\n",
    );
    expect(go.summary).toBe(
      "cmd/main.go is a Go file of 7 lines (4 code, 1 comment, 2 blank) that defines 2 functions: Run and helper. " +
        'It has 1 TODO marker, on line 3: "flags".',
    );
    expect(summarize("Dockerfile", "FROM node:24\nRUN npm ci\n").summary).toBe(
      "Dockerfile is a Dockerfile of 2 lines (2 code, 0 comment, 0 blank).",
    );
  });

  it("the provider object honours an already-aborted signal and otherwise documents", async () => {
    const provider = new LocalDocumenter();
    expect(provider.name).toBe("local");
    const controller = new AbortController();
    controller.abort(new Error("job cancelled"));
    await expect(
      provider.document({ type: "summarize_file", path: "a.ts", content: "" }, controller.signal),
    ).rejects.toThrow("job cancelled");
    await expect(
      provider.document({ type: "summarize_file", path: "a.ts", content: "" }),
    ).resolves.toMatchObject({
      summary: "a.ts is an empty TypeScript file.",
    });
  });
});
