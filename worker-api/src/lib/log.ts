type Level = "debug" | "info" | "warn" | "error";

/**
 * One structured JSON log line. Callers pass named fields only — never request bodies, headers,
 * tokens, codes or file contents — so nothing secret can reach the logs by accident.
 */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** The parts of an unknown error that are safe and useful to log (no stack paths in responses; logs only). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error_name: err.name, error_message: err.message, stack: err.stack };
  return { error_message: String(err) };
}
