import { describe, expect, it } from "vitest";
import type { Env } from "./env";
import { faultPlan, InjectedFault, maybeFail, maybeStall, STALL_MS } from "./fault-injection";
import { retryDelaySeconds } from "./retry";

const env = (vars: Partial<Env>) => vars as Env;

describe("fault injection (soak tests only)", () => {
  it("is off in production and when unset, and parses probabilities otherwise", () => {
    expect(faultPlan(env({ ENVIRONMENT: "production", FAULT_INJECTION: "before:0.5" }))).toBeNull();
    expect(faultPlan(env({ ENVIRONMENT: "development", FAULT_INJECTION: "" }))).toBeNull();
    expect(
      faultPlan(
        env({ ENVIRONMENT: "development", FAULT_INJECTION: "before:0.2,after:0.1,bogus:1,before2:x" }),
      ),
    ).toEqual({
      before: 0.2,
      after: 0.1,
      stall_update: 0,
    });
    expect(faultPlan(env({ ENVIRONMENT: "development", FAULT_INJECTION: "stall_update:1" }))).toEqual({
      before: 0,
      after: 0,
      stall_update: 1,
    });
  });

  it("a stall waits STALL_MS when drawn, and not at all otherwise", async () => {
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);
    await maybeStall(1, wait);
    await maybeStall(0, wait);
    expect(waits).toEqual([STALL_MS]);
  });

  it("never fails after the third delivery, so injected faults alone cannot dead-letter", () => {
    expect(() => maybeFail(1, "before", 3)).toThrow(InjectedFault);
    expect(() => maybeFail(1, "after", 4)).not.toThrow();
    expect(() => maybeFail(0, "before", 1)).not.toThrow();
  });

  it("backs off exponentially from the configured base, capped at 5 minutes", () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelaySeconds(a))).toEqual([10, 20, 40, 80, 160, 300]);
    expect([1, 2, 3].map((a) => retryDelaySeconds(a, 0.25))).toEqual([1, 1, 2]);
  });
});
