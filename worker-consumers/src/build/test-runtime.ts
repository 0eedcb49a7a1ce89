import type { RuntimeModules } from "./types";

/**
 * A runtime for unit tests whose module ids are the package names themselves (`react` →
 * `runtime:react`), so a test reads what resolved where; the real SDK tables are tested through
 * expo-template.test.ts and sdk.test.ts.
 */
export function namedRuntime(names: readonly string[]): RuntimeModules {
  const set = new Set(names);
  const packageOf = (spec: string) =>
    spec
      .split("/")
      .slice(0, spec.startsWith("@") ? 2 : 1)
      .join("/");
  return {
    resolve: (spec) =>
      set.has(spec)
        ? spec
        : packageOf(spec) === "react-native" && set.has("react-native")
          ? "react-native"
          : undefined,
    providesPackage: (name) => [...set].some((n) => packageOf(n) === name),
    appBound: () => undefined,
  };
}
