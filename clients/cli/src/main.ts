import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { RetryOptions } from "../../core/src";
import { login, logout, register, whoami } from "./commands/account";
import { ai } from "./commands/ai";
import { devices } from "./commands/devices";
import { notifications } from "./commands/notifications";
import { open } from "./commands/open";
import { preview } from "./commands/preview";
import { previews } from "./commands/previews";
import { projects } from "./commands/projects";
import { push } from "./commands/push";
import { type CommandContext, createContext, DEFAULT_API } from "./context";
import { CliError, createOutput, describeFailure } from "./output";

type Flags = Record<string, string | boolean | undefined>;
type Command = {
  usage: string;
  summary: string;
  /** The command's own flags (every command also takes --api, --json and --help). */
  flags: readonly (keyof typeof FLAGS)[];
  /** What a flag means for this command, where it differs from {@link FLAGS}' help. */
  flagHelp?: Partial<Record<keyof typeof FLAGS, string>>;
  /** Command lines to copy; together they use every flag of the command. */
  examples: readonly string[];
  run: (ctx: CommandContext, args: string[], flags: Flags) => Promise<void>;
};

/** Every flag: parseArgs' type, how it is written in help, and what it does. */
const FLAGS = {
  email: { type: "string", shape: "--email E", help: "your email address" },
  username: { type: "string", shape: "--username U", help: "3–32 characters of a-z, 0-9, _ and -" },
  password: {
    type: "string",
    shape: "--password P",
    help: "at least 10 characters (asked for when left out)",
  },
  login: { type: "string", shape: "--login NAME", help: "your email address or username" },
  framework: {
    type: "string",
    shape: "--framework F",
    help: "expo, react-native, web or other (default other)",
  },
  entry: { type: "string", shape: "--entry FILE", help: "the app's entry file in the mirror, e.g. App.tsx" },
  project: { type: "string", shape: "--project ID", help: "this project instead of the folder's linked one" },
  platform: { type: "string", shape: "--platform P", help: "ios (default), android or web" },
  new: {
    type: "boolean",
    shape: "--new",
    help: "start another preview even when a live one shows this revision",
  },
  all: { type: "boolean", shape: "--all", help: "ended previews too, not only live ones" },
  out: {
    type: "string",
    shape: "--out DIR",
    help: "where to write the files (default ./hivesync-<session id>)",
  },
  unread: { type: "boolean", shape: "--unread", help: "only unread notifications" },
  watch: { type: "boolean", shape: "--watch", help: "keep printing new ones until Ctrl-C" },
  open: { type: "boolean", shape: "--open", help: "open the preview's link in your browser" },
  lines: { type: "string", shape: "--lines A:B", help: "the lines to explain, e.g. 10:40" },
  wait: { type: "boolean", shape: "--wait", help: "wait for the result and print it" },
  comment: { type: "boolean", shape: "--comment", help: "also post the summary as a comment on the file" },
} as const;

const GLOBAL_FLAGS = [
  ["--api URL", `the server (default $HIVESYNC_API, else ${DEFAULT_API})`],
  ["--json", "print one JSON object (the result, or {error}) as the last line of output"],
  ["-h, --help", "show this help"],
] as const;

