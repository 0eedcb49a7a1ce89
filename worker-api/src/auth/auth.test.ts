import { env, runDurableObjectAlarm } from "cloudflare:test";
import { decode, sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { countedBindings } from "../../test/counted-bindings";
import {
  call,
  createProject,
  expectError,
  freshIp,
  json,
  registerUser,
  type TestUser,
} from "../../test/helpers";
import { createApp } from "../app";
import { database } from "../db";
import type { Env } from "../env";
import { verifyAccessToken } from "../lib/access-tokens";
import { isSessionLive } from "./session-store";
import { revokeSession } from "./sessions";
import { userSessionsOf } from "./user-sessions";

type Tokens = { access_token: string; refresh_token: string; token_type: string; expires_in: number };
type UserBody = { id: string; email: string; username: string; created_at: string };
type AuthBody = { user: UserBody; tokens: Tokens };

const PASSWORD = "correct horse battery";
/** The local-development secret from wrangler.toml `[vars]`: what a token forger would need. */
const DEV_SECRET = env.JWT_SECRET as string;

let seq = 0;
/** Unique credentials that pass validation. */
function freshCredentials(password = PASSWORD) {
  seq += 1;
  const tag = `${seq}${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
  return { email: `acct${tag}@example.com`, username: `acct_${tag}`, password };
}

function register(body: unknown, ip = freshIp()): Promise<Response> {
  return call("/api/v1/auth/register", { body, ip });
}

/** Each login gets its own caller IP unless the test says otherwise (the per-IP login limit is 10/min). */
function login(loginName: string, password: string, ip = freshIp()): Promise<Response> {
  return call("/api/v1/auth/login", { body: { login: loginName, password }, ip });
}

async function loginOk(loginName: string, password: string): Promise<AuthBody> {
  const res = await login(loginName, password);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return json<AuthBody>(res);
}

function refresh(refreshToken: string): Promise<Response> {
  return call("/api/v1/auth/refresh", { body: { refresh_token: refreshToken }, ip: freshIp() });
}

function me(token: string): Promise<Response> {
  return call("/api/v1/auth/me", { token });
}

function claimsOf(accessToken: string) {
  return decode(accessToken).payload as Record<string, unknown> & { sub: string; sid: string };
}

/** Signs an access token ourselves, the way an attacker holding some secret (or none) would. */
function forge(claims: Record<string, unknown>, secret = DEV_SECRET, alg: "HS256" | "HS512" = "HS256") {
  return sign(claims, secret, alg);
}

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function expectRetryAfter(res: Response, maxSeconds: number): number {
  const header = res.headers.get("retry-after");
  expect(header).toMatch(/^[1-9]\d*$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
  return seconds;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("register", () => {
  it("answers 201 {user, tokens} and never exposes the password or its hash", async () => {
    const creds = freshCredentials();
    const res = await register(creds);
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain(creds.password);
    expect(text).not.toMatch(/pbkdf2|password/i);
    const body = JSON.parse(text) as AuthBody;
    expect(Object.keys(body).sort()).toEqual(["tokens", "user"]);
    expect(Object.keys(body.user).sort()).toEqual(["created_at", "email", "id", "username"]);
    expect(body.user).toMatchObject({ email: creds.email, username: creds.username });
    expect(body.user.id).toMatch(/^usr_[0-9A-Z]{36}$/);
    expect(new Date(body.user.created_at).toISOString()).toBe(body.user.created_at);
    expect(body.tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(body.tokens.access_token.split(".")).toHaveLength(3);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);

    // The tokens work straight away.
    const who = await me(body.tokens.access_token);
    expect(who.status).toBe(200);
    expect((await json<{ user: UserBody }>(who)).user.id).toBe(body.user.id);
  });

  it("stores and returns the email in lower case (and trims it)", async () => {
    const creds = freshCredentials();
    const res = await register({ ...creds, email: `  ${creds.email.toUpperCase()} ` });
    expect(res.status).toBe(201);
    const body = await json<AuthBody>(res);
    expect(body.user.email).toBe(creds.email);
    const row = await env.DB.prepare("SELECT email FROM users WHERE id = ?")
      .bind(body.user.id)
      .first<{ email: string }>();
    expect(row?.email).toBe(creds.email);
  });

  it("accepts usernames of 3–32 characters from [a-z0-9_-]", async () => {
    const tag = crypto.randomUUID().replace(/-/g, "").slice(0, 6);
    for (const username of [`a${tag.slice(0, 2)}`, `x-${tag}_9`, `u${tag}`.padEnd(32, "z")]) {
      expect(username.length).toBeGreaterThanOrEqual(3);
      expect(username.length).toBeLessThanOrEqual(32);
      const res = await register({ ...freshCredentials(), username });
      expect(res.status, `${username}: ${await res.clone().text()}`).toBe(201);
      expect((await json<AuthBody>(res)).user.username).toBe(username);
    }
  });

  it("rejects usernames that are too short, too long or use other characters", async () => {
    for (const username of [
      "ab",
      "a".repeat(33),
      "Alice",
      "has space",
      "dot.ted",
      "émile",
      "tab\tname",
      "",
    ]) {
      const error = await expectError(
        await register({ ...freshCredentials(), username }),
        400,
        "VALIDATION_FAILED",
      );
      const issues = error.details.issues as { path: string; message: string }[];
      expect(new Set(issues.map((i) => i.path))).toEqual(new Set(["username"]));
    }
  });

  it("demands a password of 10–128 characters", async () => {
    for (const password of ["123456789", "x".repeat(129), ""]) {
      const error = await expectError(await register(freshCredentials(password)), 400, "VALIDATION_FAILED");
      expect((error.details.issues as { path: string }[]).map((i) => i.path)).toEqual(["password"]);
    }
    for (const password of ["1234567890", "p".repeat(128)]) {
      const creds = freshCredentials(password);
      expect((await register(creds)).status).toBe(201);
      expect((await login(creds.username, password)).status).toBe(200);
    }
  });

  it("answers 400 VALIDATION_FAILED with details.issues [{path, message}] for every bad field", async () => {
    const error = await expectError(
      await register({ email: "not-an-email", username: "x", password: "short" }),
      400,
      "VALIDATION_FAILED",
    );
    const issues = error.details.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(["email", "password", "username"]);
    for (const issue of issues) {
      expect(typeof issue.message).toBe("string");
      expect(issue.message.length).toBeGreaterThan(0);
    }

    const missing = await expectError(await register({}), 400, "VALIDATION_FAILED");
    expect((missing.details.issues as { path: string }[]).map((i) => i.path).sort()).toEqual([
      "email",
      "password",
      "username",
    ]);
  });

  it("answers 400 INVALID_JSON for a malformed body and 415 for a non-JSON one", async () => {
    await expectError(await register('{"email": "a@b.c",'), 400, "INVALID_JSON");
    await expectError(
      await call("/api/v1/auth/register", {
        body: "email=a@b.c",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        ip: freshIp(),
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("answers 409 EMAIL_TAKEN, also when the email differs only in case", async () => {
    const first = freshCredentials();
    expect((await register(first)).status).toBe(201);
    const other = freshCredentials();
    await expectError(await register({ ...other, email: first.email }), 409, "EMAIL_TAKEN");
    await expectError(await register({ ...other, email: first.email.toUpperCase() }), 409, "EMAIL_TAKEN");
    // Nothing was half-created: the second username is still free.
    expect((await register(other)).status).toBe(201);
  });

  it("answers 409 USERNAME_TAKEN", async () => {
    const first = freshCredentials();
    expect((await register(first)).status).toBe(201);
    await expectError(
      await register({ ...freshCredentials(), username: first.username }),
      409,
      "USERNAME_TAKEN",
    );
  });

  it("lets exactly one of several concurrent registrations of one email win", async () => {
    const email = freshCredentials().email;
    const responses = await Promise.all([1, 2, 3].map(() => register({ ...freshCredentials(), email })));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    for (const res of responses.filter((r) => r.status === 409)) await expectError(res, 409, "EMAIL_TAKEN");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });
});

describe("password storage", () => {
  async function storedHash(userId: string): Promise<string> {
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(userId)
      .first<{ password_hash: string }>();
    if (!row) throw new Error("user row missing");
    return row.password_hash;
  }

  it("stores pbkdf2-sha256$100000$<16-byte salt>$<PBKDF2-HMAC-SHA256 of the password>", async () => {
    const user = await registerUser();
    const stored = await storedHash(user.id);
    const match = /^pbkdf2-sha256\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
    expect(match, stored).not.toBeNull();
    const [, iterations, saltText, hashText] = match!;
    // 100,000 is the production Workers maximum: more fails at login in production only.
    expect(iterations).toBe("100000");
    const salt = fromB64url(saltText!);
    expect(salt.length).toBe(16);
    expect(fromB64url(hashText!).length).toBe(32);

    // The hash really is PBKDF2-HMAC-SHA256 of the password with those parameters.
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(user.password),
      "PBKDF2",
      false,
      ["deriveBits"],
    );
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: 100_000 },
      key,
      256,
    );
    expect(new Uint8Array(bits)).toEqual(fromB64url(hashText!));
  });

  it("salts every user separately: the same password gives different hashes", async () => {
    const a = await registerUser();
    const b = await registerUser();
    expect(a.password).toBe(b.password);
    const [hashA, hashB] = [await storedHash(a.id), await storedHash(b.id)];
    expect(hashA).not.toBe(hashB);
    expect(hashA.split("$")[2]).not.toBe(hashB.split("$")[2]);
    expect(hashA.split("$")[3]).not.toBe(hashB.split("$")[3]);
  });
});

describe("login", () => {
  it("signs in with the email or the username, in any case, with a new session each time", async () => {
    const user = await registerUser();
    const sessions = new Set<string>([claimsOf(user.access).sid]);
    for (const name of [
      user.email,
      user.email.toUpperCase(),
      ` ${user.email} `,
      user.username,
      user.username.toUpperCase(),
    ]) {
      const res = await login(name, user.password);
      expect(res.status, name).toBe(200);
      const body = await json<AuthBody>(res);
      expect(body.user).toEqual({
        id: user.id,
        email: user.email,
        username: user.username,
        created_at: expect.any(String),
      });
      expect(body.tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
      expect(JSON.stringify(body)).not.toMatch(/pbkdf2|password/i);
      sessions.add(claimsOf(body.tokens.access_token).sid);
    }
    expect(sessions.size).toBe(6);
  });

  it("answers 401 INVALID_CREDENTIALS identically for an unknown user and a wrong password", async () => {
    const user = await registerUser();
    const wrongPassword = await expectError(
      await login(user.email, "wrong password!"),
      401,
      "INVALID_CREDENTIALS",
    );
    const unknownEmail = await expectError(
      await login(`nobody-${crypto.randomUUID()}@example.com`, "wrong password!"),
      401,
      "INVALID_CREDENTIALS",
    );
    const unknownName = await expectError(
      await login(`nobody_${seq++}`, user.password),
      401,
      "INVALID_CREDENTIALS",
    );
    const strip = ({ request_id: _, ...rest }: typeof wrongPassword) => rest;
    expect(strip(unknownEmail)).toEqual(strip(wrongPassword));
    expect(strip(unknownName)).toEqual(strip(wrongPassword));
    expect(JSON.stringify(wrongPassword)).not.toContain(user.email);
  });

  it("answers 400 VALIDATION_FAILED for a body without login or password", async () => {
    const error = await expectError(
      await call("/api/v1/auth/login", { body: { login: "someone" }, ip: freshIp() }),
      400,
      "VALIDATION_FAILED",
    );
    expect((error.details.issues as { path: string }[]).map((i) => i.path)).toEqual(["password"]);
  });
});

describe("access tokens", () => {
  it("stop at their exp also when this isolate has checked them before", async () => {
    const user = await registerUser();
    const exp = claimsOf(user.access).exp as number;
    const secret = env.JWT_SECRET as string;
    expect(await verifyAccessToken(user.access, secret, () => exp * 1000 - 1000)).toMatchObject({
      sub: user.id,
    });
    // Under another secret the remembered check counts for nothing (asked while it is remembered).
    expect(await verifyAccessToken(user.access, "another secret of at least 32 characters!!")).toBeNull();
    // The second check is answered from the isolate's memory of the first — and still expires.
    expect(await verifyAccessToken(user.access, secret, () => exp * 1000 - 1)).toMatchObject({
      sub: user.id,
    });
    expect(await verifyAccessToken(user.access, secret, () => exp * 1000)).toBeNull();
  });

  it("carry sub, sid, iat, exp (15 min) and typ, and no personal data", async () => {
    const user = await registerUser();
    const { header, payload } = decode(user.access);
    expect(header).toMatchObject({ alg: "HS256" });
    expect(Object.keys(payload).sort()).toEqual(["exp", "iat", "sid", "sub", "typ"]);
    expect(payload.sub).toBe(user.id);
    expect(payload.sid).toMatch(/^ses_/);
    expect(payload.typ).toBe("access");
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect(Math.abs((payload.iat as number) - nowSeconds())).toBeLessThanOrEqual(5);
    const raw = new TextDecoder().decode(fromB64url(user.access.split(".")[1]!));
    expect(raw).not.toContain(user.email);
    expect(raw).not.toContain(user.username);
  });

  async function liveClaims(user: TestUser) {
    const { sub, sid } = claimsOf(user.access);
    const iat = nowSeconds();
    return { sub, sid, iat, exp: iat + 900, typ: "access" };
  }

  it("a token we sign ourselves with the right secret and claims is accepted (control)", async () => {
    const user = await registerUser();
    expect((await me(await forge(await liveClaims(user)))).status).toBe(200);
  });

  it("rejects an expired token with 401 UNAUTHENTICATED", async () => {
    const user = await registerUser();
    const claims = await liveClaims(user);
    const expired = await forge({ ...claims, iat: claims.iat - 960, exp: claims.iat - 60 });
    await expectError(await me(expired), 401, "UNAUTHENTICATED");
    const justExpired = await forge({ ...claims, iat: claims.iat - 900, exp: claims.iat });
    await expectError(await me(justExpired), 401, "UNAUTHENTICATED");
  });

  it("rejects a token without an expiry", async () => {
    const user = await registerUser();
    const { exp: _, ...claims } = await liveClaims(user);
    await expectError(await me(await forge(claims)), 401, "UNAUTHENTICATED");
  });

  it("rejects forged signatures and tampered payloads", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const claims = await liveClaims(user);
    await expectError(
      await me(await forge(claims, "some-other-secret-that-is-long-enough-123")),
      401,
      "UNAUTHENTICATED",
    );
    // A real signature over someone else's claims.
    const [head, , signature] = user.access.split(".");
    const tampered = `${head}.${b64url({ ...claimsOf(user.access), sub: other.id })}.${signature}`;
    await expectError(await me(tampered), 401, "UNAUTHENTICATED");
    // Signature stripped.
    await expectError(await me(`${head}.${user.access.split(".")[1]}.`), 401, "UNAUTHENTICATED");
  });

  it("rejects alg:none and any algorithm other than HS256", async () => {
    const user = await registerUser();
    const claims = await liveClaims(user);
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
    await expectError(await me(none), 401, "UNAUTHENTICATED");
    const noneUpper = `${b64url({ alg: "None", typ: "JWT" })}.${b64url(claims)}.`;
    await expectError(await me(noneUpper), 401, "UNAUTHENTICATED");
    await expectError(await me(await forge(claims, DEV_SECRET, "HS512")), 401, "UNAUTHENTICATED");
  });

  it("rejects tokens of another type and tokens whose sid is not the user's", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const claims = await liveClaims(user);
    for (const typ of ["refresh", "preview", undefined]) {
      await expectError(await me(await forge({ ...claims, typ })), 401, "UNAUTHENTICATED");
    }
    // A live session id of another user does not make the token valid.
    const mixed = await forge({ ...claims, sid: claimsOf(other.access).sid });
    await expectError(await me(mixed), 401, "UNAUTHENTICATED");
  });

  it("rejects missing and malformed Authorization headers", async () => {
    const user = await registerUser();
    const headers = [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      `Basic ${user.access}`,
      `Token ${user.access}`,
      `Bearer ${user.access} extra`,
      `Bearer  ${user.access}`,
      user.access,
      "Bearer not-a-jwt",
      "Bearer a.b.c",
    ];
    for (const authorization of headers) {
      const res = await call("/api/v1/auth/me", {
        headers: authorization === undefined ? {} : { authorization },
      });
      await expectError(res, 401, "UNAUTHENTICATED");
    }
    expect((await me(user.access)).status).toBe(200);
  });
});

describe("refresh", () => {
  it("rotates: new tokens work, the new refresh token differs, the old one no longer works", async () => {
    const user = await registerUser();
    const res = await refresh(user.refresh);
    expect(res.status).toBe(200);
    const body = await json<{ tokens: Tokens }>(res);
    expect(Object.keys(body)).toEqual(["tokens"]);
    expect(body.tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(body.tokens.refresh_token).not.toBe(user.refresh);
    // Same auth session, same user.
    expect(claimsOf(body.tokens.access_token)).toMatchObject({
      sub: user.id,
      sid: claimsOf(user.access).sid,
    });
    expect((await me(body.tokens.access_token)).status).toBe(200);

    const again = await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");
    expect(again.details).toMatchObject({ reason: "reused" });
  });

  it("hands out opaque refresh tokens of ≥ 32 random bytes, stored only as SHA-256 hashes", async () => {
    const user = await registerUser();
    expect(user.refresh).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(fromB64url(user.refresh).length).toBeGreaterThanOrEqual(32);
    const sid = claimsOf(user.access).sid;
    const rows = await env.DB.prepare("SELECT * FROM refresh_tokens WHERE session_id = ?")
      .bind(sid)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]?.token_hash).toBe(await sha256Hex(user.refresh));
    expect(JSON.stringify(rows.results)).not.toContain(user.refresh);
    // 30 days.
    const row = rows.results[0] as { created_at: string; expires_at: string };
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(30 * 24 * 3600 * 1000);
  });

  it("reuse of a rotated token revokes the whole session, and only that session", async () => {
    const user = await registerUser();
    const otherSession = await loginOk(user.username, user.password);
    const first = await json<{ tokens: Tokens }>(await refresh(user.refresh));
    const second = await json<{ tokens: Tokens }>(await refresh(first.tokens.refresh_token));
    expect((await me(second.tokens.access_token)).status).toBe(200);

    // An attacker replays the first (already rotated) refresh token.
    const error = await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");
    expect(error.details).toMatchObject({ reason: "reused" });

    // Every token of that session is dead at once: the latest refresh token and all access tokens.
    await expectError(await refresh(second.tokens.refresh_token), 401, "INVALID_REFRESH_TOKEN");
    for (const access of [user.access, first.tokens.access_token, second.tokens.access_token]) {
      await expectError(await me(access), 401, "UNAUTHENTICATED");
    }
    // The user's other session is untouched.
    expect((await me(otherSession.tokens.access_token)).status).toBe(200);
    expect((await refresh(otherSession.tokens.refresh_token)).status).toBe(200);
  });

  it("lets at most one of several concurrent refreshes of one token succeed", async () => {
    const user = await registerUser();
    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => refresh(user.refresh)));
    const ok = responses.filter((r) => r.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    for (const res of responses.filter((r) => r.status !== 200)) {
      await expectError(res, 401, "INVALID_REFRESH_TOKEN");
    }
    // Whatever happened, the presented token is spent.
    await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");
  });

  it("rejects unknown, expired and access tokens with 401 INVALID_REFRESH_TOKEN", async () => {
    const user = await registerUser();
    const unknown = await expectError(await refresh("x".repeat(43)), 401, "INVALID_REFRESH_TOKEN");
    expect(unknown.details).toMatchObject({ reason: "unknown" });
    await expectError(await refresh(user.access.slice(0, 200)), 401, "INVALID_REFRESH_TOKEN");

    await env.DB.prepare("UPDATE refresh_tokens SET expires_at = ? WHERE token_hash = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), await sha256Hex(user.refresh))
      .run();
    const expired = await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");
    expect(expired.details).toMatchObject({ reason: "expired" });

    await expectError(await refresh(""), 400, "VALIDATION_FAILED");
  });
});

describe("logout", () => {
  it("answers 204 and kills that session's access and refresh tokens at once, not other sessions'", async () => {
    const user = await registerUser();
    const other = await loginOk(user.email, user.password);

    const res = await call("/api/v1/auth/logout", { method: "POST", token: user.access });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");

    await expectError(await me(user.access), 401, "UNAUTHENTICATED");
    await expectError(
      await call("/api/v1/auth/logout", { method: "POST", token: user.access }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");

    expect((await me(other.tokens.access_token)).status).toBe(200);
    const rotated = await refresh(other.tokens.refresh_token);
    expect(rotated.status).toBe(200);
    expect((await me((await json<{ tokens: Tokens }>(rotated)).tokens.access_token)).status).toBe(200);
  });

  it("also kills access tokens issued by a refresh of that session", async () => {
    const user = await registerUser();
    const refreshed = await json<{ tokens: Tokens }>(await refresh(user.refresh));
    expect(
      (await call("/api/v1/auth/logout", { method: "POST", token: refreshed.tokens.access_token })).status,
    ).toBe(204);
    await expectError(await me(user.access), 401, "UNAUTHENTICATED");
    await expectError(await refresh(refreshed.tokens.refresh_token), 401, "INVALID_REFRESH_TOKEN");
  });

  it("refuses the access token once the revocation reached the user's object, before D1 records it", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const { sub, sid } = claimsOf(user.access);
    // A logout cut off after its first write: the D1 write fails.
    const broken = {
      ...env,
      DB: {
        ...env.DB,
        prepare: () => {
          throw new Error("D1 unavailable");
        },
      },
    } as unknown as Env;
    await expect(revokeSession(broken, sub, sid, "logout")).rejects.toThrow("D1 unavailable");
    // Still live in D1 (so refresh would still rotate it) — but the access token already stops,
    // on every kind of route: plain ones and those that check a project's owner in D1.
    expect(await isSessionLive(database(env), sub, sid)).toBe(true);
    await expectError(await me(user.access), 401, "UNAUTHENTICATED");
    await expectError(
      await call(`/api/v1/projects/${project.id}/mirror`, { token: user.access }),
      401,
      "UNAUTHENTICATED",
    );
    // The object kept it as pending for D1: its alarm finishes the job (a client cannot retry the
    // logout — its token is refused now).
    expect(await runDurableObjectAlarm(userSessionsOf(env, sub))).toBe(true);
    expect(await isSessionLive(database(env), sub, sid)).toBe(false);
    await expectError(await refresh(user.refresh), 401, "INVALID_REFRESH_TOKEN");
    const row = await env.DB.prepare("SELECT revoked_reason FROM auth_sessions WHERE id = ?")
      .bind(sid)
      .first();
    expect(row).toEqual({ revoked_reason: "logout" });
    // A retry after that changes nothing and fails nothing.
    await revokeSession(env, sub, sid, "logout");
    expect(await isSessionLive(database(env), sub, sid)).toBe(false);
  });

  it("demands a token", async () => {
    await expectError(await call("/api/v1/auth/logout", { method: "POST" }), 401, "UNAUTHENTICATED");
  });
});

describe("me", () => {
  it("returns the signed-in user", async () => {
    const user = await registerUser();
    const res = await me(user.access);
    expect(res.status).toBe(200);
    const body = await json<{ user: UserBody }>(res);
    expect(Object.keys(body)).toEqual(["user"]);
    expect(body.user).toEqual({
      id: user.id,
      email: user.email,
      username: user.username,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
    });
  });

  it("answers 401 without a token", async () => {
    await expectError(await call("/api/v1/auth/me"), 401, "UNAUTHENTICATED");
  });

  it("costs no D1 query once its isolate knows the user, and no Durable Object call while the isolate holds a lease on the session", async () => {
    const user = await registerUser();
    const bindings = countedBindings();
    const headers = { authorization: `Bearer ${user.access}`, "cf-connecting-ip": freshIp() };
    const first = await bindings.request("/api/v1/auth/me", { headers });
    expect(first.status).toBe(200);
    expect((await json<{ user: UserBody }>(first)).user.id).toBe(user.id);
    // The first call reads the account; the session check is the user's Durable Object, and no
    // limiter object is asked (the session check counted the request).
    expect(bindings.counts()).toMatchObject({ d1RoundTrips: 1, doCalls: 1 });
    const again = await bindings.request("/api/v1/auth/me", { headers });
    expect((await json<{ user: UserBody }>(again)).user).toEqual(
      (await json<{ user: UserBody }>(await me(user.access))).user,
    );
    // Then: nothing but memory — the profile, the session's lease and a hit of the user's limit.
    expect(bindings.counts()).toMatchObject({ d1RoundTrips: 1, doCalls: 1 });
  });
});

describe("login rate limits", () => {
  it("allows 10 logins per minute from one IP; the 11th gets 429 RATE_LIMITED with Retry-After", async () => {
    const user = await registerUser();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await login(user.username, user.password, ip)).status).toBe(200);
    const blocked = await login(user.username, user.password, ip);
    const error = await expectError(blocked.clone(), 429, "RATE_LIMITED");
    const seconds = expectRetryAfter(blocked, 60);
    expect(error.details).toMatchObject({ retry_after_seconds: seconds });
    // Failed logins count too, and another IP is not affected.
    await expectError(await login(user.username, "wrong password!", ip), 429, "RATE_LIMITED");
    expect((await login(user.username, user.password)).status).toBe(200);
  });

  it("locks an account after 5 failures: the 6th attempt is 429 TOO_MANY_ATTEMPTS even with the right password", async () => {
    const user = await registerUser();
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      await expectError(await login(user.email, `wrong password ${i}`, ip), 401, "INVALID_CREDENTIALS");
    }
    const blocked = await login(user.email, user.password, ip);
    const error = await expectError(blocked.clone(), 429, "TOO_MANY_ATTEMPTS");
    const seconds = expectRetryAfter(blocked, 900);
    expect(error.details).toMatchObject({ retry_after_seconds: seconds });
    // The lock is on the account, not on the caller: a different IP and the username are blocked too.
    await expectError(await login(user.username, user.password), 429, "TOO_MANY_ATTEMPTS");
    // Existing sessions and other accounts are unaffected.
    expect((await me(user.access)).status).toBe(200);
    const other = await registerUser();
    expect((await login(other.email, other.password, ip)).status).toBe(200);
  });

  it("counts failures per account whether the attacker uses the email or the username", async () => {
    const user = await registerUser();
    const names = [
      user.email,
      user.username,
      user.email.toUpperCase(),
      user.username.toUpperCase(),
      user.email,
    ];
    for (const name of names) {
      await expectError(await login(name, "wrong password!"), 401, "INVALID_CREDENTIALS");
    }
    const viaUsername = await login(user.username, user.password);
    await expectError(viaUsername.clone(), 429, "TOO_MANY_ATTEMPTS");
    expectRetryAfter(viaUsername, 900);
    await expectError(await login(user.email, user.password), 429, "TOO_MANY_ATTEMPTS");
  });

  it("locks unknown login names the same way, so the lock does not reveal which accounts exist", async () => {
    const ghost = `ghost_${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 5; i++) {
      await expectError(await login(ghost, "wrong password!"), 401, "INVALID_CREDENTIALS");
    }
    const blocked = await login(ghost, "wrong password!");
    await expectError(blocked.clone(), 429, "TOO_MANY_ATTEMPTS");
    expectRetryAfter(blocked, 900);
  });

  it("a successful login clears the failure count", async () => {
    const user = await registerUser();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        await expectError(await login(user.username, "wrong password!"), 401, "INVALID_CREDENTIALS");
      }
      expect((await login(user.username, user.password)).status).toBe(200);
    }
  });

  it("keeps counting after a limiter has cleaned up its idle window", async () => {
    const user = await registerUser();
    const ip = freshIp();
    expect((await login(user.username, user.password, ip)).status).toBe(200);
    const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`login:ip:${ip}`));
    expect(await runDurableObjectAlarm(limiter)).toBe(true);
    for (let i = 0; i < 10; i++) expect((await login(user.username, user.password, ip)).status).toBe(200);
    await expectError(await login(user.username, user.password, ip), 429, "RATE_LIMITED");
  });

  it("counts concurrent guesses exactly: a burst from many IPs gets no more than 5 tries", async () => {
    const user = await registerUser();
    const responses = await Promise.all(
      Array.from({ length: 9 }, (_, i) => login(user.email, `wrong password ${i}`)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    for (const res of responses.filter((r) => r.status === 429)) {
      await expectError(res, 429, "TOO_MANY_ATTEMPTS");
    }
    await expectError(await login(user.email, user.password), 429, "TOO_MANY_ATTEMPTS");
  });
});

