import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  BLOB_BATCH_HEADER_BYTES_PER_BLOB,
  BlobBatchHeader,
  type BlobBatchResult,
} from "../../../schema/api/mirror";
import { r2Keys } from "../../../schema/storage-keys";
import { type Config, getConfig } from "../config";
import { database } from "../db";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";
import { ownedProject } from "../middleware/owned-project";
import type { AppRouteHandler } from "../openapi";
import { BodyReader } from "./batch-body";
import { findMissingBlobs, insertBlobs } from "./blob-store";
import type * as routes from "./routes";

export const missing: AppRouteHandler<typeof routes.missing> = async (c) => {
  const project = ownedProject(c);
  const hashes = c.req.valid("json").hashes;
  return c.json({ missing: await findMissingBlobs(database(c.env), project.id, hashes) }, 200);
};

/**
 * Writes a verified blob create-only at its content address. True when this call wrote it; false
 * when the object was there already (an earlier or concurrent upload of the same bytes).
 */
async function putBlob(bucket: R2Bucket, projectId: string, sha256: string, bytes: Uint8Array | ArrayBuffer) {
  const written = await bucket.put(r2Keys.blob(projectId, sha256), bytes, {
    onlyIf: { etagDoesNotMatch: "*" },
    sha256,
    httpMetadata: { contentType: "application/octet-stream" },
  });
  return written !== null;
}

/** Reads a blob upload with the file size cap enforced while it streams in. */
async function readBlob(c: Context<AppEnv>): Promise<ArrayBuffer> {
  const maxSize = getConfig(c.env).maxFileBytes;
  let bytes: ArrayBuffer = new ArrayBuffer(0);
  await bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("PAYLOAD_TOO_LARGE", `A file may be at most ${maxSize} bytes.`, {
        max_bytes: maxSize,
      });
    },
  })(c, async () => {
    bytes = await c.req.arrayBuffer();
  });
  return bytes;
}

export const upload: AppRouteHandler<typeof routes.upload> = async (c) => {
  const { sha256 } = c.req.valid("param");
  const project = ownedProject(c);
  const bytes = await readBlob(c);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new ApiError("HASH_MISMATCH", "The uploaded bytes do not hash to the SHA-256 in the URL.", {
      expected: sha256,
      actual,
    });
  }
  // No "already known?" read first: the create-only put says whether the blob is new, and the
  // row is recorded either way (ON CONFLICT DO NOTHING), which also heals an object whose upload
  // died before its row was written.
  const created = await putBlob(c.env.BLOBS, project.id, sha256, bytes);
  const size = bytes.byteLength;
  await insertBlobs(database(c.env), project.id, [{ sha256, size }], new Date().toISOString());
  return created
    ? c.json({ sha256, size, created: true }, 201)
    : c.json({ sha256, size, created: false }, 200);
};

// ---------------------------------------------------------------------------------------------
// Batch upload: one header line of JSON, then the blobs' bytes back to back (schema/api/mirror.ts).

/**
 * R2 puts of one batch in flight at once while the next blob is read (a Worker invocation has six
 * simultaneous connections; D1 and the rest keep two)…
 */
const PUTS_IN_FLIGHT = 4;
/** …and the bytes they may hold between them: a larger blob waits until it can go alone. */
const BYTES_IN_FLIGHT = 4 * 1024 * 1024;

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

type DeclaredBlob = BlobBatchHeader["blobs"][number];

function batchLimits(config: Config) {
  return {
    max_blobs: config.maxBatchBlobs,
    max_bytes: config.maxBatchBytes,
    max_file_bytes: config.maxFileBytes,
    max_header_bytes: 1024 + BLOB_BATCH_HEADER_BYTES_PER_BLOB * config.maxBatchBlobs,
  };
}

function invalidBody(message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError("VALIDATION_FAILED", message, {
    issues: [{ path: "", message, in: "body" }],
    ...extra,
  });
}

/** The header line, checked against the per-request caps before any blob is read. */
async function readHeader(reader: BodyReader, config: Config): Promise<DeclaredBlob[]> {
  const limits = batchLimits(config);
  const line = await reader.readLine(limits.max_header_bytes);
  if (line === "too_long") {
    throw new ApiError(
      "PAYLOAD_TOO_LARGE",
      `The header line may be at most ${limits.max_header_bytes} bytes.`,
      limits,
    );
  }
  if (line === "eof") throw invalidBody("The body must start with a JSON header line ended by a newline.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(line));
  } catch {
    throw new ApiError("INVALID_JSON", "The header line is not valid UTF-8 JSON.");
  }
  const header = BlobBatchHeader.safeParse(parsed);
  if (!header.success) {
    throw new ApiError("VALIDATION_FAILED", "The header line is not valid; see details.issues.", {
      issues: header.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
        in: "body",
      })),
    });
  }
  const blobs = header.data.blobs;
  if (blobs.length > config.maxBatchBlobs) {
    throw new ApiError("PAYLOAD_TOO_LARGE", `A batch may carry at most ${config.maxBatchBlobs} blobs.`, {
      ...limits,
      blobs: blobs.length,
    });
  }
  const bytes = blobs.reduce((sum, blob) => sum + blob.size, 0);
  if (bytes > config.maxBatchBytes) {
    throw new ApiError(
      "PAYLOAD_TOO_LARGE",
      `A batch may carry at most ${config.maxBatchBytes} bytes of blobs.`,
      { ...limits, bytes },
    );
  }
  return blobs;
}

