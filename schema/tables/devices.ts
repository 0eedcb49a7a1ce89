import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { authSessions, users } from "./users";

/** A phone (or other device) linked to a user by a QR/typed code; it signs in as that user. */
export const devices = sqliteTable(
  "devices",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    authSessionId: text("auth_session_id")
      .notNull()
      .references(() => authSessions.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    platform: text("platform", { enum: ["ios", "android", "web", "desktop", "other"] }).notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("devices_user_idx").on(t.userId, t.id)],
);

/** Pending device-link codes: hashed, 10 minutes, single use. */
export const deviceLinkCodes = sqliteTable("device_link_codes", {
  codeHash: text("code_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});
