// The 5,000-file project through the `hivesync` CLI, as a user pushes it: a cold push (the folder
// unlinked, so the CLI creates a new project), a no-change push of it, and `hivesync --help` —
// the cost of starting the CLI at all — in every round.
import { rm } from "node:fs/promises";
import path from "node:path";
import { SYNC_STATE_DIR } from "../../clients/desktop/src";
import { LARGE_PROJECT_FILES, writeLargeProject } from "../fixtures/large-project";
import type { Scenario } from "../harness/types";
import { signUp } from "../support/account";
import { type Cli, cliFor } from "../support/cli";

type State = { cli: Cli; dir: string; work: string };

export const largeProject: Scenario<State> = {
  id: "large-project",
  title: `${LARGE_PROJECT_FILES.toLocaleString("en-US")}-file project (CLI)`,
  targets: ["wrangler-dev", "direct"],
  // A cold push of 5,000 files takes 30 s to minutes per target: three rounds, even in a full run.
  rounds: 3,
  figures: {
    cold_ms: { label: "hivesync push, cold", kind: "ms" },
    nochange_ms: { label: "hivesync push, no change", kind: "ms" },
    help_ms: { label: "hivesync --help", kind: "ms" },
    nochange_vs_help: { label: "no-change ÷ --help, per round", kind: "ratio" },
  },
  goals: [
    {
      id: "large-cold-push",
      text: "the 5,000-file project pushes cold in under 30 s",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "ms",
      value: (m) => m.cold_ms ?? null,
      threshold: 30_000,
    },
    {
      id: "large-nochange-vs-help",
      text: "a no-change push of it ≤ 3 × hivesync --help",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "×",
      value: (m) => (m.nochange_ms && m.help_ms ? m.nochange_ms / m.help_ms : null),
      threshold: 3,
    },
  ],
  async setup({ target, work, sources }) {
    await signUp(target.url, "large");
    const cli = await cliFor(target.url, "large", path.join(work, "home"), sources);
    const dir = path.join(work, "large-app");
    const written = await writeLargeProject(dir);
    if (written.files !== LARGE_PROJECT_FILES) throw new Error(`fixture has ${written.files} files`);
    // tsx compiles the CLI on its first start and caches it: keep that out of the first round.
    await cli.run(["--help"], work);
    return { cli, dir, work };
  },
  async round({ cli, dir, work }) {
    // Unlinked and without its sync state (hash cache, mirror snapshot): cold for client and server.
    await rm(path.join(dir, SYNC_STATE_DIR), { recursive: true, force: true });
    const cold = await cli.run(["push", dir, "--json"], work);
    if (cold.last.files !== LARGE_PROJECT_FILES || cold.last.committed !== true) {
      throw new Error(`cold push: ${JSON.stringify(cold.last).slice(0, 300)}`);
    }
    const nochange = await cli.run(["push", dir, "--json"], work);
    if (nochange.last.committed !== false || nochange.last.uploaded_files !== 0) {
      throw new Error(`no-change push sent something: ${JSON.stringify(nochange.last).slice(0, 300)}`);
    }
    const help = await cli.run(["--help"], work);
    return {
      cold_ms: cold.ms,
      nochange_ms: nochange.ms,
      help_ms: help.ms,
      nochange_vs_help: nochange.ms / help.ms,
    };
  },
};
