import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { describeError, log } from "../lib/log";
import { SWEEP } from "./policy";
import { type SweepReport, sweep } from "./sweep";

const ARMED_AT = "armed_at";

/**
 * The dispatch sweeper: one object (`idFromName("sweeper")`) whose alarm runs while the outbox
 * holds accepted work, looking at due rows (dispatch/sweep.ts). Alarms are stored with the object
 * and survive a restart (in production, and under `wrangler dev --persist-to` after a kill -9),
 * so work accepted before a crash is swept after it.
 *
 * Arming: every accept calls `ensureArmed()` before writing its job, so the alarm is set before
 * the outbox row exists; and the alarm keeps running for `SWEEP.lingerMs` after the last
 * `ensureArmed()` even when it finds the outbox empty, which closes the race with a row written just
 * after a sweep. `kick()` (the per-minute cron) re-arms it should arming at accept time have failed.
 */
export class JobSweeper extends DurableObject<Env> {
  /** Makes sure an alarm is set; called before a job and its outbox row are written. */
  async ensureArmed(): Promise<void> {
    const now = Date.now();
    await this.ctx.storage.put(ARMED_AT, now);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + SWEEP.tickMs);
  }

  /** Sweeps soon unless an alarm is set already (no linger: an idle outbox stays idle). */
  async kick(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let next: number | null;
    try {
      const report = await this.sweepNow(new Date(now));
      next = report.nextCheckAt;
    } catch (err) {
      log("error", "sweep failed", describeError(err));
      next = now + SWEEP.tickMs; // D1 unreachable: try again at the next tick
    }
    const armedAt = (await this.ctx.storage.get<number>(ARMED_AT)) ?? 0;
    if (next === null && now - armedAt < SWEEP.lingerMs) next = now + SWEEP.tickMs;
    // An alarm set by ensureArmed() while this one ran stays; otherwise the next one as computed.
    if (next !== null && (await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Math.min(Math.max(next, now + 1000), now + SWEEP.tickMs));
    }
  }

  /** One sweep at `now` (the alarm's work; tests call it with a clock of their own). */
  async sweepNow(now = new Date()): Promise<SweepReport> {
    const report = await sweep(this.env, now);
    if (report.resent.length || report.stranded.length || report.removed.length)
      log("info", "swept the outbox", {
        resent: report.resent.length,
        stranded: report.stranded.length,
        removed: report.removed.length,
      });
    return report;
  }
}
