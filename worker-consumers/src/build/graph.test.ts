import { describe, expect, it } from "vitest";
import { APP_ENTRY_PATH, PACKAGE_MAIN_PATH } from "./entry";
import { SCREEN_TSX } from "./fixtures";
import { type BuildGraphOptions, buildModuleGraph } from "./graph";
import { moduleKey } from "./keys";
import { png } from "./test-images";
import { namedRuntime } from "./test-runtime";
import { TRANSFORM_VERSION } from "./transform";
import type { AppGraph, DependencyModule } from "./types";

const RUNTIME = namedRuntime(["react", "react/jsx-runtime", "react-native", "expo", "expo-status-bar"]);

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An in-memory revision and module store that counts what the build reads and writes. */
async function project(contents: Record<string, string | Uint8Array>, store = new Map<string, string>()) {
  const bytesOf = (path: string) => {
    const c = contents[path];
    if (c === undefined) throw new Error(`read of ${path}, which is not in the revision`);
    return typeof c === "string" ? new TextEncoder().encode(c) : c;
  };
  const files = await Promise.all(
    Object.keys(contents).map(async (path) => ({
      path,
      sha256: await sha256(bytesOf(path)),
      size: bytesOf(path).length,
    })),
  );
  const reads: string[] = [];
  const options: BuildGraphOptions = {
    files,
    readText: async (path) => {
      reads.push(path);
      return new TextDecoder().decode(bytesOf(path));
    },
    readBytes: async (path) => {
      reads.push(path);
      return bytesOf(path);
    },
    runtime: RUNTIME,
    transformVersion: TRANSFORM_VERSION,
    storeModule: async (key, code) => void store.set(key, code),
    hasModule: async (key) => store.has(key),
    assetUrl: (file) => `/m/blob/${file.sha256}`,
  };
  // Config files are read on every build; the counts that matter are of module sources.
  const moduleReads = () =>
    reads.filter((p) => !["package.json", "tsconfig.json", "jsconfig.json"].includes(p));
  return { options, store, reads, moduleReads, files };
}

const APP = {
  "package.json": JSON.stringify({ name: "demo", main: "index.js" }),
  "index.js":
    'import { registerRootComponent } from "expo";\nimport App from "./App";\nregisterRootComponent(App);\n',
  "App.tsx": [
    'import { StatusBar } from "expo-status-bar";',
    'import { Text, View } from "react-native";',
    'import Screen from "./src/Screen";',
    'import config from "./app.json";',
    "export default function App() {",
    "  return <View><Screen /><Text>{config.expo.name}</Text><StatusBar /></View>;",
    "}",
  ].join("\n"),
  "app.json": '{"expo":{"name":"demo"}}',
  "src/Screen.tsx": SCREEN_TSX,
  "src/navigation.ts": "export type Navigation = { state?: string };\n",
  "src/components/Button.tsx":
    'import { Pressable } from "react-native";\nexport const Button = () => <Pressable />;\n',
  "src/components/Button.web.tsx":
    'import { Pressable } from "react-native";\nexport const Button = () => <Pressable />; // web\n',
  "src/assets/icon.png": png(48, 48),
  "src/assets/icon@2x.png": png(96, 96),
  "src/analytics.js": "export function track(name, state) {}\n",
  // Not reachable from the entry: never read, so its syntax error does not matter.
  "scripts/release.js": "this is not javascript",
  "README.md": "# demo",
};

function built(result: Awaited<ReturnType<typeof buildModuleGraph>>) {
  if ("error" in result) throw new Error(`unexpected error: ${JSON.stringify(result.error)}`);
  return result;
}

