// Expo Router apps against the real SDK runtime (runtime/dist/sdks.js): the router's entry runs in
// the app's graph with a routes context the build writes from the routes folder.
import { describe, expect, it } from "vitest";
import { ROUTES_MODULE_NAME } from "./routes-context";
import { buildWithSdk } from "./test-sdk-build";

const SCREEN =
  'import { Text } from "react-native";\nexport default function Screen() { return <Text>hi</Text>; }\n';
const LAYOUT =
  'import { Stack } from "expo-router";\nexport default function Layout() { return <Stack />; }\n';

const build = buildWithSdk;

const routesSource = (store: Map<string, string>, key: string | undefined) => store.get(key ?? "") ?? "";

describe("Expo Router apps", () => {
  it("main expo-router/entry runs the router's entry with a routes context of app/", async () => {
    const { result, store } = await build({
      "package.json": '{"main":"expo-router/entry","dependencies":{"expo":"~58.0.0"}}',
      "app/_layout.tsx": LAYOUT,
      "app/index.tsx": SCREEN,
      "app/(tabs)/two.tsx": SCREEN,
      "app/+not-found.tsx": SCREEN,
      "app/+html.tsx": SCREEN, // static rendering only: not a route
      "app/hello+api.ts": "export function GET() {}\n", // a server route: not in the app
      "components/unused.tsx": SCREEN,
    });
    if ("error" in result) throw new Error(JSON.stringify(result.errors));
    const { modules } = result.app;
    const routes = `app/${ROUTES_MODULE_NAME}`;
    // The chain from expo-router/entry to the module that requires expo-router/_ctx runs in the
    // app's graph, its scripts from the SDK chunk; _ctx is the routes context the build wrote.
    expect(modules["package.json#main"]?.deps).toEqual({ "expo-router/entry": "sdk:expo-router/entry.js" });
    const qualified = Object.entries(modules).find(([, m]) => m.deps["expo-router/_ctx"]);
    expect(qualified?.[0]).toMatch(/^sdk:expo-router\//);
    expect(qualified?.[1].deps["expo-router/_ctx"]).toBe(routes);
    expect(qualified?.[1].url).toMatch(/^\/runtime\/c\/[0-9a-f]{16}\.js$/);
    expect(Object.keys(modules[routes]?.deps ?? {}).sort()).toEqual([
      "./(tabs)/two.tsx",
      "./+not-found.tsx",
      "./_layout.tsx",
      "./index.tsx",
    ]);
    expect(modules["app/(tabs)/two.tsx"]).toBeDefined();
    expect(modules["app/+html.tsx"]).toBeUndefined();
    expect(modules["components/unused.tsx"]).toBeUndefined();
    // The context module answers keys() and loads a route when the router asks for it.
    const source = routesSource(store, modules[routes]?.key);
    expect(source).toContain('"./(tabs)/two.tsx": () => require("./(tabs)/two.tsx")');
  });

  it("a new route file changes the routes context, so the router sees it on the next update", async () => {
    const base = { "package.json": '{"main":"expo-router/entry"}', "app/index.tsx": SCREEN };
    const before = await build(base);
    const after = await build({ ...base, "app/settings.tsx": SCREEN });
    if ("error" in before.result || "error" in after.result) throw new Error("build failed");
    const routes = `app/${ROUTES_MODULE_NAME}`;
    expect(after.result.app.modules[routes]?.key).not.toBe(before.result.app.modules[routes]?.key);
    expect(after.result.app.modules["app/settings.tsx"]).toBeDefined();
  });

  it("uses src/app when the project has one, and the expo-router plugin's root when set", async () => {
    const src = await build({ "package.json": '{"main":"expo-router/entry"}', "src/app/index.tsx": SCREEN });
    expect("app" in src.result && src.result.app.modules[`src/app/${ROUTES_MODULE_NAME}`]).toBeTruthy();
    const configured = await build({
      "package.json": '{"main":"expo-router/entry"}',
      "app.json": '{"expo":{"plugins":[["expo-router",{"root":"./screens"}]]}}',
      "screens/index.tsx": SCREEN,
      "app/index.tsx": SCREEN,
    });
    if ("error" in configured.result) throw new Error("build failed");
    expect(configured.result.app.modules[`screens/${ROUTES_MODULE_NAME}`]).toBeTruthy();
    expect(configured.result.app.modules["app/index.tsx"]).toBeUndefined();
  });

  it("an app without any route says where Expo Router looked", async () => {
    const { result } = await build({ "package.json": '{"main":"expo-router/entry"}', "App.tsx": SCREEN });
    expect(result).toMatchObject({ error: { code: "module_not_found", file: "app" } });
    expect("error" in result && result.error.message).toContain(
      "Expo Router found no routes: app/ has no route file",
    );
  });
});
