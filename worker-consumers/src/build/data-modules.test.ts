import { describe, expect, it } from "vitest";
import { assetModule, assetNeedsBytes, assetScale, jsonModule } from "./data-modules";
import { imageSize } from "./image-size";
import { jsonErrorOffset } from "./json-position";
import { gif, jpeg, png, webpVp8x } from "./test-images";

const KEY = "a".repeat(64);
const body = (code: string) => code.slice(code.indexOf("{") + 1, code.lastIndexOf("\n});"));

describe("imageSize", () => {
  it("reads PNG, GIF, JPEG (past APP segments and fill bytes) and WebP headers", () => {
    expect(imageSize(png(120, 80))).toEqual({ width: 120, height: 80 });
    expect(imageSize(gif(16, 9))).toEqual({ width: 16, height: 9 });
    expect(imageSize(jpeg(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(imageSize(jpeg(640, 480, 5000))).toEqual({ width: 640, height: 480 });
    expect(imageSize(webpVp8x(300, 200))).toEqual({ width: 300, height: 200 });
  });

  it("gives null for other, truncated or corrupt bytes", () => {
    expect(imageSize(new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(imageSize(png(1, 1).subarray(0, 20))).toBeNull();
    expect(imageSize(jpeg(10, 10).subarray(0, 12))).toBeNull();
    const broken = jpeg(10, 10);
    broken[20] = 0x00; // where the next marker should start
    expect(imageSize(broken)).toBeNull();
    expect(imageSize(new Uint8Array())).toBeNull();
  });
});

describe("assetModule", () => {
  it("exports {uri, width, height} for an image, in layout points", () => {
    expect(body(assetModule("assets/icon.png", png(64, 32), "/m/blob/x", KEY).code)).toBe(
      'module.exports={"uri":"/m/blob/x","width":64,"height":32};',
    );
    expect(body(assetModule("assets/icon@2x.png", png(64, 32), "/u", KEY).code)).toContain(
      '"width":32,"height":16',
    );
    expect(body(assetModule("assets/icon@3x.web.jpg", jpeg(300, 150), "/u", KEY).code)).toContain(
      '"width":100,"height":50',
    );
  });

  it("exports just {uri} for fonts, svg and images whose size cannot be read", () => {
    for (const path of ["fonts/Inter.ttf", "logo.svg", "intro.mp4"]) {
      expect(body(assetModule(path, null, "/u", KEY).code)).toBe('module.exports={"uri":"/u"};');
    }
    expect(body(assetModule("bad.png", new Uint8Array([1, 2, 3]), "/u", KEY).code)).toBe(
      'module.exports={"uri":"/u"};',
    );
  });

  it("reads bytes only for images with a size header, and knows Metro's density names", () => {
    expect(["a.png", "a.JPG", "a.jpeg", "a.gif", "a.webp", "a.svg", "a.ttf"].map(assetNeedsBytes)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(["a.png", "a@2x.png", "a@3x.web.png", "a@1.5x.png", "dir@2x/a.png"].map(assetScale)).toEqual([
      1, 2, 3, 1.5, 1,
    ]);
  });
});

describe("jsonModule", () => {
  it("exports the parsed value, keeping a __proto__ key an own property", () => {
    const made = jsonModule("app.json", '{"expo":{"name":"demo"},"__proto__":{"x":1}}', KEY);
    expect("code" in made && body(made.code)).toBe(
      `module.exports=JSON.parse(${JSON.stringify('{"expo":{"name":"demo"},"__proto__":{"x":1}}')});`,
    );
  });

  it("reports invalid JSON with its line and column", () => {
    const made = jsonModule("data/config.json", '{\n  "a": 1,\n  "b": }\n', KEY);
    expect("error" in made && made.error).toMatchObject({
      code: "build_error",
      file: "data/config.json",
      line: 3,
    });
    expect("error" in made && made.error.message).toMatch(/^Invalid JSON: /);
    expect("error" in made && made.error.column).toBeGreaterThan(1);
    const empty = jsonModule("e.json", "", KEY);
    expect("error" in empty && empty.error).toMatchObject({ line: 1, column: 1 });
  });
});

describe("jsonErrorOffset", () => {
  it("finds where JSON text goes wrong, and -1 for valid JSON", () => {
    const cases: Array<[string, number]> = [
      ['{"a": [1, 2.5e3, -0, true, null, "x\\n"]}', -1],
      ["  [] ", -1],
      ['{"a": 1,}', 8],
      ["[1 2]", 3],
      ["{'a': 1}", 1],
      ['{"a" 1}', 5],
      ['"unterminated', 13],
      ["01", 1],
      ["[1] x", 4],
      ["", 0],
      ['"tab\there"', 4],
    ];
    for (const [text, offset] of cases) expect(jsonErrorOffset(text), text).toBe(offset);
  });
});
