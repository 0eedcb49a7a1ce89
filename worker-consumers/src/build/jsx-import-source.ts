/**
 * Where JSX comes from when an app asks for other than React's (`nativewind`, `@emotion/react`):
 * babel-preset-expo's `jsxImportSource` option in the app's Babel config, else tsconfig's (or
 * jsconfig's) `compilerOptions.jsxImportSource`. The Babel config is JavaScript the build does not
 * run, so the option is read as Expo's docs write it: `jsxImportSource: "nativewind"`.
 */
export const BABEL_CONFIG_FILES = [
  "babel.config.js",
  "babel.config.cjs",
  "babel.config.mjs",
  "babel.config.json",
  ".babelrc",
  ".babelrc.js",
  ".babelrc.json",
];

const OPTION = /["']?jsxImportSource["']?\s*:\s*["'`]([@\w./-]+)["'`]/;

/**
 * The JSX import source of an app from its config files' texts (null where a file is missing);
 * `undefined` for React's own.
 *
 * @example
 * jsxImportSource("module.exports = { presets: [['babel-preset-expo', { jsxImportSource: 'nativewind' }]] };", null);
 * // → "nativewind"
 */
export function jsxImportSource(babelConfig: string | null, tsconfig: string | null): string | undefined {
  const fromBabel = babelConfig ? OPTION.exec(withoutComments(babelConfig))?.[1] : undefined;
  if (fromBabel) return fromBabel === "react" ? undefined : fromBabel;
  const fromTs = tsconfig ? OPTION.exec(withoutComments(tsconfig))?.[1] : undefined;
  return fromTs && fromTs !== "react" ? fromTs : undefined;
}

/** The text without `//` and `/* … *\/` comments (a commented-out option is no option). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}
