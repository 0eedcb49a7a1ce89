import { codeFrame } from "./code-frame";
import { imageSize } from "./image-size";
import { jsonErrorOffset, lineColumn } from "./json-position";
import { wrapModule } from "./transform";
import type { BuildError } from "./types";

/**
 * A `.json` file → `module.exports` of its value. The text goes through JSON.parse at run time
 * rather than being pasted in as an object literal: a `"__proto__"` key must stay an own property,
 * and engines parse JSON text faster than the same literal.
 */
export function jsonModule(
  path: string,
  text: string,
  key: string,
): { code: string } | { error: BuildError } {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const { line, column } = lineColumn(text, Math.max(0, jsonErrorOffset(text)));
    const frame = codeFrame(text, line, column);
    return {
      error: { code: "build_error", file: path, line, column, message: `Invalid JSON: ${message}`, frame },
    };
  }
  return { code: wrapModule(key, `module.exports=JSON.parse(${JSON.stringify(text)});`) };
}

/** Whether assetModule reads the bytes of this file (only images whose header gives a size). */
export function assetNeedsBytes(path: string): boolean {
  return /\.(png|jpe?g|gif|webp)$/i.test(path);
}

/** The density an asset file is drawn for: `icon@2x.png` → 2 (Metro's naming), else 1. */
export function assetScale(path: string): number {
  const match = /@(\d+(?:\.\d+)?)x(?:\.[^./@]+)?\.[^./]+$/.exec(path);
  return match ? Number(match[1]) : 1;
}

/**
 * An asset → `module.exports = {uri, width?, height?}`, what `<Image source>` takes on
 * react-native-web. The size is in layout points: an `@2x` image of 200 px is 100 wide, as Metro
 * reports it. Fonts, svg and other files are just `{uri}`.
 */
export function assetModule(
  path: string,
  bytes: Uint8Array | null,
  uri: string,
  key: string,
): { code: string } {
  const size = bytes && assetNeedsBytes(path) ? imageSize(bytes) : null;
  const scale = assetScale(path);
  const value = size ? { uri, width: size.width / scale, height: size.height / scale } : { uri };
  return { code: wrapModule(key, `module.exports=${JSON.stringify(value)};`) };
}
