import { parse } from "acorn";
import type * as ESTree from "estree";
import { transform } from "sucrase";

/** The app's Expo config, as `Constants.expoConfig` gives it: JSON values only. */
export type ExpoConfig = Record<string, unknown>;

/** The config files Expo reads, in the order it looks for a dynamic one (`app.json` is the static one). */
export const DYNAMIC_CONFIG_FILES = [
  "app.config.ts",
  "app.config.js",
  "app.config.mjs",
  "app.config.cjs",
  "app.config.json",
];

/** Said of an expression the build cannot know without running the app's config (a function call, say). */
const UNKNOWN = Symbol("unknown");
type Value = unknown;

/**
 * The Expo config of an app.json text: its `expo` object, or the whole file when it has none, as
 * Expo reads it. A file that does not parse gives none: a config never fails a build.
 */
export function staticConfig(text: string): ExpoConfig | undefined {
  try {
    return expoOf(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function expoOf(value: unknown): ExpoConfig | undefined {
  if (!isObject(value)) return undefined;
  return isObject(value.expo) ? value.expo : value;
}

/**
 * The app's config from its dynamic config file (`app.config.js`, `.ts`, …) given app.json's
 * (`base`), read without running it: the file's default export — an object, or a function of
 * `{ config }` returning one — evaluated where its values are literals, `process.env.EXPO_PUBLIC_*`
 * (from `env`), `config` (app.json's) and spreads of them; a property whose value needs the app's
 * code to run (a call, an import) is left out. A file the build cannot read this way gives `base`.
 *
 * @example
 * dynamicConfig("export default ({ config }) => ({ ...config, name: 'Tour' })", "app.config.js", { slug: "t" }, {});
 * // → { slug: "t", name: "Tour" }
 */
export function dynamicConfig(
  text: string,
  path: string,
  base: ExpoConfig | undefined,
  env: Record<string, string>,
): ExpoConfig | undefined {
  if (path.endsWith(".json")) return staticConfig(text) ?? base;
  try {
    const code = path.endsWith(".ts") ? transform(text, { transforms: ["typescript"] }).code : text;
    const program = parse(code, { ecmaVersion: "latest", sourceType: "module" }) as unknown as ESTree.Program;
    const scope = new Evaluator(program, base ?? {}, env);
    const exported = scope.exported();
    if (exported === undefined) return base;
    const value = scope.call(exported);
    const config = value === UNKNOWN ? undefined : expoOf(value);
    return config ?? base;
  } catch {
    return base;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type FunctionNode = ESTree.ArrowFunctionExpression | ESTree.FunctionExpression | ESTree.FunctionDeclaration;

/** Evaluates the literal parts of a config module's top level. */
class Evaluator {
  private readonly declarations = new Map<string, ESTree.Node>();
  /** Names bound while evaluating a function's body: its `config` parameter. */
  private bindings = new Map<string, Value>();

  constructor(
    private readonly program: ESTree.Program,
    private readonly base: ExpoConfig,
    private readonly env: Record<string, string>,
  ) {
    for (const statement of program.body) {
      const declaration = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
      if (declaration?.type === "VariableDeclaration") {
        for (const d of declaration.declarations)
          if (d.id.type === "Identifier" && d.init) this.declarations.set(d.id.name, d.init);
      } else if (declaration?.type === "FunctionDeclaration" && declaration.id)
        this.declarations.set(declaration.id.name, declaration);
    }
  }

  /** The node of `export default …` or `module.exports = …`, following a name to its declaration. */
  exported(): ESTree.Node | undefined {
    let node: ESTree.Node | undefined;
    for (const statement of this.program.body) {
      if (statement.type === "ExportDefaultDeclaration") node = statement.declaration as ESTree.Node;
      else if (
        statement.type === "ExpressionStatement" &&
        statement.expression.type === "AssignmentExpression" &&
        isMember(statement.expression.left, "module", "exports")
      )
        node = statement.expression.right;
    }
    while (node?.type === "Identifier" && this.declarations.has(node.name))
      node = this.declarations.get(node.name);
    return node;
  }

  /** The config the export gives: the object itself, or what the function returns for `{ config }`. */
  call(node: ESTree.Node): Value {
    if (!isFunction(node)) return this.value(node);
    const [param] = node.params;
    const outer = this.bindings;
    this.bindings = new Map(outer);
    try {
      if (param?.type === "Identifier") this.bindings.set(param.name, { config: this.base });
      else if (param?.type === "ObjectPattern") {
        for (const property of param.properties) {
          if (property.type !== "Property" || property.key.type !== "Identifier") continue;
          if (property.key.name === "config" && property.value.type === "Identifier")
            this.bindings.set(property.value.name, this.base);
        }
      }
      if (node.body.type !== "BlockStatement") return this.value(node.body);
      for (const statement of node.body.body) {
        if (statement.type === "VariableDeclaration") {
          for (const d of statement.declarations)
            if (d.id.type === "Identifier" && d.init) this.bindings.set(d.id.name, this.value(d.init));
        } else if (statement.type === "ReturnStatement")
          return statement.argument ? this.value(statement.argument) : UNKNOWN;
      }
      return UNKNOWN;
    } finally {
      this.bindings = outer;
    }
  }

  private value(node: ESTree.Node): Value {
    switch (node.type) {
      case "Literal":
        return "regex" in node ? UNKNOWN : node.value;
      case "TemplateLiteral": {
        let text = node.quasis[0]?.value.cooked ?? "";
        for (const [i, expression] of node.expressions.entries()) {
          const part = this.value(expression);
          if (part === UNKNOWN || typeof part === "object") return UNKNOWN;
          text += String(part) + (node.quasis[i + 1]?.value.cooked ?? "");
        }
        return text;
      }
      case "ArrayExpression": {
        const items: Value[] = [];
        for (const element of node.elements) {
          if (!element) continue;
          const item = element.type === "SpreadElement" ? this.value(element.argument) : this.value(element);
          if (item === UNKNOWN) continue;
          if (element.type === "SpreadElement") items.push(...(Array.isArray(item) ? item : []));
          else items.push(item);
        }
        return items;
      }
      case "ObjectExpression": {
        const object: Record<string, Value> = {};
        for (const property of node.properties) {
          if (property.type === "SpreadElement") {
            const spread = this.value(property.argument);
            if (isObject(spread)) Object.assign(object, spread);
            continue;
          }
          const key = property.computed
            ? this.value(property.key)
            : property.key.type === "Identifier"
              ? property.key.name
              : this.value(property.key);
          if (typeof key !== "string" && typeof key !== "number") continue;
          const value = property.shorthand ? this.value(property.key) : this.value(property.value);
          if (value !== UNKNOWN && value !== undefined) object[key] = value;
        }
        return object;
      }
      case "Identifier":
        if (node.name === "undefined") return undefined;
        if (this.bindings.has(node.name)) return this.bindings.get(node.name);
        if (this.declarations.has(node.name))
          return this.value(this.declarations.get(node.name) as ESTree.Node);
        return UNKNOWN;
      case "MemberExpression": {
        if (isMember(node.object, "process", "env")) {
          const name = node.computed ? this.value(node.property) : (node.property as ESTree.Identifier).name;
          // Expo loads every .env variable for app.config.js; only the public ones reach the build.
          return typeof name === "string" && name in this.env ? this.env[name] : undefined;
        }
        const object = this.value(node.object);
        if (!isObject(object)) return UNKNOWN;
        const name = node.computed ? this.value(node.property) : (node.property as ESTree.Identifier).name;
        return typeof name === "string" ? object[name] : UNKNOWN;
      }
      case "LogicalExpression": {
        const left = this.value(node.left);
        if (left === UNKNOWN) return UNKNOWN;
        if (node.operator === "??") return left ?? this.value(node.right);
        if (node.operator === "||") return left || this.value(node.right);
        return left && this.value(node.right);
      }
      case "BinaryExpression": {
        const left = node.left.type === "PrivateIdentifier" ? UNKNOWN : this.value(node.left);
        const right = this.value(node.right);
        if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
        if (node.operator === "===") return left === right;
        if (node.operator === "!==") return left !== right;
        const bothPlain =
          (typeof left === "string" || typeof left === "number") && typeof right === typeof left;
        if (node.operator === "+" && bothPlain) return (left as number) + (right as number);
        return UNKNOWN;
      }
      case "ConditionalExpression": {
        const test = this.value(node.test);
        return test === UNKNOWN ? UNKNOWN : this.value(test ? node.consequent : node.alternate);
      }
      case "UnaryExpression": {
        const argument = this.value(node.argument);
        if (argument === UNKNOWN) return UNKNOWN;
        if (node.operator === "-" && typeof argument === "number") return -argument;
        if (node.operator === "!") return !argument;
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }
}

function isFunction(node: ESTree.Node): node is FunctionNode {
  return (
    node.type === "ArrowFunctionExpression" ||
    node.type === "FunctionExpression" ||
    node.type === "FunctionDeclaration"
  );
}

/** Whether `node` is `<object>.<property>` with plain names (`module.exports`, `process.env`). */
function isMember(node: ESTree.Node, object: string, property: string): boolean {
  return (
    node.type === "MemberExpression" &&
    node.object.type === "Identifier" &&
    node.object.name === object &&
    node.property.type === "Identifier" &&
    node.property.name === property
  );
}
