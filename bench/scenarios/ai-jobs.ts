// AI documentation job end to end with the `local` provider: create → `succeeded` as the client
// sees it (20 ms polling), through the ai-jobs queue and the consumer's RPC back to the API.
import { type HiveSyncClient, waitForAiJob } from "../../clients/desktop/src";
import type { Scenario } from "../harness/types";
import { signUp } from "../support/account";
import { pushedFixture } from "../support/project";
import { timed } from "../support/timing";

type State = { client: HiveSyncClient; projectId: string; perRound: number };

export const aiJobs: Scenario<State> = {
  id: "ai-jobs",
  title: "AI job (local provider)",
  targets: ["wrangler-dev", "direct"],
  figures: { ms: { label: "create → succeeded, per job", kind: "ms" } },
  async setup({ target, mode, work }) {
    const client = await signUp(target.url, "aijobs");
    const { projectId } = await pushedFixture(client, work, "ai-jobs");
    return { client, projectId, perRound: Math.ceil(mode.aiJobs / mode.rounds) };
  },
  async round({ client, projectId, perRound }, round) {
    const ms: number[] = [];
    for (let i = 0; i < perRound; i++) {
      const file = `src/components/module${((round * perRound + i) * 5) % 280}.tsx`;
      const { ms: took, value } = await timed(async () => {
        const job = await client.ai.create({
          project_id: projectId,
          type: "summarize_file",
          file_path: file,
        });
        return waitForAiJob(client, job.job_id, { intervalMs: 20 });
      });
      if (value.status !== "succeeded") throw new Error(`AI job ${value.status}`);
      ms.push(took);
    }
    return { ms };
  },
};
