import { r2Keys } from "./storage-keys";

/**
 * Where a mirror blob's bytes are in R2 (the `mirror_blobs` row's `pack` and `pack_offset`, carried
 * wherever the blob's hash travels: file rows, the build's RPC answers, the bundle manifest). Shared
 * by both Workers, so that every reader of a blob reads it the same way:
 *
 * - `pack` null or absent: the blob is its own object at `r2Keys.blob(projectId, sha256)` — a single
 *   `PUT /blobs/:sha256`, every blob stored before packs, and a manifest written before them;
 * - otherwise it is `size` bytes at `packOffset` in the object `r2Keys.pack(projectId, pack)`.
 */
export type BlobLocation = {
  projectId: string;
  sha256: string;
  /** The blob's size in bytes: required for a packed blob (the length of its slice). */
  size?: number | null;
  pack?: string | null;
  packOffset?: number | null;
};

/**
 * Where a recorded blob is, as its row, the build's RPC answers and the bundle manifest carry it:
 * `pack` null for a blob that is its own object.
 */
export type StoredPlace = { pack: string | null; packOffset: number | null };

/** One read of a blob (or of a range of it). */
export type BlobRead = {
  /** The bytes read: the whole blob, or the range asked for. */
  body: ReadableStream<Uint8Array>;
  /** The blob's size — not the pack's, nor the range's. */
  size: number;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
};

/** A range of a blob, already resolved against its size (preview/byte-range.ts). */
export type BlobRange = { offset: number; length: number };

type Slice = { key: string; offset: number; size: number };

/** The pack slice a packed blob is; null for a blob that is its own object. */
function packSlice(at: BlobLocation): Slice | null {
  if (at.pack === null || at.pack === undefined) return null;
  if (typeof at.packOffset !== "number" || typeof at.size !== "number") {
    throw new Error(`blob ${at.sha256} is in pack ${at.pack} without an offset and size`);
  }
  return { key: r2Keys.pack(at.projectId, at.pack), offset: at.packOffset, size: at.size };
}

const EMPTY = new ArrayBuffer(0);

function emptyRead(size: number): BlobRead {
  return {
    body: new ReadableStream<Uint8Array>({ start: (controller) => controller.close() }),
    size,
    text: async () => "",
    arrayBuffer: async () => EMPTY,
  };
}

/**
 * Reads a blob, or `range` of it, from wherever it is: one R2 `get` — of its own object, or of its
 * slice of a pack (an R2 range at the pack offset plus the range's). Null when the object is not
 * in storage. An empty slice is not asked of R2 as a range: the pack's presence (a head) answers.
 */
export async function readBlob(
  bucket: R2Bucket,
  at: BlobLocation,
  range?: BlobRange,
): Promise<BlobRead | null> {
  const slice = packSlice(at);
  if (!slice) {
    const object = await bucket.get(r2Keys.blob(at.projectId, at.sha256), range ? { range } : {});
    return object && asRead(object, object.size);
  }
  const wanted = range ?? { offset: 0, length: slice.size };
  if (wanted.length === 0) return (await bucket.head(slice.key)) ? emptyRead(slice.size) : null;
  const object = await bucket.get(slice.key, {
    range: { offset: slice.offset + wanted.offset, length: wanted.length },
  });
  return object && asRead(object, slice.size);
}

/** An R2 object body as a read of a blob of `size` bytes (the blob's, not the pack's). */
function asRead(object: R2ObjectBody, size: number): BlobRead {
  return { body: object.body, size, text: () => object.text(), arrayBuffer: () => object.arrayBuffer() };
}
