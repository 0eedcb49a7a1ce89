// The scan starts at the app's entry and follows the app's own files as the preview build does
// (docs/previews.md §2, §4): config files and scripts nothing requires are never read.
import { afterEach, describe, expect, it } from "vitest";
import { appLayout, type LayoutTexts, reachedImports } from "./app-graph";
import { appWithPackages } from "./fixtures.test-support";
import { scanFileImports } from "./scan-imports";
import { scanAppImports } from "./sync-dependencies";

/** What the scan of a project made of `sources` (path → text) reaches, and which files it read. */
async function reach(sources: Record<string, string>, entrySetting?: string) {
  const text = (name: string) => sources[name] ?? null;
  const texts: LayoutTexts = {
    packageJson: text("package.json"),
    tsconfig: text("tsconfig.json"),
    jsconfig: text("jsconfig.json"),
    appJson: text("app.json"),
  };
  const layout = appLayout(new Set(Object.keys(sources)), texts, entrySetting);
  const read: string[] = [];
  const found = await reachedImports(layout, async (path) => {
    read.push(path);
    return /\.[cm]?[jt]sx?$/.test(path) ? scanFileImports(sources[path] ?? "") : null;
  });
  return { ...found, read: read.sort(), files: found.files.sort() };
}

/** Config files and tooling a project holds beside its app, each importing Node tooling. */
const TOOLING = {
  "eslint.config.js": 'const expo = require("eslint-config-expo/flat");\nmodule.exports = [expo];\n',
  "webpack.config.js": 'const createExpoWebpackConfigAsync = require("@expo/webpack-config");\n',
  "babel.config.js": 'module.exports = { plugins: [require("nativewind/babel")] };\n',
  "metro.config.js":
    'const { getDefaultConfig } = require("expo/metro-config");\nrequire("metro-tooling");\n',
  "tailwind.config.js": 'module.exports = { presets: [require("nativewind/preset")] };\n',
  "jest.setup.js": 'import "@testing-library/jest-native/extend-expect";\n',
  "scripts/reset-project.js": 'const fs = require("fs");\nconst chalk = require("chalk");\n',
};

