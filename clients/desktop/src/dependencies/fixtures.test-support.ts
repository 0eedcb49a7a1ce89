// Tiny real packages in a temporary node_modules, and a fake registry to run module bodies with.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FakeApi } from "../../../test-support/fake-api";

/** Writes `files` (path → content; objects are written as JSON) under `root`. */
export async function writeTree(root: string, files: Record<string, string | object>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split("/"));
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, typeof content === "string" ? content : JSON.stringify(content));
  }
}

const pkg = (name: string, version: string, extra: object = {}) => ({ name, version, ...extra });

/** An app folder whose node_modules holds a CommonJS package, an ES module package and friends. */
export const PACKAGES: Record<string, string | object> = {
  // CommonJS, with a relative require and a deep path.
  "node_modules/cjs-pkg/package.json": pkg("cjs-pkg", "1.2.3"),
  "node_modules/cjs-pkg/index.js":
    'const helper = require("./helper");\nconst shared = require("shared-lib");\nmodule.exports = { double: (n) => helper.times(n, 2), kind: "cjs", shared };\n',
  "node_modules/cjs-pkg/helper.js": "exports.times = (a, b) => a * b;\n",
  "node_modules/cjs-pkg/sub.js": 'module.exports = "the sub of cjs-pkg";\n',
  // A web build that requires Node built-ins behind a server check (expo-font's pattern).
  "node_modules/server-aware/package.json": pkg("server-aware", "1.0.0"),
  "node_modules/server-aware/index.js":
    'const hooks = require("node:async_hooks");\nconst fs = require("fs");\nmodule.exports = { onServer: typeof window === "undefined", hooks, fs };\n',
  // A package that ships a stylesheet beside its code (as @xyflow/react's dist/base.css).
  "node_modules/styled-ui/package.json": pkg("styled-ui", "1.2.0", { main: "index.js" }),
  "node_modules/styled-ui/index.js": 'require("./widget.css");\nmodule.exports = { ok: true };\n',
  "node_modules/styled-ui/widget.css": ".widget { color: rgb(1, 2, 3); }\n",
  "node_modules/styled-ui/dist/base.css": ".flow-base { display: block; }\n",
  // Flow-typed source, as older React Native libraries ship it (react-native-view-shot).
  "node_modules/flow-typed-ui/package.json": pkg("flow-typed-ui", "4.0.3", { main: "src/index.js" }),
  "node_modules/flow-typed-ui/src/index.js":
    '// @flow\nimport React from "react";\nimport type { Node } from "react";\ntype Options = { width?: number, format: "png" | "jpg" };\nexport function describe(options: Options): string {\n  return options.format + ":" + (options.width ?? 0);\n}\nexport const Shot = (props: { label: string }): Node => <b>{props.label}</b>;\n',
  // An ES module package (JSX in .js, as React Native packages ship it) that imports react.
  "node_modules/@acme/esm-ui/package.json": pkg("@acme/esm-ui", "2.0.0-beta.1", {
    type: "module",
    exports: { ".": { import: "./index.js", default: "./index.js" } },
  }),
  "node_modules/@acme/esm-ui/index.js": [
    'import React from "react";',
    'import { jsx } from "react/jsx-runtime";',
    'import shared from "shared-lib";',
    'import { label } from "./label.js";',
    'export const Tag = () => <b title="t">{label}</b>;',
    'export const Button = (props) => jsx("button", props);',
    'export default function hello() { return React.version + ":" + shared.id; }',
  ].join("\n"),
  "node_modules/@acme/esm-ui/label.js": 'export const label = "hi";\n',
  // The shared copy (hoisted) of a package two others use.
  "node_modules/shared-lib/package.json": pkg("shared-lib", "3.0.0"),
  "node_modules/shared-lib/index.js": 'module.exports = { id: "shared@3" };\n',
  // A package with its own private copy of another version of shared-lib.
  "node_modules/nested-user/package.json": pkg("nested-user", "1.0.0"),
  "node_modules/nested-user/index.js": 'module.exports = require("shared-lib").id;\n',
  "node_modules/nested-user/node_modules/shared-lib/package.json": pkg("shared-lib", "1.0.0"),
  "node_modules/nested-user/node_modules/shared-lib/index.js": 'module.exports = { id: "shared@1" };\n',
  // .web.js wins, process.env.NODE_ENV is defined, import() becomes require.
  "node_modules/web-variant/package.json": pkg("web-variant", "1.0.0"),
  "node_modules/web-variant/index.js":
    'module.exports = { impl: require("./impl"), env: process.env.NODE_ENV, later: () => import("shared-lib") };\n',
  "node_modules/web-variant/impl.js": 'module.exports = "native";\n',
  "node_modules/web-variant/impl.web.js": 'module.exports = "web";\n',
  // Requires something nobody installed.
  "node_modules/broken/package.json": pkg("broken", "0.0.1"),
  "node_modules/broken/index.js": 'module.exports = require("not-installed-anywhere");\n',
};

