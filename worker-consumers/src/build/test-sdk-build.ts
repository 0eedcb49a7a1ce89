import { SDK_TABLES, SDK_VERSIONS } from "../../../runtime/dist/sdks.js";
import { buildModuleGraph } from "./graph";
import { SdkRuntime } from "./sdk";
import { TRANSFORM_VERSION } from "./transform";

/** The newest SDK's runtime, as the build picks it for an app that names no expo version. */
export const NEWEST_SDK = new SdkRuntime(SDK_TABLES[SDK_VERSIONS[SDK_VERSIONS.length - 1] ?? ""] as never);

/**
 * Builds an in-memory revision (path → text) against the real SDK runtime (runtime/dist/sdks.js),
 * for tests: the result and the module scripts it stored.
 */
export async function buildWithSdk(contents: Record<string, string>, sdk = NEWEST_SDK) {
  const store = new Map<string, string>();
  const files = Object.entries(contents).map(([path, text]) => ({
    path,
    sha256: `${path}:${text.length}:${text}`.slice(0, 200),
    size: text.length,
  }));
  const result = await buildModuleGraph({
    files,
    readText: async (path) => contents[path] ?? "",
    readBytes: async () => new Uint8Array(),
    runtime: sdk,
    routePattern: sdk.table.routePattern,
    transformVersion: TRANSFORM_VERSION,
    storeModule: async (key, code) => void store.set(key, code),
    hasModule: async (key) => store.has(key),
    assetUrl: (f) => `/m/blob/${f.sha256}`,
  });
  return { result, store };
}
