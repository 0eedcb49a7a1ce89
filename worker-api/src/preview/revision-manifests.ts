import { r2Keys } from "../../../schema/storage-keys";
import { database } from "../db";
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import { RecentMap } from "../lib/recent-map";
import { type Audience, legacyViewerBytes } from "./manifest-cache";
import { findSessionFacts } from "./session-store";

/**
 * The manifests of a session's revisions, read without its Durable Object: a revision's manifest
 * never changes once written, so a room of viewers fetching it costs the object nothing — one D1
 * read for the session's facts and one R2 read per isolate and revision, then memory
 * (docs/scale.md §"A room of phones").
 */

export type SessionFacts = { projectId: string; userId: string; expiresAt: string };

/**
 * Whose a session is and of which project (fixed at its start) and until when, cached per isolate
 * for a minute: an expiry that moves (a session kept alive) is seen within that.
 */
const facts = new RecentMap<string, SessionFacts & { at: number }>(2_000);
const FACTS_FRESH_MS = 60_000;

export async function sessionFacts(
  env: Env,
  sessionId: string,
  now = Date.now(),
): Promise<SessionFacts | null> {
  const known = facts.get(sessionId);
  if (known && now - known.at < FACTS_FRESH_MS) return known;
  const row = await findSessionFacts(database(env), sessionId);
  if (row) facts.set(sessionId, { ...row, at: now });
  return row ?? null;
}

/**
 * How long an isolate serves a manifest from memory before it looks in R2 again: the bytes never
 * change, but a cancelled session's manifests are deleted, and its viewers should stop getting
 * them soon after (they stop getting its status and live frames at once).
 */
const FRESH_MS = 10_000;
const manifests = new RecentMap<string, { bytes: Uint8Array; sha256: string; at: number }>(256);

/** A revision's manifest as `audience` gets it (bytes and their SHA-256), or null when there is none. */
export async function revisionManifest(
  env: Env,
  session: { id: string; projectId: string },
  revision: number,
  audience: Audience,
  now = Date.now(),
): Promise<{ bytes: Uint8Array; sha256: string } | null> {
  const key = (audience === "owner" ? r2Keys.bundle : r2Keys.viewerBundle)(
    session.projectId,
    session.id,
    revision,
  );
  const cached = manifests.get(key);
  if (cached && now - cached.at < FRESH_MS) return cached;
  const object = await env.BLOBS.get(key);
  const bytes = object
    ? new Uint8Array(await object.arrayBuffer())
    : audience === "viewer"
      ? await legacyViewerBytes(env, session.projectId, session.id, revision)
      : null;
  if (!bytes) {
    manifests.delete(key);
    return null;
  }
  const entry = { bytes, sha256: cached?.sha256 ?? (await sha256Hex(bytes)), at: now };
  manifests.set(key, entry);
  return entry;
}