describe("production secret guard", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function productionEnv(secret: string | undefined): Env {
    // A complete production setup but for the secret under test (previews on a domain of their own).
    const prod: Env = {
      ...(env as Env),
      ENVIRONMENT: "production",
      PUBLIC_URL: "https://api.hivesync.dev",
      PREVIEW_ORIGIN_TEMPLATE: "https://{session}.hivesync-preview.dev",
    };
    if (secret === undefined) delete prod.JWT_SECRET;
    else prod.JWT_SECRET = secret;
    return prod;
  }

  const requests: [string, RequestInit][] = [
    ["/health", {}],
    ["/api/v1/auth/me", {}],
    ["/api/v1/openapi.json", {}],
    ["/no/such/route", {}],
    [
      "/api/v1/auth/register",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.10" },
        body: JSON.stringify(freshCredentials()),
      },
    ],
    [
      "/api/v1/auth/login",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.11" },
        body: JSON.stringify({ login: "someone", password: "whatever-password" }),
      },
    ],
  ];

  const badSecrets: [string, string | undefined][] = [
    ["missing", undefined],
    ["empty", ""],
    ["shorter than 32 bytes", "a-production-secret-of-31-bytes"],
    ["the development default", DEV_SECRET],
  ];

  for (const [label, secret] of badSecrets) {
    it(`refuses to serve anything (500 MISCONFIGURED) when JWT_SECRET is ${label}, and logs it`, async () => {
      if (label.startsWith("shorter")) expect(new TextEncoder().encode(secret).length).toBe(31);
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const app = createApp();
      const prod = productionEnv(secret);
      for (const [path, init] of requests) {
        const res = await app.request(path, init, prod);
        const text = await res.clone().text();
        await expectError(res, 500, "MISCONFIGURED");
        if (prod.JWT_SECRET) expect(text).not.toContain(prod.JWT_SECRET);
      }
      const lines = errors.mock.calls.map((args) => args.map(String).join(" "));
      expect(lines.some((line) => /misconfigured/i.test(line) && line.includes("JWT_SECRET"))).toBe(true);
      if (prod.JWT_SECRET) for (const line of lines) expect(line).not.toContain(prod.JWT_SECRET);
      // Nothing was written while misconfigured.
      const parsed = JSON.parse(requests[4]![1].body as string) as { email: string };
      const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(parsed.email).first();
      expect(row).toBeNull();
    });
  }

  it("serves with a proper secret of 32+ bytes, and tokens are bound to that secret", async () => {
    const secret = `prod-${crypto.randomUUID()}`.slice(0, 32);
    expect(new TextEncoder().encode(secret).length).toBe(32);
    const app = createApp();
    const prod = productionEnv(secret);

    const health = await app.request("/health", {}, prod);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const creds = freshCredentials();
    const registered = await app.request(
      "/api/v1/auth/register",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.12" },
        body: JSON.stringify(creds),
      },
      prod,
    );
    expect(registered.status).toBe(201);
    const prodTokens = (await registered.json<AuthBody>()).tokens;
    const meProd = (token: string) =>
      app.request("/api/v1/auth/me", { headers: { authorization: `Bearer ${token}` } }, prod);
    expect((await meProd(prodTokens.access_token)).status).toBe(200);

    // A production token means nothing to a worker with another secret, and vice versa.
    await expectError(await me(prodTokens.access_token), 401, "UNAUTHENTICATED");
    const devUser = await registerUser();
    await expectError(await meProd(devUser.access), 401, "UNAUTHENTICATED");
    await expectError(await meProd(await forge(claimsOf(devUser.access))), 401, "UNAUTHENTICATED");
  });
});

describe("register retries", () => {
  it("replays a registration retried with the same Idempotency-Key instead of answering EMAIL_TAKEN", async () => {
    const body = { email: "retry@example.com", username: "retry_user", password: "a long enough password" };
    const send = () =>
      call("/api/v1/auth/register", { body, headers: { "idempotency-key": "reg-1" }, ip: freshIp() });
    const first = await send();
    expect(first.status).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const [a, b] = [await first.json(), await again.json()] as {
      user: { id: string };
      tokens: { access_token: string };
    }[];
    expect(b?.user.id).toBe(a?.user.id);
    expect((await call("/api/v1/auth/me", { token: b?.tokens.access_token })).status).toBe(200);
    // The same key with another body (another password) is refused, not replayed.
    const other = await call("/api/v1/auth/register", {
      body: { ...body, password: "another long password" },
      headers: { "idempotency-key": "reg-1" },
      ip: freshIp(),
    });
    expect(other.status).toBe(422);
  });
});
