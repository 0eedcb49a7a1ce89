import { PROVIDED_ALIASES, PROVIDED_PACKAGES } from "../../../../runtime/src/set-names";
import { parseBareSpecifier } from "../../../../schema/api/dependencies";

/**
 * The packages the preview runtime provides in every SDK (runtime/src/set-names.ts,
 * docs/previews.md §3): `react`, `react-native` (react-native-web), `expo`, `expo-router`, …
 */
export const RUNTIME_PACKAGES: ReadonlySet<string> = new Set([
  ...Object.keys(PROVIDED_PACKAGES),
  ...Object.keys(PROVIDED_ALIASES),
]);

/**
 * Whether the preview resolves `spec` itself, so it is never bundled: any path of a package the
 * runtime provides (`expo-router/entry`, `react-native-web/dist/exports/View`,
 * `react-native/Libraries/…`). A second copy of React or react-native-web inside a dependency would
 * break the app; such a path stays a `require` the build resolves against the project's SDK.
 *
 * @example
 * isRuntimeProvided("react/jsx-runtime"); // true
 * isRuntimeProvided("lodash"); // false
 */
export function isRuntimeProvided(spec: string): boolean {
  const name = parseBareSpecifier(spec)?.name;
  return name !== undefined && RUNTIME_PACKAGES.has(name);
}