describe("reachedImports", () => {
  it("follows package.json main and relative imports only, never config files or scripts", async () => {
    const found = await reach({
      ...TOOLING,
      "package.json": '{"main":"index.js"}',
      "index.js": 'import { registerRootComponent } from "expo";\nimport App from "./src/App";\n',
      "src/App.tsx": 'import dayjs from "dayjs";\nimport { Card } from "./Card";\n',
      "src/Card.tsx": 'import "lodash/debounce";\n',
    });
    expect(found.specifiers).toEqual(["dayjs", "expo", "lodash/debounce"]);
    expect(found.read).toEqual(["index.js", "src/App.tsx", "src/Card.tsx"]);
  });

  it("resolves as Metro does on the web: exact file, .web first per extension, never .ios/.native, then /index", async () => {
    const found = await reach({
      "package.json": '{"main":"./src/boot"}',
      "src/boot.ts": [
        'import "./Button";',
        'import "./Icon";',
        'import "./widgets";',
        'import "./exact.js";',
        'import "./nowhere";',
      ].join("\n"),
      "src/Button.web.tsx": 'import "web-button";\n',
      "src/Button.tsx": 'import "native-button";\n',
      "src/Icon.ios.tsx": 'import "ios-icon";\n',
      "src/Icon.native.tsx": 'import "native-icon";\n',
      "src/Icon.tsx": 'import "icon";\n',
      "src/widgets/index.ts": 'import "widgets";\n',
      "src/exact.js": 'import "exact";\n',
      "src/exact.web.js": 'import "not-exact";\n',
    });
    expect(found.specifiers).toEqual(["exact", "icon", "web-button", "widgets"]);
    expect(found.files).toEqual([
      "src/Button.web.tsx",
      "src/Icon.tsx",
      "src/boot.ts",
      "src/exact.js",
      "src/widgets/index.ts",
    ]);
  });

  it("follows tsconfig paths aliases; one that leads to no file is a package, as to the build", async () => {
    const found = await reach({
      "tsconfig.json":
        '{ "compilerOptions": { "paths": { "@/*": ["./*"], "~lib": ["./lib/main"], "utils/*": ["./src/utils/*"] } } }',
      "App.tsx":
        'import "@/components/Card";\nimport "~lib";\nimport "utils/format";\nimport "utils/missing";\n',
      "components/Card.tsx": 'import "card-pkg";\n',
      "lib/main.ts": 'import "lib-pkg";\n',
      "src/utils/format.ts": 'import "format-pkg";\n',
    });
    expect(found.specifiers).toEqual(["card-pkg", "expo", "format-pkg", "lib-pkg", "utils/missing"]);
  });

  it.each([
    [
      "index.js over App.js without main",
      { "index.js": 'import "from-index";\n', "App.js": 'import "from-app";\n' },
      ["from-index"],
    ],
    ["index.tsx without main", { "index.tsx": 'import "from-index";\n' }, ["from-index"]],
    ["App.tsx, through Expo's AppEntry", { "App.tsx": 'import "from-app";\n' }, ["expo", "from-app"]],
    [
      "expo/AppEntry as main",
      { "package.json": '{"main":"node_modules/expo/AppEntry.js"}', "App.js": 'import "from-app";\n' },
      ["expo", "from-app"],
    ],
  ])("starts from the entry Expo would: %s", async (_, sources, specifiers) => {
    expect((await reach({ ...TOOLING, ...sources })).specifiers).toEqual(specifiers);
  });

  it("starts from the project's entry setting before package.json main", async () => {
    const found = await reach(
      { "package.json": '{"main":"index.js"}', "index.js": 'import "a";\n', "src/main.tsx": 'import "b";\n' },
      "src/main.tsx",
    );
    expect(found.specifiers).toEqual(["b"]);
  });

  it("with main expo-router/entry, reaches every route of app/ (not +api, +html) and what they import", async () => {
    const found = await reach({
      ...TOOLING,
      "package.json": '{"main":"expo-router/entry"}',
      "app/_layout.tsx": 'import { Stack } from "expo-router";\n',
      "app/(tabs)/index.tsx": 'import { Chart } from "@/components/Chart";\n',
      "app/(tabs)/explore.ios.tsx": 'import "ios-route-pkg";\n',
      "app/hello+api.ts": 'import pg from "pg";\n',
      "app/+html.tsx": 'import "html-only";\n',
      "components/Chart.tsx": 'import "victory-native";\n',
      "components/Unused.tsx": 'import "unused-pkg";\n',
      "tsconfig.json": '{"compilerOptions":{"paths":{"@/*":["./*"]}}}',
    });
    expect(found.specifiers).toEqual(["expo-router", "expo-router/entry", "ios-route-pkg", "victory-native"]);
  });

  it("finds the routes in src/app, or in the expo-router plugin's root, from an index.js that imports the router's entry", async () => {
    const srcApp = await reach({
      "index.js": 'import "expo-router/entry";\n',
      "src/app/index.tsx": 'import "in-src-app";\n',
      "app/old.tsx": 'import "not-a-route";\n',
    });
    expect(srcApp.specifiers).toEqual(["expo-router/entry", "in-src-app"]);
    const configured = await reach({
      "package.json": '{"main":"expo-router/entry"}',
      "app.json": '{"expo":{"plugins":[["expo-router",{"root":"./screens"}]]}}',
      "screens/index.tsx": 'import "in-screens";\n',
      "app/index.tsx": 'import "not-a-route";\n',
    });
    expect(configured.specifiers).toEqual(["expo-router/entry", "in-screens"]);
  });

  it("reaches every file of a require.context folder (recursive unless told not to)", async () => {
    const found = await reach({
      "index.js": 'const ctx = require.context("./pages");\nconst flat = require.context("./flat", false);\n',
      "pages/a.tsx": 'import "page-a";\n',
      "pages/deep/b.tsx": 'import "page-b";\n',
      "flat/c.tsx": 'import "flat-c";\n',
      "flat/deep/d.tsx": 'import "flat-d";\n',
    });
    expect(found.specifiers).toEqual(["flat-c", "page-a", "page-b"]);
  });
});

describe("scanAppImports of a folder", () => {
  let app: Awaited<ReturnType<typeof appWithPackages>> | undefined;
  afterEach(async () => {
    await app?.remove();
    app = undefined;
  });

  it("does not read config files nothing imports, so their tooling is never bundled", async () => {
    app = await appWithPackages({
      ...TOOLING,
      "package.json": '{"name":"app","main":"index.js"}',
      "index.js": 'import App from "./App";\n',
      "App.tsx": 'import hello from "@acme/esm-ui";\n',
    });
    const scan = await scanAppImports(app.root, { importsCache: false });
    expect(scan).toEqual({ imports: ["@acme/esm-ui"], scanned_files: 2 });
  });

  it("adds the jsx-runtime of the JSX import source the Babel config names (NativeWind's)", async () => {
    app = await appWithPackages({
      "package.json": '{"name":"app","main":"App.tsx"}',
      "App.tsx":
        'import { Text } from "react-native";\nexport default () => <Text className="p-4">Hi</Text>;\n',
      "babel.config.js":
        'module.exports = { presets: [["babel-preset-expo", { jsxImportSource: "nativewind" }], "nativewind/babel"] };\n',
    });
    const scan = await scanAppImports(app.root, { importsCache: false });
    // nativewind/babel is the config's own tooling, never bundled.
    expect(scan.imports).toEqual(["nativewind/jsx-runtime"]);
  });

  it("scans every source file when the build would find no entry, as before", async () => {
    app = await appWithPackages({
      "package.json": '{"name":"app","main":"lib/missing.js"}',
      "src/a.js": 'require("cjs-pkg");\n',
      "metro.config.js": 'require("metro-tooling");\n',
    });
    const scan = await scanAppImports(app.root, { importsCache: false });
    expect(scan).toEqual({ imports: ["cjs-pkg", "metro-tooling"], scanned_files: 2 });
  });
});
