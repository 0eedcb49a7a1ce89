import type { Env } from "./env";

export type FaultPlan = { before: number; after: number };

/**
 * Chaos for soak tests, honoured only when ENVIRONMENT=development: `FAULT_INJECTION =
 * "before:0.2,after:0.1"` makes a delivery fail before its handler runs (a crash) or after it ran
 * (a lost ack, so the queue delivers a duplicate) with those probabilities. Only the first three
 * deliveries of a message are touched, so injected faults alone never dead-letter anything.
 */
export function faultPlan(env: Env): FaultPlan | null {
  if (env.ENVIRONMENT !== "development" || !env.FAULT_INJECTION) return null;
  const plan: FaultPlan = { before: 0, after: 0 };
  for (const part of env.FAULT_INJECTION.split(",")) {
    const [name, value] = part.split(":");
    const p = Number(value);
    if ((name === "before" || name === "after") && p >= 0 && p <= 1) plan[name] = p;
  }
  return plan;
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
