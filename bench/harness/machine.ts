// The machine a run measured on. Load averages are recorded because on a shared 2-core machine a
// busy neighbour moves every absolute figure; ratios of interleaved rounds move much less.
import { cpus, loadavg, totalmem } from "node:os";

export type Load = { at: string; loadavg: [number, number, number] };

export function loadNow(): Load {
  const [one, five, fifteen] = loadavg().map((n) => Math.round(n * 100) / 100);
  return { at: new Date().toISOString(), loadavg: [one ?? 0, five ?? 0, fifteen ?? 0] };
}

export function machine() {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}
