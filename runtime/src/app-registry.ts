import type { ComponentType } from "react";

/** The part of react-native-web's AppRegistry the runtime drives. */
export interface AppRegistryLike {
  registerComponent(appKey: string, provider: () => ComponentType<unknown>): string;
  runApplication(appKey: string, params: { rootTag?: Element | null; [key: string]: unknown }): unknown;
  unmountApplicationComponentAtRootTag(rootTag: unknown): void;
}

/** What react-native-web's AppRegistry.runApplication returns: the react-dom root. */
interface ReactRoot {
  unmount(): void;
}

/**
 * Hooks react-native-web's AppRegistry so the page can re-mount in place: running an application
 * on a root element that already holds one unmounts the previous tree first (react-dom would
 * otherwise keep both roots alive on one element), every registered component is wrapped by
 * `wrap` (the runtime's error boundary), and it records whether the current run mounted anything.
 */
export function hookAppRegistry(
  registry: AppRegistryLike,
  wrap: (c: ComponentType<unknown>) => ComponentType<unknown>,
) {
  const roots = new Map<unknown, ReactRoot>();
  let mounted = false;
  let registered: string[] = [];
  const register = registry.registerComponent;
  const run = registry.runApplication;
  const unmount = registry.unmountApplicationComponentAtRootTag;

  registry.registerComponent = (appKey, provider) => {
    registered.push(appKey);
    return register.call(registry, appKey, () => wrap(provider()));
  };
  registry.runApplication = (appKey, params) => {
    const tag = params?.rootTag;
    roots.get(tag)?.unmount();
    roots.delete(tag);
    const root = run.call(registry, appKey, params) as ReactRoot | undefined;
    if (tag && typeof root?.unmount === "function") roots.set(tag, root);
    mounted = true;
    return root;
  };
  // react-native-web's own version expects the react-dom root, not the element; accept both.
  registry.unmountApplicationComponentAtRootTag = (tag) => {
    const root = roots.get(tag);
    if (!root) return unmount.call(registry, tag);
    root.unmount();
    roots.delete(tag);
  };

  return {
    /** Starts a run of the app's modules: `mounted` is false until it runs an application. */
    beginRun(): void {
      mounted = false;
      registered = [];
    },
    /** The app keys registered since `beginRun`, in order. */
    get registered(): readonly string[] {
      return registered;
    },
    /** Whether the current run mounted an application. */
    get mounted(): boolean {
      return mounted;
    },
  };
}
