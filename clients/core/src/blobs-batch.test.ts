// client.blobs.uploadBatch: the wire format of POST /blobs/batch and its resume-on-retry.
import { describe, expect, it } from "vitest";
import { errorResponse, FakeApi, sha256 } from "../../test-support/fake-api";
import { HiveSyncClient } from "./client";
import { MemoryTokenStore } from "./token-store";

const PROJECT = "prj_test000000000000";
const bytes = (text: string) => new TextEncoder().encode(text);
const blob = (text: string) => ({ sha256: sha256(text), bytes: bytes(text) });

function setup(retry: { maxAttempts?: number } = {}) {
  const api = new FakeApi();
  const client = new HiveSyncClient({
    baseUrl: "http://api.test",
    fetch: api.fetch,
    tokenStore: new MemoryTokenStore({ access_token: api.accessToken, refresh_token: "r" }),
    retry: { sleep: async () => {}, random: () => 0, ...retry },
  });
  return { api, client };
}

describe("client.blobs.uploadBatch", () => {
  it("sends one header line, then the bytes back to back, and answers per blob in the order given", async () => {
    const { api, client } = setup();
    api.project(PROJECT).blobs.set(sha256("bb"), bytes("bb"));
    const results = await client.blobs.uploadBatch(PROJECT, [blob("a"), blob("bb"), blob("a"), blob("ccc")]);
    expect(results.map((r) => [r.size, r.status])).toEqual([
      [1, "stored"],
      [2, "already_stored"],
      [1, "stored"],
      [3, "stored"],
    ]);
    const [req] = api.requests;
    expect(req?.headers.get("content-type")).toBe("application/vnd.hivesync.blob-batch");
    const text = new TextDecoder().decode(req?.body);
    // Duplicates are sent once.
    expect(text).toBe(
      `${JSON.stringify({
        blobs: [
          { sha256: sha256("a"), size: 1 },
          { sha256: sha256("bb"), size: 2 },
          { sha256: sha256("ccc"), size: 3 },
        ],
      })}\nabbccc`,
    );
  });

  it("after a failed attempt asks which blobs are missing and resends only those", async () => {
    const { api, client } = setup();
    let attempts = 0;
    api.intercept = (req) => {
      if (!req.path.endsWith("/blobs/batch") || attempts++ > 0) return undefined;
      api.route(req); // everything arrived, but the answer was lost
      return errorResponse(503, "SERVICE_UNAVAILABLE");
    };
    const results = await client.blobs.uploadBatch(PROJECT, [blob("a"), blob("bb")]);
    expect(results.map((r) => r.status)).toEqual(["already_stored", "already_stored"]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /projects/${PROJECT}/blobs/batch`,
      `POST /projects/${PROJECT}/blobs/missing`,
    ]);
  });

  it("does not retry a 413 (the caller packs smaller) and honours retry: false", async () => {
    const { api, client } = setup();
    api.maxBatchBlobs = 1;
    await expect(client.blobs.uploadBatch(PROJECT, [blob("a"), blob("b")])).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: { max_blobs: 1 },
    });
    api.maxBatchBlobs = 256;
    api.intercept = () => errorResponse(503, "SERVICE_UNAVAILABLE");
    await expect(client.blobs.uploadBatch(PROJECT, [blob("a")], { retry: false })).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
    });
    expect(api.requests).toHaveLength(2);
  });
});
