import { eq, or } from "drizzle-orm";
import type { User } from "../../../schema/api/auth";
import { users } from "../../../schema/tables";
import type { Db } from "../db";

export type UserRow = typeof users.$inferSelect;
export type NewUser = Pick<
  typeof users.$inferInsert,
  "id" | "email" | "username" | "passwordHash" | "createdAt" | "updatedAt"
>;

/** The public shape of a user: never the password hash. */
export function presentUser(row: Pick<UserRow, "id" | "email" | "username" | "createdAt">): User {
  return { id: row.id, email: row.email, username: row.username, created_at: row.createdAt };
}

/** Which of `email` and `username` another account already uses (email first), or null. */
export async function findTakenName(
  db: Db,
  email: string,
  username: string,
): Promise<"email" | "username" | null> {
  const row = await db
    .select({ email: users.email })
    .from(users)
    .where(or(eq(users.email, email), eq(users.username, username)))
    .limit(1)
    .get();
  if (!row) return null;
  return row.email === email ? "email" : "username";
}

/** The insert of a new user, unexecuted so callers can batch it with the user's first session. */
export function userInsert(db: Db, user: NewUser) {
  return db.insert(users).values(user);
}

/**
 * Which unique name a failed insert collided with, or null for any other failure: when two
 * registrations race for one name, the unique index decides.
 */
export function takenNameOf(err: unknown): "email" | "username" | null {
  // D1 reports the violated index only in the message ("UNIQUE constraint failed: users.email"),
  // possibly on the cause of a drizzle wrapper.
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const column = /UNIQUE constraint failed: users\.(email|username)\b/.exec(String(e))?.[1];
    if (column === "email" || column === "username") return column;
  }
  return null;
}

/** A user by the (lower-cased) email or username they sign in with. */
export async function findUserByLogin(db: Db, login: string): Promise<UserRow | undefined> {
  return db
    .select()
    .from(users)
    .where(or(eq(users.email, login), eq(users.username, login)))
    .get();
}

export async function findUser(db: Db, userId: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, userId)).get();
}
