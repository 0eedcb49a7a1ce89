import type { ComponentType, ErrorInfo, ReactNode } from "react";

/** The part of the app's React the boundary is made of (the SDK's own copy: one React per page). */
export interface ReactLike {
  Component: typeof import("react").Component;
  createElement: typeof import("react").createElement;
}

/** Receives an error React caught while rendering, with React's component stack. */
export type RenderErrorSink = (error: unknown, componentStack?: string) => void;

interface State {
  error: unknown;
}

/**
 * Wraps the app's root component in an error boundary that hands render errors to `sink` (the
 * overlay) and renders nothing in their place. The same component always gets the same wrapper,
 * because react-native-web asks its provider again on every run.
 */
export function boundaryWrapper(
  react: ReactLike,
  sink: RenderErrorSink,
): (app: ComponentType<unknown>) => ComponentType<unknown> {
  const { Component, createElement } = react;
  class HiveSyncErrorBoundary extends Component<{ children?: ReactNode }, State> {
    override state: State = { error: undefined };

    static getDerivedStateFromError(error: unknown): State {
      return { error: error ?? new Error("A component threw a nullish value") };
    }

    override componentDidCatch(error: unknown, info: ErrorInfo): void {
      sink(error, info.componentStack ?? undefined);
    }

    override render(): ReactNode {
      return this.state.error === undefined ? this.props.children : null;
    }
  }

  const wrapped = new WeakMap<ComponentType<unknown>, ComponentType<unknown>>();
  return (app) => {
    let wrapper = wrapped.get(app);
    if (!wrapper) {
      const Root = (props: object) => createElement(HiveSyncErrorBoundary, null, createElement(app, props));
      Root.displayName = app.displayName || app.name || "App";
      wrapper = Root as ComponentType<unknown>;
      wrapped.set(app, wrapper);
    }
    return wrapper;
  };
}
