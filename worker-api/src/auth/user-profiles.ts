import type { User } from "../../../schema/api/auth";
import type { Db } from "../db";
import { RecentMap } from "../lib/recent-map";
import { findUser, presentUser } from "./user-store";

/** Bounded: past this many users the least recently asked-for one is forgotten. */
const MAX_PROFILES = 5_000;

/**
 * Users as the API presents them, remembered by this isolate. An account's presented fields (id,
 * email, username, creation time) never change after registration — no route edits or deletes an
 * account — so a remembered profile cannot go stale, and `/auth/me` answers from memory after the
 * first call instead of with a D1 query each time. No password hash is kept here.
 */
const profiles = new RecentMap<string, User>(MAX_PROFILES);

/**
 * The presented user `userId`, from memory or D1; undefined when there is no such account.
 *
 * @example
 * const user = await userProfile(database(c.env), c.get("auth").userId);
 */
export async function userProfile(db: Db, userId: string): Promise<User | undefined> {
  const known = profiles.get(userId);
  if (known) return known;
  const row = await findUser(db, userId);
  if (!row) return undefined;
  const user = presentUser(row);
  profiles.set(userId, user);
  return user;
}
