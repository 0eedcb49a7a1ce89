import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { HiveSyncClient, type HiveSyncError, MemoryTokenStore } from "../../core/src";
import { errorResponse, FakeApi, sha256 } from "../../test-support/fake-api";
import { MemoryBlobStore } from "./blob-store";
import { fetchBundle, type TreeWriter } from "./fetch-bundle";
import { PreviewSession } from "./preview-session";
import { resolvePreview } from "./resolve-preview";

const noWait = async () => {};

/** A body that delivers `bytes` (in two chunks) and then fails the way a dropped connection does. */
function brokenAfter(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const chunks = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.error(new TypeError("terminated: other side closed"));
    },
  });
}
let api: FakeApi;
let client: HiveSyncClient;

const FILES = {
  "App.tsx": "export default function App() { return null; }\n",
  "package.json": '{"name":"hello"}',
  "assets/logo.png": randomBytes(70_000),
  "assets/same-as-logo.png": new Uint8Array(0),
  "empty.txt": "",
};

/** A phone that resolved `sessionId`'s code: a fake resolve answer with the session's pvt_ token. */
function answerResolve(sessionId: string) {
  api.intercept = (req) => {
    if (req.path !== "/preview/resolve") return undefined;
    const session = api.sessions.get(sessionId);
    return new Response(
      JSON.stringify({
        session_id: sessionId,
        access_token: session?.token,
        token_type: "Bearer",
        expires_at: "2099-01-01T00:00:00.000Z",
        status: "ready",
        platform: "ios",
        project: { name: "hello" },
      }),
      { headers: { "content-type": "application/json" } },
    );
  };
}

const scoped = (sessionId: string) => ({
  client,
  sessionId,
  auth: { bearer: api.sessions.get(sessionId)?.token as string },
});
const fileRequests = () => api.requests.filter((r) => /\/files\/[0-9a-f]{64}$/.test(r.path));
const manifestRequests = () => api.requests.filter((r) => /^\/preview\/bundle\/[^/]+$/.test(r.path));

beforeEach(() => {
  api = new FakeApi();
  client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    retry: { sleep: noWait, random: () => 0 },
  });
  FILES["assets/same-as-logo.png"] = FILES["assets/logo.png"];
});

