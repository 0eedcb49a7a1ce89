// The page's own styles: the app's root, the HiveSync bar and the error overlay. Applied through a
// constructed stylesheet (CSSOM), which a strict `style-src` does not block the way it blocks an
// inline <style> or style="" attribute.

const CSS = `
:root{--hs-bar:calc(28px + env(safe-area-inset-bottom, 0px))}
.hs-embedded{--hs-bar:0px}
html,body{height:100%;margin:0}
body{overflow:hidden;background:#fff}
#root{position:fixed;top:0;left:0;right:0;bottom:var(--hs-bar);display:flex}
#hs-app{position:fixed;top:0;left:0;width:100%;height:calc(100% - var(--hs-bar));border:0;display:block;background:#fff}
#hs-bar{position:fixed;left:0;right:0;bottom:0;height:28px;padding:0 10px env(safe-area-inset-bottom, 0px);
 display:flex;align-items:center;gap:8px;background:#16181d;color:#d9dce1;z-index:2147483000;
 font:12px/1 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;white-space:nowrap;overflow:hidden;box-sizing:content-box}
#hs-bar .hs-logo{width:14px;height:14px;flex:none;background:#f5a623;
 clip-path:polygon(50% 0,93% 25%,93% 75%,50% 100%,7% 75%,7% 25%)}
#hs-bar .hs-project{font-weight:600;color:#fff;overflow:hidden;text-overflow:ellipsis;min-width:0}
#hs-bar .hs-revision{color:#9aa1ab;font-family:ui-monospace,Menlo,monospace}
#hs-bar .hs-status{display:flex;align-items:center;gap:4px}
#hs-bar .hs-status::before{content:"";width:7px;height:7px;border-radius:50%;background:#6b7280}
#hs-bar .hs-status[data-state=live]::before{background:#30a46c}
#hs-bar .hs-status[data-state=updating]::before{background:#3e63dd}
#hs-bar .hs-status[data-state=reconnecting]::before,#hs-bar .hs-status[data-state=connecting]::before{background:#f5a623;animation:hs-pulse 1s infinite alternate}
#hs-bar .hs-open{margin-left:auto;color:#8ab4ff;text-decoration:none;font-weight:600}
#hs-bar [hidden]{display:none}
@keyframes hs-pulse{to{opacity:.3}}
#hs-overlay{position:fixed;left:8px;right:8px;bottom:calc(var(--hs-bar) + 8px);max-width:760px;margin:0 auto;
 max-height:calc(100% - var(--hs-bar) - 16px);overflow:auto;box-sizing:border-box;padding:14px 16px 12px;
 background:#1c1d21;color:#eceef0;border-radius:10px;border-top:4px solid #e5484d;
 box-shadow:0 10px 32px rgba(0,0,0,.4);z-index:2147483001;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
#hs-overlay[hidden]{display:none}
#hs-overlay .hs-head{display:flex;align-items:center;gap:8px}
#hs-overlay .hs-kind{color:#ff9592;font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.06em}
#hs-overlay .hs-close{margin-left:auto;background:none;border:0;color:#9aa1ab;font:inherit;font-size:18px;line-height:1;cursor:pointer;padding:2px 4px}
#hs-overlay .hs-where{margin:8px 0 2px;font:600 14px/1.3 ui-monospace,Menlo,Consolas,monospace;color:#fff;word-break:break-all}
#hs-overlay .hs-message{margin:4px 0 8px;font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word;color:#ffd1d0}
#hs-overlay pre{margin:6px 0;padding:8px;background:#111214;border-radius:6px;overflow:auto;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;color:#c9ccd1}
#hs-overlay .hs-frames{margin:6px 0;padding:0;list-style:none;font:12px/1.5 ui-monospace,Menlo,Consolas,monospace}
#hs-overlay .hs-frames li{color:#6b7280;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#hs-overlay .hs-frames li.hs-user{color:#eceef0}
#hs-overlay .hs-note{margin:8px 0 0;color:#9aa1ab;font-size:12px}
#hs-overlay .hs-error+.hs-error{border-top:1px solid #2e3036;margin-top:10px;padding-top:6px}
`;

/** Applies the page's styles once. */
export function applyStyles(): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // Browsers without constructable stylesheets (Safari < 16.4): rules inserted through CSSOM.
    const style = document.createElement("style");
    document.head.appendChild(style);
    const sheet = style.sheet;
    if (!sheet) return;
    // Each rule starts a line; its continuation lines are indented.
    for (const rule of CSS.trim().split(/\n(?=\S)/)) {
      try {
        sheet.insertRule(rule.trim(), sheet.cssRules.length);
      } catch {
        // One rule a browser does not understand must not cost the rest.
      }
    }
  }
}

const adopted = new Set<string>();

/**
 * Adds a stylesheet the app or a package imports (`import "./global.css"`), once per text. A
 * constructed stylesheet, because the page's CSP refuses inline <style>; placed before the page's
 * own sheet so the bar and overlay keep their look.
 */
export function adoptStyleSheet(css: string): void {
  if (adopted.has(css)) return;
  adopted.add(css);
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  const sheets = document.adoptedStyleSheets;
  document.adoptedStyleSheets = [...sheets.slice(0, -1), sheet, ...sheets.slice(-1)];
}
