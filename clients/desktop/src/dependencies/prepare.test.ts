// Node built-ins the app imports, and the install line for what is not installed (docs/previews.md §4).
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appWithPackages, requireFrom, runModule } from "./fixtures.test-support";
import { installCommand, packagesToInstall } from "./packages";
import { EMPTY_BUILTIN_VERSION, prepareDependencies } from "./prepare";
import { describeDependencies, type SyncDependenciesResult, scanAppImports } from "./sync-dependencies";

let app: Awaited<ReturnType<typeof appWithPackages>>;
beforeAll(async () => {
  app = await appWithPackages({
    // The npm polyfill of a built-in, as apps install it.
    "node_modules/events/package.json": { name: "events", version: "3.3.0" },
    "node_modules/events/index.js":
      "module.exports = function EventEmitter() {}; module.exports.polyfill = true;\n",
    "package.json": '{"name":"app","main":"index.js"}',
    "index.js": [
      'import fs from "fs";',
      'import path from "node:path";',
      'import { promises } from "fs/promises";',
      'import crypto from "crypto";',
      'import EventEmitter from "events";',
      'import fp from "lodash/fp";',
      'import thing from "@scope/name/sub/path";',
      'import local from "./missing-local";',
    ].join("\n"),
  });
});
afterAll(async () => {
  await app.remove();
});

const body = async (file: string) => readFile(file, "utf8");

describe("Node built-ins the app imports", () => {
  it("get the empty web module, never 'Not in node_modules'; an installed polyfill is bundled instead", async () => {
    const { imports } = await scanAppImports(app.root, { importsCache: false });
    // `node:path` is no package specifier at all.
    expect(imports).toEqual(["@scope/name/sub/path", "crypto", "events", "fs", "fs/promises", "lodash/fp"]);
    const result = await prepareDependencies(app.root, imports);
    expect(result.notInstalled).toEqual(["@scope/name/sub/path", "lodash/fp"]);
    expect(result.failed).toEqual([]);
    expect(result.modules.map((m) => [m.specifier, m.module_id])).toEqual([
      ["crypto", `npm:crypto@${EMPTY_BUILTIN_VERSION}`],
      ["events", "npm:events@3.3.0"],
      ["fs", `npm:fs@${EMPTY_BUILTIN_VERSION}`],
      ["fs/promises", `npm:fs@${EMPTY_BUILTIN_VERSION}/promises`],
    ]);
    for (const m of result.modules) expect(m.requires, m.specifier).toEqual([]);
    const [crypto, events, fs] = result.modules;
    expect(runModule(await body(fs?.bodyPath as string), requireFrom({}))).toEqual({});
    expect(runModule(await body(crypto?.bodyPath as string), requireFrom({}))).toEqual({});
    expect(
      (runModule(await body(events?.bodyPath as string), requireFrom({})) as { polyfill?: boolean }).polyfill,
    ).toBe(true);

    // Cached like any bundle: a second run bundles nothing.
    const bundling: string[] = [];
    await prepareDependencies(app.root, imports, { onBundling: (s) => bundling.push(s) });
    expect(bundling).toEqual([]);
  });
});

describe("what is not installed", () => {
  it("names the packages to install: the package of each specifier, never a path, alias or built-in", () => {
    expect(
      packagesToInstall([
        "lodash/fp",
        "@scope/name/sub/path",
        "@scope/name",
        "left-pad",
        "./local",
        "../up",
        "/abs",
        "@/components/x",
        "~/x",
        "fs",
        "node:path",
        "crypto/webcrypto",
      ]),
    ).toEqual(["@scope/name", "left-pad", "lodash"]);
    expect(installCommand(["@scope/name", "lodash"])).toBe("npm install @scope/name lodash");
    expect(installCommand([])).toBeNull();
  });

  it("gives the exact install line in the result and the push's report", async () => {
    const result = await prepareDependencies(app.root, ["lodash/fp", "@scope/name/sub/path", "fs"]);
    expect(result.toInstall).toEqual(["@scope/name", "lodash"]);
    const report: SyncDependenciesResult = {
      status: "recorded",
      ...result,
      imports: [],
      scanned_files: 0,
      bundled: [],
      uploaded_files: 0,
      uploaded_bytes: 0,
      changed: false,
    };
    expect(describeDependencies(report)).toEqual([
      "Not in node_modules: @scope/name/sub/path, lodash/fp. A preview that imports one fails naming it; install them (npm install @scope/name lodash) and push again.",
    ]);
  });
});
