/**
 * The Content-Security-Policy a preview page runs under: same-origin scripts only (the runtime and
 * the app's module scripts, never inline or eval), styles only through CSSOM or same-origin files
 * (the runtime gives react-native-web a constructed stylesheet), images from this origin
 * (`/m/blob/…`) or data:/blob: URLs an app builds, fonts from this origin or as data: URLs (a
 * pre-bundled package carries its fonts inline, §4 of docs/previews.md; a font runs no code),
 * requests to this origin only. The page in
 * runtime/test/page.test.ts runs under exactly this policy and checks nothing is blocked.
 */
export const APP_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
