import { DeepHealth, Health } from "../../../schema/api/health";
import { QUEUE_LIST } from "../../../schema/queues";
import { getConfig } from "../config";
import { database, pingDatabase } from "../db";
import type { Env } from "../env";
import { createRouter, json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const shallow = defineRoute({
  method: "get",
  auth: "none",
  generalLimit: false,
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness: answers without touching any dependency",
  responses: { 200: { description: "Alive", ...json(Health) } },
});

const deep = defineRoute({
  method: "get",
  auth: "ops",
  generalLimit: false,
  path: "/health/deep",
  tags: ["Operations"],
  summary: "Checks every dependency (D1, R2, Durable Objects, queue bindings) with latency",
  description: "Requires `Authorization: Bearer <OPS_TOKEN>` when OPS_TOKEN is configured.",
  responses: {
    200: { description: "All dependencies answered", ...json(DeepHealth) },
    503: { description: "At least one dependency failed", ...json(DeepHealth) },
  },
});

type Check = { ok: boolean; latency_ms: number; error?: string };

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  try {
    await probe();
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    return {
      ok: false,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

/** The checks of `/health/deep`; queue bindings are reported by presence (sending would enqueue work). */
function probes(env: Env): Record<string, () => Promise<unknown>> {
  const checks: Record<string, () => Promise<unknown>> = {
    d1: () => pingDatabase(database(env)),
    r2: () => env.BLOBS.head("health/probe"),
    durable_objects: () => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("health")).ping(),
  };
  const bound = env as unknown as Record<string, unknown>;
  for (const { binding } of QUEUE_LIST) {
    if (binding in bound) {
      checks[`queue_${binding.toLowerCase()}`] = async () => {
        if (typeof (bound[binding] as Queue | undefined)?.send !== "function")
          throw new Error("binding is not a queue");
      };
    }
  }
  return checks;
}

export function healthRoutes() {
  const app = createRouter();

  app.openapi(shallow, (c) => c.json({ status: "ok" as const, version: getConfig(c.env).version }, 200));

  app.openapi(deep, async (c) => {
    const config = getConfig(c.env);
    const entries = Object.entries(probes(c.env));
    const results = await Promise.all(
      entries.map(async ([name, probe]) => [name, await timed(probe)] as const),
    );
    const checks = Object.fromEntries(results);
    const healthy = results.every(([, check]) => check.ok);
    return c.json(
      { status: healthy ? ("ok" as const) : ("degraded" as const), version: config.version, checks },
      healthy ? 200 : 503,
    );
  });

  return app;
}
