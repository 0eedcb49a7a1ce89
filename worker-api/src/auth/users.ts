import type { User } from "../../../schema/api/auth";

export type UserRow = {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  created_at: string;
};

/** The public shape of a user: never the password hash. */
export function presentUser(row: UserRow): User {
  return { id: row.id, email: row.email, username: row.username, created_at: row.created_at };
}