describe("buildModuleGraph", () => {
  it("builds the graph the entry reaches, each module stored under its key with its requires resolved", async () => {
    const p = await project(APP);
    const result = built(await buildModuleGraph(p.options));
    const { app } = result;
    expect(app.entry).toBe("index.js");
    expect(Object.keys(app.modules).sort()).toEqual([
      "App.tsx",
      "app.json",
      "index.js",
      "src/Screen.tsx",
      "src/analytics.js",
      "src/assets/icon@2x.png",
      "src/components/Button.web.tsx",
    ]);
    expect(app.modules["index.js"]?.deps).toEqual({ expo: "runtime:expo", "./App": "App.tsx" });
    expect(app.modules["App.tsx"]?.deps).toEqual({
      "react/jsx-runtime": "runtime:react/jsx-runtime",
      "expo-status-bar": "runtime:expo-status-bar",
      "react-native": "runtime:react-native",
      "./src/Screen": "src/Screen.tsx",
      "./app.json": "app.json",
    });
    expect(app.modules["src/Screen.tsx"]?.deps).toMatchObject({
      "./components/Button": "src/components/Button.web.tsx",
      "./assets/icon.png": "src/assets/icon@2x.png",
      "./analytics": "src/analytics.js",
    });
    expect(result).toMatchObject({ transformed: 7, reused: 0, stored: 7 });
    for (const [id, m] of Object.entries(app.modules)) {
      expect(m.url, id).toBe(`/m/${m.key}.js`);
      expect(p.store.get(m.key), id).toMatch(new RegExp(`^__hs\\.f\\("${m.key}",function\\(`));
    }
    const file = p.files.find((f) => f.path === "App.tsx");
    expect(app.modules["App.tsx"]?.key).toBe(await moduleKey(TRANSFORM_VERSION, "tsx", file?.sha256 ?? ""));
    const icon = p.files.find((f) => f.path === "src/assets/icon@2x.png");
    expect(p.store.get(app.modules["src/assets/icon@2x.png"]?.key ?? "")).toContain(
      `module.exports={"uri":"/m/blob/${icon?.sha256}","width":48,"height":48};`,
    );
    expect(p.reads).not.toContain("scripts/release.js");
    expect(p.reads).not.toContain("src/navigation.ts"); // a type-only import
  });

  it("a one-file edit transforms exactly that file and reuses every other without reading it", async () => {
    const first = await project(APP);
    const before = built(await buildModuleGraph(first.options)).app;
    const edited = {
      ...APP,
      "src/analytics.js": "export function track(name, state) { console.log(name); }\n",
    };
    const second = await project(edited, first.store);
    const result = built(await buildModuleGraph({ ...second.options, previous: before }));
    expect(result).toMatchObject({ transformed: 1, reused: 6, stored: 1 });
    expect(second.moduleReads()).toEqual(["src/analytics.js"]);
    expect(result.app.modules["src/analytics.js"]?.key).not.toBe(before.modules["src/analytics.js"]?.key);
    const { "src/analytics.js": _changed, ...others } = result.app.modules;
    const { "src/analytics.js": _old, ...othersBefore } = before.modules;
    expect(others).toEqual(othersBefore);
  });

  it("rebuilding an unchanged revision reads no module and writes nothing", async () => {
    const first = await project(APP);
    const before = built(await buildModuleGraph(first.options)).app;
    const again = await project(APP, first.store);
    const result = built(await buildModuleGraph({ ...again.options, previous: before }));
    expect(result).toMatchObject({ transformed: 0, reused: 7, stored: 0 });
    expect(result.app).toEqual(before);
    expect(again.moduleReads()).toEqual([]);
  });

  it("re-resolves reused modules: an added .web file takes over without re-reading its importer", async () => {
    const { "src/components/Button.web.tsx": _web, ...withoutWeb } = APP;
    const first = await project(withoutWeb);
    const before = built(await buildModuleGraph(first.options)).app;
    expect(before.modules["src/Screen.tsx"]?.deps["./components/Button"]).toBe("src/components/Button.tsx");
    const second = await project(APP, first.store);
    const result = built(await buildModuleGraph({ ...second.options, previous: before }));
    expect(result.app.modules["src/Screen.tsx"]?.deps["./components/Button"]).toBe(
      "src/components/Button.web.tsx",
    );
    expect(result.app.modules["src/components/Button.tsx"]).toBeUndefined();
    expect(second.moduleReads()).toEqual(["src/components/Button.web.tsx"]);
  });

  it("reports a require whose file was removed at its line, even in a reused module", async () => {
    const first = await project(APP);
    const before = built(await buildModuleGraph(first.options)).app;
    const { "src/analytics.js": _gone, ...removed } = APP;
    const second = await project(removed, first.store);
    const result = await buildModuleGraph({ ...second.options, previous: before });
    const column = SCREEN_TSX.split("\n")[22]!.indexOf('"./analytics"') + 1;
    expect(result).toMatchObject({
      error: {
        code: "module_not_found",
        file: "src/Screen.tsx",
        line: 23,
        column,
        message: expect.stringContaining(
          'Unable to resolve "./analytics" from src/Screen.tsx: there is no such file',
        ),
        frame: expect.stringContaining(`> 23 |     const { track } = await import("./analytics");`),
      },
    });
    expect("errors" in result && result.errors).toHaveLength(1);
  });

  it("fails naming a package that is neither in the runtime set nor uploaded, with file and line", async () => {
    const p = await project({
      "index.js": 'import "./setup";\nimport { View } from "react-native";\nimport _ from "lodash";\n',
      "setup.js": "",
    });
    const result = await buildModuleGraph(p.options);
    const error = {
      code: "module_not_found",
      file: "index.js",
      line: 3,
      column: 15,
      message:
        'Unable to resolve "lodash" from index.js: the package "lodash" is neither in the preview runtime nor an uploaded dependency of the project.',
      frame:
        '  1 | import "./setup";\n  2 | import { View } from "react-native";\n> 3 | import _ from "lodash";\n    |               ^\n  4 |',
    };
    expect(result).toEqual({ error, errors: [error] });
  });

  it("says when the runtime set or an uploaded dependency has the package but not the deep import", async () => {
    const lodash: DependencyModule = { id: "npm:lodash@4.17.21", key: "d".repeat(64), deps: {} };
    const p = await project({ "index.js": 'import "expo/dom";\nimport debounce from "lodash/debounce";\n' });
    const result = await buildModuleGraph({ ...p.options, dependencies: new Map([["lodash", lodash]]) });
    expect("errors" in result && result.errors.map((e) => e.message)).toEqual([
      'Unable to resolve "expo/dom" from index.js: the preview runtime provides "expo" but not "expo/dom".',
      'Unable to resolve "lodash/debounce" from index.js: the package "lodash" is an uploaded dependency of the ' +
        'project, but "lodash/debounce" is not (a deep import is uploaded when a source file imports it by that name).',
    ]);
  });

  it("compiles JSX from the import source the app's Babel config names (NativeWind's)", async () => {
    const jsxRuntime: DependencyModule = {
      id: "npm:nativewind@4.2.7/jsx-runtime",
      key: "e".repeat(64),
      deps: {},
    };
    const files = {
      "index.js":
        'import { Text } from "react-native";\nexport default () => <Text className="text-lg">Hi</Text>;\n',
      "babel.config.js":
        'module.exports = (api) => ({\n  // jsxImportSource: "commented-out",\n  presets: [["babel-preset-expo", { jsxImportSource: "nativewind" }], "nativewind/babel"],\n});\n',
    };
    const p = await project(files);
    const { app } = built(
      await buildModuleGraph({
        ...p.options,
        dependencies: new Map([["nativewind/jsx-runtime", jsxRuntime]]),
      }),
    );
    expect(app.modules["index.js"]?.deps).toEqual({
      "nativewind/jsx-runtime": "npm:nativewind@4.2.7/jsx-runtime",
      "react-native": "runtime:react-native",
    });
    // The same file without the option is other code, under another key.
    const plain = await project({ "index.js": files["index.js"] });
    const { app: plainApp } = built(await buildModuleGraph(plain.options));
    expect(plainApp.modules["index.js"]?.deps).toHaveProperty(["react/jsx-runtime"]);
    expect(plainApp.modules["index.js"]?.key).not.toBe(app.modules["index.js"]?.key);
  });

  it("gives a Tailwind stylesheet the CSS the desktop compiled for it, keyed by that CSS", async () => {
    const files = {
      "index.js": 'import "./global.css";\n',
      "global.css": "@tailwind base;\n@tailwind utilities;\n",
      ".hivesync/tailwind/global.css": ".bg-tour{background-color:rgb(12 34 56)}\n",
    };
    const store = new Map<string, string>();
    const p = await project(files, store);
    const { app } = built(await buildModuleGraph(p.options));
    const css = app.modules["global.css"];
    expect(store.get(css!.key)).toContain(".bg-tour{background-color:rgb(12 34 56)}");
    expect(store.get(css!.key)).not.toContain("@tailwind");
    // A class added anywhere changes the compiled CSS, not global.css: the module is new.
    const next = await project({ ...files, ".hivesync/tailwind/global.css": ".p-4{padding:1rem}\n" }, store);
    const { app: nextApp } = built(await buildModuleGraph({ ...next.options, previous: app }));
    expect(nextApp.modules["global.css"]?.key).not.toBe(css?.key);
    expect(store.get(nextApp.modules["global.css"]!.key)).toContain(".p-4{padding:1rem}");
  });

  it("links an uploaded dependency as an npm: module with its own resolved requires", async () => {
    const lodash: DependencyModule = { id: "npm:lodash@4.17.21", key: "d".repeat(64), deps: {} };
    const chart: DependencyModule = {
      id: "npm:chart@1.0.0",
      key: "c".repeat(64),
      deps: { react: "runtime:react", lodash: "npm:lodash@4.17.21" },
    };
    const p = await project({ "index.js": 'import Chart from "chart";\n' });
    const dependencies = new Map([
      ["lodash", lodash],
      ["chart", chart],
    ]);
    const { app } = built(await buildModuleGraph({ ...p.options, dependencies }));
    expect(app.modules["index.js"]?.deps).toEqual({ chart: "npm:chart@1.0.0" });
    expect(app.modules["npm:chart@1.0.0"]).toEqual({
      key: chart.key,
      url: `/m/${chart.key}.js`,
      deps: chart.deps,
    });
    expect(app.modules["npm:lodash@4.17.21"]).toEqual({
      key: lodash.key,
      url: `/m/${lodash.key}.js`,
      deps: {},
    });
  });

  it("handles circular requires: each module once, no endless walk", async () => {
    const p = await project({
      "index.js": 'require("./a");\n',
      "a.js": 'const b = require("./b");\nexports.a = 1;\n',
      "b.js": 'const a = require("./a");\nconst self = require("./b");\nexports.b = 2;\n',
    });
    const { app, transformed } = built(await buildModuleGraph(p.options));
    expect(app.modules["a.js"]?.deps).toEqual({ "./b": "b.js" });
    expect(app.modules["b.js"]?.deps).toEqual({ "./a": "a.js", "./b": "b.js" });
    expect(transformed).toBe(3);
    expect(p.moduleReads().sort()).toEqual(["a.js", "b.js", "index.js"]);
  });

  it("reports a syntax error of a reachable file with its file, line and column", async () => {
    const p = await project({
      "index.js": 'require("./src/bad");\n',
      "src/bad.ts": "const a = 1;\nconst b = (;\n",
    });
    expect(await buildModuleGraph(p.options)).toMatchObject({
      error: {
        code: "build_error",
        file: "src/bad.ts",
        line: 2,
        column: 12,
        message: "SyntaxError: Unexpected token",
      },
    });
  });

  it("reports invalid JSON that a module requires", async () => {
    const p = await project({ "index.js": 'require("./data.json");\n', "data.json": '{\n  "a": 1,\n}\n' });
    expect(await buildModuleGraph(p.options)).toMatchObject({
      error: { code: "build_error", file: "data.json", line: 3, column: 1 },
    });
  });

  it("reports the first error in visiting order, whatever finishes first", async () => {
    const p = await project({
      "index.js": 'require("./slow");\nrequire("./fast");\n',
      "slow.js": 'require("./deep");\nrequire("missing-pkg");\n',
      "fast.js": "syntax error here\n",
      "deep.js": "also broken (\n",
    });
    const slowRead = p.options.readText;
    p.options.readText = async (path) => {
      if (path === "slow.js") await new Promise((r) => setTimeout(r, 20));
      return slowRead(path);
    };
    const result = await buildModuleGraph(p.options);
    expect(result).toMatchObject({ error: { code: "module_not_found", file: "slow.js", line: 2 } });
  });

  it("reports every broken file of the graph, in visiting order, without walking into them", async () => {
    const p = await project({
      "index.js": 'require("./a");\nrequire("./b");\nrequire("./c.json");\n',
      "a.js": "syntax error (\n",
      "b.js": 'require("missing-one");\nrequire("./ok");\nrequire("./gone");\nrequire("missing-one");\n',
      "c.json": "{ nope }",
      "ok.js": 'require("./also-broken");\n',
      "also-broken.ts": "let = ;\n",
    });
    const result = await buildModuleGraph(p.options);
    if (!("errors" in result)) throw new Error("expected a failed build");
    expect(result.errors.map((e) => [e.code, e.file, e.line])).toEqual([
      ["build_error", "a.js", 1],
      ["module_not_found", "b.js", 1],
      ["module_not_found", "b.js", 3],
      ["build_error", "c.json", 1],
    ]);
    expect(result.error).toEqual(result.errors[0]);
    expect(p.moduleReads()).not.toContain("ok.js"); // b.js failed: what it requires is not walked
  });

  it("fails with entry_missing when the project's entry is not in the revision", async () => {
    const p = await project({ "index.js": "" });
    expect(await buildModuleGraph({ ...p.options, entry: "src/main.tsx" })).toMatchObject({
      error: { code: "entry_missing", file: "src/main.tsx" },
    });
  });

  it("runs Expo's AppEntry as a module of its own when main names it", async () => {
    const p = await project({
      "package.json": JSON.stringify({ main: "node_modules/expo/AppEntry.js" }),
      "App.js": 'import { Text } from "react-native";\nexport default () => <Text>hi</Text>;\n',
    });
    const { app } = built(await buildModuleGraph(p.options));
    expect(app.entry).toBe(APP_ENTRY_PATH);
    expect(app.modules[APP_ENTRY_PATH]?.deps).toEqual({ expo: "runtime:expo", "../../App": "App.js" });
    expect(p.store.get(app.modules[APP_ENTRY_PATH]?.key ?? "")).toContain("registerRootComponent");
  });

  it("a main naming a package runs it when it is provided, and fails at package.json's main when not", async () => {
    const entry: DependencyModule = { id: "npm:starter@1.0.0/entry", key: "e".repeat(64), deps: {} };
    const pkg = '{\n  "name": "demo",\n  "main": "starter/entry",\n  "version": "1.0.0"\n}\n';
    const p = await project({ "package.json": pkg, "App.js": "" });
    const dependencies = new Map([["starter/entry", entry]]);
    const { app } = built(await buildModuleGraph({ ...p.options, dependencies }));
    expect(app.entry).toBe(PACKAGE_MAIN_PATH);
    expect(app.modules[PACKAGE_MAIN_PATH]?.deps).toEqual({ "starter/entry": entry.id });

    // Not provided: the error is package.json's, at its main, not the module the build wrote.
    const result = await buildModuleGraph(p.options);
    const error = {
      code: "module_not_found",
      file: "package.json",
      line: 3,
      column: 11,
      message:
        'Unable to resolve "starter/entry" from package.json main: the package "starter" is neither in the preview runtime nor an uploaded dependency of the project.',
      frame:
        '  1 | {\n  2 |   "name": "demo",\n> 3 |   "main": "starter/entry",\n    |           ^\n  4 |   "version": "1.0.0"',
    };
    expect(result).toEqual({ error, errors: [error] });
  });

  it("reports a main naming a package nobody provides at package.json's main", async () => {
    const p = await project({
      "package.json": '{"main":"some-router/entry"}',
      "app/_layout.tsx": 'import { Stack } from "some-router";\nexport default () => <Stack />;\n',
    });
    const result = await buildModuleGraph(p.options);
    expect(result).toMatchObject({
      error: { code: "module_not_found", file: "package.json", line: 1, column: 9 },
    });
    expect("error" in result && result.error.message).toBe(
      'Unable to resolve "some-router/entry" from package.json main: the package "some-router" is neither in the ' +
        "preview runtime nor an uploaded dependency of the project.",
    );
    // Only what the entry reaches is read: the routes in app/ are not (nothing requires them).
    expect(p.moduleReads()).toEqual([]);
  });

  it("resolves tsconfig paths aliases (Expo's @/…)", async () => {
    const p = await project({
      "tsconfig.json": '{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }',
      "index.ts": 'import { Themed } from "@/components/Themed";\nconsole.log(Themed);\n',
      "components/Themed.tsx": "export const Themed = 1;\n",
    });
    const { app } = built(await buildModuleGraph(p.options));
    expect(app.modules["index.ts"]?.deps).toEqual({ "@/components/Themed": "components/Themed.tsx" });
  });

  it("shares one script between files with equal content, each with its own requires", async () => {
    const same = 'export { value } from "./value";\n';
    const p = await project({
      "index.js": 'require("./a/re");\nrequire("./b/re");\n',
      "a/re.js": same,
      "b/re.js": same,
      "a/value.js": "export const value = 'a';\n",
      "b/value.js": "export const value = 'b';\n",
    });
    const { app, transformed, stored } = built(await buildModuleGraph(p.options));
    expect(app.modules["a/re.js"]?.key).toBe(app.modules["b/re.js"]?.key);
    expect(app.modules["a/re.js"]?.deps).toEqual({ "./value": "a/value.js" });
    expect(app.modules["b/re.js"]?.deps).toEqual({ "./value": "b/value.js" });
    expect({ transformed, stored }).toEqual({ transformed: 4, stored: 4 }); // index, re (once), a/value, b/value
  });

  it("does not store a script R2 already has, and keys change with the transform version", async () => {
    const first = await project({ "index.js": "module.exports = 1;\n" });
    const a = built(await buildModuleGraph(first.options));
    const again = await project({ "index.js": "module.exports = 1;\n" }, first.store);
    expect(built(await buildModuleGraph(again.options))).toMatchObject({ transformed: 1, stored: 0 });
    const bumped = built(
      await buildModuleGraph({ ...again.options, transformVersion: "hs999", previous: a.app }),
    );
    expect(bumped).toMatchObject({ transformed: 1, reused: 0, stored: 1 });
    expect(bumped.app.modules["index.js"]?.key).not.toBe(a.app.modules["index.js"]?.key);
  });

  it("does not read an svg or a font: their module is just {uri}", async () => {
    const p = await project({
      "index.js": 'require("./logo.svg");\nrequire("./fonts/Inter.ttf");\n',
      "logo.svg": "<svg/>",
      "fonts/Inter.ttf": new Uint8Array([0, 1, 0, 0]),
    });
    const { app } = built(await buildModuleGraph(p.options));
    expect(p.moduleReads()).toEqual(["index.js"]);
    expect(p.store.get(app.modules["logo.svg"]?.key ?? "")).toMatch(
      /module\.exports=\{"uri":"\/m\/blob\/[0-9a-f]{64}"\};/,
    );
  });

  it("publishes the bytes of each asset it makes when asked to, and not again for a reused one", async () => {
    const published: string[] = [];
    const storeAsset = async (file: { path: string }, bytes: Uint8Array) => {
      published.push(`${file.path}:${bytes.length}`);
    };
    const contents = {
      "index.js": 'require("./logo.svg");\nrequire("./a.png");\n',
      "logo.svg": "<svg/>",
      "a.png": png(2, 2),
    };
    const first = await project(contents);
    const before = built(await buildModuleGraph({ ...first.options, storeAsset }));
    expect(published.sort()).toEqual(["a.png:33", "logo.svg:6"]);
    const second = await project(
      { ...contents, "index.js": `${contents["index.js"]}// edited\n` },
      first.store,
    );
    built(await buildModuleGraph({ ...second.options, storeAsset, previous: before.app }));
    expect(published).toHaveLength(2);
  });

  it("lets a storage failure propagate (the consumer retries the message)", async () => {
    const p = await project({ "index.js": "" });
    await expect(
      buildModuleGraph({ ...p.options, storeModule: () => Promise.reject(new Error("R2 down")) }),
    ).rejects.toThrow("R2 down");
  });
});

