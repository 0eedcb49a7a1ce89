import type { FigureKind, Summary } from "./types";

/** Four significant digits below 10 (tiny byte ratios stay visible), one decimal above. */
export function precise(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  return Math.abs(n) < 10 ? Number(n.toPrecision(4)) : Math.round(n * 10) / 10;
}

/** Nearest-rank percentile (p in 0–100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** The median (mean of the middle two for an even count), min, max and p95. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    median: precise(median ?? Number.NaN),
    min: precise(sorted[0] ?? Number.NaN),
    max: precise(sorted.at(-1) ?? Number.NaN),
    p95: precise(percentile(sorted, 95)),
    n: sorted.length,
  };
}

/**
 * The share of a figure that the proxy adds: of the time for `ms`, of the time per request for
 * `rps` (1 − wrangler req/s ÷ direct req/s). Other kinds are not costs.
 */
export function proxyShare(kind: FigureKind, wrangler?: Summary, direct?: Summary): number | null {
  if (!wrangler || !direct || wrangler.median <= 0 || direct.median <= 0) return null;
  if (kind === "ms") return (wrangler.median - direct.median) / wrangler.median;
  if (kind === "rps") return 1 - wrangler.median / direct.median;
  return null;
}
