/** A query string value; undefined and null are left out. */
export type QueryValue = string | number | boolean | null | undefined;

/** The API's base path under the server origin (spec §2). */
export const API_PREFIX = "/api/v1";

/**
 * Splits a configured base URL into the server origin and the API root. Either form works:
 * `http://localhost:8787` or `http://localhost:8787/api/v1` (trailing slashes ignored).
 *
 * @example
 * apiRoots("http://localhost:8787/"); // { origin: "http://localhost:8787", api: "http://localhost:8787/api/v1" }
 */
export function apiRoots(baseUrl: string): { origin: string; api: string } {
  const trimmed = baseUrl.replace(/\/+$/, "");
  const origin = trimmed.endsWith(API_PREFIX) ? trimmed.slice(0, -API_PREFIX.length) : trimmed;
  return { origin, api: `${origin}${API_PREFIX}` };
}

/**
 * `root + path` with the query appended (values URL-encoded, null/undefined skipped).
 *
 * @example
 * buildUrl("https://api.example/api/v1", "/projects", { limit: 10, cursor: undefined });
 * // "https://api.example/api/v1/projects?limit=10"
 */
export function buildUrl(root: string, path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const search = params.toString();
  return `${root}${path}${search ? `?${search}` : ""}`;
}

/**
 * Encodes one path segment (an ID from the server, a hash) so it can never change the route.
 *
 * @example
 * `/projects/${seg(projectId)}/mirror`
 */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
