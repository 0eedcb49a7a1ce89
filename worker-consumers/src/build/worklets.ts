import { parse } from "acorn";
import type * as ESTree from "estree";
import isReference from "is-reference";
import { analyze, type Scope } from "periscopic";

/**
 * Worklets on the web (docs/previews.md §1): react-native-worklets' Babel plugin gives every worklet
 * a `__closure`, the values it reads from outside, and on the web that list is all Reanimated uses —
 * the inputs `useAnimatedStyle` and `useDerivedValue` watch. Without it an animated style is
 * computed once and never again. This does the plugin's web part on the transformed module: each
 * function passed where Reanimated takes a worklet (or marked `'worklet'`) becomes
 * `Object.assign(fn, {__closure: [a, b]})`, the values of the names it reads from enclosing
 * scopes. Only text on the function's own first and last lines moves, so lines stay the source's.
 */

/** Reanimated's and worklets' functions that take worklets: name → which arguments are. */
const WORKLET_ARGUMENTS: ReadonlyMap<string, readonly number[]> = new Map([
  ["useAnimatedStyle", [0]],
  ["useAnimatedProps", [0]],
  ["useDerivedValue", [0]],
  ["useAnimatedReaction", [0, 1]],
  ["useFrameCallback", [0]],
  ["useAnimatedScrollHandler", [0]],
  ["runOnUI", [0]],
  ["scheduleOnUI", [0]],
  ["withTiming", [2]],
  ["withSpring", [2]],
  ["withDecay", [1]],
  ["withRepeat", [3]],
]);

/** Whether a transformed module may hold worklets (it requires Reanimated or worklets, or marks one). */
export function mayHoldWorklets(code: string): boolean {
  return /react-native-(?:reanimated|worklets)|["']worklet["']/.test(code);
}

/** `code` with a `__closure` on every worklet; `code` itself when it has none or does not parse. */
export function captureWorkletClosures(code: string): string {
  let ast: ESTree.Program;
  try {
    ast = parse(code, {
      ecmaVersion: "latest",
      sourceType: "script",
      allowReturnOutsideFunction: true,
    }) as never;
  } catch {
    return code; // the browser reports the syntax error at its line
  }
  const { map, scope: top } = analyze(ast as never);
  const worklets = new Set<ESTree.Function>();
  visit(ast, (node) => {
    if (node.type === "CallExpression") for (const fn of workletArguments(node)) worklets.add(fn);
    if (isFunction(node) && hasWorkletDirective(node)) worklets.add(node);
  });
  const inserts: { at: number; text: string }[] = [];
  for (const fn of worklets) {
    const names = closureOf(fn, map, top);
    const closure = `{__closure:[${names.join(",")}]}`;
    const { start, end } = fn as unknown as { start: number; end: number };
    if (fn.type === "FunctionDeclaration" && fn.id)
      inserts.push({ at: end, text: `;Object.assign(${fn.id.name},${closure});` });
    else if (fn.type !== "FunctionDeclaration") {
      inserts.push({ at: start, text: "Object.assign(" });
      inserts.push({ at: end, text: `,${closure})` });
    }
  }
  // From the end, so earlier positions stay valid (a nested worklet sits strictly inside its outer).
  inserts.sort((a, b) => b.at - a.at);
  let out = code;
  for (const { at, text } of inserts) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

type Node = ESTree.Node;

function visit(
  node: Node,
  enter: (node: Node, parent: Node | null) => void,
  parent: Node | null = null,
): void {
  enter(node, parent);
  for (const key of Object.keys(node)) {
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) visit(child, enter, node);
    } else if (isNode(value)) visit(value, enter, node);
  }
}

function isNode(value: unknown): value is Node {
  return (
    typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
  );
}

function isFunction(node: Node): node is ESTree.Function {
  return (
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression" ||
    node.type === "FunctionDeclaration"
  );
}

function hasWorkletDirective(fn: ESTree.Function): boolean {
  const first = fn.body.type === "BlockStatement" ? fn.body.body[0] : undefined;
  return first?.type === "ExpressionStatement" && (first as { directive?: string }).directive === "worklet";
}

/**
 * The function arguments of a call to a worklet-taking function, however the transform wrote the
 * call: `useAnimatedStyle(f)`, `_r.useAnimatedStyle(f)`, `(0, _r.useAnimatedStyle)(f)` or sucrase's
 * `_r.useAnimatedStyle.call(void 0, f)`.
 */
function workletArguments(call: ESTree.CallExpression): ESTree.Function[] {
  let callee = call.callee as Node;
  let offset = 0;
  if (callee.type === "MemberExpression" && !callee.computed && propertyName(callee) === "call") {
    callee = callee.object;
    offset = 1;
  }
  if (callee.type === "SequenceExpression")
    callee = callee.expressions[callee.expressions.length - 1] as Node;
  const name =
    callee.type === "Identifier"
      ? callee.name
      : callee.type === "MemberExpression"
        ? propertyName(callee)
        : undefined;
  const indices = name ? WORKLET_ARGUMENTS.get(name) : undefined;
  if (!indices) return [];
  const found: ESTree.Function[] = [];
  for (const index of indices) {
    const arg = call.arguments[offset + index] as Node | undefined;
    if (!arg) continue;
    if (isFunction(arg)) found.push(arg);
    // useAnimatedScrollHandler({ onScroll(e) {…}, onEndDrag: (e) => … })
    else if (arg.type === "ObjectExpression")
      for (const property of arg.properties)
        if (property.type === "Property" && isFunction(property.value as Node))
          found.push(property.value as ESTree.Function);
  }
  return found;
}

function propertyName(member: ESTree.MemberExpression): string | undefined {
  return !member.computed && member.property.type === "Identifier" ? member.property.name : undefined;
}

/**
 * The names `fn` reads that are declared in a scope enclosing it (not inside it, not global), in
 * order of first use: what the worklet closes over.
 */
function closureOf(fn: ESTree.Function, map: WeakMap<Node, Scope>, top: Scope): string[] {
  const own = map.get(fn);
  const names: string[] = [];
  const walk = (node: Node, parent: Node | null, scope: Scope) => {
    const inner = map.get(node) ?? scope;
    if (node.type === "Identifier" && parent && isReference(node, parent as never)) {
      const owner = inner.find_owner(node.name);
      if (owner && !isWithin(owner, own) && !names.includes(node.name) && !isImport(owner, node.name))
        names.push(node.name);
    }
    for (const key of Object.keys(node)) {
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) walk(child, node, inner);
      } else if (isNode(value)) walk(value, node, inner);
    }
  };
  // Parameters and body: the function's own name (a named expression) is its own, not a closure.
  for (const param of fn.params) walk(param as Node, fn, own ?? top);
  walk(fn.body, fn, own ?? top);
  return names;
}

/**
 * Whether `name` is bound to a `require(…)` (an import, as the transform writes it): a module's
 * exports are never a worklet's inputs, and Reanimated would walk the whole namespace object.
 */
function isImport(owner: Scope, name: string): boolean {
  const declaration = owner.declarations.get(name);
  if (declaration?.type !== "VariableDeclaration") return false;
  const declarator = declaration.declarations.find((d) => d.id.type === "Identifier" && d.id.name === name);
  const init = declarator?.init;
  if (init?.type !== "CallExpression" || init.callee.type !== "Identifier") return false;
  return init.callee.name === "require" || init.callee.name.startsWith("_interopRequire");
}

function isWithin(scope: Scope, ancestor: Scope | undefined): boolean {
  for (let s: Scope | null = scope; s; s = s.parent) if (s === ancestor) return true;
  return false;
}
