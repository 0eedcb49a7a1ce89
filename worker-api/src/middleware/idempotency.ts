import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import { database } from "../db";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { seal, unseal } from "../lib/sealed";
import { clientIp } from "../rate-limit/limits";
import {
  claimIdempotencyKey,
  findIdempotencyRecord,
  releaseIdempotencyKey,
  storeIdempotentResponse,
} from "./idempotency-store";

const KEEP_SECONDS = 24 * 3600;
/** The longest `Idempotency-Key` accepted (spec §2). */
export const IDEMPOTENCY_KEY_MAX = 255;

/**
 * Whose key a request's `Idempotency-Key` is. A signed-in caller is their user. An anonymous caller
 * has no identity, and the body alone does not make one: a device claim's body is a code that was
 * shown on a screen and is spent by the first claim, so someone else who saw it (and sends the same
 * key, say a predictable one) must not be handed the phone's tokens by a replay. So by default an
 * anonymous caller is its network (the per-IP key of the limits: IPv4 address, IPv6 /64) *and* its
 * exact request: a retry from the same phone replays; the same request from anywhere else runs
 * afresh (a spent code: 404, make a new one — the safe failure); and two unrelated callers who
 * happen to send the same key never collide, because their requests differ. Only a route whose
 * body is itself the credential its response grants may replay across networks: registration,
 * whose body holds the new account's password (whoever sends it could sign in anyway). Its scope is
 * the account it creates, so the same key with another password is still a reuse (422). Scopes
 * hold hashes, never an address or an email in clear.
 */
async function scopeOf(c: Context<AppEnv>, requestHash: string): Promise<string> {
  const userId = (c.get("auth") as { userId?: string } | undefined)?.userId;
  if (userId) return `user:${userId}`;
  const path = new URL(c.req.url).pathname;
  if (path === REGISTER_PATH) {
    const email = await bodyField(c, "email");
    if (email !== null) return `anonymous:${await sha256Hex(`${path}\n${email.trim().toLowerCase()}`)}`;
  }
  return `anonymous:${await sha256Hex(`${clientIp(c.req.raw.headers)}\n${requestHash}`)}`;
}

const REGISTER_PATH = "/api/v1/auth/register";

/** A string field of the (already parsed) JSON body, or null. */
async function bodyField(c: Context<AppEnv>, field: string): Promise<string | null> {
  const body: unknown = await c.req.json().catch(() => null);
  const value = body !== null && typeof body === "object" ? (body as Record<string, unknown>)[field] : null;
  return typeof value === "string" ? value : null;
}

/**
 * `Idempotency-Key` for creating POSTs (spec §2). The first request with a key claims it (a row
 * with no status), runs, and stores a successful response; a retry with the same key and body gets
 * that response back (`idempotent-replayed: true`), with another body a 422, and while the first is
 * still running a 409. Failed requests release the key so the client can try again. Keys are
 * scoped to their caller (`scopeOf`); stored responses are sealed (they can hold codes and tokens).
 */
export const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return next();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw new ApiError("VALIDATION_FAILED", `Idempotency-Key must be 1–${IDEMPOTENCY_KEY_MAX} characters.`, {
      issues: [
        { path: "Idempotency-Key", message: `must be 1–${IDEMPOTENCY_KEY_MAX} characters`, in: "header" },
      ],
    });
  }
  const requestHash = await sha256Hex(
    `${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`,
  );
  const scope = await scopeOf(c, requestHash);
  const db = database(c.env);
  const recordKey = { scope, key };
  const now = new Date();

  // One statement claims the key: a new key inserts; a key past its 24 hours is taken over as if
  // new; a live key changes nothing and is answered from its record below.
  const claimed = await claimIdempotencyKey(db, {
    ...recordKey,
    requestHash,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + KEEP_SECONDS * 1000).toISOString(),
  });

  if (!claimed) {
    const existing = await findIdempotencyRecord(db, recordKey);
    if (existing && existing.requestHash !== requestHash) {
      throw new ApiError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used with a different request.",
      );
    }
    if (!existing || existing.status === null || existing.responseBody === null) {
      throw new ApiError(
        "IDEMPOTENCY_IN_PROGRESS",
        "A request with this Idempotency-Key is still being processed.",
        {},
        {
          "retry-after": "1",
        },
      );
    }
    // Stored responses can hold codes (a preview start), so they are kept sealed, never in clear.
    const body = await unseal(getConfig(c.env).jwtSecret, "idempotency", existing.responseBody);
    if (body === null) {
      throw new ApiError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key's stored response can no longer be read; use a new key.",
      );
    }
    return c.body(body, existing.status as 200, {
      "content-type": "application/json",
      "idempotent-replayed": "true",
    });
  }

  let stored = false;
  try {
    await next();
    if (c.res.status >= 200 && c.res.status < 300) {
      const body = await seal(getConfig(c.env).jwtSecret, "idempotency", await c.res.clone().text());
      await storeIdempotentResponse(db, recordKey, { status: c.res.status, body });
      stored = true;
    }
  } finally {
    if (!stored) {
      await releaseIdempotencyKey(db, recordKey);
    }
  }
});
