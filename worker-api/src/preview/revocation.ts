import { database } from "../db";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { listUserSessionIds } from "./session-store";
import { previewStub } from "./stub";

/** Preview sessions read per D1 query (a user has few live ones: at most MAX_ACTIVE_PREVIEWS a project). */
const PAGE = 100;

/**
 * Cuts the live channels of a revoked auth session (logout, device revocation, refresh-token
 * reuse): tells the object of each of the user's live preview sessions (D1's index), which closes
 * the sockets that sign-in opened with 4001 `revoked` and answers its parked long-polls 401
 * (`PreviewSession.endAuthSession`). Only the owner's access-token channels are tied to a sign-in;
 * preview-token (`pvt_…`) channels stay open. Never throws: the revocation itself is done by then,
 * and a logout cannot be retried with its token refused — what fails is logged.
 */
export async function endLiveChannels(env: Env, userId: string, authSessionId: string): Promise<void> {
  try {
    const db = database(env);
    const liveAt = new Date().toISOString();
    const ids: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await listUserSessionIds(db, userId, { liveAt, after, limit: PAGE });
      ids.push(...page.slice(0, PAGE));
      if (page.length <= PAGE) break;
      after = page[PAGE - 1];
    }
    const results = await Promise.allSettled(
      ids.map((id) => previewStub(env, id).endAuthSession(authSessionId)),
    );
    results.forEach((result, i) => {
      if (result.status === "rejected")
        log("error", "live channels of a revoked sign-in not closed", {
          session_id: ids[i],
          ...describeError(result.reason),
        });
    });
  } catch (err) {
    log("error", "live channels of a revoked sign-in not closed", { user_id: userId, ...describeError(err) });
  }
}
