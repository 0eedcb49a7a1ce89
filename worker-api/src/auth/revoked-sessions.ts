import { DurableObject } from "cloudflare:workers";
import { ACCESS_TOKEN_TTL_SECONDS } from "../lib/access-tokens";

/** How long a revocation must be remembered: until every access token of the session has expired. */
const KEEP_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;

/**
 * Recently revoked auth sessions of one user (addressed by `idFromName(userId)`). D1 stays the
 * source of truth; this copy lets the hot preview-status path honour logout and device revocation
 * at once without touching D1 (spec §5: polls never touch D1).
 */
export class RevokedSessions extends DurableObject {
  async revoke(sessionId: string): Promise<void> {
    await this.ctx.storage.put(sessionId, Date.now());
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.ctx.storage.get<number>(sessionId)) !== undefined;
  }

  /** Forgets revocations older than any access token could be. */
  override async alarm(): Promise<void> {
    const cutoff = Date.now() - KEEP_MS;
    const entries = await this.ctx.storage.list<number>();
    const stale = [...entries].filter(([, at]) => at <= cutoff).map(([key]) => key);
    if (stale.length > 0) await this.ctx.storage.delete(stale);
    if (entries.size > stale.length) await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
  }
}
