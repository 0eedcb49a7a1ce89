// Text for people: waits, times, notifications and AI results as sentences rather than dumps.
import type { AiJob, Notification } from "../../core/src";

/**
 * `n` with its noun, singular or plural.
 *
 * @example
 * count(1, "file"); // "1 file"
 * count(3, "change"); // "3 changes"
 */
export function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}

/**
 * A wait in seconds as people say it: `45 s`, `2 min`, `1 h 5 min`.
 *
 * @example
 * formatWait(90); // "2 min"
 */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/**
 * How long ago `iso` was, for a list: `just now`, `5 min ago`, `3 h ago`, `2 days ago`, then the date.
 *
 * @example
 * relativeTime("2026-01-01T10:00:00Z", Date.parse("2026-01-01T10:05:00Z")); // "5 min ago"
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 7 * 86_400) {
    const days = Math.floor(seconds / 86_400);
    return days === 1 ? "yesterday" : `${days} days ago`;
  }
  return iso.slice(0, 10);
}

const AI_WORDS: Record<string, string> = {
  summarize_file: "summary",
  explain_selection: "explanation",
  document_symbols: "symbol documentation",
};

/**
 * One notification as a sentence, e.g. `Preview ready: hello-app (ios)`.
 *
 * @example
 * describeNotification({ type: "device_linked", payload: { device_name: "Ana's phone", platform: "ios" }, … });
 * // → "Device linked: Ana's phone (ios)"
 */
export function describeNotification(n: Pick<Notification, "type" | "payload">): string {
  const p = n.payload;
  // Payload values are names people chose (a project, a device) and paths: shown, never run.
  const str = (key: string) => (p[key] === undefined || p[key] === null ? "" : printable(String(p[key])));
  const project = str("project_name") || "a project";
  const platform = str("platform") ? ` (${str("platform")})` : "";
  const failure = str("error_code") ? `: ${str("error_code").replaceAll("_", " ")}` : "";
  const ai = AI_WORDS[str("job_type")] ?? "result";
  switch (n.type) {
    case "preview_started":
      return `Preview started: ${project}${platform}${str("revision") ? `, revision ${str("revision")}` : ""}`;
    case "preview_ready":
      return `Preview ready: ${project}${platform}`;
    case "preview_failed":
      return `Preview failed: ${project}${platform}${failure}`;
    case "preview_expired":
      return `Preview expired: ${project}${platform}`;
    case "preview_opened": {
      // A digest once a minute (the server counts opens, not lists them): "opened 12 more times".
      const opens = Number(str("opens") || 1);
      const total = str("total_opens") ? `, ${str("total_opens")} in all` : "";
      return opens > 1
        ? `Preview opened ${opens} more times: ${project}${platform}${total}`
        : `Preview opened on a phone: ${project}${platform}`;
    }
    case "ai_job_succeeded":
      return `AI ${ai} of ${str("file_path") || "a file"} is ready (hivesync ai … --wait shows it)`;
    case "ai_job_failed":
      return `AI ${ai} of ${str("file_path") || "a file"} failed${failure}`;
    case "repo_sync_succeeded":
      return `Mirror of ${project} checked at revision ${str("revision")}`;
    case "repo_sync_failed":
      return `Mirror of ${project} failed its check at revision ${str("revision")}${failure}`;
    case "device_linked":
      return `Device linked: ${str("device_name") || "a device"}${platform}`;
    default: {
      const what = printable(String(n.type).replaceAll("_", " "));
      const names = Object.values(p)
        .filter((v): v is string => typeof v === "string" && !/^[a-z]{3}_/.test(v))
        .map(printable);
      return `${what[0]?.toUpperCase() ?? ""}${what.slice(1)}${names.length ? `: ${names.join(", ")}` : ""}`;
    }
  }
}

/**
 * A notification as one list line: a dot when unread, the sentence, and when.
 *
 * @example
 * notificationLine(n); // "• Preview ready: hello-app (ios) · 5 min ago"
 */
export function notificationLine(
  n: Pick<Notification, "type" | "payload" | "created_at" | "read_at">,
  now: number = Date.now(),
): string {
  return `${n.read_at ? " " : "•"} ${describeNotification(n)} · ${relativeTime(n.created_at, now)}`;
}

/**
 * `text` broken into lines of at most `width` characters (words longer than that stay whole),
 * each starting with `indent`.
 *
 * @example
 * wrap("a b c", 3, "  "); // "  a\n  b\n  c"
 */
export function wrap(text: string, width: number, indent = ""): string {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(indent + line);
  }
  return out.join("\n");
}

/**
 * A finished AI job for people: what and which file, the summary, then each section under its
 * title and line range, wrapped to the terminal.
 *
 * @example
 * console.log(formatAiResult(job, process.stdout.columns ?? 80));
 */
export function formatAiResult(job: AiJob, width = 80): string {
  const w = Math.max(40, Math.min(width, 100));
  // A model's answer can quote the file it read, escape sequences included: shown, never run.
  const what = printable(AI_WORDS[job.type] ?? job.type);
  const lines = job.selection ? ` lines ${job.selection.start_line}–${job.selection.end_line}` : "";
  const head = `${what[0]?.toUpperCase()}${what.slice(1)} of ${printable(job.file_path)}${lines}`;
  const parts = [head, "", wrap(printableLines(job.result?.summary ?? "(no summary)"), w, "  ")];
  for (const section of job.result?.sections ?? []) {
    const range =
      section.line_start === section.line_end
        ? `line ${section.line_start}`
        : `lines ${section.line_start}–${section.line_end}`;
    parts.push("", `  ${printable(section.title)} (${range})`, wrap(printableLines(section.text), w, "    "));
  }
  if (job.result) parts.push("", `(${printable(job.result.provider)}, ${printable(job.result.model)})`);
  return parts.join("\n");
}

// Control characters (`ESC[…` would recolour or rewrite the reader's terminal, a bare CR overwrite
// the line), the line and paragraph separators, and the bidirectional controls that reorder how
// the rest of a line is shown.
const UNSAFE = /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from the server (a name someone else chose, a message, a path) as it is safe to print:
 * control characters, line/paragraph separators and bidirectional controls are shown as
 * `\u001b`-style escapes.
 *
 * @example
 * printable("\u001b[31mred"); // "\\u001b[31mred"
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * {@link printable} for text of several lines (an AI summary): its line breaks stay line breaks,
 * every other control character is shown as an escape.
 *
 * @example
 * printableLines("one\r\ntwo\u001b[2J"); // "one\ntwo\\u001b[2J"
 */
export function printableLines(text: string): string {
  return text.split(/\r?\n/).map(printable).join("\n");
}
