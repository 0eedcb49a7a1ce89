import { RUNTIME_SET_NAMES } from "../../../../runtime/src/set-names";
import { parseBareSpecifier } from "../../../../schema/api/dependencies";

/** The bare specifiers the preview runtime provides (runtime/src/set-names.ts, docs/previews.md §3). */
export const RUNTIME_MODULES: ReadonlySet<string> = new Set(RUNTIME_SET_NAMES);

/** The packages those specifiers come from (`react`, `react-dom`, `react-native`, `expo`, …). */
export const RUNTIME_PACKAGES: ReadonlySet<string> = new Set(
  RUNTIME_SET_NAMES.map((spec) => parseBareSpecifier(spec)?.name ?? spec),
);

/**
 * Whether the preview resolves `spec` itself, so it is never bundled: a module of the runtime set,
 * or any other path of one of its packages (`react-dom/server`, `react-native/Libraries/…`). A
 * second copy of React or react-native-web inside a dependency would break the app; such a path
 * stays a `require` the build resolves (react-native's deep paths get react-native-web) or fails
 * on, naming it.
 *
 * @example
 * isRuntimeProvided("react/jsx-runtime"); // true
 * isRuntimeProvided("lodash"); // false
 */
export function isRuntimeProvided(spec: string): boolean {
  if (RUNTIME_MODULES.has(spec)) return true;
  const name = parseBareSpecifier(spec)?.name;
  return name !== undefined && RUNTIME_PACKAGES.has(name);
}
