import { derivedKey } from "./derived-keys";
import { base64url, fromBase64url } from "./encoding";

const encoder = new TextEncoder();

/**
 * The HMAC-SHA256 of `text` under the server secret's key for `purpose`, base64url (43 characters).
 * What it signs needs no storage: whoever holds the secret can check it (`verifySignature`).
 */
export async function signature(secret: string, purpose: string, text: string): Promise<string> {
  const key = await derivedKey(secret, purpose, "sign");
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))));
}

/** Whether `mac` is `signature(secret, purpose, text)` (checked by WebCrypto, in constant time). */
export async function verifySignature(
  secret: string,
  purpose: string,
  text: string,
  mac: string,
): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(mac);
  } catch {
    return false;
  }
  if (bytes.length !== 32) return false;
  const key = await derivedKey(secret, purpose, "sign");
  return crypto.subtle.verify("HMAC", key, bytes, encoder.encode(text));
}