type BatchOutcome = { results: BlobBatchResult[]; trailingBytes: boolean };

/**
 * Reads the declared blobs one after another, verifies each by its hash and writes it create-only
 * while the next is read; then records every blob that landed in one D1 batch — also when the body
 * ends early or breaks off, and before an R2 failure is passed on — so whatever was received whole
 * is stored and recorded, and `blobs/missing` lists exactly the rest.
 */
async function storeBatch(
  env: AppEnv["Bindings"],
  projectId: string,
  blobs: DeclaredBlob[],
  reader: BodyReader,
  maxFileBytes: number,
): Promise<BatchOutcome> {
  const results: BlobBatchResult[] = blobs.map(({ sha256, size }) => ({
    sha256,
    size,
    status: "not_received",
  }));
  const landed: DeclaredBlob[] = [];
  const inFlight = new Set<Promise<void>>();
  let bytesInFlight = 0;
  // Set by a put's rejection (a callback, hence an object the loop re-reads).
  const storage: { failure: { error: unknown } | null } = { failure: null };
  let trailingBytes = false;
  try {
    let complete = true;
    for (const [i, blob] of blobs.entries()) {
      const result = results[i] as BlobBatchResult;
      if (blob.size > maxFileBytes) {
        if (!(await reader.skip(blob.size))) {
          complete = false;
          break;
        }
        result.status = "too_large";
        continue;
      }
      while (
        inFlight.size > 0 &&
        (inFlight.size >= PUTS_IN_FLIGHT || bytesInFlight + blob.size > BYTES_IN_FLIGHT)
      ) {
        await Promise.race(inFlight);
      }
      if (storage.failure) break;
      const bytes = await reader.readExactly(blob.size);
      if (!bytes) {
        complete = false;
        break;
      }
      const actual = await sha256Hex(bytes);
      if (actual !== blob.sha256) {
        result.status = "hash_mismatch";
        result.actual = actual;
        continue;
      }
      bytesInFlight += blob.size;
      const put: Promise<void> = putBlob(env.BLOBS, projectId, blob.sha256, bytes)
        .then(
          (created) => {
            result.status = created ? "stored" : "already_stored";
            landed.push(blob);
          },
          (error: unknown) => {
            storage.failure ??= { error };
          },
        )
        .finally(() => {
          inFlight.delete(put);
          bytesInFlight -= blob.size;
        });
      inFlight.add(put);
    }
    if (complete && !storage.failure) trailingBytes = !(await reader.atEnd());
  } finally {
    await Promise.allSettled([...inFlight]);
    await reader.cancel();
    if (landed.length > 0) await insertBlobs(database(env), projectId, landed, new Date().toISOString());
  }
  if (storage.failure) throw storage.failure.error;
  return { results, trailingBytes };
}

/** Keeps `work` running to its end if the client goes away mid-request (no-op without a context). */
function finishEvenIfAbandoned(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work.catch(() => {}));
  } catch {
    // No ExecutionContext (the app called in-process): nothing outlives the request anyway.
  }
}

export const batch: AppRouteHandler<typeof routes.batch> = async (c) => {
  const project = ownedProject(c);
  const config = getConfig(c.env);
  const limits = batchLimits(config);
  const lengthHeader = c.req.header("content-length");
  const length = lengthHeader === undefined ? null : Number(lengthHeader);
  // What no acceptable batch can be: refused before a byte is read.
  if (length !== null && length > limits.max_header_bytes + 1 + config.maxBatchBytes) {
    throw new ApiError(
      "PAYLOAD_TOO_LARGE",
      `A batch may carry at most ${config.maxBatchBytes} bytes of blobs.`,
      { ...limits, content_length: length },
    );
  }
  const body = c.req.raw.body;
  if (!body) throw invalidBody("The body must start with a JSON header line ended by a newline.");
  const reader = new BodyReader(body);
  const blobs = await readHeader(reader, config);
  const declared = reader.consumed + blobs.reduce((sum, blob) => sum + blob.size, 0);
  if (length !== null && length > declared) {
    await reader.cancel();
    throw invalidBody(
      `Content-Length is ${length}, but the header declares a body of ${declared} bytes: nothing may follow the last blob.`,
    );
  }
  const work = storeBatch(c.env, project.id, blobs, reader, config.maxFileBytes);
  finishEvenIfAbandoned(c, work);
  const { results, trailingBytes } = await work;
  if (trailingBytes) {
    // A chunked body that went on past its last declared blob: those were handled (see results).
    throw invalidBody(
      "Bytes follow the last declared blob; the declared ones were handled (details.results).",
      {
        results,
      },
    );
  }
  return c.json({ results }, 200);
};
