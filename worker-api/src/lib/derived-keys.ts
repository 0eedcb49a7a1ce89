const encoder = new TextEncoder();

/**
 * Keys derived (HKDF-SHA256) from the server secret, one per purpose and use. The keys themselves
 * are cached, never a pending promise: a request must not await a promise another request started
 * (workerd ties its continuation to that request — see rate-limit/general.ts), so concurrent first
 * uses each derive the key once.
 */
const keys = new Map<string, CryptoKey>();

const USES = {
  /** Encrypts and decrypts (`sealed.ts`). */
  seal: { algorithm: { name: "AES-GCM", length: 256 }, usages: ["encrypt", "decrypt"] },
  /** Signs and verifies (`signatures.ts`). */
  sign: { algorithm: { name: "HMAC", hash: "SHA-256", length: 256 }, usages: ["sign", "verify"] },
} as const;

/** The key of `purpose` derived from `secret`, for `use`; cached per isolate. */
export async function derivedKey(
  secret: string,
  purpose: string,
  use: keyof typeof USES,
): Promise<CryptoKey> {
  const id = `${use}\n${purpose}\n${secret}`;
  const known = keys.get(id);
  if (known) return known;
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  const { algorithm, usages } = USES[use];
  const key = await crypto.subtle.deriveKey(
    // The AES keys' info stays what it was before signing keys existed: sealed data keeps opening.
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new Uint8Array(0),
      info: encoder.encode(`hivesync:${use === "seal" ? "" : `${use}:`}${purpose}`),
    },
    base,
    algorithm,
    false,
    [...usages],
  );
  keys.set(id, key);
  return key;
}
