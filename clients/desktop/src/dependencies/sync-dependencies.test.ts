import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HiveSyncClient, MemoryTokenStore } from "../../../core/src";
import { FakeApi, sha256 } from "../../../test-support/fake-api";
import {
  appWithPackages,
  requireFrom,
  runModule,
  serveDependencies,
  writeTree,
} from "./fixtures.test-support";
import { prepareDependencies } from "./prepare";
import { appImports, describeDependencies, syncDependencies } from "./sync-dependencies";

const PROJECT = "prj_test000000000000";
let app: Awaited<ReturnType<typeof appWithPackages>>;
let api: FakeApi;
let client: HiveSyncClient;

const APP_SOURCE = {
  "App.tsx": [
    'import React from "react";',
    'import { View } from "react-native";',
    'import hello, { Tag } from "@acme/esm-ui";',
    'import type { Props } from "types-only-pkg";',
    'import { local } from "./src/local";',
    'import { alias } from "@/lib/alias";',
    "export default function App() { return <View>{hello()}</View>; }",
  ].join("\n"),
  "src/local.js":
    'const cjs = require("cjs-pkg");\nexport const local = require("cjs-pkg/sub") + require("left-pad");\n',
  "tsconfig.json": '{\n  // comments are fine\n  "compilerOptions": { "paths": { "@/*": ["./*"], }, },\n}\n',
  // Not the app's: never scanned (ignored), so never bundled.
  "dist/bundle.js": 'require("web-variant");\n',
};

beforeEach(async () => {
  app = await appWithPackages(APP_SOURCE);
  api = new FakeApi();
  client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    retry: { sleep: async () => {}, random: () => 0 },
  });
});
afterEach(async () => {
  await app.remove();
});

/** The blobs sent, by hash: in batches and alone. */
const sentHashes = () =>
  api.requests.flatMap((r) => {
    if (r.method === "PUT" && /\/blobs\//.test(r.path)) return [r.path.split("/").at(-1) as string];
    if (r.method !== "POST" || !r.path.endsWith("/blobs/batch")) return [];
    const header = new TextDecoder().decode(r.body.subarray(0, r.body.indexOf(10)));
    return (JSON.parse(header).blobs as { sha256: string }[]).map((b) => b.sha256);
  });

describe("appImports", () => {
  it("lists the app's package imports: no runtime set, relative paths, aliases, type-only or ignored files", async () => {
    expect(await appImports(app.root)).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "left-pad"]);
  });
});

describe("prepareDependencies", () => {
  it("bundles what the app imports and what those bundles link, reports what is not installed, and caches", async () => {
    const bundling: string[] = [];
    const first = await prepareDependencies(
      app.root,
      ["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "left-pad"],
      {
        onBundling: (s) => bundling.push(s),
      },
    );
    expect(first.modules.map((m) => [m.specifier, m.module_id, m.requires, m.cached])).toEqual([
      ["@acme/esm-ui", "npm:@acme/esm-ui@2.0.0-beta.1", ["react", "react/jsx-runtime", "shared-lib"], false],
      ["cjs-pkg", "npm:cjs-pkg@1.2.3", ["shared-lib"], false],
      ["cjs-pkg/sub", "npm:cjs-pkg@1.2.3/sub", [], false],
      ["shared-lib", "npm:shared-lib@3.0.0", [], false],
    ]);
    expect(first.notInstalled).toEqual(["left-pad"]);
    expect(first.failed).toEqual([]);
    expect(bundling.sort()).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "shared-lib"]);
    const shared = first.modules.find((m) => m.specifier === "shared-lib");
    const { readFile } = await import("node:fs/promises");
    const body = await readFile(shared?.bodyPath as string, "utf8");
    expect(sha256(body)).toBe(shared?.sha256);
    expect(runModule(body, requireFrom({}))).toEqual({ id: "shared@3" });

    // Again: nothing bundled, the same modules.
    bundling.length = 0;
    const second = await prepareDependencies(
      app.root,
      ["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "left-pad"],
      {
        onBundling: (s) => bundling.push(s),
      },
    );
    expect(bundling).toEqual([]);
    expect(second.modules.every((m) => m.cached)).toBe(true);
    expect(second.modules.map((m) => m.sha256)).toEqual(first.modules.map((m) => m.sha256));
  });

  it("bundles again only what a changed file went into (patch-package, a reinstall)", async () => {
    const specs = ["cjs-pkg", "cjs-pkg/sub"];
    await prepareDependencies(app.root, specs);
    const helper = path.join(app.root, "node_modules/cjs-pkg/helper.js");
    await writeFile(helper, "exports.times = (a, b) => a * b * 10;\n");
    await utimes(helper, new Date(), new Date(Date.now() + 5000));
    const bundling: string[] = [];
    const after = await prepareDependencies(app.root, specs, { onBundling: (s) => bundling.push(s) });
    expect(bundling).toEqual(["cjs-pkg"]);
    const cjs = after.modules.find((m) => m.specifier === "cjs-pkg");
    const { readFile } = await import("node:fs/promises");
    const exports = runModule(
      await readFile(cjs?.bodyPath as string, "utf8"),
      requireFrom({ "shared-lib": {} }),
    );
    expect((exports as { double(n: number): number }).double(1)).toBe(20);
  });

  it("reports a package it cannot bundle, and one too large for the server, with the reason", async () => {
    const result = await prepareDependencies(app.root, ["broken", "cjs-pkg"], { maxBundleBytes: 400 });
    // What a failed module requires is not followed (shared-lib came only through cjs-pkg).
    expect(result.modules).toEqual([]);
    expect(result.failed).toEqual([
      {
        specifier: "broken",
        module_id: "npm:broken@0.0.1",
        reason: expect.stringContaining("not-installed-anywhere"),
      },
      {
        specifier: "cjs-pkg",
        module_id: "npm:cjs-pkg@1.2.3",
        reason: expect.stringMatching(/over the limit of 400 bytes/),
      },
    ]);
  });
});

