/**
 * `react/jsx-dev-runtime` over the production jsx runtime: React's production build exports
 * `jsxDEV` as undefined, but a transform in development mode (sucrase's default) calls it.
 */
export function createJsxDevRuntime(jsxRuntime: {
  Fragment: unknown;
  jsx: (type: unknown, props: unknown, key?: unknown) => unknown;
  jsxs: (type: unknown, props: unknown, key?: unknown) => unknown;
}) {
  return {
    Fragment: jsxRuntime.Fragment,
    jsxDEV: (type: unknown, props: unknown, key: unknown, isStaticChildren: boolean) =>
      isStaticChildren ? jsxRuntime.jsxs(type, props, key) : jsxRuntime.jsx(type, props, key),
  };
}
