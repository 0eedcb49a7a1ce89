import type { Db } from "../db";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { enqueue } from "../queues/enqueue";
import { followingSessionIds } from "./session-store";

/**
 * A session follows its project (docs/previews.md §6): after a commit is accepted, each of the
 * project's live sessions is asked to build the new revision. The message is the ordinary
 * `preview.build`; its session's object makes it idempotent by session and revision (a duplicate,
 * an older revision or one superseded by a newer commit builds nothing). Never throws: the commit
 * is durable already, and so is each rebuild it asks for here — the commit's batch wrote every live
 * session's follow row (`followOutboxUpsert`), so the sweeper re-sends a message this loses, or a
 * rebuild whose consumer died, and gives up on one with a `stranded` build error (docs/reliability.md).
 */
export async function rebuildLiveSessions(
  env: Env,
  db: Db,
  projectId: string,
  revision: number,
  requestId?: string,
): Promise<number> {
  try {
    const ids = await followingSessionIds(db, projectId, new Date().toISOString());
    await Promise.all(
      ids.map((id) =>
        enqueue(env, { kind: "preview.build", session_id: id, project_id: projectId, revision }),
      ),
    );
    return ids.length;
  } catch (err) {
    log("error", "live previews not rebuilt", {
      request_id: requestId,
      project_id: projectId,
      revision,
      ...describeError(err),
    });
    return 0;
  }
}
