import { renderUnicodeCompact } from "uqr";

/**
 * A QR code drawn with Unicode half blocks (two modules per character cell), dark on light with a
 * quiet zone, so a phone camera reads it straight off the terminal.
 *
 * @example
 * console.log(terminalQr("https://hivesync.example/p/WDJB-MJHT"));
 */
export function terminalQr(text: string): string {
  return renderUnicodeCompact(text, { ecc: "M", border: 2, invert: false });
}
