import type { CallOptions, RequestSpec } from "../transport";

/**
 * The per-call options every typed method passes through to the transport.
 *
 * @example
 * transport.json({ method: "GET", path: "/projects", ...call(options) }, ProjectPage);
 */
export function call(options: CallOptions = {}): Pick<RequestSpec, "signal" | "retry"> {
  return { signal: options.signal, retry: options.retry };
}

/**
 * Per-call options of a POST that creates something: it always carries an Idempotency-Key
 * (yours, or a fresh one reused by every retry of this call).
 *
 * @example
 * transport.json({ method: "POST", path: "/projects", json: body, ...creating(options) }, Project);
 */
export function creating(
  options: CallOptions = {},
): Pick<RequestSpec, "signal" | "retry" | "idempotencyKey"> {
  return { ...call(options), idempotencyKey: options.idempotencyKey ?? true };
}
