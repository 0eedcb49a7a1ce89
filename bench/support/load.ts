import autocannon from "autocannon";

export type LoadResult = { rps: number; mean_ms: number; p50_ms: number; p99_ms: number; total: number };

/**
 * Closed-loop load: `connections` clients each send the next request when the last one answers,
 * for `seconds`. Any answer other than `expectStatus` fails the run: a 429 or 500 under load is
 * a broken measurement, not a slow one.
 */
export async function load(
  url: string,
  options: { headers?: Record<string, string>; expectStatus: number; connections: number; seconds: number },
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    headers: options.headers ?? {},
    connections: options.connections,
    duration: options.seconds,
  });
  const wrong = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== options.expectStatus)
    .reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  if (wrong > 0 || result.errors > 0 || result.timeouts > 0) {
    const codes = JSON.stringify(result.statusCodeStats);
    throw new Error(
      `load on ${url}: ${wrong} answers other than ${options.expectStatus} (${codes}), ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return {
    rps: result.requests.average,
    mean_ms: result.latency.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    total: result.requests.total,
  };
}
