// Status-poll cost: closed-loop load on GET /preview/sessions/:id/status — unchanged (304, with
// If-None-Match) and full (200) — against GET /health, a route without I/O through the same
// Hono app, middleware and runtime. The three loads alternate inside every round.
import type { HiveSyncClient } from "../../clients/desktop/src";
import type { Mode } from "../harness/mode";
import type { Scenario } from "../harness/types";
import { bearerHeader, signUp } from "../support/account";
import { load } from "../support/load";
import { previewReady } from "../support/preview";
import { pushedFixture } from "../support/project";

const CONNECTIONS = 16;

type State = { url: string; mode: Mode; client: HiveSyncClient; sessionId: string; version: number };

export const statusPoll: Scenario<State> = {
  id: "status-poll",
  title: `status poll vs empty route (${CONNECTIONS} connections)`,
  targets: ["wrangler-dev", "direct"],
  figures: {
    health_rps: { label: "/health", kind: "rps" },
    poll304_rps: { label: "status 304 (If-None-Match)", kind: "rps" },
    poll200_rps: { label: "status 200", kind: "rps" },
    health_p99_ms: { label: "/health p99", kind: "ms" },
    poll304_p99_ms: { label: "status 304 p99", kind: "ms" },
    poll200_p99_ms: { label: "status 200 p99", kind: "ms" },
    ratio304: { label: "304 ÷ /health, per round", kind: "ratio" },
    ratio200: { label: "200 ÷ /health, per round", kind: "ratio" },
  },
  goals: [
    {
      id: "status-poll-direct",
      text: "status poll (304) ≥ 0.5 × empty route, without the dev proxy",
      source: "issue 13",
      target: "direct",
      op: ">=",
      unit: "×",
      value: (m) => (m.poll304_rps && m.health_rps ? m.poll304_rps / m.health_rps : null),
      threshold: 0.5,
    },
    {
      id: "status-poll-proxy",
      text: "status poll (304) ≥ 0.55 × empty route through the dev proxy (as committed)",
      source: "issue 10 guard",
      target: "wrangler-dev",
      op: ">=",
      unit: "×",
      value: (m) => (m.poll304_rps && m.health_rps ? m.poll304_rps / m.health_rps : null),
      threshold: 0.55,
    },
  ],
  async setup({ target, mode, work }) {
    const client = await signUp(target.url, "statuspoll");
    const { projectId } = await pushedFixture(client, work, "status-poll");
    const ready = await previewReady(client, projectId);
    return { url: target.url, mode, client, sessionId: ready.session_id, version: ready.version };
  },
  async round({ url, mode, client, sessionId, version }) {
    const auth = await bearerHeader(client);
    const status = `${url}/api/v1/preview/sessions/${sessionId}/status`;
    const run = { connections: CONNECTIONS, seconds: mode.loadSeconds };
    const health = await load(`${url}/health`, { ...run, expectStatus: 200 });
    const p304 = await load(status, {
      ...run,
      headers: { ...auth, "if-none-match": `"${version}"` },
      expectStatus: 304,
    });
    const p200 = await load(status, { ...run, headers: auth, expectStatus: 200 });
    return {
      health_rps: health.rps,
      poll304_rps: p304.rps,
      poll200_rps: p200.rps,
      health_p99_ms: health.p99_ms,
      poll304_p99_ms: p304.p99_ms,
      poll200_p99_ms: p200.p99_ms,
      ratio304: p304.rps / health.rps,
      ratio200: p200.rps / health.rps,
    };
  },
};
