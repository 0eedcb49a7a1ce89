import { createHash } from "node:crypto";
import { lstat, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { REACT_COMPILER_MIRROR_DIR } from "../../../worker-consumers/src/build/generated-paths";
import { writeGeneratedFile } from "./generated-file";
import type { LocalFile } from "./walk";

export { REACT_COMPILER_MIRROR_DIR };

const SOURCE = /\.(jsx?|tsx?)$/;
/** Config files and tests are not app code: the compiler has nothing to do in them. */
const NOT_APP_CODE =
  /(^|\/)([^/]*\.config\.[cm]?[jt]s|node_modules\/|__tests__\/|[^/]*\.(test|spec)\.[jt]sx?$)/;
/** Bump when the compiled output for the same input changes (other options, another wrapper). */
const FORMAT = "hivesync-react-compiler/1";

/** Whether the app enables the React Compiler: app.json's `expo.experiments.reactCompiler`, as Expo reads it. */
export async function reactCompilerEnabled(dir: string): Promise<boolean> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, "app.json"), "utf8")) as {
      expo?: { experiments?: { reactCompiler?: unknown } };
      experiments?: { reactCompiler?: unknown };
    };
    return (parsed.expo ?? parsed).experiments?.reactCompiler === true;
  } catch {
    return false;
  }
}

type Babel = {
  transformAsync(code: string, options: Record<string, unknown>): Promise<{ code?: string | null } | null>;
};

/**
 * The app's source files as the React Compiler makes them, when the app enables it (Expo's
 * `experiments.reactCompiler`, which babel-preset-expo turns into babel-plugin-react-compiler):
 * each file the compiler changed, compiled with the app's own `@babel/core` and plugin (JSX and
 * types kept, lines kept, so the preview build transforms it as usual and errors keep their lines),
 * mirrored at `.hivesync/react-compiler/<path>`. A file is compiled again only when its text
 * changed (the outputs are kept by source hash under `.hivesync/`). Without node_modules nothing
 * is compiled; with node_modules but not the plugin, `failed` says so (path `""`: the whole app).
 *
 * @example
 * const { files, failed } = await compileWithReactCompiler("/home/ada/app", walked.files);
 */
export async function compileWithReactCompiler(
  dir: string,
  files: readonly LocalFile[],
): Promise<{ files: LocalFile[]; failed: { path: string; reason: string }[] }> {
  if (!(await reactCompilerEnabled(dir))) return { files: [], failed: [] };
  // A fresh clone without node_modules runs without the compiler (the same screens), as its
  // dependencies run from the runtime: nothing to install yet, nothing to say.
  if (!(await lstat(path.join(dir, "node_modules")).catch(() => null))) return { files: [], failed: [] };
  const require = createRequire(path.join(dir, "package.json"));
  let babel: Babel;
  let plugin: unknown;
  try {
    babel = require("@babel/core") as Babel;
    plugin = require("babel-plugin-react-compiler");
  } catch {
    return {
      files: [],
      failed: [
        {
          path: "", // the whole app, not one file
          reason:
            "app.json turns on experiments.reactCompiler, but babel-plugin-react-compiler is not installed (npx expo install babel-plugin-react-compiler)",
        },
      ],
    };
  }
  const compiled: LocalFile[] = [];
  const failed: { path: string; reason: string }[] = [];
  for (const file of files) {
    if (!SOURCE.test(file.path) || NOT_APP_CODE.test(file.path) || file.path.startsWith(".hivesync/"))
      continue;
    const source = await readFile(file.absolutePath, "utf8").catch(() => null);
    if (source === null) continue;
    const hash = createHash("sha256").update(FORMAT).update(source).digest("hex");
    const cachePath = path.join(dir, ".hivesync", "react-compiler-cache", `${hash}.js`);
    let output = await readFile(cachePath, "utf8").catch(() => null);
    if (output === null) {
      try {
        const typescript = /\.tsx?$/.test(file.path);
        const result = await babel.transformAsync(source, {
          filename: file.absolutePath,
          babelrc: false,
          configFile: false,
          retainLines: true,
          parserOpts: {
            plugins: [...(file.path.endsWith(".ts") ? [] : ["jsx"]), ...(typescript ? ["typescript"] : [])],
          },
          plugins: [[plugin, {}]],
        });
        // Only what the compiler changed is worth a file: it imports its runtime when it memoizes.
        output = result?.code?.includes("react/compiler-runtime") ? result.code : "";
      } catch (error) {
        failed.push({ path: file.path, reason: (error as Error).message.split("\n")[0] ?? "" });
        continue;
      }
      await mkdir(path.dirname(cachePath), { recursive: true });
      await writeFile(cachePath, output);
    }
    if (output === "") continue;
    const mirrorPath = `${REACT_COMPILER_MIRROR_DIR}/${file.path}`;
    compiled.push(await writeGeneratedFile(mirrorPath, path.join(dir, ...mirrorPath.split("/")), output));
  }
  return { files: compiled, failed };
}
