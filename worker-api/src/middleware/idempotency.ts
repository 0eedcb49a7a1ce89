import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { seal, unseal } from "../lib/sealed";

const KEEP_SECONDS = 24 * 3600;
/** The longest `Idempotency-Key` accepted (spec §2). */
export const IDEMPOTENCY_KEY_MAX = 255;

type StoredRecord = { request_hash: string; status: number | null; response_body: string | null };

/**
 * `Idempotency-Key` for creating POSTs (spec §2). The first request with a key claims it (a row
 * with no status), runs, and stores a successful response; a retry with the same key and body gets
 * that response back (`idempotent-replayed: true`), with another body a 422, and while the first is
 * still running a 409. Failed requests release the key so the client can try again. After
 * `requireAuth` keys are scoped to the user; on the anonymous creating routes (register, device
 * claim) they share one scope, which is safe because a replay needs the identical body — password
 * or code included — and the stored response is sealed.
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
  const userId = (c.get("auth") as { userId?: string } | undefined)?.userId;
  const scope = userId ? `user:${userId}` : "anonymous";
  const requestHash = await sha256Hex(
    `${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`,
  );
  const db = c.env.DB;
  const now = new Date();

  // One statement claims the key: a new key inserts; a key past its 24 hours is taken over as if
  // new; a live key changes nothing (changes = 0) and is answered from its record below.
  const claimed = await db
    .prepare(
      `INSERT INTO idempotency_records (scope, key, request_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (scope, key) DO UPDATE SET request_hash = ?3, status = NULL, response_body = NULL, created_at = ?4, expires_at = ?5
       WHERE idempotency_records.expires_at <= ?4`,
    )
    .bind(
      scope,
      key,
      requestHash,
      now.toISOString(),
      new Date(now.getTime() + KEEP_SECONDS * 1000).toISOString(),
    )
    .run();

  if (claimed.meta.changes === 0) {
    const existing = await db
      .prepare(
        "SELECT request_hash, status, response_body FROM idempotency_records WHERE scope = ? AND key = ?",
      )
      .bind(scope, key)
      .first<StoredRecord>();
    if (existing && existing.request_hash !== requestHash) {
      throw new ApiError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used with a different request.",
      );
    }
    if (!existing || existing.status === null || existing.response_body === null) {
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
    const body = await unseal(getConfig(c.env).jwtSecret, "idempotency", existing.response_body);
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
      await db
        .prepare("UPDATE idempotency_records SET status = ?, response_body = ? WHERE scope = ? AND key = ?")
        .bind(c.res.status, body, scope, key)
        .run();
      stored = true;
    }
  } finally {
    if (!stored) {
      await db.prepare("DELETE FROM idempotency_records WHERE scope = ? AND key = ?").bind(scope, key).run();
    }
  }
});