describe("syncDependencies", () => {
  it("uploads each bundle once and records the set; a second run bundles and uploads nothing", async () => {
    const sets = serveDependencies(api);
    const first = await syncDependencies(client, PROJECT, app.root);
    if (first.status === "no_node_modules") throw new Error("expected node_modules");
    expect(first.status).toBe("recorded");
    expect(first.changed).toBe(true);
    expect(first.bundled).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "shared-lib"]);
    expect(first.uploaded_files).toBe(4);
    expect(sentHashes().sort()).toEqual(first.modules.map((m) => m.sha256).sort());
    expect(sets.get(PROJECT)?.map((d) => [d.specifier, d.module_id, d.requires])).toEqual([
      ["@acme/esm-ui", "npm:@acme/esm-ui@2.0.0-beta.1", ["react", "react/jsx-runtime", "shared-lib"]],
      ["cjs-pkg", "npm:cjs-pkg@1.2.3", ["shared-lib"]],
      ["cjs-pkg/sub", "npm:cjs-pkg@1.2.3/sub", []],
      ["shared-lib", "npm:shared-lib@3.0.0", []],
    ]);
    for (const d of sets.get(PROJECT) ?? [])
      expect(sha256(api.project(PROJECT).blobs.get(d.sha256) as Uint8Array)).toBe(d.sha256);
    expect(describeDependencies(first)).toEqual([
      "Dependencies: 4 modules (4 bundled now), sent 4.",
      "Not in node_modules: left-pad. A preview that imports it fails naming it; install it (npm install left-pad) and push again.",
    ]);

    const requestsBefore = api.requests.length;
    const second = await syncDependencies(client, PROJECT, app.root);
    if (second.status === "no_node_modules") throw new Error("expected node_modules");
    expect(second).toMatchObject({ bundled: [], uploaded_files: 0, uploaded_bytes: 0, changed: false });
    expect(sentHashes()).toHaveLength(4);
    // One question about the blobs, one PUT of the unchanged set.
    expect(api.requests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /projects/${PROJECT}/blobs/missing`,
      `PUT /projects/${PROJECT}/dependencies`,
    ]);
    expect(describeDependencies(second)).toEqual([
      "Not in node_modules: left-pad. A preview that imports it fails naming it; install it (npm install left-pad) and push again.",
    ]);
  });

  it("a new import is bundled and added; a dropped one leaves the set", async () => {
    const sets = serveDependencies(api);
    await syncDependencies(client, PROJECT, app.root);
    await writeTree(app.root, { "src/local.js": 'export const local = require("nested-user");\n' });
    const next = await syncDependencies(client, PROJECT, app.root);
    if (next.status === "no_node_modules") throw new Error("expected node_modules");
    expect(next.bundled).toEqual(["nested-user"]);
    expect(sets.get(PROJECT)?.map((d) => d.specifier)).toEqual(["@acme/esm-ui", "nested-user", "shared-lib"]);
  });

  it("without node_modules does nothing at all, keeping what a fuller checkout recorded", async () => {
    const { rm } = await import("node:fs/promises");
    await rm(path.join(app.root, "node_modules"), { recursive: true });
    const result = await syncDependencies(client, PROJECT, app.root);
    expect(result).toEqual({ status: "no_node_modules" });
    expect(api.requests).toEqual([]);
    expect(describeDependencies(result)).toEqual([]);
  });

  it("on a server without the route, uploads nothing more and says previews use the runtime set", async () => {
    const result = await syncDependencies(client, PROJECT, app.root);
    expect(result.status).toBe("unsupported");
    expect(describeDependencies(result)[0]).toBe(
      "This server does not take pre-bundled dependencies: previews use only the runtime set.",
    );
  });
});