describe("fetchBundle", () => {
  it("downloads and verifies every file through the scoped token", async () => {
    api.readySession("pvs_one", FILES);
    answerResolve("pvs_one");
    const preview = await resolvePreview(client, "bcdf ghjk");
    const written = new Map<string, number>();
    const writer: TreeWriter = { write: async (p, bytes) => void written.set(p, bytes.length) };
    const result = await fetchBundle(preview, { writer });

    expect([...result.files.keys()].sort()).toEqual(Object.keys(FILES).sort());
    for (const [p, content] of Object.entries(FILES)) {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      expect(sha256(result.files.get(p) as Uint8Array), p).toBe(sha256(bytes));
    }
    expect(result).toMatchObject({ downloaded_files: 4, reused_files: 0 }); // identical logos: one blob
    expect(fileRequests()).toHaveLength(4);
    expect(
      api.requests.slice(1).every((r) => r.headers.get("authorization")?.startsWith("Bearer pvt_pvs_one.")),
    ).toBe(true);
    expect(written.size).toBe(5);
  });

  it("reuses the blob cache: a reopen after a one-file change downloads one file plus the manifest", async () => {
    const store = new MemoryBlobStore();
    api.readySession("pvs_a", FILES);
    const target = {
      client,
      sessionId: "pvs_a",
      auth: { bearer: api.sessions.get("pvs_a")?.token as string },
    };
    await fetchBundle(target, { store });
    expect(store.size).toBe(4);

    const again = await fetchBundle(target, { store });
    expect(again).toMatchObject({ downloaded_files: 0, downloaded_bytes: 0, reused_files: 4 });

    api.readySession("pvs_b", { ...FILES, "App.tsx": "export default function App() { return 1; }\n" });
    const beforeFiles = fileRequests().length;
    const beforeManifests = manifestRequests().length;
    const changed = await fetchBundle(
      { client, sessionId: "pvs_b", auth: { bearer: api.sessions.get("pvs_b")?.token as string } },
      { store },
    );
    expect(changed).toMatchObject({ downloaded_files: 1, reused_files: 3 });
    expect(fileRequests().length - beforeFiles).toBe(1);
    expect(manifestRequests().length - beforeManifests).toBe(1);
    expect(new TextDecoder().decode(changed.files.get("App.tsx"))).toContain("return 1");
  });

  it("rejects a file whose bytes do not match its hash, and never stores it", async () => {
    api.readySession("pvs_bad", FILES);
    const appHash = sha256(FILES["App.tsx"]);
    api.intercept = (req) =>
      req.path.endsWith(`/files/${appHash}`)
        ? new Response(new TextEncoder().encode(FILES["App.tsx"].replace("null", "evil")))
        : undefined;
    const store = new MemoryBlobStore();
    const error = (await fetchBundle(scoped("pvs_bad"), { store, concurrency: 1 }).catch(
      (e) => e,
    )) as HiveSyncError;
    expect(error).toMatchObject({ code: "HASH_MISMATCH", status: 0, details: { path: "App.tsx" } });
    expect(await store.has(appHash)).toBe(false);
  });

  it("rejects an over-long body as soon as it passes the expected size", async () => {
    api.readySession("pvs_long", FILES);
    const hash = sha256(FILES["package.json"]);
    api.intercept = (req) =>
      req.path.endsWith(`/files/${hash}`) ? new Response(new Uint8Array(1_000_000)) : undefined;
    await expect(fetchBundle(scoped("pvs_long"))).rejects.toMatchObject({
      code: "HASH_MISMATCH",
    });
  });

  it("rejects a manifest that does not match the hash the status announced", async () => {
    api.readySession("pvs_m", FILES);
    await expect(
      fetchBundle(scoped("pvs_m"), { expectedManifestSha256: "0".repeat(64) }),
    ).rejects.toMatchObject({ code: "HASH_MISMATCH", details: { path: "(manifest)" } });
  });

  it("resumes with Range after a body that breaks off, keeping the bytes already received", async () => {
    api.readySession("pvs_r", FILES);
    const logo = FILES["assets/logo.png"];
    const logoHash = sha256(logo);
    let calls = 0;
    const breakingStream = (from: number, to: number) => brokenAfter(logo.subarray(from, to));
    api.intercept = (req) => {
      if (!req.path.endsWith(`/files/${logoHash}`)) return undefined;
      calls++;
      // The first transfer breaks after 30,000 bytes, the resumed one after 20,000 more; the third
      // request is answered by the fake server's own Range support.
      if (calls === 1) return new Response(breakingStream(0, 30_000));
      if (calls === 2) {
        return new Response(breakingStream(30_000, 50_000), {
          status: 206,
          headers: { "content-range": `bytes 30000-${logo.length - 1}/${logo.length}` },
        });
      }
      return undefined;
    };

    const result = await fetchBundle(scoped("pvs_r"), { sleep: noWait });
    expect(sha256(result.files.get("assets/logo.png") as Uint8Array)).toBe(logoHash);
    const ranges = fileRequests()
      .filter((r) => r.path.endsWith(logoHash))
      .map((r) => r.headers.get("range"));
    expect(ranges).toEqual([null, "bytes=30000-", "bytes=50000-"]);
  });

  it("starts over when a server ignores Range, and gives up after maxResumes", async () => {
    api.readySession("pvs_s", FILES);
    const logo = FILES["assets/logo.png"];
    const logoHash = sha256(logo);
    let calls = 0;
    const breaking = () => new Response(brokenAfter(logo.subarray(0, 1000)));
    api.intercept = (req) => {
      if (!req.path.endsWith(`/files/${logoHash}`)) return undefined;
      calls++;
      return calls === 1 ? breaking() : new Response(logo.slice()); // a 200 with the whole file
    };
    const result = await fetchBundle(scoped("pvs_s"), { sleep: noWait });
    expect(sha256(result.files.get("assets/logo.png") as Uint8Array)).toBe(logoHash);

    api.intercept = (req) => (req.path.endsWith(`/files/${logoHash}`) ? breaking() : undefined);
    await expect(fetchBundle(scoped("pvs_s"), { sleep: noWait, maxResumes: 2 })).rejects.toMatchObject({
      code: "NETWORK_ERROR",
      details: { path: "assets/logo.png" },
    });
  });

  it("re-downloads a cached blob that went bad", async () => {
    api.readySession("pvs_c", FILES);
    const store = new MemoryBlobStore();
    await store.put(sha256(FILES["App.tsx"]), new TextEncoder().encode("corrupted"));
    const result = await fetchBundle(scoped("pvs_c"), { store });
    expect(result).toMatchObject({ downloaded_files: 4, reused_files: 0 });
    expect(new TextDecoder().decode((await store.get(sha256(FILES["App.tsx"]))) as Uint8Array)).toBe(
      FILES["App.tsx"],
    );
  });
});

describe("preview handles", () => {
  it("waitUntilReady follows the status to ready for a signed-in device", async () => {
    const signedIn = new HiveSyncClient({
      baseUrl: "http://api.test",
      fetch: api.fetch,
      tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    });
    const session = api.readySession("pvs_w", FILES);
    session.status = "building";
    session.version = 1;
    api.intercept = (req) => {
      if (req.headers.get("if-none-match") === '"1"') {
        session.status = "ready";
        session.version = 2;
      }
      return undefined;
    };
    const seen: string[] = [];
    const handle = PreviewSession.attach(signedIn, "pvs_w");
    const ready = await handle.waitUntilReady({ onChange: (s) => seen.push(s.status) });
    expect(ready.status).toBe("ready");
    expect(seen).toEqual(["building", "ready"]);
    const statusCall = api.requests.find((r) => r.headers.get("if-none-match") === '"1"');
    expect(statusCall?.search.get("wait")).toBe("25");
    expect((await handle.fetchBundle()).downloaded_files).toBe(4);
  });

  it("waitUntilReady rejects when the preview fails", async () => {
    const session = api.readySession("pvs_f", FILES);
    session.status = "failed";
    answerResolve("pvs_f");
    const preview = await resolvePreview(client, "BCDF-GHJK");
    await expect(preview.waitUntilReady()).rejects.toMatchObject({ code: "PREVIEW_FAILED", status: 410 });
  });

  it("refuses something that cannot be a code without asking the server", async () => {
    await expect(resolvePreview(client, "HELLO-123")).rejects.toMatchObject({ code: "INVALID_CODE" });
    expect(api.requests).toHaveLength(0);
    api.intercept = () => errorResponse(410, "PREVIEW_EXPIRED");
    await expect(resolvePreview(client, "BCDF-GHJK")).rejects.toMatchObject({
      code: "PREVIEW_EXPIRED",
      status: 410,
    });
  });
});
