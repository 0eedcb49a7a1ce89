// Time to preview: POST /preview/start → the desktop sees `ready` through its long-poll, for the
// 310-file fixture. Sessions are spread over the rounds, so each target's sessions interleave.
import type { HiveSyncClient } from "../../clients/desktop/src";
import type { CommittedResults, Scenario } from "../harness/types";
import { signUp } from "../support/account";
import { previewReady } from "../support/preview";
import { pushedFixture } from "../support/project";
import { timed } from "../support/timing";

type State = { client: HiveSyncClient; projectId: string; perRound: number };

/** The committed p50 through `wrangler dev`, from this layout or the single-run one before it. */
export function committedPreviewP50(committed: CommittedResults | null): number | null {
  const c = committed as {
    time_to_preview_ms?: { p50?: number };
    scenarios?: {
      "time-to-preview"?: { targets?: { "wrangler-dev"?: { figures?: { ms?: { median?: number } } } } };
    };
  } | null;
  return (
    c?.scenarios?.["time-to-preview"]?.targets?.["wrangler-dev"]?.figures?.ms?.median ??
    c?.time_to_preview_ms?.p50 ??
    null
  );
}

export const timeToPreview: Scenario<State> = {
  id: "time-to-preview",
  title: "time to preview (start → ready)",
  targets: ["wrangler-dev", "direct"],
  figures: { ms: { label: "start → ready, per session", kind: "ms" } },
  goals: [
    {
      id: "time-to-preview-p50",
      text: "time to preview p50 ≤ 500 ms",
      source: "performance goal",
      target: "wrangler-dev",
      op: "<=",
      unit: "ms",
      value: (m) => m.ms ?? null,
      threshold: 500,
    },
    {
      id: "time-to-preview-vs-committed",
      text: "time to preview p50 within +10 % of the committed results",
      source: "issue 10 guard",
      target: "wrangler-dev",
      op: "<=",
      unit: "ms",
      value: (m) => m.ms ?? null,
      threshold: (committed) => {
        const p50 = committedPreviewP50(committed);
        return p50 === null ? null : p50 * 1.1;
      },
    },
  ],
  async setup({ target, mode, work }) {
    const client = await signUp(target.url, "ttp");
    const { projectId } = await pushedFixture(client, work, "time-to-preview");
    return { client, projectId, perRound: Math.ceil(mode.previewSessions / mode.rounds) };
  },
  async round(state) {
    const ms: number[] = [];
    for (let i = 0; i < state.perRound; i++) {
      const { ms: took, value } = await timed(() => previewReady(state.client, state.projectId));
      ms.push(took);
      await state.client.previews.cancel(value.session_id);
    }
    return { ms };
  },
};
