import { describe, expect, it } from "vitest";
import { packageName, resolvePath, resolveSpecifier } from "./resolve";
import { namedRuntime } from "./test-runtime";
import { aliasCandidates, readPathAliases } from "./tsconfig-paths";
import type { DependencyModule } from "./types";

const RUNTIME = namedRuntime(["react", "react/jsx-runtime", "react-native", "expo", "expo-status-bar"]);
const files = (...paths: string[]) => new Set(paths);
const resolve = (from: string, spec: string, set: Set<string>, deps?: Map<string, DependencyModule>) =>
  resolveSpecifier(from, spec, set, RUNTIME, deps);

describe("resolveSpecifier: project files (Metro's rules, web platform)", () => {
  it("prefers the exact file, then .web.<ext> before .<ext> for each extension in Expo's order", () => {
    expect(resolve("App.tsx", "./Button", files("Button.tsx", "Button.web.tsx"))).toEqual({
      kind: "file",
      path: "Button.web.tsx",
    });
    expect(resolve("App.tsx", "./Button", files("Button.js", "Button.tsx"))).toEqual({
      kind: "file",
      path: "Button.tsx",
    });
    // Per extension, not all .web files first: Metro tries .web.ts, .ts, .web.tsx, .tsx, …
    expect(resolve("App.tsx", "./Button", files("Button.ts", "Button.web.js"))).toEqual({
      kind: "file",
      path: "Button.ts",
    });
    expect(resolve("App.tsx", "./Button.js", files("Button.js", "Button.web.js"))).toEqual({
      kind: "file",
      path: "Button.js",
    });
    expect(resolve("App.tsx", "./data", files("data.json"))).toEqual({ kind: "file", path: "data.json" });
    expect(resolve("App.tsx", "./legacy", files("legacy.cjs", "legacy.mjs"))).toEqual({
      kind: "file",
      path: "legacy.mjs",
    });
  });

  it("resolves directories through their index file, with the same precedence", () => {
    const set = files("src/components/index.ts", "src/components/index.web.js", "src/screens/index.js");
    expect(resolve("src/App.tsx", "./components", set)).toEqual({
      kind: "file",
      path: "src/components/index.ts",
    });
    expect(resolve("src/App.tsx", "./components/", set)).toEqual({
      kind: "file",
      path: "src/components/index.ts",
    });
    expect(resolve("src/components/Card.tsx", ".", set)).toEqual({
      kind: "file",
      path: "src/components/index.ts",
    });
    expect(resolve("src/screens/Home/Home.tsx", "../..", files("src/index.js"))).toEqual({
      kind: "file",
      path: "src/index.js",
    });
    // A file wins over a directory of the same name.
    expect(resolve("src/App.tsx", "./screens", files("src/screens.tsx", "src/screens/index.js"))).toEqual({
      kind: "file",
      path: "src/screens.tsx",
    });
  });

  it("normalizes ../ and refuses to climb out of the project", () => {
    expect(resolve("src/a/b.ts", "../../lib/x", files("lib/x.ts"))).toEqual({
      kind: "file",
      path: "lib/x.ts",
    });
    expect(resolve("src/a.ts", "../../x", files("x.ts"))).toEqual({ kind: "missing" });
    expect(resolve("src/a.ts", "/src/b", files("src/b.ts"))).toEqual({ kind: "missing" });
    expect(resolve("src/a.ts", "./nope", files("src/nope.txt"))).toEqual({ kind: "missing" });
  });

  it("picks an asset's .web variant, then the sharpest density up to @3x", () => {
    const set = files("assets/icon.png", "assets/icon@2x.png", "assets/icon@3x.png", "assets/icon@4x.png");
    expect(resolve("App.js", "./assets/icon.png", set)).toEqual({ kind: "file", path: "assets/icon@3x.png" });
    expect(resolve("App.js", "./assets/icon.png", files("assets/icon.png", "assets/icon@2x.png"))).toEqual({
      kind: "file",
      path: "assets/icon@2x.png",
    });
    expect(resolve("App.js", "./assets/icon.png", files("assets/icon@4x.png"))).toEqual({
      kind: "file",
      path: "assets/icon@4x.png",
    });
    expect(resolve("App.js", "./assets/icon.png", new Set([...set, "assets/icon.web.png"]))).toEqual({
      kind: "file",
      path: "assets/icon.web.png",
    });
    expect(resolve("App.js", "./assets/icon@2x.png", set)).toEqual({
      kind: "file",
      path: "assets/icon@2x.png",
    });
    expect(resolve("App.js", "./fonts/Inter.ttf", files("fonts/Inter.ttf"))).toEqual({
      kind: "file",
      path: "fonts/Inter.ttf",
    });
    expect(resolve("App.js", "./assets/splash.png", set)).toEqual({ kind: "missing" });
    // An asset is never found through source extensions or an index file.
    expect(resolve("App.js", "./logo.svg", files("logo.svg.js", "logo.svg/index.js"))).toEqual({
      kind: "missing",
    });
  });

  it("finds any other existing file by its exact name (a stylesheet, say)", () => {
    expect(resolve("App.js", "./global.css", files("global.css"))).toEqual({
      kind: "file",
      path: "global.css",
    });
  });
});