// The manifest's app is plain JSON: what a build returns survives the trip through R2 unchanged.
it("produces a JSON-serializable app", async () => {
  const p = await project(APP);
  const { app } = built(await buildModuleGraph(p.options));
  expect(JSON.parse(JSON.stringify(app)) as AppGraph).toEqual(app);
});

describe("require.context in an app's module (Metro's)", () => {
  it("becomes a module of the matching files, each a module of the graph, keys as Metro gives them", async () => {
    const p = await project({
      "index.js": [
        "const stories = require.context(",
        '  "./stories",',
        "  true,",
        "  /\\.stories\\.js$/",
        ");",
        "module.exports = stories.keys().map((k) => stories(k).title);",
      ].join("\n"),
      "stories/Button.stories.js": 'exports.title = "Button";\n',
      "stories/forms/Input.stories.js": 'exports.title = "Input";\n',
      "stories/helpers.js": "exports.x = 1;\n",
    });
    const result = await buildModuleGraph(p.options);
    if ("error" in result) throw new Error(JSON.stringify(result.errors));
    const { modules } = result.app;
    const [written, id] =
      Object.entries(modules["index.js"]?.deps ?? {}).find(([s]) => s.includes("context")) ?? [];
    expect(written).toMatch(/^\.\/stories\/\+hivesync-context-/);
    expect(id).toMatch(/^stories\/\+hivesync-context-[0-9a-z]+\.js$/);
    expect(Object.keys(modules[id ?? ""]?.deps ?? {}).sort()).toEqual([
      "./Button.stories.js",
      "./forms/Input.stories.js",
    ]);
    expect(modules["stories/helpers.js"]).toBeUndefined();
    // The call kept its lines: the script has as many lines as the source, plus the wrapper's close.
    const script = p.store.get(modules["index.js"]?.key ?? "") ?? "";
    expect(script.split("\n")).toHaveLength(7);
    expect(script).not.toContain("require.context");
  });

  it("a call whose arguments are not literals is left to fail when it runs", async () => {
    const p = await project({ "index.js": 'const dir = "./x";\nmodule.exports = require.context(dir);\n' });
    const result = await buildModuleGraph(p.options);
    if ("error" in result) throw new Error(JSON.stringify(result.errors));
    expect(result.app.modules["index.js"]?.deps).toEqual({});
  });
});
