/**
 * The packages the preview runtime provides in every Expo SDK it supports (docs/previews.md §3):
 * every path of each resolves for an app, from the SDK's pinned install (runtime/sdks/<sdk>/). The
 * value is the version range used when an SDK's `expo` does not recommend one. Adding a package:
 * add it here, re-pin each SDK (`node runtime/sdks/pin.mjs <expo version>`), rebuild the runtime.
 */
export const PROVIDED_PACKAGES = {
  expo: "*",
  "expo-application": "*",
  "expo-asset": "*",
  "expo-blur": "*",
  "expo-clipboard": "*",
  "expo-constants": "*",
  "expo-crypto": "*",
  "expo-device": "*",
  "expo-font": "*",
  "expo-glass-effect": "*",
  "expo-haptics": "*",
  "expo-image": "*",
  "expo-linear-gradient": "*",
  "expo-linking": "*",
  "expo-localization": "*",
  "expo-modules-core": "*",
  "expo-router": "*",
  "expo-splash-screen": "*",
  "expo-status-bar": "*",
  "expo-symbols": "*",
  "expo-system-ui": "*",
  "expo-web-browser": "*",
  "@expo/metro-runtime": "*",
  "@expo/vector-icons": "^15.0.2",
  "@react-native/assets-registry": "*",
  "@react-native-async-storage/async-storage": "^2.2.0",
  "@react-navigation/bottom-tabs": "^7.0.0",
  "@react-navigation/elements": "^2.0.0",
  "@react-navigation/native": "^7.0.0",
  "@react-navigation/native-stack": "^7.0.0",
  "@react-navigation/stack": "^7.0.0",
  react: "*",
  "react-dom": "*",
  "react-native-gesture-handler": "*",
  "react-native-reanimated": "*",
  "react-native-safe-area-context": "*",
  "react-native-screens": "*",
  "react-native-svg": "*",
  "react-native-web": "*",
  "react-native-worklets": "*",
} as const satisfies Record<string, string>;

/** One of the packages the runtime provides. */
export type ProvidedPackage = keyof typeof PROVIDED_PACKAGES;

/** `react-native` is provided too: every SDK aliases it to `react-native-web`, as Expo's web build does. */
export const PROVIDED_ALIASES = { "react-native": "react-native-web" } as const;
