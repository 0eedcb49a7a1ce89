import { isHiveSyncError } from "../../core/src/errors";
import { formatWait, printable } from "./format";

/** Where a command writes: humans get text on stdout and progress on stderr; `--json` gets one JSON object. */
export type Output = {
  json: boolean;
  /** A line for humans (suppressed with --json). */
  say(line: string): void;
  /** Progress for humans on stderr, redrawn in place on a terminal (suppressed with --json). */
  progress(line: string): void;
  /** The command's result: the last line of stdout with --json. */
  result(value: unknown, human?: string): void;
  /** A raw line on stdout, with or without --json (a JSON line per event of `--watch`). */
  line(text: string): void;
  /** `warning: <line>` on stderr, with or without --json: something went wrong that does not stop the command. */
  warn(line: string): void;
};

/**
 * Builds the output for one run.
 *
 * @example
 * const out = createOutput({ json: true, stdout: process.stdout, stderr: process.stderr });
 * out.result({ ok: true }); // prints {"ok":true}
 */
export function createOutput(options: {
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}): Output {
  const { json, stdout, stderr } = options;
  let progressShown = false;
  let lastPhase = "";
  const clearProgress = () => {
    if (progressShown && stderr.isTTY) stderr.write("\r\x1b[2K");
    progressShown = false;
  };
  return {
    json,
    say(line) {
      if (json) return;
      clearProgress();
      stdout.write(`${line}\n`);
    },
    progress(line) {
      if (json) return;
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[2K${line}`);
        progressShown = true;
        return;
      }
      // Not a terminal (a log, CI): one line per phase instead of one per file.
      const phase = line.split(" ")[0] ?? "";
      if (phase !== lastPhase) stderr.write(`${line}\n`);
      lastPhase = phase;
    },
    result(value, human) {
      clearProgress();
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
      else if (human !== undefined) stdout.write(`${human}\n`);
    },
    line(text) {
      clearProgress();
      stdout.write(`${text}\n`);
    },
    warn(line) {
      clearProgress();
      stderr.write(`warning: ${line}\n`);
    },
  };
}

/** An error the CLI itself raises (bad arguments, nothing to do), with a code like the server's. */
export class CliError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = "CliError";
  }
}

/** One entry of a validation error's `details.issues`. */
type Issue = { path?: unknown; message?: unknown; in?: unknown };

/** What went wrong, as printed and as put into `--json`. */
export type Failure = {
  code: string;
  message: string;
  request_id?: string;
  /** Seconds the server asked to wait (`Retry-After`). */
  retry_after?: number;
  /** A validation error's `details.issues`, as `field: message` lines. */
  issues?: string[];
  /** What is printed after `error: ` (one line, then the issues indented beneath it). */
  line: string;
};

/**
 * Why a command failed, for people: the server's code, message and request id (so a bug report
 * can quote them); a validation error's fields and what is wrong with each; how long to wait when
 * the server sent `Retry-After`; and, when the server could not be reached at all, which server
 * that was and how to start one or pick another.
 *
 * @example
 * describeFailure(err, { api: "http://localhost:8787" }).line
 * // → "PREVIEW_EXPIRED: This preview has expired. (request req_01…)"
 */
export function describeFailure(err: unknown, context: { api?: string } = {}): Failure {
  if (isHiveSyncError(err)) {
    if (err.code === "NETWORK_ERROR") {
      const where = context.api ? ` at ${context.api}` : "";
      const message = `Could not reach the HiveSync API${where} (${networkReason(err.cause)}). Is the server running? Start a local one with \`npm run dev\`, or point hivesync at another with --api URL (or HIVESYNC_API).`;
      return { code: err.code, message, line: `${err.code}: ${message}` };
    }
    const issues = issuesOf(err.details);
    let message = err.message;
    if (issues.length > 0) message = message.replace(/[;:,]?\s*see details\.issues\.?$/, ".");
    if (err.retryAfter !== undefined)
      message = `${message.replace(/\s*$/, "")} Try again in ${formatWait(err.retryAfter)}.`;
    const suffix = err.requestId ? ` (request ${err.requestId})` : "";
    // What the server said goes to a terminal: shown, never run (--json escapes it anyway).
    return {
      code: err.code,
      message,
      request_id: err.requestId ?? undefined,
      ...(err.retryAfter !== undefined ? { retry_after: err.retryAfter } : {}),
      ...(issues.length > 0 ? { issues } : {}),
      line: printable(`${err.code}: ${message}${suffix}`) + issues.map((i) => `\n  ${printable(i)}`).join(""),
    };
  }
  if (err instanceof CliError)
    return { code: err.code, message: err.message, line: printable(`${err.code}: ${err.message}`) };
  // An unexpected failure can quote what the server sent too (a bundle's path in a file system error).
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL_ERROR", message, line: printable(`INTERNAL_ERROR: ${message}`) };
}

function issuesOf(details: Record<string, unknown>): string[] {
  const issues = details.issues;
  if (!Array.isArray(issues)) return [];
  return (issues as Issue[]).map((issue) => {
    const field =
      typeof issue.path === "string" && issue.path !== "" ? issue.path : String(issue.in ?? "body");
    return `${field}: ${String(issue.message ?? "invalid")}`;
  });
}

/**
 * `connection refused, ECONNREFUSED` from fetch's "fetch failed" (the reason is in its causes);
 * without a code, the innermost message ("bad port").
 */
function networkReason(cause: unknown): string {
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "unknown host",
    ETIMEDOUT: "timed out",
    ECONNRESET: "connection reset",
    EAI_AGAIN: "host name lookup failed",
  };
  let current: unknown = cause;
  let innermost = cause instanceof Error ? cause.message : String(cause);
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return known[code] ? `${known[code]}, ${code}` : code;
    if (current instanceof Error && current.message) innermost = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return innermost;
}

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
