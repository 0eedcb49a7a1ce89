import { renderSVG } from "uqr";

/** An SVG QR code of `url` (error correction M: still scans from a screen photo with glare). */
export function qrSvg(url: string): string {
  return renderSVG(url, { ecc: "M", border: 2 });
}
