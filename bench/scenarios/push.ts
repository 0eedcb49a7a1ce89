// Mirror push of the 310-file fixture: cold (every blob to a new project) against the one-blob
// floor — the same bytes concatenated into one file, pushed the same way (hash, read, PUT) to
// another new project — and a no-change push of the cold project (with the sync state the cold
// push left in the folder, as a user's second push has). Each round does all three.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type HiveSyncClient,
  hashFile,
  SYNC_STATE_DIR,
  syncFolder,
  uploadBlobs,
} from "../../clients/desktop/src";
import { writeFixture } from "../fixtures/project";
import type { Scenario } from "../harness/types";
import { signUp } from "../support/account";
import { timed } from "../support/timing";

type State = { client: HiveSyncClient; dir: string; floorFile: string };

async function concatenate(dir: string, into: string): Promise<void> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
  const parts = await Promise.all(files.map((f) => readFile(path.join(f.parentPath, f.name))));
  await writeFile(into, Buffer.concat(parts));
}

export const push: Scenario<State> = {
  id: "push",
  title: "mirror push, 310 files",
  targets: ["wrangler-dev", "direct"],
  figures: {
    cold_ms: { label: "cold push", kind: "ms" },
    floor_ms: { label: "one-blob floor (same bytes)", kind: "ms" },
    nochange_ms: { label: "no-change push", kind: "ms" },
    cold_vs_floor: { label: "cold ÷ floor, per round", kind: "ratio" },
  },
  goals: [
    {
      id: "push-cold-vs-floor",
      text: "cold push of the 310-file fixture ≤ 5 × the one-blob floor",
      source: "issue 13",
      target: "direct",
      op: "<=",
      unit: "×",
      value: (m) => (m.cold_ms && m.floor_ms ? m.cold_ms / m.floor_ms : null),
      threshold: 5,
    },
  ],
  async setup({ target, work }) {
    const client = await signUp(target.url, "push");
    const dir = path.join(work, "app");
    await writeFixture(dir);
    const floorFile = path.join(work, "floor.bin");
    await concatenate(dir, floorFile);
    return { client, dir, floorFile };
  },
  async round({ client, dir, floorFile }, round) {
    // Cold on both sides: the folder's sync state (hash cache, mirror snapshot) goes too.
    await rm(path.join(dir, SYNC_STATE_DIR), { recursive: true, force: true });
    const project = await client.projects.create({ name: `push-${round}` });
    const cold = await timed(() => syncFolder(client, project.id, dir));
    if (cold.value.uploaded_files !== cold.value.files) throw new Error("a cold push skipped files");
    const nochange = await timed(() => syncFolder(client, project.id, dir));
    if (nochange.value.committed || nochange.value.uploaded_files !== 0) {
      throw new Error("an unchanged push sent something");
    }
    const floorProject = await client.projects.create({ name: `floor-${round}` });
    const floor = await timed(async () => {
      const { sha256, size } = await hashFile(floorFile);
      await uploadBlobs(client, floorProject.id, [
        { sha256, size, absolutePath: floorFile, path: "floor.bin" },
      ]);
    });
    return {
      cold_ms: cold.ms,
      floor_ms: floor.ms,
      nochange_ms: nochange.ms,
      cold_vs_floor: cold.ms / floor.ms,
    };
  },
};
