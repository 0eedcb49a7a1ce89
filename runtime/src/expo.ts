import type { AppRegistryLike } from "./app-registry";

/** expo-modules-core's error with a `code` (what native-module code throws and checks). */
export class CodedError extends Error {
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** What expo-modules-core throws for a native method that has no web implementation. */
export class UnavailabilityError extends CodedError {
  constructor(moduleName: string, propertyName: string) {
    super(
      "ERR_UNAVAILABLE",
      `The method or property ${moduleName}.${propertyName} is not available on web, are you sure you've linked all the native dependencies properly?`,
    );
  }
}

/**
 * The `expo` module on web: `registerRootComponent` as expo's web build does it (register "main",
 * run it into #root), and the few other exports a blank app can reach without native code.
 */
export function createExpo(appRegistry: AppRegistryLike, platform: unknown) {
  return {
    __esModule: true,
    registerRootComponent(component: never): void {
      appRegistry.registerComponent("main", () => component);
      if (typeof window === "undefined") return;
      const rootTag = document.getElementById("root");
      if (!rootTag)
        throw new Error('Required HTML element with id "root" was not found in the document HTML.');
      appRegistry.runApplication("main", { rootTag, hydrate: false });
    },
    isRunningInExpoGo: () => false,
    getExpoGoProjectConfig: () => null,
    Platform: platform,
    CodedError,
    UnavailabilityError,
    requireNativeModule(name: string): never {
      throw new Error(`Cannot find native module '${name}'`);
    },
    requireOptionalNativeModule: () => null,
    reloadAppAsync: async () => window.location.reload(),
    disableErrorHandling: () => {},
  };
}
