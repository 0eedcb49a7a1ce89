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
import { newId } from "../lib/ids";
import { ownedProject } from "../middleware/owned-project";
import type { AppRouteHandler } from "../openapi";
import { BodyReader } from "./batch-body";
import { blobSizes, blobSizesAndUncommitted, findMissingBlobs, insertBlobs } from "./blob-store";
import type * as routes from "./routes";
import { overAllowance, uploadAllowance } from "./upload-allowance";

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
  // No "already known?" read first: the create-only put says whether the object is new, and the
  // row is recorded either way (ON CONFLICT DO NOTHING), which also heals an object whose upload
  // died before its row was written. New (201) = this call wrote the object and recorded it; a blob
  // recorded already — its own object, or a slice of a batch's pack — keeps its row and answers 200.
  const written = await putBlob(c.env.BLOBS, project.id, sha256, bytes);
  const size = bytes.byteLength;
  const db = database(c.env);
  const allowance = uploadAllowance(getConfig(c.env));
  let recorded = await insertBlobs(db, project.id, [{ sha256, size }], new Date().toISOString(), allowance);
  if (recorded === null) {
    // Over the allowance — unless the blob was recorded already (a re-upload adds nothing).
    if (!(await blobSizes(db, project.id, [sha256])).has(sha256)) {
      // An object this call wrote has no row and never will: delete it, or it would be stored for
      // good. (Only an upload of the same bytes recorded in the moment between that read and this
      // delete, just as a commit frees the allowance, could lose its object to it.)
      if (written) await c.env.BLOBS.delete(r2Keys.blob(project.id, sha256));
      throw await overAllowance(db, project.id, allowance, size);
    }
    recorded = new Set();
  }
  return written && recorded.has(sha256)
    ? c.json({ sha256, size, created: true }, 201)
    : c.json({ sha256, size, created: false }, 200);
};

// ---------------------------------------------------------------------------------------------
// Batch upload: one header line of JSON, then the blobs' bytes back to back (schema/api/mirror.ts).

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

/** A verified blob of this batch in the pack being built, at `offset`. */
type Packed = { blob: DeclaredBlob; result: BlobBatchResult; offset: number };

/**
 * Reads the declared blobs one after another into one buffer, verifying each by its hash; then
 * writes the new ones as ONE R2 object — a pack under a fresh id (`r2Keys.pack`), so create-only
 * without a precondition — and records them, each with its place in the pack, in one D1 batch.
 * Both happen also when the body ends early or breaks off, so whatever was received whole is
 * stored and recorded, and `blobs/missing` lists exactly the rest.
 *
 * One put per batch instead of one per blob is the point: an R2 put costs about the same whatever
 * its size (issue 13: a cold push of 310 small files spent ~400 ms in 310 puts). The price is
 * memory: the batch is held whole until its put — at most `MAX_BATCH_BYTES` (16 MiB by default,
 * schema/limits.ts), read straight into the pack buffer, with no second copy.
 *
 * Which blobs are new: the project's rows for the declared hashes (and its uncommitted bytes, for
 * the allowance) are read while the body streams in, so a batch of blobs all recorded already (a
 * replay, a resumed batch) writes no pack and a partly known one packs only the rest. The insert has the last word: a blob someone else recorded
 * in between keeps its row (and place), is `already_stored`, and our copy in the pack is unused.
 */
async function storeBatch(
  env: AppEnv["Bindings"],
  projectId: string,
  blobs: DeclaredBlob[],
  reader: BodyReader,
  config: Config,
): Promise<BatchOutcome> {
  const { maxFileBytes } = config;
  const db = database(env);
  const results: BlobBatchResult[] = blobs.map(({ sha256, size }) => ({
    sha256,
    size,
    status: "not_received",
  }));
  const accepted = blobs.filter((blob) => blob.size <= maxFileBytes);
  // What need not be packed, and how much of the allowance is used: only an early answer (if the
  // lookup fails, the insert still decides both).
  const known = blobSizesAndUncommitted(
    db,
    projectId,
    accepted.map((blob) => blob.sha256),
  ).catch(() => ({ sizes: new Map<string, number>(), uncommitted: 0 }));
  const pack = new Uint8Array(accepted.reduce((sum, blob) => sum + blob.size, 0));
  let used = 0;
  const packed: Packed[] = [];
  /** Second copies of a hash within the batch: `already_stored` once the first is handled. */
  const repeats: BlobBatchResult[] = [];
  const seen = new Set<string>();
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
      // Read where it will be kept; `used` moves on only for a verified blob not packed yet.
      const bytes = pack.subarray(used, used + blob.size);
      if (!(await reader.readInto(bytes))) {
        complete = false;
        break;
      }
      const actual = await sha256Hex(bytes);
      if (actual !== blob.sha256) {
        result.status = "hash_mismatch";
        result.actual = actual;
        continue;
      }
      if (seen.has(blob.sha256)) {
        repeats.push(result);
        continue;
      }
      seen.add(blob.sha256);
      packed.push({ blob, result, offset: used });
      used += blob.size;
    }
    if (complete) trailingBytes = !(await reader.atEnd());
  } finally {
    await reader.cancel();
    await writePack(env, projectId, pack, packed, await known, uploadAllowance(config));
    for (const result of repeats) result.status = "already_stored";
  }
  return { results, trailingBytes };
}

/**
 * Writes the pack of a batch's verified blobs (those not recorded already, moved together first)
 * and records them; sets each one's status. No new blob: no put, no insert. New blobs that would
 * take the project's uncommitted bytes over `allowance` are refused whole (413): before the put
 * when the lookup says so, else by the insert — and then the pack, which nothing names, is deleted.
 */
async function writePack(
  env: AppEnv["Bindings"],
  projectId: string,
  pack: Uint8Array,
  packed: Packed[],
  known: { sizes: Map<string, number>; uncommitted: number },
  allowance: number,
): Promise<void> {
  const fresh: Packed[] = [];
  let end = 0;
  for (const entry of packed) {
    if (known.sizes.has(entry.blob.sha256)) {
      entry.result.status = "already_stored";
      continue;
    }
    // Only ever moves bytes towards the start, over blobs already moved or left out.
    if (entry.offset !== end) pack.copyWithin(end, entry.offset, entry.offset + entry.blob.size);
    fresh.push({ ...entry, offset: end });
    end += entry.blob.size;
  }
  if (fresh.length === 0) return;
  const db = database(env);
  if (known.uncommitted + end > allowance) throw await overAllowance(db, projectId, allowance, end);
  const packId = newId("pack");
  const key = r2Keys.pack(projectId, packId);
  await env.BLOBS.put(key, pack.subarray(0, end), {
    httpMetadata: { contentType: "application/octet-stream" },
  });
  const created = await insertBlobs(
    db,
    projectId,
    fresh.map(({ blob, offset }) => ({
      sha256: blob.sha256,
      size: blob.size,
      pack: packId,
      packOffset: offset,
    })),
    new Date().toISOString(),
    allowance,
  );
  if (created === null) {
    await env.BLOBS.delete(key);
    throw await overAllowance(db, projectId, allowance, end);
  }
  for (const { blob, result } of fresh)
    result.status = created.has(blob.sha256) ? "stored" : "already_stored";
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
  const work = storeBatch(c.env, project.id, blobs, reader, config);
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
