import type { Env } from "./env";

export type FaultPlan = { before: number; after: number; stall_update: number };

const FAULTS = ["before", "after", "stall_update"] as const;

/**
 * Chaos for soak and crash tests, honoured only when ENVIRONMENT=development: `FAULT_INJECTION =
 * "before:0.2,after:0.1"` makes a delivery fail before its handler runs (a crash) or after it ran
 * (a lost ack, so the queue delivers a duplicate) with those probabilities. Only the first three
 * deliveries of a message are touched, so injected faults alone never dead-letter anything.
 * `stall_update:1` makes a live session's rebuild (an update) stall right after it began — the
 * session says `updating` — for STALL_MS, as a consumer killed mid-build would leave it; the crash
 * test kills the stack meanwhile (clients/e2e/crash-recovery.e2e.test.ts).
 */
export function faultPlan(env: Env): FaultPlan | null {
  if (env.ENVIRONMENT !== "development" || !env.FAULT_INJECTION) return null;
  const plan: FaultPlan = { before: 0, after: 0, stall_update: 0 };
  for (const part of env.FAULT_INJECTION.split(",")) {
    const [name, value] = part.split(":");
    const p = Number(value);
    const fault = FAULTS.find((f) => f === name);
    if (fault && p >= 0 && p <= 1) plan[fault] = p;
  }
  return plan;
}

/** How long an injected stall lasts: far longer than any test waits for its stack. */
export const STALL_MS = 10 * 60_000;

/** Waits STALL_MS with probability `p` (then the work goes on, as a very slow one would). */
export async function maybeStall(p: number, wait = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  if (p > 0 && Math.random() < p) await wait(STALL_MS);
}

export class InjectedFault extends Error {
  constructor(where: "before" | "after") {
    super(`injected fault ${where} the handler`);
    this.name = "InjectedFault";
  }
}

/** Throws an InjectedFault with probability `p` on the first three deliveries. */
export function maybeFail(p: number, where: "before" | "after", attempts: number): void {
  if (p > 0 && attempts <= 3 && Math.random() < p) throw new InjectedFault(where);
}
