// 300 long-pollers on one session (`?wait=25` with the current If-None-Match, as phones and the
// desktop wait), then the writer cancels it: the writer's response time against cancelling a
// session nobody waits on, and how long until the last poller has its answer. Both sessions are
// ready before the round starts, so no build report wakes the pollers early.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type HiveSyncClient, syncFolder } from "../../clients/desktop/src";
import type { Scenario } from "../harness/types";
import { bearerHeader, signUp } from "../support/account";
import { previewReady } from "../support/preview";
import { timed } from "../support/timing";

const POLLERS = 300;
// Time for every poller's request to reach its Durable Object and park there before the write.
const SETTLE_MS = 1500;

type State = { url: string; client: HiveSyncClient; projectId: string };
type Poll = Promise<{ at: number; status: number; body: string }>;

function parkPoller(url: string, sessionId: string, version: number, auth: Record<string, string>): Poll {
  return fetch(`${url}/api/v1/preview/sessions/${sessionId}/status?wait=25`, {
    headers: { ...auth, "if-none-match": `"${version}"` },
    signal: AbortSignal.timeout(30_000),
  }).then(async (res) => {
    const body = await res.text();
    return { at: performance.now(), status: res.status, body };
  });
}

export const longPollFanout: Scenario<State> = {
  id: "long-poll-fanout",
  title: `${POLLERS} long-pollers, then one write`,
  targets: ["wrangler-dev", "direct"],
  figures: {
    cancel_alone_ms: { label: "cancel, nobody waiting", kind: "ms" },
    cancel_with_pollers_ms: { label: `cancel, ${POLLERS} waiting`, kind: "ms" },
    last_poller_ms: { label: "write sent → last poller answered", kind: "ms" },
    writer_ratio: { label: "with ÷ without pollers, per round", kind: "ratio" },
  },
  goals: [
    {
      id: "long-poll-writer",
      text: `with ${POLLERS} long-pollers, the writer's response ≤ 3 × its time with none`,
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "×",
      value: (m) =>
        m.cancel_with_pollers_ms && m.cancel_alone_ms ? m.cancel_with_pollers_ms / m.cancel_alone_ms : null,
      threshold: 3,
    },
    {
      id: "long-poll-last",
      text: "the last poller is answered within 1 s",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.last_poller_ms ?? null,
      threshold: 1000,
    },
  ],
  async setup({ target, work }) {
    const client = await signUp(target.url, "longpoll");
    const dir = path.join(work, "tiny-app");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "App.tsx"), "export default function App() {\n  return null;\n}\n");
    const project = await client.projects.create({ name: "long-poll", framework: "expo", entry: "App.tsx" });
    await syncFolder(client, project.id, dir);
    return { url: target.url, client, projectId: project.id };
  },
  async round({ url, client, projectId }) {
    const watched = await previewReady(client, projectId);
    const alone = await previewReady(client, projectId);
    const auth = await bearerHeader(client);

    const polls = Array.from({ length: POLLERS }, () =>
      parkPoller(url, watched.session_id, watched.version, auth),
    );
    let early = 0;
    for (const p of polls)
      p.then(
        () => early++,
        () => early++,
      );
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    if (early > 0) throw new Error(`${early} of ${POLLERS} pollers were answered before the write`);
    const sent = performance.now();
    const withPollers = await timed(() => client.previews.cancel(watched.session_id));
    const answers = await Promise.all(polls);
    const wrong = answers.filter((a) => a.status !== 200 || !a.body.includes('"cancelled"'));
    if (wrong.length > 0) {
      throw new Error(
        `${wrong.length} pollers got no cancelled status (first: ${wrong[0]?.status} ${wrong[0]?.body.slice(0, 120)})`,
      );
    }
    const lastAt = Math.max(...answers.map((a) => a.at));

    const without = await timed(() => client.previews.cancel(alone.session_id));
    return {
      cancel_alone_ms: without.ms,
      cancel_with_pollers_ms: withPollers.ms,
      last_poller_ms: lastAt - sent,
      writer_ratio: withPollers.ms / without.ms,
    };
  },
};
