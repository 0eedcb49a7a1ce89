import { shortHash } from "./short-hash";

/**
 * A stylesheet as a CommonJS module (docs/previews.md §3): the page adopts its text as a constructed
 * stylesheet (`__hs.css`; the page's CSP refuses inline <style>), and a CSS module
 * (`*.module.css`) gets its class names scoped by `scope` (the file's path) and exports them, as
 * Metro's CSS modules do: `import styles from "./a.module.css"` → `styles.title`.
 */
export function cssModuleCode(text: string, scope: string, scoped: boolean): string {
  const names: Record<string, string> = {};
  let css = text;
  if (scoped) {
    const suffix = shortHash(scope).slice(0, 6);
    css = text.replace(/\.(-?[_a-zA-Z][\w-]*)(?![^{]*;)/g, (whole, name: string, offset: number) => {
      // Not inside url(…) (a file name), and not a number such as .5em.
      if (/url\([^)]*$/.test(text.slice(Math.max(0, offset - 200), offset))) return whole;
      names[name] = `${name}_${suffix}`;
      return `.${names[name]}`;
    });
  }
  return `var s=globalThis.__hs&&globalThis.__hs.css;s&&s(${JSON.stringify(css)});module.exports=${JSON.stringify(names)};module.exports.default=module.exports;`;
}
