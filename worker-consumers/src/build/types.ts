/** Shapes shared by the preview build's transform, resolver and module graph (docs/previews.md §1, §2, §5). */

/** A file of the mirrored revision, as the manifest lists it. */
export interface SourceFile {
  path: string;
  sha256: string;
  size: number;
}

/** Where a build failed. `line`/`column` are 1-based positions in `file`; absent when the failure has none. */
export interface BuildError {
  code: "build_error" | "module_not_found" | "entry_missing";
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** The source lines around the position, caret under the column (code-frame.ts). */
  frame?: string;
}

/** One module of the app: its script (`url` serves the script stored under `key`) and where each of its requires goes. */
export interface ModuleEntry {
  key: string;
  url: string;
  /**
   * specifier as written → module id (a path, `npm:<name>@<version>`, `sdk:<runtime id>`) or
   * `runtime:<runtime id>` for a module of the SDK's chunks.
   */
  deps: Record<string, string>;
}

/** The manifest's `app` section without `runtime`, which the caller adds. */
export interface AppGraph {
  entry: string;
  modules: Record<string, ModuleEntry>;
}

/** A third-party package the desktop pre-bundled and uploaded (§4), keyed by the specifier it provides. */
export interface DependencyModule {
  /** `npm:<name>@<version>` */
  id: string;
  key: string;
  /** Its own requires, already resolved (react, react-native… → `runtime:<name>`). */
  deps: Record<string, string>;
}

export type Dependencies = ReadonlyMap<string, DependencyModule>;

/** A static `require("…")` of a transformed module, at its position in the source (1-based). */
export interface Specifier {
  spec: string;
  line: number;
  column: number;
}

/** The SDK's modules, as the resolver and the graph use them (sdk.ts SdkRuntime). */
export interface RuntimeModules {
  /** The runtime module id `require(spec)` means, or undefined. */
  resolve(spec: string): string | undefined;
  /** Whether the SDK provides the package at all. */
  providesPackage(name: string): boolean;
  /** An SDK module that must run in the app's graph, because it requires the app's files. */
  appBound(id: string): { key: string; url: string; deps: Record<string, string> } | undefined;
}
