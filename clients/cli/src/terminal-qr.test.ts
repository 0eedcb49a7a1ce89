// The QR code as the CLI prints it, read back the way a phone would: the printed characters and
// colour escapes are rendered to pixels as a terminal with a dark or a light theme would show them,
// and a real QR decoder (jsQR, told not to try inverted codes) must find the link in the picture.
import jsQR from "jsqr";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliHarness } from "../../test-support/cli-harness";
import { phoneReachHint, QR_COLOURS, QR_QUIET_ZONE, terminalQr } from "./terminal-qr";

type Rgb = readonly [number, number, number];
type Theme = { name: string; fg: Rgb; bg: Rgb; ansi: readonly Rgb[] };

// Basic ANSI colours as themes remap them (0–7 normal, 8–15 bright).
const DARK: Theme = {
  name: "dark",
  fg: [229, 229, 229],
  bg: [24, 24, 24],
  ansi: [
    [60, 60, 60],
    [205, 49, 49],
    [13, 188, 121],
    [229, 229, 16],
    [36, 114, 200],
    [188, 63, 188],
    [17, 168, 205],
    [150, 150, 150],
    [102, 102, 102],
    [241, 76, 76],
    [35, 209, 139],
    [245, 245, 67],
    [59, 142, 234],
    [214, 112, 214],
    [41, 184, 219],
    [200, 200, 200],
  ],
};
const LIGHT: Theme = { ...DARK, name: "light", fg: [30, 30, 30], bg: [255, 255, 255] };

const LEVELS = [0, 95, 135, 175, 215, 255];
function palette256(n: number, theme: Theme): Rgb {
  if (n < 16) return theme.ansi[n] as Rgb;
  if (n < 232) {
    const i = n - 16;
    return [LEVELS[Math.floor(i / 36)], LEVELS[Math.floor(i / 6) % 6], LEVELS[i % 6]] as unknown as Rgb;
  }
  const g = 8 + 10 * (n - 232);
  return [g, g, g];
}

/** The printed lines as the terminal draws them: per character cell, the colours of its two halves. */
function renderCells(lines: string[], theme: Theme): Array<Array<[Rgb, Rgb]>> {
  return lines.map((line) => {
    let fg: Rgb = theme.fg;
    let bg: Rgb = theme.bg;
    const cells: Array<[Rgb, Rgb]> = [];
    for (let i = 0; i < line.length; ) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing the terminal's escape codes is the point.
      const sgr = /^\x1b\[([0-9;]*)m/.exec(line.slice(i));
      if (sgr) {
        const params = (sgr[1] || "0").split(";").map(Number);
        for (let p = 0; p < params.length; p++) {
          const code = params[p] as number;
          if (code === 0) [fg, bg] = [theme.fg, theme.bg];
          else if (code === 39) fg = theme.fg;
          else if (code === 49) bg = theme.bg;
          else if (code >= 30 && code <= 37) fg = theme.ansi[code - 30] as Rgb;
          else if (code >= 40 && code <= 47) bg = theme.ansi[code - 40] as Rgb;
          else if (code >= 90 && code <= 97) fg = theme.ansi[code - 90 + 8] as Rgb;
          else if (code >= 100 && code <= 107) bg = theme.ansi[code - 100 + 8] as Rgb;
          else if ((code === 38 || code === 48) && params[p + 1] === 5) {
            const colour = palette256(params[p + 2] as number, theme);
            if (code === 38) fg = colour;
            else bg = colour;
            p += 2;
          } else if ((code === 38 || code === 48) && params[p + 1] === 2) {
            const colour = params.slice(p + 2, p + 5) as unknown as Rgb;
            if (code === 38) fg = colour;
            else bg = colour;
            p += 4;
          }
        }
        i += sgr[0].length;
        continue;
      }
      const ch = line[i] as string;
      cells.push(ch === "█" ? [fg, fg] : ch === "▀" ? [fg, bg] : ch === "▄" ? [bg, fg] : [bg, bg]);
      i += 1;
    }
    return cells;
  });
}

/** The QR block of the CLI's output: the longest run of lines made only of blocks and spaces. */
function qrLines(stdout: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the terminal's escape codes.
  const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
  let best: string[] = [];
  let run: string[] = [];
  for (const line of stdout.split("\n")) {
    if (strip(line).length > 0 && /^[ █▀▄]+$/.test(strip(line))) run.push(line);
    else run = [];
    if (run.length > best.length) best = [...run];
  }
  return best;
}

