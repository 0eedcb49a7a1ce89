// The incremental import scan (issue 13): a push reads a source file for its imports only when the
// file is new or changed since the last push; an unchanged project with node_modules reads none.
import * as fsp from "node:fs/promises";
import { readFile, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HiveSyncClient, MemoryTokenStore } from "../../../core/src";
import { CliHarness } from "../../../test-support/cli-harness";
import { FakeApi } from "../../../test-support/fake-api";
import { changedTooRecently, isStatTuple, racyWindowMs, SYNC_STATE_DIR, unchangedSince } from "../hash-cache";
import { walkFolder } from "../walk";
import { appWithPackages, PACKAGES, serveDependencies, writeTree } from "./fixtures.test-support";
import { IMPORTS_CACHE_FILE, ImportsCache } from "./imports-cache";
import { SOURCE_EXTENSIONS } from "./scan-imports";
import { scanAppImports, syncDependencies } from "./sync-dependencies";

// Every read of a file goes through fs/promises' readFile: count the source files read.
vi.mock("node:fs/promises", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs/promises")>();
  return { ...original, readFile: vi.fn(original.readFile) };
});

const PROJECT = "prj_test000000000000";
let app: Awaited<ReturnType<typeof appWithPackages>>;
let api: FakeApi;
let client: HiveSyncClient;
/** The cache's clock, 10 s ahead: files written by the test look old enough to remember. */
const later = { now: () => Date.now() + 10_000 };

const SOURCES = {
  "App.tsx": [
    'import hello from "@acme/esm-ui";',
    'import { local } from "./src/local";',
    'import { util } from "./src/util";',
    'import { plain } from "./src/plain";',
    "export default () => hello(local, util, plain);",
  ].join("\n"),
  "src/local.js": 'export const local = require("cjs-pkg");\n',
  "src/util.ts": 'import sub from "cjs-pkg/sub";\nexport const util = sub;\n',
  "src/plain.ts": "export const plain = 1;\n",
  "README.md": "# not a source file\n",
};

/** The app's source files (relative paths) read since the last call: node_modules and .hivesync aside. */
function sourcesRead(root = app.root): string[] {
  const read = vi
    .mocked(fsp.readFile)
    .mock.calls.map(([file]) => path.relative(root, String(file)).split(path.sep).join("/"))
    .filter(
      (rel) =>
        !rel.startsWith("..") &&
        !rel.startsWith("node_modules/") &&
        !rel.includes("/node_modules/") &&
        !rel.startsWith(`${SYNC_STATE_DIR}/`) &&
        SOURCE_EXTENSIONS.some((ext) => rel.endsWith(ext)),
    );
  vi.mocked(fsp.readFile).mockClear();
  return read.sort();
}
const cacheFile = () => path.join(app.root, SYNC_STATE_DIR, IMPORTS_CACHE_FILE);
const cachedPaths = async () =>
  Object.keys(JSON.parse(await readFile(cacheFile(), "utf8")).files as Record<string, unknown>).sort();
const scan = () => scanAppImports(app.root, { importsCache: later });
const push = async () => {
  const result = await syncDependencies(client, PROJECT, app.root, { importsCache: later });
  if (result.status === "no_node_modules") throw new Error("expected node_modules");
  return result;
};

beforeEach(async () => {
  app = await appWithPackages(SOURCES);
  api = new FakeApi();
  serveDependencies(api);
  client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    retry: { sleep: async () => {}, random: () => 0 },
  });
  vi.mocked(fsp.readFile).mockClear();
});
afterEach(async () => {
  await app.remove();
});

