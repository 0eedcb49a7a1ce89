import { eq, lte, or } from "drizzle-orm";
import { deviceLinkCodes } from "../../../schema/tables";
import type { Db } from "../db";

export type LinkCodeRow = typeof deviceLinkCodes.$inferSelect;

/** A device-link code by the hash of its letters (the landing page shows whether it is still usable). */
export async function findLinkCode(db: Db, codeHash: string): Promise<LinkCodeRow | undefined> {
  return db.select().from(deviceLinkCodes).where(eq(deviceLinkCodes.codeHash, codeHash)).get();
}

/** Deletes link codes that expired or were used before `cutoff` (ISO time); returns how many. */
export async function purgeStaleLinkCodes(db: Db, cutoff: string): Promise<number> {
  const rows = await db
    .delete(deviceLinkCodes)
    .where(or(lte(deviceLinkCodes.expiresAt, cutoff), lte(deviceLinkCodes.usedAt, cutoff)))
    .returning({ codeHash: deviceLinkCodes.codeHash });
  return rows.length;
}
