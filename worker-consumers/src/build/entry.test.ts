import { describe, expect, it } from "vitest";
import { APP_ENTRY_PATH, findEntry, PACKAGE_MAIN_PATH } from "./entry";

const files = (...paths: string[]) => new Set(paths);

describe("findEntry", () => {
  it("takes the project's entry setting first, failing when it is not in the revision", () => {
    expect(findEntry(files("src/main.tsx", "index.js"), "src/main.tsx", '{"main":"index.js"}')).toEqual({
      path: "src/main.tsx",
    });
    expect(findEntry(files("index.js"), "src/main.tsx")).toEqual({
      error: {
        code: "entry_missing",
        file: "src/main.tsx",
        message: "The project's entry src/main.tsx is not in this revision.",
      },
    });
  });

  it("then package.json main, resolved with extensions and index files", () => {
    expect(findEntry(files("index.js", "src/boot.ts"), null, '{"main":"src/boot"}')).toEqual({
      path: "src/boot.ts",
    });
    expect(findEntry(files("index.js", "src/boot.ts"), null, '{"main":"./src/boot.ts"}')).toEqual({
      path: "src/boot.ts",
    });
    expect(findEntry(files("lib/index.tsx"), null, '{"main":"lib"}')).toEqual({ path: "lib/index.tsx" });
    expect(findEntry(files("index.js"), null, '{"main":"./src/missing.js"}')).toMatchObject({
      error: { code: "entry_missing", file: "./src/missing.js" },
    });
  });

  it("turns Expo's legacy AppEntry into a module that registers the project's App", () => {
    for (const main of ["node_modules/expo/AppEntry.js", "expo/AppEntry", "./node_modules/expo/AppEntry"]) {
      const entry = findEntry(files("App.tsx", "package.json"), null, JSON.stringify({ main }));
      expect(entry).toEqual({
        path: APP_ENTRY_PATH,
        source: expect.stringContaining('import App from "../../App"'),
      });
      expect("source" in entry && entry.source).toContain("registerRootComponent(App)");
    }
    expect(findEntry(files("index.js"), null, '{"main":"node_modules/expo/AppEntry.js"}')).toMatchObject({
      error: { code: "entry_missing", file: "App" },
    });
  });

  it("requires a package named as main (expo-router/entry) from a module of its own", () => {
    expect(findEntry(files("app/index.tsx"), null, '{"main":"expo-router/entry"}')).toEqual({
      path: PACKAGE_MAIN_PATH,
      source: 'require("expo-router/entry");\n',
    });
  });

  it("else the first index.*, else App.* registered like Expo's AppEntry", () => {
    expect(findEntry(files("index.web.tsx", "index.js", "App.js"), null, "{}")).toEqual({
      path: "index.web.tsx",
    });
    expect(findEntry(files("index.js", "App.js"))).toEqual({ path: "index.js" });
    expect(findEntry(files("App.js"), null, "not json")).toMatchObject({ path: APP_ENTRY_PATH });
    expect(findEntry(files("App.js"), null, '{"main": 42}')).toMatchObject({ path: APP_ENTRY_PATH });
    expect(findEntry(files("src/App.js", "README.md"))).toEqual({
      error: {
        code: "entry_missing",
        file: "index.js",
        message: "No entry: set the project's entry or package.json main, or add index.js or App.js.",
      },
    });
  });
});
