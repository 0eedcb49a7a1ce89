// The shapes the page receives (docs/previews.md §5). The runtime reads only these fields, so a
// manifest may carry more (its file list, project id, …) without the page caring.

/** One module of the app's graph: its immutable script and where each of its `require`s points. */
export interface ModuleRecord {
  /** Content key: the script at `url` calls `__hs.f(key, …)`. */
  key: string;
  /** Same-origin script URL, normally `/m/<key>.js`. */
  url: string;
  /** Specifier as written in the source → module id, or `runtime:<name>` for the runtime set. */
  deps?: Record<string, string>;
}

/** A build error as the manifest carries it. `line` and `column` are 1-based, as editors show them. */
export interface BuildError {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Optional code frame (a few source lines with a caret), shown verbatim. */
  frame?: string;
}

/** The Expo SDK an app runs on: its chunks (scripts calling `__hs.c`) and the modules the page itself needs. */
export interface SdkSection {
  /** The SDK's major version ("58"). */
  version: string;
  /** Every chunk the app's graph needs, each a same-origin immutable script. */
  chunks: string[];
  /** Module ids of the packages the page drives: react and react-native (react-native-web). */
  react: string;
  reactNative: string;
  /** AppRegistry modules besides react-native-web's that the app may mount through (expo's web one). */
  appRegistries?: string[];
}

/** What one chunk registers: module id → [factory key, specifier → module id]. */
export type ChunkTable = Record<string, [string, Record<string, string>]>;

/** The manifest's `app` section. A failed build carries `errors` (and nothing needs to be run). */
export interface AppSection {
  runtime?: string;
  sdk?: SdkSection;
  /** The app's Expo config (app.json), what expo-constants reads as process.env.APP_MANIFEST. */
  config?: Record<string, unknown>;
  /** The app's EXPO_PUBLIC_* variables (its .env files), set on process.env before the app runs. */
  env?: Record<string, string>;
  /** Where the app's `web.favicon` is served (the build resolved the file). */
  favicon?: string;
  entry?: string;
  modules?: Record<string, ModuleRecord>;
  errors?: BuildError[];
}

/** What `__hs.load` / `__hs.update` accept: a bundle manifest (or just its `app` section). */
export interface Manifest {
  revision?: number | string;
  project?: { name?: string };
  app: AppSection;
}

/** The module function a script registers; the same parameters as a Node/Metro CommonJS module. */
export type Factory = (
  require: (spec: string) => unknown,
  module: { id: string; exports: unknown; loaded: boolean },
  exports: unknown,
  __filename: string,
  __dirname: string,
) => void;
