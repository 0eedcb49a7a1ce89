import { describe, expect, it } from "vitest";
import { Registry } from "../src/registry";
import type { Factory } from "../src/types";

/** A graph of modules whose factories record each run in `log`. */
function graph(
  registry: Registry,
  log: string[],
  modules: Record<string, { key: string; deps?: Record<string, string>; body: Factory }>,
) {
  for (const [id, m] of Object.entries(modules))
    registry.define(m.key, (...args) => {
      log.push(id);
      m.body(...args);
    });
  return {
    entry: "index.js",
    modules: Object.fromEntries(
      Object.entries(modules).map(([id, m]) => [id, { key: m.key, url: `/m/${m.key}.js`, deps: m.deps }]),
    ),
  };
}

describe("Registry: the app's CommonJS modules", () => {
  it("binds require to each module's deps, hands out runtime-set modules, runs the entry", () => {
    const registry = new Registry();
    const react = { version: "x" };
    registry.provide("react", react);
    const log: string[] = [];
    const app = graph(registry, log, {
      "index.js": {
        key: "k1",
        deps: { "./App": "App.js", react: "runtime:react" },
        body: (require, mod) => {
          mod.exports = { app: require("./App"), react: require("react") };
        },
      },
      "App.js": { key: "k2", body: (_r, _m, exports) => Object.assign(exports as object, { name: "App" }) },
    });
    const run = registry.run(app);
    expect(run.exports).toEqual({ app: { name: "App" }, react });
    expect((run.exports as { react: unknown }).react).toBe(react);
    expect(run.ran.sort()).toEqual(["App.js", "index.js"]);
  });

  it("re-runs a changed module and everything that requires it, and keeps the rest", () => {
    const registry = new Registry();
    const log: string[] = [];
    const util = {
      key: "u1",
      body: (_r: unknown, mod: { exports: unknown }) => {
        mod.exports = { n: Math.random() };
      },
    };
    const modules = {
      "index.js": {
        key: "i1",
        deps: { "./App": "App.js" },
        body: (r: (s: string) => unknown) => void r("./App"),
      },
      "App.js": {
        key: "a1",
        deps: { "./util": "util.js" },
        body: (r: (s: string) => unknown) => void r("./util"),
      },
      "util.js": util,
      "other.js": { key: "o1", body: () => {} },
    } as const;
    const first = registry.run(graph(registry, log, modules as never));
    expect(first.ran.sort()).toEqual(["App.js", "index.js", "util.js"]);

    const again = registry.run(graph(registry, log, modules as never));
    expect(again.ran).toEqual([]);

    const edited = registry.run(
      graph(registry, log, { ...modules, "App.js": { ...modules["App.js"], key: "a2" } } as never),
    );
    expect(edited.ran.sort()).toEqual(["App.js", "index.js"]);
    expect(edited.reused).toEqual(["util.js"]);

    const utilEdited = registry.run(
      graph(registry, log, {
        ...modules,
        "App.js": { ...modules["App.js"], key: "a2" },
        "util.js": { ...util, key: "u2" },
      } as never),
    );
    expect(utilEdited.ran.sort()).toEqual(["App.js", "index.js", "util.js"]);
  });

  it("gives a circular require the partial exports, as Node and Metro do", () => {
    const registry = new Registry();
    const log: string[] = [];
    const app = graph(registry, log, {
      "index.js": {
        key: "i",
        deps: { "./a": "a.js" },
        body: (require, mod) => {
          mod.exports = require("./a");
        },
      },
      "a.js": {
        key: "a",
        deps: { "./b": "b.js" },
        body: (require, _m, exports) => {
          (exports as Record<string, unknown>).early = 1;
          (exports as Record<string, unknown>).b = require("./b");
        },
      },
      "b.js": {
        key: "b",
        deps: { "./a": "a.js" },
        body: (require, mod) => {
          mod.exports = { sawA: { ...(require("./a") as object) } };
        },
      },
    });
    expect(registry.run(app).exports).toEqual({ early: 1, b: { sawA: { early: 1 } } });
  });

  it("names the file and specifier it cannot resolve, and re-runs after a failed run", () => {
    const registry = new Registry();
    const log: string[] = [];
    const app = graph(registry, log, {
      "index.js": { key: "i", body: (require) => void require("left-pad") },
    });
    expect(() => registry.run(app)).toThrow('Unable to resolve "left-pad" from "index.js"');
    registry.provide("left-pad", {});
    expect(registry.run(app).ran).toEqual(["index.js"]);
  });
});
