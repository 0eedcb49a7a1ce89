import { and, eq, lte } from "drizzle-orm";
import { idempotencyRecords } from "../../../schema/tables";
import type { Db } from "../db";

export type IdempotencyRecord = typeof idempotencyRecords.$inferSelect;
type RecordKey = Pick<IdempotencyRecord, "scope" | "key">;

const byKey = ({ scope, key }: RecordKey) =>
  and(eq(idempotencyRecords.scope, scope), eq(idempotencyRecords.key, key));

/**
 * Claims a key in one statement: a new key inserts; a key past its expiry is taken over as if new;
 * a live key changes nothing and returns false (the caller then reads its record).
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: RecordKey & Pick<IdempotencyRecord, "requestHash" | "createdAt" | "expiresAt">,
): Promise<boolean> {
  const row = await db
    .insert(idempotencyRecords)
    .values(claim)
    .onConflictDoUpdate({
      target: [idempotencyRecords.scope, idempotencyRecords.key],
      set: {
        requestHash: claim.requestHash,
        status: null,
        responseBody: null,
        createdAt: claim.createdAt,
        expiresAt: claim.expiresAt,
      },
      setWhere: lte(idempotencyRecords.expiresAt, claim.createdAt),
    })
    .returning({ key: idempotencyRecords.key })
    .get();
  return row !== undefined;
}

/** The record of a claimed key: its request hash and, once the first request succeeded, its response. */
export async function findIdempotencyRecord(
  db: Db,
  key: RecordKey,
): Promise<Pick<IdempotencyRecord, "requestHash" | "status" | "responseBody"> | undefined> {
  return db
    .select({
      requestHash: idempotencyRecords.requestHash,
      status: idempotencyRecords.status,
      responseBody: idempotencyRecords.responseBody,
    })
    .from(idempotencyRecords)
    .where(byKey(key))
    .get();
}

/** Stores the (sealed) successful response of the request that claimed the key. */
export async function storeIdempotentResponse(
  db: Db,
  key: RecordKey,
  response: { status: number; body: string },
): Promise<void> {
  await db
    .update(idempotencyRecords)
    .set({ status: response.status, responseBody: response.body })
    .where(byKey(key));
}

/** Releases a claimed key (its request failed), so the client can try again with it. */
export async function releaseIdempotencyKey(db: Db, key: RecordKey): Promise<void> {
  await db.delete(idempotencyRecords).where(byKey(key));
}

/** Deletes the records past their expiry at `nowIso`; returns how many. */
export async function purgeExpiredIdempotency(db: Db, nowIso: string): Promise<number> {
  const rows = await db
    .delete(idempotencyRecords)
    .where(lte(idempotencyRecords.expiresAt, nowIso))
    .returning({ key: idempotencyRecords.key });
  return rows.length;
}
