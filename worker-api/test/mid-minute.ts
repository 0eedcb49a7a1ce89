import { afterEach, beforeEach, vi } from "vitest";

/**
 * Freezes Date half-way through a minute for every test of the file (the Durable Objects' clock
 * too: they run in the tests' isolate), so no test's requests straddle two fixed windows of a
 * minute; `vi.setSystemTime` moves it on. Timers stay real.
 */
export function frozenMidMinute(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
