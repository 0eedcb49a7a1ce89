import { getVersion, type Transform, transform } from "sucrase";
import { codeFrame } from "./code-frame";
import { requireSpecifiers } from "./specifiers";
import type { BuildError, Specifier } from "./types";

/**
 * Part of every module key: bump the leading number whenever the output of transformModule,
 * jsonModule or assetModule changes for the same input, so no stale script is reused. The sucrase
 * version is in it because a new sucrase may emit different code.
 */
export const TRANSFORM_VERSION = `hs2+sucrase@${getVersion()}`;

export type SourceFlavor = "ts" | "tsx" | "js";

/** How a source file is transformed; `null` when the path is not JavaScript or TypeScript. */
export function sourceFlavor(path: string): SourceFlavor | null {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (ext === "ts" || ext === "mts" || ext === "cts") return path.endsWith(".d.ts") ? null : "ts";
  if (ext === "tsx") return "tsx";
  if (ext === "js" || ext === "jsx" || ext === "mjs" || ext === "cjs") return "js";
  return null;
}

/** The contract's module script: the body starts on the wrapper's first line, so lines are the source's. */
export function wrapModule(key: string, body: string): string {
  return `__hs.f(${JSON.stringify(key)},function(require,module,exports,__filename,__dirname){${body}\n});`;
}

export type TransformResult = { code: string; specifiers: Specifier[] } | { error: BuildError };

const FLOW_PRAGMA = /@flow\b/;

/**
 * One source file → its module script and the specifiers it requires, or the syntax error with
 * the file's own line and column. JSX uses the automatic runtime (`require("react/jsx-runtime")`),
 * ES modules become CommonJS, and modern syntax is left as it is (the page runs in a current browser).
 */
export function transformModule(
  path: string,
  source: string,
  key: string,
  /** Where JSX comes from when not React (`nativewind` → `require("nativewind/jsx-runtime")`). */
  jsxImportSource?: string,
): TransformResult {
  const flavor = sourceFlavor(path) ?? "js";
  // A hashbang is only valid at the very start of a script; inside the wrapper it must be a comment.
  const input = source.startsWith("#!") ? `//${source.slice(2)}` : source;
  let best: { pos: number; error: BuildError } | null = null;
  for (const transforms of attempts(flavor, input)) {
    let code: string;
    try {
      ({ code } = transform(input, {
        transforms,
        jsxRuntime: "automatic",
        ...(jsxImportSource ? { jsxImportSource } : {}),
        production: true,
        disableESTransforms: true,
        filePath: path,
      }));
    } catch (e) {
      const failure = syntaxError(path, source, e);
      if (!best || failure.pos > best.pos) best = failure;
      continue;
    }
    // Sucrase always opens with "use strict"; Metro does not add it (strictMode: false), and
    // sloppy CommonJS code that runs on a device must run here too.
    const body = code.startsWith('"use strict";') ? code.slice('"use strict";'.length) : code;
    return { code: wrapModule(key, body), specifiers: requireSpecifiers(body, source) };
  }
  // Both readings of a .js file failed: the one that got further is the likelier diagnosis.
  return { error: (best as { error: BuildError }).error };
}

/**
 * Sucrase transforms to try, in order. `.js` may hold Flow (React Native's own code does), but
 * Flow's grammar misreads some plain JavaScript (`a ? (b) : c => d`, `f<T>(x)`), so like Babel
 * without `all: true`, Flow comes first only in files with an `@flow` pragma.
 */
function attempts(flavor: SourceFlavor, source: string): Transform[][] {
  if (flavor === "ts") return [["typescript", "imports"]];
  if (flavor === "tsx") return [["typescript", "jsx", "imports"]];
  const plain: Transform[] = ["jsx", "imports"];
  const flow: Transform[] = ["jsx", "flow", "imports"];
  return FLOW_PRAGMA.test(source.slice(0, 4096)) ? [flow, plain] : [plain, flow];
}

function syntaxError(file: string, source: string, e: unknown): { pos: number; error: BuildError } {
  const err = e as { message?: unknown; pos?: unknown; loc?: { line: number; column: number } };
  // Sucrase words it "Error transforming <file>: <message> (<line>:<column>)"; file and place are fields here.
  const message = String(err.message ?? e)
    .replace(/^Error transforming [^:]*: /, "")
    .replace(/ \(\d+:\d+\)$/, "");
  const pos = typeof err.pos === "number" ? err.pos : -1;
  const where = err.loc ? { line: err.loc.line, column: err.loc.column } : { line: 1, column: 1 };
  const frame = codeFrame(source, where.line, where.column);
  return { pos, error: { code: "build_error", file, ...where, message: `SyntaxError: ${message}`, frame } };
}
