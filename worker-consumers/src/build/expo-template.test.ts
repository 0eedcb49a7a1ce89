// The published Expo blank templates, built against the real SDK runtime (runtime/dist/sdks.js,
// which npm's postinstall/pretest builds): every require of a fresh app must resolve.
import { describe, expect, it } from "vitest";
import { buildWithSdk, NEWEST_SDK } from "./test-sdk-build";

const APP_TSX = `import { StatusBar } from 'expo-status-bar';
import { StyleSheet, Text, View } from 'react-native';

export default function App() {
  return (
    <View style={styles.container}>
      <Text>Open up App.tsx to start working on your app!</Text>
      <StatusBar style="auto" />
    </View>
  );
}

const styles = StyleSheet.create({
  container: {
    flex: 1,
    backgroundColor: '#fff',
    alignItems: 'center',
    justifyContent: 'center',
  },
});
`;
const INDEX = `import { registerRootComponent } from 'expo';

import App from './App';

// registerRootComponent calls AppRegistry.registerComponent('main', () => App);
// It also ensures that whether you load the app in Expo Go or in a native build,
// the environment is set up appropriately
registerRootComponent(App);
`;

const sdk = NEWEST_SDK;
const rt = (spec: string) => `runtime:${sdk.resolve(spec)}`;
const build = async (contents: Record<string, string>) => (await buildWithSdk(contents)).result;

describe("the Expo blank templates", () => {
  it("expo-template-blank-typescript builds: index.ts → App.tsx → the runtime set", async () => {
    const result = await build({
      "package.json": JSON.stringify({ name: "blank-ts", main: "index.ts" }),
      "index.ts": INDEX,
      "App.tsx": APP_TSX,
      "app.json": '{"expo":{"name":"blank-ts","icon":"./assets/icon.png"}}',
      "tsconfig.json": '{ "extends": "expo/tsconfig.base", "compilerOptions": { "strict": true } }',
    });
    if ("error" in result) throw new Error(JSON.stringify(result.error));
    expect(result.app.entry).toBe("index.ts");
    expect(result.app.modules["index.ts"]?.deps).toEqual({ expo: rt("expo"), "./App": "App.tsx" });
    expect(result.app.modules["App.tsx"]?.deps).toEqual({
      "react/jsx-runtime": rt("react/jsx-runtime"),
      "expo-status-bar": rt("expo-status-bar"),
      "react-native": rt("react-native"),
    });
  });

  it("expo-template-blank builds from index.js, and so does an old app whose main is Expo's AppEntry", async () => {
    const app = APP_TSX.replace("App.tsx", "App.js");
    const blank = await build({ "package.json": '{"main":"index.js"}', "index.js": INDEX, "App.js": app });
    expect("app" in blank && Object.keys(blank.app.modules).sort()).toEqual(["App.js", "index.js"]);
    const legacy = await build({ "package.json": '{"main":"node_modules/expo/AppEntry.js"}', "App.js": app });
    expect("app" in legacy && legacy.app.modules["node_modules/expo/AppEntry.js"]?.deps).toEqual({
      expo: rt("expo"),
      "../../App": "App.js",
    });
  });

  it("resolves to the SDK's real packages: expo's own build, react-native as react-native-web", () => {
    expect(sdk.resolve("expo")).toMatch(/^expo\/(build|src)\/Expo\.(js|ts)$/);
    expect(sdk.resolve("react-native")).toBe("react-native-web/dist/index.js");
    expect(sdk.resolve("react-native/Libraries/Image/AssetRegistry")).toBe("react-native-web/dist/index.js");
    expect(sdk.resolve("react-native-web/dist/exports/createElement")).toBe(
      "react-native-web/dist/exports/createElement/index.js",
    );
    expect(sdk.resolve("expo-router/entry")).toBe("expo-router/entry.js");
    expect(sdk.resolve("left-pad")).toBeUndefined();
  });
});
