import { describe, expect, it } from "vitest";
import { cssModuleCode } from "./css-module";

/** Runs a CSS module's code the way the page does, recording what it hands to `__hs.css`. */
function run(code: string): { css: string[]; exports: Record<string, string> } {
  const css: string[] = [];
  const module = { exports: {} as Record<string, string> };
  const globals = globalThis as { __hs?: unknown };
  const saved = globals.__hs;
  globals.__hs = { css: (text: string) => css.push(text) };
  try {
    new Function("module", "exports", code)(module, module.exports);
  } finally {
    globals.__hs = saved;
  }
  return { css, exports: module.exports };
}

describe("CSS files as modules", () => {
  it("a plain stylesheet is adopted as written and exports no class names", () => {
    const text = ":root { --font-mono: ui-monospace; }\nbody { margin: 0; }\n";
    const { css, exports } = run(cssModuleCode(text, "src/global.css", false));
    expect(css).toEqual([text]);
    expect({ ...exports, default: undefined }).toEqual({ default: undefined });
  });

  it("a CSS module scopes its classes by file and exports them; urls and numbers stay", () => {
    const text =
      ".glow { opacity: .5; background: url(./a.b.png); }\n.glow:hover, .icon-big .x { color: red }\n";
    const a = run(cssModuleCode(text, "src/components/animated-icon.module.css", true));
    const b = run(cssModuleCode(text, "src/other.module.css", true));
    expect(
      Object.keys(a.exports)
        .filter((k) => k !== "default")
        .sort(),
    ).toEqual(["glow", "icon-big", "x"]);
    expect(a.exports.glow).toMatch(/^glow_[0-9a-z]+$/);
    expect(a.exports.glow).not.toBe(b.exports.glow);
    expect(a.css[0]).toContain(`.${a.exports.glow} {`);
    expect(a.css[0]).toContain(`.${a.exports["icon-big"]} .${a.exports.x}`);
    expect(a.css[0]).toContain("opacity: .5");
    expect(a.css[0]).toContain("url(./a.b.png)");
  });
});
