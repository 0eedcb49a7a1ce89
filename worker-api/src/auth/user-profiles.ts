import type { User } from "../../../schema/api/auth";
import type { Db } from "../db";
import { findUser, presentUser } from "./user-store";

/**
 * Users as the API presents them, remembered by this isolate. An account's presented fields (id,
 * email, username, creation time) never change after registration — no route edits or deletes an
 * account — so a remembered profile cannot go stale, and `/auth/me` answers from memory after the
 * first call instead of with a D1 query each time. No password hash is kept here.
 */
const profiles = new Map<string, User>();
/** Bounded: past this many users the least recently asked-for one is forgotten. */
const MAX_PROFILES = 5_000;

/**
 * The presented user `userId`, from memory or D1; undefined when there is no such account.
 *
 * @example
 * const user = await userProfile(database(c.env), c.get("auth").userId);
 */
export async function userProfile(db: Db, userId: string): Promise<User | undefined> {
  const known = profiles.get(userId);
  if (known) {
    // Re-inserted: a Map iterates in insertion order, so its first key is the least recent.
    profiles.delete(userId);
    profiles.set(userId, known);
    return known;
  }
  const row = await findUser(db, userId);
  if (!row) return undefined;
  const user = presentUser(row);
  if (profiles.size >= MAX_PROFILES) profiles.delete(profiles.keys().next().value as string);
  profiles.set(userId, user);
  return user;
}
