// What an app's Expo config says about the page around it, applied as a device applies it: the
// name as the title, `web.favicon`, `backgroundColor` behind the app's views, the splash screen's
// colour until the app draws, and `userInterfaceStyle` (light unless the app asks otherwise).

type Config = Record<string, unknown> | undefined;

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;
const obj = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** The splash screen's background: `splash.backgroundColor`, or the expo-splash-screen plugin's. */
export function splashColor(config: Config): string | undefined {
  const plugin = (Array.isArray(config?.plugins) ? config.plugins : []).find(
    (p): p is [string, Record<string, unknown>] => Array.isArray(p) && p[0] === "expo-splash-screen",
  );
  return str(obj(config?.splash).backgroundColor) ?? str(obj(plugin?.[1]).backgroundColor);
}

/** The colour scheme the app runs in, or null to follow the phone (`automatic`). */
export function forcedColorScheme(config: Config): "light" | "dark" | null {
  const style = config?.userInterfaceStyle;
  if (style === "automatic") return null;
  return style === "dark" ? "dark" : "light"; // Expo's default is light
}

let schemeFixed = false;

/**
 * Makes `(prefers-color-scheme: …)` answer as the app's scheme, before react-native-web's
 * Appearance first asks (once per page: a changed setting needs a reload, as a rebuilt app does).
 */
function fixColorScheme(scheme: "light" | "dark"): void {
  if (schemeFixed) return;
  schemeFixed = true;
  const original = window.matchMedia.bind(window);
  window.matchMedia = (query: string) => {
    const asked = /\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/.exec(query)?.[1];
    return original(asked === undefined ? query : asked === scheme ? "all" : "not all");
  };
  document.documentElement.style.colorScheme = scheme;
}

/**
 * Applies the config to the page: title, favicon (`faviconUrl`, which the build resolved),
 * background, colour scheme.
 *
 * @example
 * applyAppearance({ name: "Tour", backgroundColor: "#101010", userInterfaceStyle: "dark" });
 */
export function applyAppearance(config: Config, faviconUrl?: string): void {
  applyTitleAndIcon(config, faviconUrl);
  const background = str(config?.backgroundColor);
  if (background) document.body.style.backgroundColor = background;
  const scheme = forcedColorScheme(config);
  if (scheme) fixColorScheme(scheme);
}

/**
 * The app's name as the page title and its favicon: what a browser tab shows (the shell's, since
 * the app runs in a frame).
 *
 * @example
 * applyTitleAndIcon({ name: "Tour" }, "https://pvs-….preview.example/m/blob/….png");
 */
export function applyTitleAndIcon(config: Config, faviconUrl?: string): void {
  const name = str(obj(config?.web).name) ?? str(config?.name);
  if (name) document.title = name;
  if (faviconUrl) {
    let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (!link) {
      link = document.createElement("link");
      link.rel = "icon";
      document.head.appendChild(link);
    }
    link.href = faviconUrl;
  }
}
