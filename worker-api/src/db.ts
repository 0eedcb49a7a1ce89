import { sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "../../schema/tables";

/** The typed query layer over D1: every store takes one of these. */
export type Db = DrizzleD1Database<typeof schema>;

// One drizzle instance per D1 binding (i.e. per isolate), not one per request.
const instances = new WeakMap<D1Database, Db>();

/** The drizzle database over `env.DB`, built once per binding. */
export function database(env: { DB: D1Database }): Db {
  let db = instances.get(env.DB);
  if (!db) {
    db = drizzle(env.DB, { schema });
    instances.set(env.DB, db);
  }
  return db;
}

/** The cheapest round trip to D1 (`/health/deep`). */
export async function pingDatabase(db: Db): Promise<void> {
  await db.get(sql`SELECT 1`);
}
