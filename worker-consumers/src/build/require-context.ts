import { parse } from "acorn";
import type * as ESTree from "estree";
import { dirname, joinPath } from "./paths";
import { contextSource } from "./routes-context";
import { shortHash } from "./short-hash";
import type { Specifier } from "./types";

/** A `require.context` module the build writes (id → source), required by the rewritten call. */
export interface ContextModule {
  path: string;
  source: string;
}

/**
 * Metro's `require.context(dir, recursive = true, pattern = /^\.\/.*$/, mode)` in an app's module:
 * each call with literal arguments becomes a `require` of a module the build writes in `dir`
 * mapping every matching file (`./path`, as Metro's keys) to a require of it. The call keeps its
 * lines (a multi-line call is padded with its newlines). A call whose arguments are not literals
 * is left as written: it throws when it runs, as Metro refuses it at build time.
 */
export function rewriteRequireContexts(
  code: string,
  from: string,
  files: ReadonlySet<string>,
): { code: string; contexts: ContextModule[]; specifiers: Specifier[] } | undefined {
  if (!code.includes("require.context")) return undefined;
  let ast: ESTree.Program;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "script", locations: true }) as never;
  } catch {
    return undefined;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const contexts: ContextModule[] = [];
  const specifiers: Specifier[] = [];
  const visit = (node: ESTree.Node) => {
    if (node.type === "CallExpression" && isRequireContext(node.callee)) {
      const found = contextOf(node, from, files);
      if (found) {
        const { start, end } = node as unknown as { start: number; end: number };
        const newlines = code.slice(start, end).split("\n").length - 1;
        edits.push({ start, end, text: `require(${JSON.stringify(found.spec)})${"\n".repeat(newlines)}` });
        contexts.push(found.module);
        const loc = (node as { loc?: ESTree.SourceLocation | null }).loc;
        specifiers.push({
          spec: found.spec,
          line: loc?.start.line ?? 1,
          column: (loc?.start.column ?? 0) + 1,
        });
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const child of value) isNode(child) && visit(child);
      else if (isNode(value)) visit(value);
    }
  };
  visit(ast);
  if (edits.length === 0) return undefined;
  let out = code;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { code: out, contexts, specifiers };
}

function isNode(value: unknown): value is ESTree.Node {
  return (
    typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
  );
}

function isRequireContext(callee: ESTree.Node): boolean {
  return (
    callee.type === "MemberExpression" &&
    !callee.computed &&
    callee.object.type === "Identifier" &&
    callee.object.name === "require" &&
    callee.property.type === "Identifier" &&
    callee.property.name === "context"
  );
}

function contextOf(
  call: ESTree.CallExpression,
  from: string,
  files: ReadonlySet<string>,
): { spec: string; module: ContextModule } | undefined {
  const [dirArg, recursiveArg, patternArg] = call.arguments;
  if (dirArg?.type !== "Literal" || typeof dirArg.value !== "string") return undefined;
  if (recursiveArg && (recursiveArg.type !== "Literal" || typeof recursiveArg.value !== "boolean"))
    return undefined;
  if (patternArg && (patternArg.type !== "Literal" || !("regex" in patternArg))) return undefined;
  const relative = dirArg.value.replace(/\/+$/, "") || ".";
  const dir = joinPath(dirname(from), relative);
  if (dir === null) return undefined;
  const recursive = recursiveArg ? recursiveArg.value === true : true;
  const regex = patternArg && "regex" in patternArg ? patternArg.regex : { pattern: "^\\.\\/.*$", flags: "" };
  const matcher = new RegExp(regex.pattern, regex.flags);
  const keys = [...files]
    .filter((f) => (dir ? f.startsWith(`${dir}/`) : true))
    .map((f) => `./${dir ? f.slice(dir.length + 1) : f}`)
    .filter((key) => (recursive || !key.slice(2).includes("/")) && !key.includes("+hivesync-"))
    .filter((key) => matcher.test(key))
    .sort();
  const name = `+hivesync-context-${shortHash(`${recursive}/${regex.pattern}/${regex.flags}`)}.js`;
  const path = dir ? `${dir}/${name}` : name;
  const spec = `${relative.startsWith(".") ? relative : `./${relative}`}/${name}`;
  return { spec, module: { path, source: contextSource(keys, dir || ".") } };
}
