// PUT/GET /projects/:id/dependencies (docs/previews.md §4) and Internal.getDependencies, the RPC
// the preview build reads them through.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_DEPENDENCIES } from "../../../schema/api/dependencies";
import {
  call,
  createProject,
  expectError,
  json,
  registerUser,
  sha256Of,
  type TestUser,
} from "../../test/helpers";

const Internal = exports.Internal;

/** Uploads `body` as a blob of the project and returns what an item needs of it. */
async function uploadBlob(user: TestUser, projectId: string, body: string) {
  const sha256 = await sha256Of(body);
  const res = await call(`/api/v1/projects/${projectId}/blobs/${sha256}`, {
    method: "PUT",
    token: user.access,
    headers: { "content-type": "application/octet-stream" },
    body,
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return { sha256, size: new TextEncoder().encode(body).length };
}

const put = (user: TestUser, projectId: string, items: unknown[]) =>
  call(`/api/v1/projects/${projectId}/dependencies`, { method: "PUT", token: user.access, body: { items } });
const get = (user: TestUser, projectId: string) =>
  call(`/api/v1/projects/${projectId}/dependencies`, { token: user.access });

type Listed = { items: Array<Record<string, unknown>>; changed?: boolean };

async function setUp() {
  const user = await registerUser();
  const project = await createProject(user);
  const lodash = await uploadBlob(user, project.id, "module.exports = { chunk: 1 };");
  const debounce = await uploadBlob(user, project.id, "module.exports = function debounce() {};");
  const ui = await uploadBlob(user, project.id, 'module.exports = require("react");');
  const items = [
    { name: "lodash", version: "4.17.21", module_id: "npm:lodash@4.17.21", ...lodash, requires: [] },
    {
      name: "lodash",
      version: "4.17.21",
      module_id: "npm:lodash@4.17.21/debounce",
      ...debounce,
      requires: [],
    },
    {
      name: "@acme/ui",
      version: "1.0.0-beta.2",
      module_id: "npm:@acme/ui@1.0.0-beta.2",
      ...ui,
      requires: ["react", "lodash", "react"],
    },
  ];
  return { user, project, items, blobs: { lodash, debounce, ui } };
}

describe("PUT /projects/:id/dependencies", () => {
  it("records the set, lists it sorted by specifier, and changes nothing when sent again", async () => {
    const { user, project, items } = await setUp();
    expect(await json<Listed>(await get(user, project.id))).toEqual({ items: [] });

    const first = await put(user, project.id, items);
    expect(first.status).toBe(200);
    const body = await json<Listed>(first);
    expect(body.changed).toBe(true);
    expect(body.items.map((i) => [i.specifier, i.module_id])).toEqual([
      ["@acme/ui", "npm:@acme/ui@1.0.0-beta.2"],
      ["lodash", "npm:lodash@4.17.21"],
      ["lodash/debounce", "npm:lodash@4.17.21/debounce"],
    ]);
    // requires are kept as a set, sorted.
    expect(body.items[0]?.requires).toEqual(["lodash", "react"]);
    expect(await json<Listed>(await get(user, project.id))).toEqual({ items: body.items });

    const again = await put(user, project.id, [...items].reverse());
    expect(await json<Listed>(again)).toEqual({ items: body.items, changed: false });
  });

  it("replaces the whole set: items left out are gone, an empty set clears it", async () => {
    const { user, project, items } = await setUp();
    await put(user, project.id, items);
    const second = await json<Listed>(await put(user, project.id, [items[0]]));
    expect(second.changed).toBe(true);
    expect((await json<Listed>(await get(user, project.id))).items.map((i) => i.specifier)).toEqual([
      "lodash",
    ]);
    expect((await json<Listed>(await put(user, project.id, []))).changed).toBe(true);
    expect(await json<Listed>(await get(user, project.id))).toEqual({ items: [] });
  });

  it("is the owner's only: another user gets 404 for both methods and changes nothing", async () => {
    const { user, project, items } = await setUp();
    await put(user, project.id, items);
    const stranger = await registerUser();
    await expectError(await get(stranger, project.id), 404, "NOT_FOUND");
    await expectError(await put(stranger, project.id, []), 404, "NOT_FOUND");
    expect((await json<Listed>(await get(user, project.id))).items).toHaveLength(3);
    await expectError(
      await call(`/api/v1/projects/${project.id}/dependencies`, { method: "PUT", body: { items: [] } }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("refuses blobs never uploaded (BLOB_MISSING) and sizes that are not the blob's (HASH_MISMATCH)", async () => {
    const { user, project, items } = await setUp();
    const ghost = await sha256Of("never uploaded");
    const missing = await expectError(
      await put(user, project.id, [{ ...items[0], sha256: ghost }]),
      422,
      "BLOB_MISSING",
    );
    expect(missing.details.hashes).toEqual([ghost]);
    const wrong = await expectError(
      await put(user, project.id, [{ ...items[0], size: 3 }]),
      422,
      "HASH_MISMATCH",
    );
    expect(wrong.details.items).toEqual([
      { module_id: "npm:lodash@4.17.21", size: 3, actual: items[0]?.size },
    ]);
    // A blob of another project is not this project's.
    const other = await createProject(user, { name: "Other" });
    await expectError(await put(user, other.id, [items[0]]), 422, "BLOB_MISSING");
    expect(await json<Listed>(await get(user, project.id))).toEqual({ items: [] });
  });

  it("validates names, versions, module ids, requires and duplicates", async () => {
    const { user, project, items } = await setUp();
    const base = items[0] as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>[], string]> = [
      [[{ ...base, name: "../evil", module_id: "npm:../evil@4.17.21" }], "items.0.name"],
      [[{ ...base, name: "_private", module_id: "npm:_private@4.17.21" }], "items.0.name"],
      [[{ ...base, version: "4.17.21 ; rm", module_id: "npm:lodash@4.17.21 ; rm" }], "items.0.version"],
      [[{ ...base, module_id: "npm:lodash@4.17.20" }], "items.0.module_id"],
      [[{ ...base, module_id: "npm:underscore@4.17.21" }], "items.0.module_id"],
      [[{ ...base, module_id: "lodash@4.17.21" }], "items.0.module_id"],
      [[{ ...base, module_id: "npm:lodash@4.17.21/../x" }], "items.0.module_id"],
      [[{ ...base, module_id: "npm:lodash@4.17.21/a//b" }], "items.0.module_id"],
      [[{ ...base, requires: ["./local"] }], "items.0.requires.0"],
      [[{ ...base, requires: ["node:fs"] }], "items.0.requires.0"],
      [[{ ...base, size: -1 }], "items.0.size"],
      [[base, base], "items.1.module_id"],
      [[base, { ...base, version: "4.17.20", module_id: "npm:lodash@4.17.20/fp" }], "items.1.version"],
      [Array.from({ length: MAX_DEPENDENCIES + 1 }, () => base), "items"],
    ];
    for (const [body, path] of cases) {
      const error = await expectError(await put(user, project.id, body), 400, "VALIDATION_FAILED");
      const paths = (error.details.issues as Array<{ path: string | string[] }>).map((i) =>
        Array.isArray(i.path) ? i.path.join(".") : i.path,
      );
      expect(paths, JSON.stringify(body).slice(0, 120)).toContain(path);
    }
    expect(await json<Listed>(await get(user, project.id))).toEqual({ items: [] });
  });

  it("goes with its project", async () => {
    const { user, project, items } = await setUp();
    await put(user, project.id, items);
    const del = await call(`/api/v1/projects/${project.id}`, { method: "DELETE", token: user.access });
    expect(del.status).toBeLessThan(300);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM project_dependencies WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

describe("Internal.getDependencies (what the preview build calls)", () => {
  it("returns the recorded set with ids, specifiers, blobs and requires, sorted by specifier", async () => {
    const { user, project, items, blobs } = await setUp();
    expect(await Internal.getDependencies(project.id)).toEqual([]);
    await put(user, project.id, items);
    expect(await Internal.getDependencies(project.id)).toEqual([
      {
        id: "npm:@acme/ui@1.0.0-beta.2",
        specifier: "@acme/ui",
        name: "@acme/ui",
        version: "1.0.0-beta.2",
        ...blobs.ui,
        pack: null, // uploaded alone: its own object
        packOffset: null,
        requires: ["lodash", "react"],
      },
      {
        id: "npm:lodash@4.17.21",
        specifier: "lodash",
        name: "lodash",
        version: "4.17.21",
        ...blobs.lodash,
        pack: null, // uploaded alone: its own object
        packOffset: null,
        requires: [],
      },
      {
        id: "npm:lodash@4.17.21/debounce",
        specifier: "lodash/debounce",
        name: "lodash",
        version: "4.17.21",
        ...blobs.debounce,
        pack: null, // uploaded alone: its own object
        packOffset: null,
        requires: [],
      },
    ]);
    expect(await Internal.getDependencies("prj_doesnotexist")).toEqual([]);
  });
});
