import { and, asc, eq, gt, isNull, lte, or } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { z } from "zod";
import type { Device } from "../../../schema/api/devices";
import { deviceLinkCodes, devices } from "../../../schema/tables";
import type { Db } from "../db";

export type DeviceRow = typeof devices.$inferSelect;
export type NewDevice = Pick<
  typeof devices.$inferInsert,
  "id" | "userId" | "authSessionId" | "name" | "platform" | "createdAt"
>;
export type LinkCodeRow = typeof deviceLinkCodes.$inferSelect;
export type NewLinkCode = Pick<
  typeof deviceLinkCodes.$inferInsert,
  "codeHash" | "userId" | "createdAt" | "expiresAt"
>;

/** The API shape of a device; `current` when it is the device whose session makes the request. */
export function presentDevice(
  row: Pick<DeviceRow, "id" | "name" | "platform" | "createdAt" | "authSessionId">,
  currentSessionId: string,
): z.infer<typeof Device> {
  return {
    id: row.id,
    name: row.name,
    platform: row.platform,
    created_at: row.createdAt,
    current: row.authSessionId === currentSessionId,
  };
}

export async function insertLinkCode(db: Db, code: NewLinkCode): Promise<void> {
  await db.insert(deviceLinkCodes).values(code);
}

/** A device-link code by the hash of its letters (the landing page shows whether it is still usable). */
export async function findLinkCode(db: Db, codeHash: string): Promise<LinkCodeRow | undefined> {
  return db.select().from(deviceLinkCodes).where(eq(deviceLinkCodes.codeHash, codeHash)).get();
}

/**
 * Uses up a live code and returns the user it signs in as, or undefined when it is unknown, used
 * or expired. Single use: of two phones claiming one code at once, the conditional update lets one through.
 */
export async function claimLinkCode(db: Db, codeHash: string, now: string): Promise<string | undefined> {
  const row = await db
    .update(deviceLinkCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(deviceLinkCodes.codeHash, codeHash),
        isNull(deviceLinkCodes.usedAt),
        gt(deviceLinkCodes.expiresAt, now),
      ),
    )
    .returning({ userId: deviceLinkCodes.userId })
    .get();
  return row?.userId;
}

/** Undoes `claimLinkCode` of `usedAt` (and only that claim), so the code can be claimed again. */
export async function releaseLinkCode(db: Db, codeHash: string, usedAt: string): Promise<void> {
  await db
    .update(deviceLinkCodes)
    .set({ usedAt: null })
    .where(and(eq(deviceLinkCodes.codeHash, codeHash), eq(deviceLinkCodes.usedAt, usedAt)));
}

/** Deletes link codes that expired or were used before `cutoff` (ISO time); returns how many. */
export async function purgeStaleLinkCodes(db: Db, cutoff: string): Promise<number> {
  const rows = await db
    .delete(deviceLinkCodes)
    .where(or(lte(deviceLinkCodes.expiresAt, cutoff), lte(deviceLinkCodes.usedAt, cutoff)))
    .returning({ codeHash: deviceLinkCodes.codeHash });
  return rows.length;
}

/** The unexecuted insert of a device, for a `db.batch` with the auth session it signs in with. */
export function deviceInsert(db: Db, device: NewDevice): BatchItem<"sqlite"> {
  return db.insert(devices).values(device);
}

/** The user's linked (not revoked) devices, oldest first. */
export async function listLiveDevices(db: Db, userId: string): Promise<DeviceRow[]> {
  return db
    .select()
    .from(devices)
    .where(and(eq(devices.userId, userId), isNull(devices.revokedAt)))
    .orderBy(asc(devices.id))
    .all();
}

/** The auth session of one of the user's live (not revoked) linked devices, or undefined. */
export async function findLiveDeviceSession(
  db: Db,
  userId: string,
  deviceId: string,
): Promise<string | undefined> {
  const row = await db
    .select({ authSessionId: devices.authSessionId })
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId), isNull(devices.revokedAt)))
    .get();
  return row?.authSessionId;
}

/** Marks one of the user's linked devices revoked (no-op when it is not theirs or already is). */
export async function markDeviceRevoked(
  db: Db,
  userId: string,
  deviceId: string,
  revokedAt: string,
): Promise<void> {
  await db
    .update(devices)
    .set({ revokedAt })
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId), isNull(devices.revokedAt)));
}
