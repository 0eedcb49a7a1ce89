import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundleError, bundleDependency } from "./bundle";
import { appWithPackages, requireFrom, runModule } from "./fixtures.test-support";

let app: Awaited<ReturnType<typeof appWithPackages>>;
beforeAll(async () => {
  app = await appWithPackages();
});
afterAll(async () => {
  await app.remove();
});

const fakeReact = {
  version: "19.3.1",
  createElement: (type: string, props: object, ...children: unknown[]) => ({ type, props, children }),
};
const fakeJsx = { jsx: (type: string, props: object) => ({ type, props, runtime: "automatic" }) };
const sharedLib = { id: "shared@3 (the shared module)" };

describe("bundleDependency", () => {
  it("bundles a CommonJS package with its own files, leaving a shared package external", async () => {
    const out = await bundleDependency(app.root, "cjs-pkg");
    expect(out.requires).toEqual(["shared-lib"]);
    const require = requireFrom({ "shared-lib": sharedLib });
    const exports = runModule(out.body, require) as {
      double(n: number): number;
      kind: string;
      shared: unknown;
    };
    expect(exports.double(21)).toBe(42);
    expect(exports.kind).toBe("cjs");
    expect(exports.shared).toBe(sharedLib); // the one shared instance, not a copy
    expect(require.asked).toEqual(["shared-lib"]);
    expect(out.inputs.map((p) => p.slice(app.root.length + 1)).sort()).toEqual([
      "node_modules/cjs-pkg/helper.js",
      "node_modules/cjs-pkg/index.js",
    ]);
    expect(Object.keys(out.packages)).toEqual(["shared-lib"]);
  });

  it("gives Node built-ins the empty module Metro gives the web, required from nowhere", async () => {
    const out = await bundleDependency(app.root, "server-aware");
    expect(out.requires).toEqual([]);
    const exports = runModule(out.body, requireFrom({})) as { hooks: object; fs: object };
    expect(exports.hooks).toEqual({});
    expect(exports.fs).toEqual({});
  });

  it("adopts the stylesheets a package ships, whether its code or the app imports them", async () => {
    const adopted: string[] = [];
    (globalThis as { __hs?: unknown }).__hs = { css: (text: string) => adopted.push(text) };
    try {
      const code = await bundleDependency(app.root, "styled-ui");
      expect(runModule(code.body, requireFrom({}))).toEqual({ ok: true });
      const sheet = await bundleDependency(app.root, "styled-ui/dist/base.css");
      runModule(sheet.body, requireFrom({}));
      expect(adopted).toEqual([".widget { color: rgb(1, 2, 3); }\n", ".flow-base { display: block; }\n"]);
    } finally {
      delete (globalThis as { __hs?: unknown }).__hs;
    }
  });

  it("strips Flow types from a package that ships them, as Metro's Babel preset does", async () => {
    const out = await bundleDependency(app.root, "flow-typed-ui");
    const exports = runModule(out.body, requireFrom({ react: fakeReact })) as {
      describe(o: object): string;
      Shot(p: object): unknown;
    };
    expect(exports.describe({ format: "png", width: 3 })).toBe("png:3");
    expect(exports.Shot({ label: "x" })).toEqual({ type: "b", props: null, children: ["x"] });
  });

  it("bundles an ES module package (JSX in .js) with react external, exporting its names and default", async () => {
    const out = await bundleDependency(app.root, "@acme/esm-ui");
    expect(out.requires).toEqual(["react", "react/jsx-runtime", "shared-lib"]);
    expect(out.body).not.toContain("createElement = "); // no React inside
    const exports = runModule(
      out.body,
      requireFrom({ react: fakeReact, "react/jsx-runtime": fakeJsx, "shared-lib": sharedLib }),
    ) as { __esModule: boolean; default(): string; Tag(): unknown; Button(p: object): unknown };
    expect(exports.__esModule).toBe(true);
    expect(exports.default()).toBe("19.3.1:shared@3 (the shared module)");
    expect(exports.Tag()).toEqual({ type: "b", props: { title: "t" }, children: ["hi"] });
    expect(exports.Button({ id: 1 })).toEqual({ type: "button", props: { id: 1 }, runtime: "automatic" });
  });

  it("bundles a deep import as its own module", async () => {
    const out = await bundleDependency(app.root, "cjs-pkg/sub");
    expect(out.requires).toEqual([]);
    expect(runModule(out.body, requireFrom({}))).toBe("the sub of cjs-pkg");
  });

  it("bundles a private copy of another version in, instead of linking the shared one", async () => {
    const out = await bundleDependency(app.root, "nested-user");
    expect(out.requires).toEqual([]);
    expect(runModule(out.body, requireFrom({}))).toBe("shared@1");
  });

  it("prefers .web files, defines NODE_ENV, and turns import() into a require of the shared module", async () => {
    const out = await bundleDependency(app.root, "web-variant");
    expect(out.requires).toEqual(["shared-lib"]);
    const exports = runModule(out.body, requireFrom({ "shared-lib": sharedLib })) as {
      impl: string;
      env: string;
      later(): Promise<{ default: unknown }>;
    };
    expect(exports.impl).toBe("web");
    expect(exports.env).toBe("production");
    expect((await exports.later()).default).toBe(sharedLib);
  });

  it("fails with esbuild's message naming what could not be resolved", async () => {
    const failure = bundleDependency(app.root, "broken");
    await expect(failure).rejects.toBeInstanceOf(BundleError);
    await expect(failure).rejects.toThrow(/not-installed-anywhere.*node_modules\/broken\/index\.js:1/);
  });
});

