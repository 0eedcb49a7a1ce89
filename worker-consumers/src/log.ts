/** One structured JSON log line; callers pass IDs and codes only, never file contents or secrets. */
export function log(
  level: "info" | "warn" | "error",
  msg: string,
  fields: Record<string, unknown> = {},
): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), worker: "consumers", ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error
    ? { error_name: err.name, error_message: err.message }
    : { error_message: String(err) };
}