/** A temporary app folder with {@link PACKAGES} (and `extra`); remove it with the returned function. */
export async function appWithPackages(
  extra: Record<string, string | object> = {},
): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), "hivesync-deps-"));
  await writeTree(root, { ...PACKAGES, ...extra });
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/**
 * Runs a dependency module body the way the page does: wrapped in the contract's module script
 * (`__hs.f(key, function (require, module, exports, __filename, __dirname) {…})`), evaluated, and
 * its factory called with `require`. Returns `module.exports`.
 */
export function runModule(body: string, require: (spec: string) => unknown): unknown {
  const factories = new Map<string, (...args: unknown[]) => void>();
  const hs = { f: (key: string, factory: (...args: unknown[]) => void) => factories.set(key, factory) };
  const script = `__hs.f("k",function(require,module,exports,__filename,__dirname){${body}\n});`;
  new Function("__hs", script)(hs);
  const module = { exports: {} as unknown };
  factories.get("k")?.call(module.exports, require, module, module.exports, "npm:x", "npm:");
  return module.exports;
}

/** A `require` for {@link runModule} that serves `modules` and fails on anything else. */
export function requireFrom(modules: Record<string, unknown>) {
  const asked: string[] = [];
  const require = (spec: string) => {
    asked.push(spec);
    if (!(spec in modules)) throw new Error(`unexpected require("${spec}")`);
    return modules[spec];
  };
  return Object.assign(require, { asked });
}

/** A recorded dependency, as the fake server keeps it. */
export type FakeDependency = {
  specifier: string;
  module_id: string;
  name: string;
  version: string;
  sha256: string;
  size: number;
  requires: string[];
};

/**
 * Makes a FakeApi answer `GET`/`PUT /projects/:id/dependencies` as worker-api does (replace-all,
 * `changed`, 422 `BLOB_MISSING` for blobs it lacks). Returns the recorded sets by project.
 */
export function serveDependencies(api: FakeApi): Map<string, FakeDependency[]> {
  const sets = new Map<string, FakeDependency[]>();
  const previous = api.intercept;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  api.intercept = (req) => {
    const match = /^\/projects\/([^/]+)\/dependencies$/.exec(req.path);
    if (!match) return previous?.(req);
    const projectId = match[1] as string;
    if (req.method === "GET") return json(200, { items: sets.get(projectId) ?? [] });
    const { items } = JSON.parse(new TextDecoder().decode(req.body)) as {
      items: Omit<FakeDependency, "specifier">[];
    };
    const blobs = api.project(projectId).blobs;
    const missing = items.filter((i) => !blobs.has(i.sha256)).map((i) => i.sha256);
    if (missing.length > 0)
      return json(422, {
        error: {
          code: "BLOB_MISSING",
          message: "missing",
          details: { hashes: missing },
          request_id: "req_fake",
        },
      });
    const next = items
      .map((i) => ({
        specifier: i.module_id.replace(/^npm:((?:@[^/]+\/)?[^@/]+)@[^/]+/, "$1"),
        ...i,
        requires: [...new Set(i.requires)].sort(),
      }))
      .sort((a, b) => (a.specifier < b.specifier ? -1 : 1));
    const changed = JSON.stringify(next) !== JSON.stringify(sets.get(projectId) ?? []);
    sets.set(projectId, next);
    return json(200, { items: next, changed });
  };
  return sets;
}
