import { describe, expect, it } from "vitest";
import { type Progress, progressCounter } from "./progress";

describe("progressCounter", () => {
  it("reports the start, bytes in flight and finished files of one phase", () => {
    const seen: Progress<"uploading">[] = [];
    const counter = progressCounter("uploading", 2, 30, (p) => seen.push(p));
    counter.addBytes(5);
    counter.fileDone("a.txt");
    counter.fileDone("b.txt", 25);
    expect(seen).toEqual([
      { phase: "uploading", files_done: 0, files_total: 2, bytes_done: 0, bytes_total: 30 },
      { phase: "uploading", files_done: 0, files_total: 2, bytes_done: 5, bytes_total: 30 },
      { phase: "uploading", files_done: 1, files_total: 2, bytes_done: 5, bytes_total: 30, path: "a.txt" },
      { phase: "uploading", files_done: 2, files_total: 2, bytes_done: 30, bytes_total: 30, path: "b.txt" },
    ]);
  });
});
