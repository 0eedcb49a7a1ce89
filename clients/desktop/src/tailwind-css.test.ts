// Which stylesheets the desktop compiles with the app's Tailwind, and what it says when it cannot.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileTailwindStylesheets, needsTailwind } from "./tailwind-css";
import { walkFolder } from "./walk";

let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Tailwind stylesheets", () => {
  it("are the ones with Tailwind v3 directives or v4's import", () => {
    expect(needsTailwind("@tailwind base;\n@tailwind components;\n@tailwind utilities;\n")).toBe(true);
    expect(needsTailwind('@import "tailwindcss";\n')).toBe(true);
    expect(
      needsTailwind('@import "tailwindcss/theme.css" layer(theme);\n@import "tailwindcss/utilities.css";\n'),
    ).toBe(true);
    expect(needsTailwind(":root { --accent: #0c2238; }\n.title { color: var(--accent); }\n")).toBe(false);
  });

  it("are reported, not mirrored, when the app has no Tailwind installed", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hs-tailwind-"));
    await writeFile(path.join(dir, "package.json"), '{"name":"app"}');
    await writeFile(path.join(dir, "global.css"), "@tailwind base;\n@tailwind utilities;\n");
    await writeFile(path.join(dir, "plain.css"), "body { margin: 0 }\n");
    const { files } = await walkFolder(dir);
    const result = await compileTailwindStylesheets(dir, files);
    expect(result).toEqual({
      files: [],
      failed: [{ path: "global.css", reason: "Tailwind is not in node_modules: npm install tailwindcss" }],
    });
  });
});
