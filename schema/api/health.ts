import { z } from "zod";

export const Health = z.object({ status: z.literal("ok"), version: z.string() }).meta({ id: "Health" });

export const DeepHealth = z
  .object({
    status: z.enum(["ok", "degraded"]),
    version: z.string(),
    checks: z.record(
      z.string(),
      z.object({ ok: z.boolean(), latency_ms: z.number(), error: z.string().optional() }),
    ),
  })
  .meta({ id: "DeepHealth" });
