import { SELF } from "cloudflare:test";
import type { ErrorBody } from "../../schema/errors";
import { sha256Hex } from "../src/lib/crypto";
import { pushFilesVia } from "./push-files";

/**
 * Where the tests reach worker-api: a local stack's host, since with the development JWT_SECRET of
 * wrangler.toml the API serves nothing else (config.ts `misconfiguration`).
 */
export const BASE = "https://hivesync.localhost";

let counter = 0;
/** A fresh caller IP, so tests do not share rate-limit buckets unless they mean to. */
export function freshIp(): string {
  counter += 1;
  return `198.51.${Math.floor(counter / 250) % 250}.${(counter % 250) + 1}`;
}

type Init = {
  method?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  ip?: string;
};

/** Calls worker-api over its real fetch handler; a `body` object is sent as JSON. */
export function call(path: string, init: Init = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  headers.set("cf-connecting-ip", init.ip ?? "203.0.113.1");
  return SELF.fetch(`${BASE}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : JSON.stringify(init.body),
  });
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Asserts the spec's error envelope and returns it. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorBody["error"]> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${text}`);
  const body = JSON.parse(text) as ErrorBody;
  if (body.error?.code !== code) throw new Error(`expected code ${code}, got ${text}`);
  if (!body.error.request_id || body.error.request_id !== res.headers.get("x-request-id")) {
    throw new Error(`error without matching request_id: ${text}`);
  }
  return body.error;
}

export type TestUser = {
  id: string;
  email: string;
  username: string;
  password: string;
  access: string;
  refresh: string;
};

let users = 0;
/** Registers a new user with unique credentials and returns them with their tokens. */
export async function registerUser(): Promise<TestUser> {
  users += 1;
  const suffix = `${users}${crypto.randomUUID().slice(0, 6)}`;
  const email = `user${suffix}@example.com`;
  const username = `user_${suffix}`;
  const password = "correct horse battery";
  const res = await call("/api/v1/auth/register", { body: { email, username, password }, ip: freshIp() });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = await json<{ user: { id: string }; tokens: { access_token: string; refresh_token: string } }>(
    res,
  );
  return {
    id: body.user.id,
    email,
    username,
    password,
    access: body.tokens.access_token,
    refresh: body.tokens.refresh_token,
  };
}

export async function createProject(user: TestUser, body: Record<string, unknown> = { name: "My app" }) {
  const res = await call("/api/v1/projects", { body, token: user.access });
  if (res.status !== 201) throw new Error(`create project failed: ${res.status} ${await res.text()}`);
  return json<{ id: string; name: string; mirror_revision: number }>(res);
}

/** SHA-256 hex of text or bytes (the app's own helper). */
export const sha256Of = sha256Hex;

/** Uploads the files' blobs in one batch (one pack) and commits them all as one change set on `baseRevision`. */
export function pushFiles(
  user: TestUser,
  projectId: string,
  files: Record<string, string>,
  baseRevision = 0,
) {
  return pushFilesVia(
    (path, init) => SELF.fetch(`${BASE}${path}`, init),
    user.access,
    projectId,
    files,
    baseRevision,
  );
}

/**
 * A code no preview or link has (random letters of the code alphabet, so each call is a distinct
 * wrong guess: the same wrong code again is not counted twice).
 */
export function wrongCode(): string {
  const alphabet = "BCDFGHJKLMNPQRSTVWXZ";
  const letters = Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => alphabet[b % alphabet.length],
  ).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
