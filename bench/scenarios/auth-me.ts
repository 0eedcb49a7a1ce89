// An authenticated read: GET /auth/me (a signed-in user's cheapest call) against GET /health
// with 10 concurrent clients, alternating inside every round. The goal compares time per request
// (mean latency: in a closed loop it is connections ÷ throughput).
import type { HiveSyncClient } from "../../clients/desktop/src";
import type { Mode } from "../harness/mode";
import type { Scenario } from "../harness/types";
import { bearerHeader, signUp } from "../support/account";
import { load } from "../support/load";

const CONNECTIONS = 10;

type State = { url: string; mode: Mode; client: HiveSyncClient };

export const authMe: Scenario<State> = {
  id: "auth-me",
  title: `authenticated read vs empty route (${CONNECTIONS} clients)`,
  targets: ["wrangler-dev", "direct"],
  figures: {
    health_ms: { label: "/health mean latency", kind: "ms" },
    me_ms: { label: "/auth/me mean latency", kind: "ms" },
    health_rps: { label: "/health", kind: "rps" },
    me_rps: { label: "/auth/me", kind: "rps" },
    me_p99_ms: { label: "/auth/me p99", kind: "ms" },
    cost_ratio: { label: "/auth/me ÷ /health time, per round", kind: "ratio" },
  },
  goals: [
    {
      id: "auth-me-cost",
      text: "/auth/me ≤ 1.5 × /health under 10 concurrent clients",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "×",
      value: (m) => (m.me_ms && m.health_ms ? m.me_ms / m.health_ms : null),
      threshold: 1.5,
    },
  ],
  async setup({ target, mode }) {
    return { url: target.url, mode, client: await signUp(target.url, "authme") };
  },
  async round({ url, mode, client }) {
    const run = { connections: CONNECTIONS, seconds: mode.loadSeconds, expectStatus: 200 };
    const health = await load(`${url}/health`, run);
    const me = await load(`${url}/api/v1/auth/me`, { ...run, headers: await bearerHeader(client) });
    return {
      health_ms: health.mean_ms,
      me_ms: me.mean_ms,
      health_rps: health.rps,
      me_rps: me.rps,
      me_p99_ms: me.p99_ms,
      cost_ratio: me.mean_ms / health.mean_ms,
    };
  },
};
