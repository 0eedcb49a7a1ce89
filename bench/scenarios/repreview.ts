// Delta re-preview: a phone with a warm blob cache opens a preview, one small file is edited and
// pushed, a new preview starts and the phone opens it. Bytes, not time: they do not vary by run.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { HiveSyncClient, syncFolder } from "../../clients/desktop/src";
import { fetchBundle, MemoryBlobStore, resolvePreview } from "../../clients/mobile/src";
import type { Scenario } from "../harness/types";
import { signUp } from "../support/account";
import { previewReady } from "../support/preview";
import { pushedFixture } from "../support/project";

/** Names the step in a failure: "bundle is gone" alone does not say which session it was. */
async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type State = { url: string; client: HiveSyncClient; projectId: string; dir: string; smallFile: string };

export const repreview: Scenario<State> = {
  id: "repreview",
  title: "one-file re-preview",
  targets: ["wrangler-dev", "direct"],
  figures: {
    full_bytes: { label: "full bundle", kind: "bytes" },
    delta_upload_bytes: { label: "uploaded after a one-file edit", kind: "bytes" },
    delta_download_bytes: { label: "downloaded by the warm phone", kind: "bytes" },
    upload_ratio: { label: "upload ÷ full bundle", kind: "ratio" },
    download_ratio: { label: "download ÷ full bundle", kind: "ratio" },
  },
  goals: [
    {
      id: "repreview-upload",
      text: "one-file re-preview uploads ≤ 2 % of the bundle",
      source: "performance goal",
      target: "wrangler-dev",
      op: "<=",
      unit: "",
      value: (m) => m.upload_ratio ?? null,
      threshold: 0.02,
    },
    {
      id: "repreview-download",
      text: "one-file re-preview downloads ≤ 2 % of the bundle",
      source: "performance goal",
      target: "wrangler-dev",
      op: "<=",
      unit: "",
      value: (m) => m.download_ratio ?? null,
      threshold: 0.02,
    },
  ],
  async setup({ target, work }) {
    const client = await signUp(target.url, "repreview");
    const { projectId, fixture } = await pushedFixture(client, work, "repreview");
    return { url: target.url, client, projectId, dir: work, smallFile: fixture.smallFile };
  },
  async once({ url, client, projectId, dir, smallFile }) {
    const phone = new HiveSyncClient({ baseUrl: url });
    const store = new MemoryBlobStore();
    const first = await step("first preview", () => previewReady(client, projectId));
    const full = await step("phone opens it", async () =>
      fetchBundle(await resolvePreview(phone, first.code), { store }),
    );
    const small = path.join(dir, smallFile);
    await writeFile(small, `${await readFile(small, "utf8")}// edited\n`);
    const delta = await step("push of the edit", () => syncFolder(client, projectId, dir));
    const again = await step("second preview", () => previewReady(client, projectId));
    const deltaDownload = await step("phone opens the second", async () =>
      fetchBundle(await resolvePreview(phone, again.code), { store }),
    );
    return {
      full_bytes: full.downloaded_bytes,
      delta_upload_bytes: delta.uploaded_bytes,
      delta_download_bytes: deltaDownload.downloaded_bytes,
      upload_ratio: delta.uploaded_bytes / full.downloaded_bytes,
      download_ratio: deltaDownload.downloaded_bytes / full.downloaded_bytes,
    };
  },
};
