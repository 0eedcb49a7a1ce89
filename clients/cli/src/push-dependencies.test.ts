// `hivesync push` of a folder whose app imports packages from its node_modules (docs/previews.md §4).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PACKAGES, serveDependencies } from "../../desktop/src/dependencies/fixtures.test-support";
import { CliHarness } from "../../test-support/cli-harness";

let h: CliHarness;
beforeEach(async () => {
  h = await new CliHarness().setUp();
  const app: Record<string, string> = {
    "app/package.json": '{"name":"app","main":"App.js"}\n',
    "app/App.js":
      'import { View } from "react-native";\nimport hello from "@acme/esm-ui";\nconst { double } = require("cjs-pkg");\nexport default function App() { return null; }\n',
  };
  for (const [rel, content] of Object.entries(PACKAGES))
    app[`app/${rel}`] = typeof content === "string" ? content : JSON.stringify(content);
  await h.files(app);
});
afterEach(async () => {
  await h.tearDown();
});

/** The blobs sent, by hash: in batches and alone. */
const sentHashes = () =>
  h.api.requests.flatMap((r) => {
    if (r.method === "PUT" && /\/blobs\/[0-9a-f]{64}$/.test(r.path))
      return [r.path.split("/").at(-1) as string];
    if (r.method !== "POST" || !r.path.endsWith("/blobs/batch")) return [];
    const header = new TextDecoder().decode(r.body.subarray(0, r.body.indexOf(10)));
    return (JSON.parse(header).blobs as { sha256: string }[]).map((b) => b.sha256);
  });

describe("hivesync push with node_modules", () => {
  it("uploads each bundle once and records it before the commit; a second push uploads nothing", async () => {
    const sets = serveDependencies(h.api);
    const first = await h.run(["push", "app"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("Dependencies: 3 modules (3 bundled now), sent 3.");
    const projectId = [...sets.keys()][0] as string;
    const recorded = sets.get(projectId) ?? [];
    expect(recorded.map((d) => d.module_id)).toEqual([
      "npm:@acme/esm-ui@2.0.0-beta.1",
      "npm:cjs-pkg@1.2.3",
      "npm:shared-lib@3.0.0",
    ]);
    // The bundles went up as blobs; node_modules itself was not mirrored.
    const bundleHashes = recorded.map((d) => d.sha256).sort();
    expect(
      sentHashes()
        .filter((s) => bundleHashes.includes(s))
        .sort(),
    ).toEqual(bundleHashes);
    expect([...h.api.project(projectId).files.keys()].sort()).toEqual(["App.js", "package.json"]);
    // Recorded before the revision was committed.
    const order = h.api.requests.map((r) => `${r.method} ${r.path}`);
    expect(order.indexOf(`PUT /projects/${projectId}/dependencies`)).toBeLessThan(
      order.indexOf(`POST /projects/${projectId}/mirror/changes`),
    );

    const sentBefore = sentHashes().length;
    const second = await h.run(["push", "app", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.last).toMatchObject({ uploaded_files: 0, committed: false });
    expect(sentHashes()).toHaveLength(sentBefore);
    expect(sets.get(projectId)).toEqual(recorded);
    const human = await h.run(["push", "app"]);
    expect(human.stdout).not.toContain("Dependencies:");
  });

  it("names a package the app imports that node_modules lacks, with the line that installs it", async () => {
    serveDependencies(h.api);
    await h.files({
      "app/App.js": 'import "./src/extra";\nexport default function App() { return null; }\n',
      "app/src/extra.js": 'import pad from "left-pad/lib/pad";\nimport fs from "fs";\n',
      // A config file the app never imports: its packages are the tools', not the app's.
      "app/eslint.config.js": 'module.exports = require("eslint-config-unreached");\n',
    });
    const run = await h.run(["push", "app"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "Not in node_modules: left-pad/lib/pad. A preview that imports it fails naming it; install it (npm install left-pad) and push again.",
    );
    expect(run.stdout).not.toContain("eslint-config-unreached");
  });
});
