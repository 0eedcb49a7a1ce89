import type { Config } from "../config";

/**
 * The two origins (docs/architecture.md "Two origins"): the API's, which serves the API, the docs
 * and the shell page of a preview (`/p/<code>`), and a preview origin per session, which serves
 * nothing but that preview's frame, the runtime and the app's module scripts and assets. The app
 * runs there, so it can neither script the API's pages nor read another preview's storage.
 */

/** A session id as a DNS label: `pvs_01ABC…` → `pvs-01abc…` (hostnames are case-insensitive). */
export function sessionLabel(sessionId: string): string {
  return sessionId.toLowerCase().replace("_", "-");
}

/** The session a DNS label names, or null: the inverse of {@link sessionLabel}. */
export function sessionOfLabel(label: string): string | null {
  const match = /^pvs-([0-9a-z]{36})$/.exec(label.toLowerCase());
  return match ? `pvs_${match[1]!.toUpperCase()}` : null;
}

/**
 * The preview-origin template in force: the configured one, or locally
 * `<scheme>://{session}.preview.localhost:<port>` beside the API's own port (browsers resolve every
 * `*.localhost` name to loopback, and `wrangler dev` keeps the Host a browser sends).
 */
function template(config: Config, apiOrigin: URL): string {
  if (config.previewOriginTemplate) return config.previewOriginTemplate;
  return `${apiOrigin.protocol}//{session}.preview.localhost${apiOrigin.port ? `:${apiOrigin.port}` : ""}`;
}

/** The API's origin as a browser reaches it: PUBLIC_URL, or the origin the request came to. */
export function apiOrigin(config: Config, requestUrl: string): URL {
  return new URL(config.publicUrl ?? new URL(requestUrl).origin);
}

/** Where session `sessionId`'s app runs, e.g. `http://pvs-01abc….preview.localhost:8787`. */
export function previewOrigin(config: Config, requestUrl: string, sessionId: string): string {
  return template(config, apiOrigin(config, requestUrl)).replace("{session}", sessionLabel(sessionId));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const hostPatterns = new WeakMap<Config, RegExp>();

/**
 * Every host under the preview domain, the part before it captured: the template's hostname with
 * `{session}` as anything (a deeper name is a preview host too, so a wildcard route never reaches
 * the API). Only hostnames are compared: behind a proxy or Cloudflare's edge the scheme and port a
 * Worker sees may differ from the browser's. Compiled once per config: every request asks.
 */
function previewHostPattern(config: Config): RegExp {
  let pattern = hostPatterns.get(config);
  if (!pattern) {
    const hostname = config.previewOriginTemplate
      ? new URL(config.previewOriginTemplate.replace("{session}", "session-label")).hostname
      : "session-label.preview.localhost";
    const [before, after] = escapeRegExp(hostname).split("session-label") as [string, string];
    pattern = new RegExp(`^${before}(.+)${after}$`);
    hostPatterns.set(config, pattern);
  }
  return pattern;
}

/** The session whose preview origin `requestUrl` is on, or null (the API's host, or no session's label). */
export function previewSessionOfUrl(config: Config, requestUrl: string): string | null {
  const label = previewHostPattern(config).exec(new URL(requestUrl).hostname.toLowerCase())?.[1];
  return label ? sessionOfLabel(label) : null;
}

/** True for a host that is a preview origin's, whether or not it names a real session label. */
export function isPreviewHost(config: Config, requestUrl: string): boolean {
  return previewHostPattern(config).test(new URL(requestUrl).hostname.toLowerCase());
}

/**
 * The origins allowed to embed a preview's frame and talk to it: the API's public origin, or on a
 * local stack (no PUBLIC_URL) the loopback names of the port the preview is served on, since the
 * same `wrangler dev` answers as localhost and 127.0.0.1.
 */
export function shellOrigins(config: Config, previewUrl: string): string[] {
  if (config.publicUrl) return [new URL(config.publicUrl).origin];
  const url = new URL(previewUrl);
  const port = url.port ? `:${url.port}` : "";
  // (Not [::1]: a CSP source cannot name an IPv6 address.)
  return ["localhost", "127.0.0.1"].map((host) => `${url.protocol}//${host}${port}`);
}