const COMMANDS: Record<string, Command> = {
  register: {
    usage: "register [--email E] [--username U] [--password P]",
    summary: "create an account and sign in",
    flags: ["email", "username", "password"],
    examples: ["hivesync register --email ana@example.com --username ana --password 'correct horse battery'"],
    run: (c, _a, f) => register(c, f),
  },
  login: {
    usage: "login [--login EMAIL_OR_USERNAME] [--password P]",
    summary: "sign in",
    flags: ["login", "password"],
    examples: ["hivesync login --login ana --password 'correct horse battery'"],
    run: (c, _a, f) => login(c, f),
  },
  logout: {
    usage: "logout",
    summary: "sign out (revokes the session on the server)",
    flags: [],
    examples: ["hivesync logout"],
    run: (c) => logout(c),
  },
  whoami: {
    usage: "whoami",
    summary: "who is signed in, and where",
    flags: [],
    examples: ["hivesync whoami --api https://hivesync.example.com"],
    run: (c) => whoami(c),
  },
  projects: {
    usage: "projects create <name> [--framework expo] [--entry App.tsx] | list | delete <id>",
    summary: "create, list or delete projects (delete removes the mirror and previews too)",
    flags: ["framework", "entry"],
    examples: [
      "hivesync projects create hello-app --framework expo --entry App.js",
      "hivesync projects list",
      "hivesync projects delete prj_2c9f…",
    ],
    run: projects,
  },
  push: {
    usage: "push [dir] [--project ID]",
    summary: "mirror a folder (only changed files are sent; secrets such as .env are left out)",
    flags: ["project"],
    examples: ["hivesync push ./examples/hello-app", "hivesync push . --project prj_2c9f…"],
    run: push,
  },
  preview: {
    usage: "preview [dir] [--project ID] [--platform ios|android|web] [--new] [--watch] [--open]",
    summary: "push, show a preview's QR code (the live one when it is current) and follow its build",
    flags: ["project", "platform", "new", "watch", "open"],
    flagHelp: {
      watch: "then push every save and print each revision's build result, until Ctrl-C",
    },
    examples: [
      "hivesync preview ./examples/hello-app --platform android",
      "hivesync preview --new --project prj_2c9f…",
      "hivesync preview --watch --open ./examples/hello-app",
    ],
    run: preview,
  },
  previews: {
    usage: "previews [list] [--project ID] [--all] | cancel <id>",
    summary: "your live previews (a project may have 10), or cancel one",
    flags: ["project", "all"],
    examples: ["hivesync previews --project prj_2c9f… --all", "hivesync previews cancel pvs_8d1e…"],
    run: previews,
  },
  devices: {
    usage: "devices link | list | revoke <id>",
    summary: "pair a phone by QR code, list or unlink devices",
    flags: [],
    examples: ["hivesync devices link", "hivesync devices revoke dev_41aa…"],
    run: devices,
  },
  open: {
    usage: "open <code> [--out dir]",
    summary: "the phone's side: resolve a code, download and verify the bundle",
    flags: ["out"],
    examples: ["hivesync open WDJB-MJHT --out /tmp/phone"],
    run: open,
  },
  notifications: {
    usage: "notifications [--unread] [--watch]",
    summary: "your notifications (--watch follows new ones)",
    flags: ["unread", "watch"],
    examples: ["hivesync notifications --unread --watch"],
    run: notifications,
  },
  ai: {
    usage: "ai <summarize|explain|symbols> <file> [--lines 10:40] [--wait] [--comment] [--project ID]",
    summary: "AI documentation of a mirrored file (the project is the one linked to the file's folder)",
    flags: ["lines", "wait", "comment", "project"],
    examples: [
      "hivesync ai summarize examples/hello-app/App.js --wait",
      "hivesync ai explain src/App.js --lines 10:40 --wait --comment",
      "hivesync ai symbols App.js --project prj_2c9f… --wait",
    ],
    run: ai,
  },
  help: {
    usage: "help [command]",
    summary: "this overview, or one command's flags and examples",
    flags: [],
    examples: ["hivesync help preview"],
    run: async () => {},
  },
};

const OPTIONS = {
  ...Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type }])),
  api: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as Record<
  keyof typeof FLAGS | "api" | "json" | "help" | "version",
  { type: "string" | "boolean"; short?: string }
>;

/** The version in package.json. */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    return String(pkg.version);
  } catch {
    return "unknown";
  }
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

/**
 * The help text: the overview of all commands, or one command's usage, flags and examples.
 *
 * @example
 * console.log(helpText("preview"));
 */
export function helpText(command?: string): string {
  const c = command ? COMMANDS[command] : undefined;
  if (c) {
    const flags: [string, string][] = c.flags.map((name) => [
      FLAGS[name].shape,
      c.flagHelp?.[name] ?? FLAGS[name].help,
    ]);
    return [
      `hivesync ${command}: ${c.summary}.`,
      "",
      `Usage: hivesync ${c.usage}`,
      "",
      "Flags:",
      ...table([...flags, ...GLOBAL_FLAGS]),
      "",
      c.examples.length === 1 ? "Example:" : "Examples:",
      ...c.examples.map((e) => `  ${e}`),
    ].join("\n");
  }
  return [
    "HiveSync: push a live preview of the app you are writing to your phone.",
    "",
    "Usage:",
    ...Object.values(COMMANDS).map((c) => `  hivesync ${c.usage}\n      ${c.summary}`),
    "",
    "Every command takes:",
    ...table(GLOBAL_FLAGS),
    "",
    "`hivesync help <command>` (or `hivesync <command> --help`) lists a command's flags with examples;",
    "`hivesync --version` prints the version. Credentials live in $XDG_CONFIG_HOME/hivesync (mode 0600).",
    "",
    "Example:",
    "  hivesync preview ./examples/hello-app",
  ].join("\n");
}

