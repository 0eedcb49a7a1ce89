/**
 * The bare specifiers the runtime set provides (docs/previews.md §3). runtime-set.ts must provide
 * exactly these (its type says so); the build publishes them as RUNTIME_MODULES for the preview
 * build's resolver.
 */
export const RUNTIME_SET_NAMES = [
  "expo",
  "expo-status-bar",
  "react",
  "react-dom",
  "react-dom/client",
  "react-native",
  "react-native-web",
  "react/compiler-runtime",
  "react/jsx-dev-runtime",
  "react/jsx-runtime",
] as const;

/** One of the runtime set's module names. */
export type RuntimeSetName = (typeof RUNTIME_SET_NAMES)[number];