/** Pixels of the printed block on a terminal of `theme`, with the terminal's own background around it. */
function screenshot(lines: string[], theme: Theme, scale = 4, margin = 8) {
  const cells = renderCells(lines, theme);
  const cols = Math.max(...cells.map((r) => r.length));
  const modulesHigh = cells.length * 2;
  const width = (cols + 2 * margin) * scale;
  const height = (modulesHigh + 2 * margin) * scale;
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const my = Math.floor(y / scale) - margin;
      const mx = Math.floor(x / scale) - margin;
      const cell = cells[Math.floor(my / 2)]?.[mx];
      const colour = my >= 0 && mx >= 0 && cell ? cell[my % 2] : theme.bg;
      pixels.set([colour[0], colour[1], colour[2], 255], (y * width + x) * 4);
    }
  }
  return { pixels, width, height };
}

/** The module matrix (true = dark) as a terminal of `theme` shows it. */
function modules(lines: string[], theme: Theme): boolean[][] {
  const lum = (c: Rgb) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return renderCells(lines, theme).flatMap((row) => [
    row.map(([top]) => lum(top) < 128),
    row.map(([, bottom]) => lum(bottom) < 128),
  ]);
}

let h: CliHarness;
beforeEach(async () => {
  h = await new CliHarness().setUp();
  await h.files({ "app/App.js": "export default () => null;\n" });
});
afterEach(async () => {
  await h.tearDown();
});

describe("the printed QR code (item 14)", () => {
  it("decodes to the preview's link on a dark and on a light terminal, never inverted", async () => {
    const run = await h.run(["preview", "app"]);
    expect(run.code, run.stderr).toBe(0);
    const link = /open (\S+), or type/.exec(run.stdout)?.[1] as string;
    expect(link).toMatch(/^http:\/\/api\.test\/p\/[A-Z]{4}-[A-Z]{4}\?hs=[\w-]{22}$/);
    const lines = qrLines(run.stdout);
    expect(lines.length).toBeGreaterThan(10);
    for (const theme of [DARK, LIGHT]) {
      const { pixels, width, height } = screenshot(lines, theme);
      const decoded = jsQR(pixels, width, height, { inversionAttempts: "dontInvert" });
      expect(decoded?.data, `${theme.name} theme`).toBe(link);
    }
  });

  it("sets explicit colours on every line and resets them at its end", () => {
    const lines = terminalQr("https://hivesync.example/p/WDJB-MJHT").split("\n");
    expect(QR_COLOURS).toBe("\x1b[38;5;16;48;5;231m"); // black (16) on white (231) of the 256-colour cube
    for (const line of lines) {
      expect(line.startsWith(QR_COLOURS)).toBe(true);
      expect(line.endsWith("\x1b[0m")).toBe(true);
    }
    // Same picture on both themes: nothing is left to the terminal's default colours.
    expect(modules(lines, DARK)).toEqual(modules(lines, LIGHT));
  });

  it("keeps a quiet zone of 4 light modules on every side", () => {
    expect(QR_QUIET_ZONE).toBe(4);
    const matrix = modules(terminalQr("https://hivesync.example/p/WDJB-MJHT").split("\n"), DARK);
    const width = matrix[0]?.length ?? 0;
    const darkRows = matrix.map((row, i) => (row.some(Boolean) ? i : -1)).filter((i) => i >= 0);
    const darkCols = [...Array(width).keys()].filter((c) => matrix.some((row) => row[c]));
    expect(darkRows[0]).toBe(4); // rows 0–3 light, the finder pattern starts on row 4
    expect(darkCols[0]).toBe(4);
    expect(width - 1 - (darkCols.at(-1) as number)).toBe(4);
    expect(matrix.length - 1 - (darkRows.at(-1) as number)).toBeGreaterThanOrEqual(4);
  });

  it("says how a phone reaches a localhost server, and nothing for a public one", async () => {
    h.api.publicUrl = "http://localhost:8787";
    const run = await h.run(["preview", "app"]);
    const hint = phoneReachHint("http://localhost:8787/p/BBBB-CCCC", "192.168.1.20");
    expect(hint).toBe(
      [
        "A phone cannot open localhost. To preview on a phone on the same network, restart the server",
        "listening on every interface, with links that use this computer's address:",
        "  npm run dev -- --ip 0.0.0.0 --var PUBLIC_URL:http://192.168.1.20:8787",
        "(PUBLIC_URL is the origin put into links and QR codes; see docs/configuration.md.)",
      ].join("\n"),
    );
    expect(run.stdout).toContain("A phone cannot open localhost.");
    expect(run.stdout).toMatch(/npm run dev -- --ip 0\.0\.0\.0 --var PUBLIC_URL:http:\/\/\S+:8787/);
    expect(phoneReachHint("http://127.0.0.1:9000/l/BBBB-CCCC", null)).toContain(
      "PUBLIC_URL:http://<this computer's IP address>:9000",
    );
    expect(phoneReachHint("https://hivesync.example.com/p/BBBB-CCCC")).toBeNull();
    h.api.publicUrl = "https://hivesync.example.com";
    expect((await h.run(["preview", "app", "--new"])).stdout).not.toContain("A phone cannot open");
  });
});
