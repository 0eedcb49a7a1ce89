/**
 * A local, content-addressed cache of bundle files, keyed by SHA-256 (lower-case hex). Because a
 * key is the hash of its bytes, a file that is in the store never needs downloading again, in any
 * bundle of any session. `fetchBundle` only ever `put`s bytes it has verified.
 *
 * @example
 * const store: BlobStore = new MemoryBlobStore();
 * if (!(await store.has(sha))) await store.put(sha, bytes);
 */
export interface BlobStore {
  has(sha256: string): Promise<boolean>;
  /** The bytes, or null when not stored. */
  get(sha256: string): Promise<Uint8Array | null>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
}

/**
 * A {@link BlobStore} in memory: for tests, and for apps that keep one bundle open at a time.
 *
 * @example
 * const store = new MemoryBlobStore();
 * await fetchBundle(preview, { store }); // downloads everything
 * await fetchBundle(preview, { store }); // downloads nothing but the manifest
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  /** How many blobs are stored. */
  get size(): number {
    return this.#blobs.size;
  }

  async has(sha256: string): Promise<boolean> {
    return this.#blobs.has(sha256);
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const bytes = this.#blobs.get(sha256);
    return bytes ? bytes.slice() : null;
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    this.#blobs.set(sha256, bytes.slice());
  }
}
