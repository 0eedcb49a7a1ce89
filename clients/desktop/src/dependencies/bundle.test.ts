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
