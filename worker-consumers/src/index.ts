import { dispatchBatch } from "./dispatcher";
import type { Env } from "./env";

export type { Env } from "./env";

/** worker-consumers: consumes HiveSync's queues; it serves no HTTP of its own. */
export default {
  async fetch() {
    return Response.json(
      {
        error: {
          code: "NOT_FOUND",
          message: "worker-consumers serves no HTTP; use worker-api.",
          details: {},
          request_id: "",
        },
      },
      { status: 404 },
    );
  },
  async queue(batch, env, _ctx) {
    await dispatchBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
