import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { TAILWIND_MIRROR_DIR } from "../../../worker-consumers/src/build/generated-paths";
import { writeGeneratedFile } from "./generated-file";
import type { LocalFile } from "./walk";

const run = promisify(execFile);

export { TAILWIND_MIRROR_DIR };

/**
 * A stylesheet Tailwind compiles: v3's `@tailwind` directives, or v4's `@import "tailwindcss"` (or
 * one of its parts, `tailwindcss/utilities.css`, as shadcn's setup imports them).
 */
export function needsTailwind(css: string): boolean {
  return /@tailwind\s+(base|components|utilities)\b|@import\s+["']tailwindcss(\/[^"']*)?["']/.test(css);
}

/**
 * Compiles one stylesheet with the app's own Tailwind (its `@tailwindcss/postcss`, else its
 * `tailwindcss` v3 with its tailwind.config.js), in a child process whose folder is the app's,
 * as NativeWind's Metro plugin runs it: the config's relative `content` globs are the app's.
 */
const COMPILE = `
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
const file = process.argv[1];
const require = createRequire(path.join(process.cwd(), "package.json"));
const postcss = require("postcss");
let plugin;
try {
  plugin = require("@tailwindcss/postcss")();
} catch {
  plugin = require("tailwindcss")();
}
const result = await postcss([plugin]).process(readFileSync(file, "utf8"), { from: file });
process.stdout.write(result.css);
`;

/**
 * The compiled CSS of each of `files` that Tailwind compiles, as files to mirror (written under
 * `.hivesync/tailwind/`, rewritten only when their text changes), and the stylesheets it could
 * not compile with why (no Tailwind in node_modules, a config error). Compiled at every push, so
 * a class added in any source file is in the next revision's CSS.
 *
 * @example
 * const { files: compiled, failed } = await compileTailwindStylesheets("/home/ada/app", walked.files);
 */
export async function compileTailwindStylesheets(
  dir: string,
  files: readonly LocalFile[],
): Promise<{ files: LocalFile[]; failed: { path: string; reason: string }[] }> {
  const compiled: LocalFile[] = [];
  const failed: { path: string; reason: string }[] = [];
  for (const file of files) {
    if (!file.path.endsWith(".css") || file.size > 1024 * 1024) continue;
    const css = await readFile(file.absolutePath, "utf8").catch(() => "");
    if (!needsTailwind(css)) continue;
    let output: string;
    try {
      ({ stdout: output } = await run(
        process.execPath,
        ["--input-type=module", "-e", COMPILE, file.absolutePath],
        {
          cwd: dir,
          maxBuffer: 32 * 1024 * 1024,
          timeout: 60_000,
        },
      ));
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      const reason = /Cannot find module '(postcss|tailwindcss)'/.test(stderr)
        ? "Tailwind is not in node_modules: npm install tailwindcss"
        : (stderr.split("\n").find((line) => /Error/.test(line)) ?? stderr.split("\n")[0] ?? "").trim();
      failed.push({ path: file.path, reason });
      continue;
    }
    const mirrorPath = `${TAILWIND_MIRROR_DIR}/${file.path}`;
    compiled.push(await writeGeneratedFile(mirrorPath, path.join(dir, ...mirrorPath.split("/")), output));
  }
  return { files: compiled, failed };
}
