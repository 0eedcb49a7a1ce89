// 1,000 WebSocket subscribers on one session, notified of one change. Listed so the goal shows
// in every run, but not run: there is nothing to subscribe to yet, and a stand-in number would
// only mislead.
import type { Scenario } from "../harness/types";

export const websocketFanout: Scenario = {
  id: "websocket-fanout",
  title: "1,000 WebSocket subscribers",
  targets: ["wrangler-dev", "direct"],
  notMeasurableYet:
    "needs a WebSocket subscription on a preview session — the PreviewSession Durable Object accepting hibernatable WebSockets (an Upgrade route such as GET /preview/sessions/:id/live, owner or preview token) and sending each version change to every socket",
  figures: {},
  goals: [
    {
      id: "websocket-p99",
      text: "1,000 WebSocket subscribers notified ≤ 250 ms p99",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: () => null,
      threshold: 250,
    },
  ],
};
