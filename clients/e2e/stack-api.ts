import { createHash } from "node:crypto";
import type { LocalStack } from "./local-stack";

/** SHA-256 hex of a string, as blob addresses are written. */
export const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

/**
 * One raw call to a local stack's API, below the client libraries (for tests that must see the
 * server's own answers): a `json` body is sent as JSON; every call gives up after 15 s, so a hung
 * request fails the test instead of stalling it.
 *
 * @example
 * const { status, body } = await api(stack, "/projects", { token, json: { name: "x" } });
 */
export async function api<T = Record<string, unknown>>(
  stack: LocalStack,
  route: string,
  init: { token?: string; json?: unknown; method?: string; body?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.url}/api/v1${route}`, {
    method: init.method ?? (init.json !== undefined ? "POST" : "GET"),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
