// The mirror refuses trees no common file system can hold (issue 20, item 7): whoever opens the
// mirror — a phone, a Windows or macOS desktop — could only write them half, or one file for two.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  call,
  createProject,
  expectError,
  json,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";

type Change = { op: "put"; path: string } | { op: "delete"; path: string };

/** A user with a project whose blob "x" is uploaded, committing changes of paths to that blob. */
async function setUp() {
  const user = await registerUser();
  const project = await createProject(user);
  const sha256 = await sha256Of("x");
  await call(`/api/v1/projects/${project.id}/blobs/${sha256}`, {
    method: "PUT",
    token: user.access,
    body: "x",
    headers: { "content-type": "application/octet-stream" },
  });
  const commit = (base: number, changes: (Change | string)[]) =>
    call(`/api/v1/projects/${project.id}/mirror/changes`, {
      token: user.access,
      body: {
        base_revision: base,
        changes: changes.map((c) => {
          const change = typeof c === "string" ? ({ op: "put", path: c } as const) : c;
          return change.op === "put" ? { ...change, sha256, size: 1 } : change;
        }),
      },
    });
  return { user, project, commit };
}

const revisionOf = async (user: TestUser, projectId: string) =>
  (
    await json<{ revision: number }>(
      await call(`/api/v1/projects/${projectId}/mirror`, { token: user.access }),
    )
  ).revision;

describe("a tree no common file system can hold", () => {
  it.each([
    [["dir", "dir/x.js"], 1, "'dir/x.js' cannot be written: 'dir' is a file"],
    [["dir/x.js", "dir"], 1, "'dir' cannot be a file: 'dir' is a folder"],
    [["Readme.md", "README.md"], 1, "'README.md' and 'Readme.md' differ only in case"],
    [["src/App.js", "SRC/b.js"], 1, "folder 'SRC' differs only in case from 'src'"],
    [["CON"], 0, "'CON' is a reserved device name on Windows"],
    [["nul.txt"], 0, "'nul.txt' is a reserved device name"],
    [["src/Aux/index.js"], 0, "'Aux' is a reserved device name"],
    [["lpt9.tar.gz"], 0, "'lpt9.tar.gz' is a reserved device name"],
    [["com1.js"], 0, "'com1.js' is a reserved device name"],
    [["notes."], 0, "'notes.' ends in a dot or a space"],
    [["src /App.js"], 0, "'src ' ends in a dot or a space"],
    [["line\u2028break.js"], 0, "line or paragraph separator"],
    [["para\u2029graph.js"], 0, "line or paragraph separator"],
  ])("refuses %j with 422 INVALID_PATH naming the path, and commits nothing", async (paths, at, reason) => {
    const { user, project, commit } = await setUp();
    const err = await expectError(await commit(0, paths), 422, "INVALID_PATH");
    expect(err.message).toContain(reason);
    expect(err.details.issues).toEqual([
      { path: `changes.${at}.path`, message: expect.stringContaining(reason), in: "body" },
    ]);
    expect(await revisionOf(user, project.id)).toBe(0);
  });

  it("takes names that only look like those", async () => {
    const { commit } = await setUp();
    const paths = [
      "console.js",
      "CONTRIBUTING.md",
      "com10.js",
      "lpt.js",
      "auxiliary/index.js",
      ".env",
      "a..b.js",
      "a.js",
      "a.jsx",
      "Readme.md",
      "docs/README.md",
      "dir/x.js",
      "dir2/x.js",
      "src/App.js",
      "src/app/index.js",
    ];
    expect((await commit(0, paths)).status).toBe(202);
  });

  it("judges the tree a change set leaves, not the change set alone", async () => {
    const { user, project, commit } = await setUp();
    expect((await commit(0, ["dir/x.js", "readme.md"])).status).toBe(202);
    // Against what is there: a file where a folder is, or a name in another case.
    const err = await expectError(await commit(1, ["other.js", "dir"]), 422, "INVALID_PATH");
    expect(err.details.issues).toEqual([
      { path: "changes.1.path", message: expect.stringContaining("'dir' is a folder"), in: "body" },
    ]);
    await expectError(await commit(1, ["README.md"]), 422, "INVALID_PATH");
    await expectError(await commit(1, ["DIR/y.js"]), 422, "INVALID_PATH");
    // What the set removes is gone from the tree it leaves: a folder turned file, a rename by case.
    expect((await commit(1, [{ op: "delete", path: "dir/x.js" }, "dir"])).status).toBe(202);
    expect((await commit(2, [{ op: "delete", path: "readme.md" }, "README.md"])).status).toBe(202);
    expect(await revisionOf(user, project.id)).toBe(3);
  });

  it("leaves a tree accepted before the rules as it is: its files can be rewritten and deleted", async () => {
    const { user, project, commit } = await setUp();
    expect((await commit(0, ["a.js"])).status).toBe(202);
    await env.DB.prepare("UPDATE mirror_files SET path = 'CON' WHERE project_id = ?").bind(project.id).run();
    expect((await commit(1, ["CON"])).status).toBe(202);
    // Adding a path judges only what is added.
    expect((await commit(2, ["b.js"])).status).toBe(202);
    expect((await commit(3, [{ op: "delete", path: "CON" }])).status).toBe(202);
    expect(await revisionOf(user, project.id)).toBe(4);
  });
});