describe("resolveSpecifier: packages", () => {
  const lodash: DependencyModule = { id: "npm:lodash@4.17.21", key: "k", deps: {} };
  const deps = new Map([["lodash", lodash]]);

  it("gives the runtime set first, react-native deep imports included", () => {
    expect(resolve("App.js", "react", files())).toEqual({ kind: "runtime", id: "react" });
    expect(resolve("App.js", "react/jsx-runtime", files())).toEqual({
      kind: "runtime",
      id: "react/jsx-runtime",
    });
    expect(resolve("App.js", "react-native/Libraries/Image/AssetRegistry", files())).toEqual({
      kind: "runtime",
      id: "react-native",
    });
    // A project file named like a package is not a package (bare specifiers never mean ./).
    expect(resolve("App.js", "expo", files("expo.js"))).toEqual({ kind: "runtime", id: "expo" });
  });

  it("then an uploaded dependency, else missing", () => {
    expect(resolve("App.js", "lodash", files(), deps)).toEqual({
      kind: "dependency",
      id: "npm:lodash@4.17.21",
    });
    expect(resolve("App.js", "lodash/fp", files(), deps)).toEqual({ kind: "missing" });
    expect(resolve("App.js", "react-dom/client", files(), deps)).toEqual({ kind: "missing" });
    expect(resolve("App.js", "@scope/pkg", files())).toEqual({ kind: "missing" });
    expect(resolveSpecifier("App.js", "react-native/x", files(), namedRuntime(["react"]))).toEqual({
      kind: "missing",
    });
  });

  it("names the package of a specifier", () => {
    expect(
      ["lodash", "lodash/fp", "@expo/vector-icons", "@expo/vector-icons/Ionicons"].map(packageName),
    ).toEqual(["lodash", "lodash", "@expo/vector-icons", "@expo/vector-icons"]);
  });
});

describe("tsconfig paths", () => {
  const tsconfig = `{
    // Expo's tabs template
    "extends": "expo/tsconfig.base",
    "compilerOptions": {
      "strict": true,
      "paths": { "@/*": ["./*"], "@ui/*": ["src/ui/*", "vendor/ui/*"], "config": ["./src/config.ts"], },
    },
  }`;
  const aliases = readPathAliases("tsconfig.json", tsconfig);

  it("reads JSON with comments and trailing commas, targets made project-relative", () => {
    expect(aliases).toEqual([
      { pattern: "@/*", targets: ["*"] },
      { pattern: "@ui/*", targets: ["src/ui/*", "vendor/ui/*"] },
      { pattern: "config", targets: ["src/config.ts"] },
    ]);
    expect(
      readPathAliases("tsconfig.json", '{"compilerOptions":{"baseUrl":"src","paths":{"~/*":["*"]}}}'),
    ).toEqual([{ pattern: "~/*", targets: ["src/*"] }]);
    expect(readPathAliases("tsconfig.json", "{ not json")).toEqual([]);
    expect(readPathAliases("tsconfig.json", '{"compilerOptions":{}}')).toEqual([]);
  });

  it("prefers the longest matching prefix, and an exact pattern", () => {
    expect(aliasCandidates(aliases, "@ui/Button")).toEqual(["src/ui/Button", "vendor/ui/Button"]);
    expect(aliasCandidates(aliases, "@/components/Themed")).toEqual(["components/Themed"]);
    expect(aliasCandidates(aliases, "config")).toEqual(["src/config.ts"]);
    expect(aliasCandidates(aliases, "react")).toEqual([]);
  });

  it("resolves an alias to a project file before packages, and falls back to packages", () => {
    const set = files("components/Themed.tsx", "vendor/ui/Button.js", "src/config.ts");
    const r = (spec: string) =>
      resolveSpecifier("app/(tabs)/index.tsx", spec, set, RUNTIME, undefined, aliases);
    expect(r("@/components/Themed")).toEqual({ kind: "file", path: "components/Themed.tsx" });
    expect(r("@ui/Button")).toEqual({ kind: "file", path: "vendor/ui/Button.js" });
    expect(r("config")).toEqual({ kind: "file", path: "src/config.ts" });
    expect(r("@/components/Missing")).toEqual({ kind: "missing" });
    expect(
      resolveSpecifier("a.ts", "react", set, RUNTIME, undefined, [{ pattern: "*", targets: ["*"] }]),
    ).toEqual({
      kind: "runtime",
      id: "react",
    });
  });
});

describe("resolvePath", () => {
  it("resolves the project root's index", () => {
    expect(resolvePath("", files("index.web.js", "index.ts"))).toBe("index.ts");
    expect(resolvePath("", files())).toBeNull();
  });
});