describe("bundleDependency of a subpath the package's exports do not resolve (Metro's file fallback)", () => {
  let three: Awaited<ReturnType<typeof appWithPackages>>;
  beforeAll(async () => {
    three = await appWithPackages({
      // As three ships it: a `*` pattern whose targets name no extension.
      "node_modules/three/package.json": {
        name: "three",
        version: "0.170.0",
        exports: { ".": "./build/three.cjs", "./examples/jsm/*": "./examples/jsm/*" },
      },
      "node_modules/three/build/three.cjs": 'exports.REVISION = "170";\n',
      "node_modules/three/examples/jsm/loaders/ColladaLoader.js":
        'import { REVISION } from "three";\nexport class ColladaLoader { revision = REVISION; }\n',
      "node_modules/three/examples/jsm/libs/index.js": 'export const lib = "index";\n',
      "node_modules/three/examples/jsm/web/Thing.js": 'export const thing = "plain";\n',
      "node_modules/three/examples/jsm/web/Thing.web.js": 'export const thing = "web";\n',
      "node_modules/three/src/not-exported.js": 'export const hidden = "file-based";\n',
      // Another package deep-importing the shared three that way.
      "node_modules/drei-ish/package.json": { name: "drei-ish", version: "1.0.0" },
      "node_modules/drei-ish/index.js":
        'module.exports = require("three/examples/jsm/loaders/ColladaLoader").ColladaLoader;\n',
    });
  });
  afterAll(async () => {
    await three.remove();
  });

  it.each([
    ["three/examples/jsm/loaders/ColladaLoader", { ColladaLoader: expect.any(Function) }],
    ["three/examples/jsm/libs", { lib: "index" }],
    ["three/examples/jsm/web/Thing", { thing: "web" }],
    ["three/src/not-exported", { hidden: "file-based" }],
  ])("resolves %s: the path, then the extensions (.web first), then /index", async (spec, exports) => {
    const out = await bundleDependency(three.root, spec);
    // The package's own `three` is bundled in, as every self-import of a package is.
    expect(out.requires).toEqual([]);
    expect(runModule(out.body, requireFrom({}))).toMatchObject(exports);
  });

  it("links such a subpath of a shared package from another package, as a module of its own", async () => {
    const out = await bundleDependency(three.root, "drei-ish");
    expect(out.requires).toEqual(["three/examples/jsm/loaders/ColladaLoader"]);
  });

  it("still fails, naming it, for a subpath no file answers", async () => {
    await expect(bundleDependency(three.root, "three/examples/jsm/nope")).rejects.toThrow(
      /three\/examples\/jsm\/nope/,
    );
  });
});

it("a bundle that met a Node built-in is cached: the built-in's empty module is no input file", async () => {
  const out = await bundleDependency(app.root, "server-aware");
  expect(out.inputs.map((p) => p.slice(app.root.length + 1))).toEqual(["node_modules/server-aware/index.js"]);
  // Installing the polyfill later must make it stale.
  expect(out.packages).toEqual({ fs: null });
});
