/**
 * The Content-Security-Policies of a preview's two pages (docs/architecture.md "Two origins"); the
 * tests pin both with literal directives.
 */

/** Loopback sources a local stack's app may reach (its own dev servers on this machine). */
const LOOPBACK = ["http://localhost:*", "http://127.0.0.1:*", "http://*.localhost:*"];
const LOOPBACK_SOCKETS = ["ws://localhost:*", "ws://127.0.0.1:*", "ws://*.localhost:*"];

/**
 * The frame's policy: the app's code only from its own preview origin (the runtime, the SDK chunks
 * and its module scripts, all immutable; never inline or eval), styles only through CSSOM or
 * same-origin files; but the network as an app on a phone has it — its API, remote images, media
 * and fonts over https (and a local stack's loopback servers). `worker-src blob:` lets a library
 * start a worker from code it already runs, and no service worker (which would outlive the page).
 * Only the shell on the API's origin may embed it (`frame-ancestors`).
 */
export function framePolicy(options: { shellOrigins: readonly string[]; local: boolean }): string {
  const local = options.local ? LOOPBACK : [];
  const sockets = options.local ? LOOPBACK_SOCKETS : [];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data: blob: https:", ...local].join(" "),
    ["media-src 'self' data: blob: https:", ...local].join(" "),
    ["font-src 'self' data: https:", ...local].join(" "),
    ["connect-src 'self' https: wss:", ...local, ...sockets].join(" "),
    "frame-src https:",
    "worker-src blob:",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${options.shellOrigins.join(" ")}`,
  ].join("; ");
}

/**
 * The shell's policy on the API's origin: its own script and nothing inline, the bar's styles
 * through CSSOM, requests to the API only, and one frame: the session's preview origin.
 */
export function shellPolicy(previewOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${previewOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