describe("the import scan of a push", () => {
  it("reads every source file once; a second push of the unchanged project reads none", async () => {
    const first = await push();
    expect(first.imports).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub"]);
    expect(first.scanned_files).toBe(4);
    expect(sourcesRead()).toEqual(["App.tsx", "src/local.js", "src/plain.ts", "src/util.ts"]);
    expect(await cachedPaths()).toEqual(["App.tsx", "src/local.js", "src/plain.ts", "src/util.ts"]);

    const cacheBefore = await fsp.stat(cacheFile());
    const second = await push();
    expect(sourcesRead()).toEqual([]);
    expect(second.scanned_files).toBe(0);
    expect(second.imports).toEqual(first.imports);
    expect(second.modules.map((m) => m.module_id)).toEqual(first.modules.map((m) => m.module_id));
    // Nothing changed, so the cache is not written again.
    expect((await fsp.stat(cacheFile())).mtimeMs).toBe(cacheBefore.mtimeMs);
  });

  it("re-scans an edited file, and picks up the import it gained", async () => {
    await push();
    sourcesRead();
    await writeTree(app.root, {
      "src/plain.ts": 'import user from "nested-user";\nexport const plain = user;\n',
    });
    const next = await push();
    expect(sourcesRead()).toEqual(["src/plain.ts"]);
    expect(next.scanned_files).toBe(1);
    expect(next.imports).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "nested-user"]);
    expect(next.bundled).toEqual(["nested-user"]);
    // And the next push trusts the new entry.
    await push();
    expect(sourcesRead()).toEqual([]);
  });

  it("re-scans a file edited in place with its size and modification time put back (ctime tells)", async () => {
    await scan();
    sourcesRead();
    const file = path.join(app.root, "src/util.ts");
    const before = await fsp.stat(file);
    // Same length, another package; then the old mtime restored, as tar or rsync do.
    await writeFile(file, 'import sub from "nested-user";\nexport const util = sub;\n');
    expect((await fsp.stat(file)).size).toBe(before.size);
    await utimes(file, before.atime, before.mtime);
    const next = await scan();
    expect(sourcesRead()).toEqual(["src/util.ts"]);
    expect(next.imports).toEqual(["@acme/esm-ui", "cjs-pkg", "nested-user"]);
  });

  it("drops a deleted file's imports, and its entry", async () => {
    await push();
    await rm(path.join(app.root, "src/util.ts"));
    sourcesRead();
    const next = await push();
    expect(sourcesRead()).toEqual([]);
    expect(next.imports).toEqual(["@acme/esm-ui", "cjs-pkg"]);
    expect(next.modules.map((m) => m.specifier)).not.toContain("cjs-pkg/sub");
    expect(await cachedPaths()).toEqual(["App.tsx", "src/local.js", "src/plain.ts"]);
  });

  it("scans a new file once the app imports it, and not before", async () => {
    await scan();
    sourcesRead();
    await writeTree(app.root, { "src/new.jsx": 'import pad from "left-pad";\n' });
    expect((await scan()).imports).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub"]);
    expect(sourcesRead()).toEqual([]);
    await writeTree(app.root, { "src/plain.ts": 'import "./new";\nexport const plain = 1;\n' });
    const next = await scan();
    expect(sourcesRead()).toEqual(["src/new.jsx", "src/plain.ts"]);
    expect(next.imports).toEqual(["@acme/esm-ui", "cjs-pkg", "cjs-pkg/sub", "left-pad"]);
  });

  it.each([
    ["not JSON", () => "{ this is not json"],
    // Good entries, but made by other scanning rules: not trusted.
    ["another format", (good: string) => good.replace(/"hivesync-imports\/\d+"/, '"hivesync-imports/0"')],
    ["a JSON array", () => "[]"],
  ])(
    "rebuilds a corrupt cache (%s): every file scanned, the same imports, a good cache written",
    async (_, corrupt) => {
      const first = await scan();
      sourcesRead();
      const good = await readFile(cacheFile(), "utf8");
      await writeFile(cacheFile(), corrupt(good));
      const rebuilt = await scan();
      expect(rebuilt.imports).toEqual(first.imports);
      expect(sourcesRead()).toEqual(["App.tsx", "src/local.js", "src/plain.ts", "src/util.ts"]);
      expect(await cachedPaths()).toEqual(["App.tsx", "src/local.js", "src/plain.ts", "src/util.ts"]);
      await scan();
      expect(sourcesRead()).toEqual([]);
    },
  );

  it("drops a malformed entry (and trusts no entry naming imports that are not strings)", async () => {
    const first = await scan();
    const data = JSON.parse(await readFile(cacheFile(), "utf8"));
    data.files["App.tsx"][4] = { specifiers: [42], contexts: [] };
    data.files["src/local.js"] = ["12", 0, 0, 0, []];
    await writeFile(cacheFile(), JSON.stringify(data));
    sourcesRead();
    expect((await scan()).imports).toEqual(first.imports);
    expect(sourcesRead()).toEqual(["App.tsx", "src/local.js"]);
  });

  it("does not remember a file changed too recently to trust its timestamps", async () => {
    // The clock of the scan is the files' own time: within the racy window.
    const { mtimeMs } = await fsp.stat(path.join(app.root, "App.tsx"));
    await scanAppImports(app.root, { importsCache: { now: () => mtimeMs } });
    sourcesRead();
    await scan();
    expect(sourcesRead()).toEqual(["App.tsx", "src/local.js", "src/plain.ts", "src/util.ts"]);
  });

  it("with importsCache: false reads every file each time and writes no cache", async () => {
    await scanAppImports(app.root, { importsCache: false });
    sourcesRead();
    await scanAppImports(app.root, { importsCache: false });
    expect(sourcesRead()).toHaveLength(4);
    await expect(fsp.access(cacheFile())).rejects.toThrow();
  });

  it("takes the files of a walk the caller already made", async () => {
    const { files } = await walkFolder(app.root);
    const only = files.filter((f) => f.path !== "src/util.ts");
    const result = await scanAppImports(app.root, { files: only, importsCache: later });
    expect(result.imports).toEqual(["@acme/esm-ui", "cjs-pkg"]);
  });
});

