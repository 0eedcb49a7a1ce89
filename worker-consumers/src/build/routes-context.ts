/** The module the build writes in the routes folder: Expo Router's `require.context` of it. */
export const ROUTES_MODULE_NAME = "+hivesync-routes.js";

/**
 * Expo Router's routes folder, as Expo CLI picks it: `extra.router.root` of the app config (what
 * the `expo-router` config plugin's `root` option sets), else `src/app` when the project has one,
 * else `app`.
 */
export function routesRoot(files: ReadonlySet<string>, appJson: string | null | undefined): string {
  const configured = configuredRoot(appJson);
  if (configured) return configured;
  for (const file of files) if (file.startsWith("src/app/")) return "src/app";
  return "app";
}

function configuredRoot(appJson: string | null | undefined): string | undefined {
  if (!appJson) return undefined;
  try {
    const parsed = JSON.parse(appJson) as { expo?: Record<string, unknown> } & Record<string, unknown>;
    const expo = (parsed.expo ?? parsed) as {
      extra?: { router?: { root?: unknown } };
      plugins?: unknown[];
    };
    const fromPlugin = expo.plugins
      ?.map((p) =>
        Array.isArray(p) && p[0] === "expo-router" ? (p[1] as { root?: unknown })?.root : undefined,
      )
      .find((root) => typeof root === "string");
    const root = expo.extra?.router?.root ?? fromPlugin;
    if (typeof root !== "string") return undefined;
    const clean = root.replace(/^\.\//, "").replace(/\/+$/, "");
    return clean && !clean.split("/").includes("..") ? clean : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The routes context (`require.context(root, true, pattern)` as Metro writes it): a module in the
 * routes folder mapping every matching file, as `./path`, to a require of it. Route files run when
 * Expo Router asks for them, and adding or removing one changes this module, so the router sees it
 * on the next update. Undefined when the folder holds no route.
 */
export function routesContext(
  files: ReadonlySet<string>,
  root: string,
  pattern: string,
): { path: string; source: string } | undefined {
  const matcher = new RegExp(pattern);
  const keys = [...files]
    .filter((f) => f.startsWith(`${root}/`))
    .map((f) => `./${f.slice(root.length + 1)}`)
    .filter((key) => matcher.test(key))
    .sort();
  if (keys.length === 0) return undefined;
  return { path: `${root}/${ROUTES_MODULE_NAME}`, source: contextSource(keys, root) };
}

/** The source of a `require.context` module over `keys` (each `./relative/path`). */
export function contextSource(keys: readonly string[], id: string): string {
  const entries = keys.map((k) => `  ${JSON.stringify(k)}: () => require(${JSON.stringify(k)}),`).join("\n");
  return `// Written by HiveSync's preview build: require.context of ${id}.
const files = {
${entries}
};
function context(key) {
  const load = files[key];
  if (!load) throw new Error("Cannot find module '" + key + "' in " + ${JSON.stringify(id)});
  return load();
}
context.keys = () => Object.keys(files);
context.resolve = (key) => key;
context.id = ${JSON.stringify(id)};
module.exports = Object.assign(context, { ctx: context, default: context });
`;
}
