import type { SdkTable } from "../../../runtime/dist/sdks.js";
import { lineColumn, topLevelValueOffset } from "./json-position";
import { packageName } from "./resolve";
import type { BuildError } from "./types";

/** What the manifest tells the page about the SDK (runtime/src/types.ts SdkSection). */
export interface SdkSection {
  version: string;
  chunks: string[];
  react: string;
  reactNative: string;
  /** AppRegistry modules besides react-native's that an app mounts through (expo's web one). */
  appRegistries: string[];
}

/** An SDK module that reads the app's own files, as the app's graph runs it (§2, Expo Router). */
export interface AppBoundModule {
  key: string;
  url: string;
  /** Its requires: app-bound targets (`app:<spec>`) and runtime ids, as the SDK build wrote them. */
  deps: Record<string, string>;
}

/**
 * One Expo SDK's runtime as the preview build sees it (runtime/sdks/build-sdk.mjs): which module a
 * bare specifier means, the modules that read the app's files, and the chunks a set of modules
 * needs.
 */
export class SdkRuntime {
  private readonly chunkIndexOf: Map<string, number>;

  constructor(readonly table: SdkTable) {
    this.chunkIndexOf = new Map(table.ids.map((id, i) => [id, table.chunkOf[i] ?? -1]));
  }

  get version(): string {
    return this.table.sdk;
  }

  /**
   * The runtime module id `require(spec)` means, by Metro's web rules over the SDK's packages
   * (`expo-router`, `react-native-web/dist/exports/View`, `react-native` → react-native-web), or
   * undefined when the SDK does not provide it.
   */
  resolve(spec: string): string | undefined {
    const index = this.table.specifiers[spec];
    if (index !== undefined) return this.table.ids[index];
    // React Native's own deep paths (`react-native/Libraries/…`) are native: react-native-web is
    // the whole of React Native on the web, as under Expo's web build.
    if (packageName(spec) === "react-native" && spec !== "react-native") return this.resolve("react-native");
    return undefined;
  }

  /** Whether the SDK provides the package `name` at all (to word a missing path's error). */
  providesPackage(name: string): boolean {
    return name in this.table.packages || name === "react-native";
  }

  /** The SDK module `id` when it must run in the app's graph (it reads the app's files). */
  appBound(id: string): AppBoundModule | undefined {
    const record = this.table.appBound[id];
    if (!record) return undefined;
    const chunk = this.table.chunks[this.chunkIndexOf.get(id) ?? -1];
    return chunk ? { key: record.key, url: chunk.url, deps: record.deps } : undefined;
  }

  /** The chunks (URLs) that hold `ids` and everything their modules require, each once. */
  chunksFor(ids: Iterable<string>): string[] {
    const wanted = new Set<number>();
    const queue: number[] = [];
    const add = (index: number | undefined) => {
      if (index === undefined || index < 0 || wanted.has(index)) return;
      wanted.add(index);
      queue.push(index);
    };
    for (const id of ids) add(this.chunkIndexOf.get(id));
    for (let i = queue.pop(); i !== undefined; i = queue.pop())
      for (const need of this.table.chunks[i]?.needs ?? []) add(need);
    return [...wanted].sort((a, b) => a - b).map((i) => this.table.chunks[i]?.url ?? "");
  }

  /** The page's part of the manifest for an app whose graph requires `ids` of this SDK. */
  section(ids: Iterable<string>): SdkSection {
    const react = this.resolve("react") ?? "";
    const reactNative = this.resolve("react-native") ?? "";
    const chunks = this.chunksFor([...ids, react, reactNative]);
    // The page hooks expo's AppRegistry when the app loads its chunk (expo's).
    const loaded = (id: string) =>
      chunks.includes(this.table.chunks[this.chunkIndexOf.get(id) ?? -1]?.url ?? "");
    return {
      version: this.version,
      chunks,
      react,
      reactNative,
      appRegistries: (this.table.appRegistries ?? []).filter(loaded),
    };
  }
}

/**
 * The SDK a project runs on: the major of `expo` in its package.json (dependencies, then
 * devDependencies), as `npx expo install` pins it; the newest supported SDK for a project without
 * expo (a plain React Native app) or with a version that names none ("latest", a tag). An SDK we do
 * not have is a build error at that line, naming the ones we have.
 */
export function selectSdk(
  packageJson: string | null | undefined,
  tables: Readonly<Record<string, SdkTable>>,
  versions: readonly string[],
): { sdk: SdkRuntime } | { error: BuildError } {
  const newest = versions[versions.length - 1] ?? "";
  const pick = (version: string) => {
    const table = tables[version];
    if (!table) throw new Error(`runtime/dist/sdks.js has no table for SDK ${version}`);
    return { sdk: new SdkRuntime(table) };
  };
  let parsed: { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> };
  try {
    parsed = packageJson ? JSON.parse(packageJson) : {};
  } catch {
    return pick(newest);
  }
  const range = parsed?.dependencies?.expo ?? parsed?.devDependencies?.expo;
  if (typeof range !== "string") return pick(newest);
  const major = /(\d+)\./.exec(range)?.[1] ?? /^[~^>=\s]*(\d+)$/.exec(range)?.[1];
  if (!major) return pick(newest);
  if (versions.includes(major)) return pick(major);
  const text = packageJson ?? "";
  const offset = expoValueOffset(text);
  const { line, column } = offset < 0 ? { line: 1, column: 1 } : lineColumn(text, offset);
  return {
    error: {
      code: "module_not_found",
      file: "package.json",
      line,
      column,
      message: `This project uses Expo SDK ${major} ("expo": "${range}"); previews run Expo SDK ${new Intl.ListFormat("en", { type: "conjunction" }).format(versions)}. Upgrade with \`npx expo install expo@^${newest}.0.0 --fix\`.`,
    },
  };
}

/** Where package.json writes the value of `"expo"` (for the error's position), or -1. */
function expoValueOffset(text: string): number {
  const dependencies = topLevelValueOffset(text, "dependencies");
  const match = /"expo"\s*:\s*"/g;
  match.lastIndex = Math.max(0, dependencies);
  const found = match.exec(text);
  return found ? found.index + found[0].length - 1 : -1;
}