describe("ImportsCache", () => {
  it("does not remember a file whose size changed while it was read", async () => {
    const { files } = await walkFolder(app.root);
    const file = files.find((f) => f.path === "App.tsx");
    if (!file) throw new Error("App.tsx not walked");
    const cache = await ImportsCache.load(app.root, later);
    cache.set(file, { specifiers: ["react"], contexts: [] }, file.size + 1);
    await cache.save();
    expect((await ImportsCache.load(app.root, later)).get(file)).toBeUndefined();
    const imports = { specifiers: ["left-pad", "./x"], contexts: [{ dir: "./app", recursive: false }] };
    cache.set(file, imports, file.size);
    await cache.save();
    expect((await ImportsCache.load(app.root, later)).get(file)).toEqual(imports);
  });
});

describe("the stat comparison the caches share", () => {
  const file = { size: 10, mtimeMs: 1_700_000_000_123.5, ctimeMs: 1_700_000_000_456.25, ino: 77 };
  it("unchangedSince compares size, mtime, ctime and inode", () => {
    expect(unchangedSince([10, file.mtimeMs, file.ctimeMs, 77, "value"], file)).toBe(true);
    expect(unchangedSince([11, file.mtimeMs, file.ctimeMs, 77], file)).toBe(false);
    expect(unchangedSince([10, file.mtimeMs + 1, file.ctimeMs, 77], file)).toBe(false);
    expect(unchangedSince([10, file.mtimeMs, file.ctimeMs + 1, 77], file)).toBe(false);
    expect(unchangedSince([10, file.mtimeMs, file.ctimeMs, 78], file)).toBe(false);
  });
  it("isStatTuple accepts four finite numbers only", () => {
    expect(isStatTuple([1, 2, 3, 4])).toBe(true);
    expect(isStatTuple([1, 2, 3])).toBe(false);
    expect(isStatTuple([1, 2, 3, "4"])).toBe(false);
    expect(isStatTuple([1, 2, 3, Number.NaN])).toBe(false);
    expect(isStatTuple("1,2,3,4")).toBe(false);
  });
  it("changedTooRecently is true within the racy window before the sync began, or after", () => {
    const since = file.ctimeMs + racyWindowMs(file) + 1;
    expect(changedTooRecently(file, since)).toBe(false);
    expect(changedTooRecently(file, since - 2)).toBe(true);
    expect(changedTooRecently(file, file.mtimeMs - 5000)).toBe(true);
  });
});

describe("hivesync push", () => {
  let h: CliHarness;
  beforeEach(async () => {
    h = await new CliHarness().setUp();
    const files: Record<string, string> = {
      "app/package.json": '{"name":"app","main":"App.js"}\n',
      "app/App.js":
        'import hello from "@acme/esm-ui";\nimport "./src/more";\nexport default function App() { return hello(); }\n',
      "app/src/more.js": 'export const more = require("cjs-pkg");\n',
    };
    for (const [rel, content] of Object.entries(PACKAGES))
      files[`app/${rel}`] = typeof content === "string" ? content : JSON.stringify(content);
    await h.files(files);
    // Files just written are inside the racy window of a push that starts now: wait it out.
    const written = await fsp.stat(path.join(h.work, "app/App.js"));
    await new Promise((resolve) => setTimeout(resolve, racyWindowMs(written) + 50));
  });
  afterEach(async () => {
    await h.tearDown();
  });

  it("a second push of the unchanged project opens no source file to scan its imports", async () => {
    serveDependencies(h.api);
    const first = await h.run(["push", "app"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("Dependencies: 3 modules (3 bundled now), sent 3.");
    // Scanned, and read again to upload them.
    expect(new Set(sourcesRead(path.join(h.work, "app")))).toEqual(new Set(["App.js", "src/more.js"]));

    const second = await h.run(["push", "app", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.last).toMatchObject({ uploaded_files: 0, committed: false });
    expect(sourcesRead(path.join(h.work, "app"))).toEqual([]);
  });
});