export type MainIo = {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
  /** Overrides of the client's retry policy (tests make the waits instant). */
  retry?: Partial<RetryOptions>;
  /** How long `preview` watches an older live session for following its project (tests: short). */
  followGraceMs?: number;
  /** Stops the command as Ctrl-C does (tests, or a program that embeds the CLI). */
  signal?: AbortSignal;
  /** Opens a link in the desktop's browser instead of `xdg-open`/`open`/`start` (tests). */
  openUrl?: (url: string) => Promise<void>;
};

/**
 * Runs one `hivesync` command line and returns its exit code: 0 on success, 1 when the command
 * failed (with a one-line reason on stderr: the server's code and request id), 2 for usage errors.
 *
 * @example
 * process.exitCode = await main(["push", "./examples/hello-app", "--json"]);
 */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    stderr.write(`error: INVALID_ARGUMENT: ${(err as Error).message}\n\n${helpText()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  if (values.version) {
    stdout.write(values.json ? `${JSON.stringify({ version: version() })}\n` : `hivesync ${version()}\n`);
    return 0;
  }
  if (name === "help") {
    const topic = args[0] ?? (values.help ? "help" : undefined);
    if (topic && !COMMANDS[topic]) {
      stderr.write(`error: INVALID_ARGUMENT: unknown command "${topic}"\n\n${helpText()}\n`);
      return 2;
    }
    stdout.write(`${helpText(topic)}\n`);
    return 0;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (name && !command) {
    stderr.write(`error: INVALID_ARGUMENT: unknown command "${name}"\n\n${helpText()}\n`);
    return 2;
  }
  if (values.help || !name) {
    stdout.write(`${helpText(name)}\n`);
    return name || values.help ? 0 : 2;
  }
  if (!command) return 2;
  const foreign = Object.keys(values).filter(
    (flag) => flag in FLAGS && !command.flags.includes(flag as keyof typeof FLAGS),
  );
  if (foreign.length > 0) {
    stderr.write(
      `error: INVALID_ARGUMENT: \`hivesync ${name}\` does not take ${foreign.map((f) => `--${f}`).join(", ")}; \`hivesync ${name} --help\` lists its flags.\n`,
    );
    return 2;
  }

  const json = values.json === true;
  const out = createOutput({ json, stdout, stderr });
  const controller = new AbortController();
  const onSigint = () => controller.abort(new CliError("INTERRUPTED", "Interrupted."));
  process.once("SIGINT", onSigint);
  if (io.signal?.aborted) onSigint();
  io.signal?.addEventListener("abort", onSigint, { once: true });
  let api: string | undefined;
  try {
    const ctx = createContext({
      api: values.api as string | undefined,
      out,
      env: io.env ?? process.env,
      cwd: io.cwd ?? process.cwd(),
      signal: controller.signal,
      columns: stdout.columns,
      ...(io.retry ? { retry: io.retry } : {}),
      ...(io.followGraceMs === undefined ? {} : { followGraceMs: io.followGraceMs }),
      ...(io.fetch ? { fetch: io.fetch } : {}),
      ...(io.openUrl ? { openUrl: io.openUrl } : {}),
    });
    api = ctx.api;
    await command.run(ctx, args, values as Flags);
    return 0;
  } catch (err) {
    if (controller.signal.aborted && values.watch) return 0; // Ctrl-C ends --watch normally
    const failure = describeFailure(err, { api });
    if (json)
      stdout.write(
        `${JSON.stringify({
          error: {
            code: failure.code,
            message: failure.message,
            request_id: failure.request_id ?? null,
            ...(failure.retry_after !== undefined ? { retry_after: failure.retry_after } : {}),
            ...(failure.issues ? { issues: failure.issues } : {}),
          },
        })}\n`,
      );
    stderr.write(`error: ${failure.line}\n`);
    return err instanceof CliError &&
      (failure.code === "INVALID_ARGUMENT" || failure.code === "MISSING_ARGUMENT")
      ? 2
      : 1;
  } finally {
    process.removeListener("SIGINT", onSigint);
    io.signal?.removeEventListener("abort", onSigint);
  }
}
