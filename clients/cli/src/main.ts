import { parseArgs } from "node:util";
import { login, logout, register, whoami } from "./commands/account";
import { ai } from "./commands/ai";
import { devices } from "./commands/devices";
import { notifications } from "./commands/notifications";
import { open } from "./commands/open";
import { preview } from "./commands/preview";
import { projects } from "./commands/projects";
import { push } from "./commands/push";
import { type CommandContext, createContext, DEFAULT_API } from "./context";
import { CliError, createOutput, describeFailure } from "./output";

type Flags = Record<string, string | boolean | undefined>;
type Command = {
  usage: string;
  summary: string;
  run: (ctx: CommandContext, args: string[], flags: Flags) => Promise<void>;
};

const COMMANDS: Record<string, Command> = {
  register: {
    usage: "register [--email E] [--username U] [--password P]",
    summary: "create an account and sign in",
    run: (c, _a, f) => register(c, f),
  },
  login: {
    usage: "login [--login EMAIL_OR_USERNAME] [--password P]",
    summary: "sign in",
    run: (c, _a, f) => login(c, f),
  },
  logout: { usage: "logout", summary: "sign out (revokes the session on the server)", run: (c) => logout(c) },
  whoami: { usage: "whoami", summary: "who is signed in, and where", run: (c) => whoami(c) },
  projects: {
    usage: "projects create <name> [--framework expo] [--entry App.tsx] | projects list",
    summary: "manage projects",
    run: projects,
  },
  push: {
    usage: "push [dir] [--project ID]",
    summary: "mirror a folder (only changed files are sent)",
    run: push,
  },
  preview: {
    usage: "preview [dir] [--project ID] [--platform ios|android|web]",
    summary: "push, start a preview, show its QR code and follow it",
    run: preview,
  },
  devices: {
    usage: "devices link | list | revoke <id>",
    summary: "pair a phone by QR code, list or unlink devices",
    run: devices,
  },
  open: {
    usage: "open <code> [--out dir]",
    summary: "the phone's side: resolve a code, download and verify the bundle",
    run: open,
  },
  notifications: {
    usage: "notifications [--unread] [--watch]",
    summary: "your notifications (--watch follows new ones)",
    run: notifications,
  },
  ai: {
    usage: "ai <summarize|explain|symbols> <file> [--lines 10:40] [--wait] [--comment] [--project ID]",
    summary: "AI documentation of a mirrored file",
    run: ai,
  },
};

const OPTIONS = {
  api: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  email: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  login: { type: "string" },
  framework: { type: "string" },
  entry: { type: "string" },
  project: { type: "string" },
  platform: { type: "string" },
  out: { type: "string" },
  unread: { type: "boolean" },
  watch: { type: "boolean" },
  lines: { type: "string" },
  wait: { type: "boolean" },
  comment: { type: "boolean" },
} as const;

function usage(command?: string): string {
  if (command && COMMANDS[command]) {
    const c = COMMANDS[command];
    return `Usage: hivesync ${c.usage} [--api URL] [--json]\n\n${c.summary}.`;
  }
  const lines = Object.values(COMMANDS).map((c) => `  hivesync ${c.usage}\n      ${c.summary}`);
  return [
    "HiveSync: push a live preview of the app you are writing to your phone.",
    "",
    "Usage:",
    ...lines,
    "",
    `Every command takes --api URL (default $HIVESYNC_API or ${DEFAULT_API}), --json (one JSON object`,
    "as the last line of output) and --help. Credentials live in $XDG_CONFIG_HOME/hivesync (mode 0600).",
  ].join("\n");
}

export type MainIo = {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  fetch?: typeof fetch;
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
    stderr.write(`error: INVALID_ARGUMENT: ${(err as Error).message}\n${usage()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  const command = name ? COMMANDS[name] : undefined;
  if (values.help || !name) {
    stdout.write(`${usage(name)}\n`);
    return name || values.help ? 0 : 2;
  }
  if (!command) {
    stderr.write(`error: INVALID_ARGUMENT: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }

  const json = values.json === true;
  const out = createOutput({ json, stdout, stderr });
  const controller = new AbortController();
  const onSigint = () => controller.abort(new CliError("INTERRUPTED", "Interrupted."));
  process.once("SIGINT", onSigint);
  try {
    const ctx = createContext({
      api: values.api,
      out,
      env: io.env ?? process.env,
      cwd: io.cwd ?? process.cwd(),
      signal: controller.signal,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    await command.run(ctx, args, values as Flags);
    return 0;
  } catch (err) {
    if (controller.signal.aborted && values.watch) return 0; // Ctrl-C ends --watch normally
    const failure = describeFailure(err);
    if (json)
      stdout.write(
        `${JSON.stringify({ error: { code: failure.code, message: failure.message, request_id: failure.request_id ?? null } })}\n`,
      );
    stderr.write(`error: ${failure.line}\n`);
    return err instanceof CliError &&
      (failure.code === "INVALID_ARGUMENT" || failure.code === "MISSING_ARGUMENT")
      ? 2
      : 1;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}
