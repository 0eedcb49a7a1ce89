// First: react-native-web must find its stylesheet in place when it initialises.
import "./rnw-stylesheet";
import type { AppRegistryLike } from "./app-registry";
import { createExpo } from "./expo";
import { createExpoStatusBar } from "./expo-status-bar";
import { createJsxDevRuntime } from "./jsx-dev-runtime";
import type { RuntimeSetName } from "./set-names";

// The runtime set: every bare specifier an app may require without shipping the package itself
// (docs/previews.md §3). Each entry is the package's CommonJS export object, exactly what Metro
// would hand the app. To add a package: pin it in package.json, require it here, add its name to
// set-names.ts (docs/previews.md §3).
const react = require("react");
const jsxRuntime = require("react/jsx-runtime") as Parameters<typeof createJsxDevRuntime>[0];
const reactDom = require("react-dom");
const reactDomClient = require("react-dom/client");
const compilerRuntime = require("react/compiler-runtime");
// The CommonJS build, as Metro resolves it (package.json "main"): an `exports` object with
// __esModule and every named export (View, Text, StyleSheet, AppRegistry, …).
const reactNativeWeb = require("react-native-web/dist/cjs/index.js") as {
  AppRegistry: AppRegistryLike;
  Platform: unknown;
};

/** react-native-web's AppRegistry, which the page hooks to re-mount in place. */
export const appRegistry = reactNativeWeb.AppRegistry;

/** Builds the runtime set: module name → export object. */
export function runtimeSet(): Record<RuntimeSetName, unknown> {
  return {
    react,
    "react/jsx-runtime": jsxRuntime,
    "react/jsx-dev-runtime": createJsxDevRuntime(jsxRuntime),
    "react/compiler-runtime": compilerRuntime,
    "react-dom": reactDom,
    "react-dom/client": reactDomClient,
    "react-native": reactNativeWeb,
    "react-native-web": reactNativeWeb,
    expo: createExpo(appRegistry, reactNativeWeb.Platform),
    "expo-status-bar": createExpoStatusBar(),
  };
}
