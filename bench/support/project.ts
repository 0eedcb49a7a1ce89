import { type HiveSyncClient, syncFolder } from "../../clients/desktop/src";
import { type Fixture, writeFixture } from "../fixtures/project";

/** A new project with the 310-file fixture written to `dir` and pushed. */
export async function pushedFixture(
  client: HiveSyncClient,
  dir: string,
  name: string,
): Promise<{ projectId: string; fixture: Fixture }> {
  const fixture = await writeFixture(dir);
  const project = await client.projects.create({ name, framework: "expo", entry: "App.tsx" });
  await syncFolder(client, project.id, dir);
  return { projectId: project.id, fixture };
}
