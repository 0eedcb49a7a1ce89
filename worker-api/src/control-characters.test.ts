// Names and texts other people read in their terminals (`hivesync open` prints a project's name)
// refuse control characters (issue 20): an `ESC[…` in a name would run as a command there.
import { describe, expect, it } from "vitest";
import { call, createProject, expectError, json, pushFiles, registerUser } from "../test/helpers";

describe("control characters", () => {
  it("a project name with one is refused 400, before anything is stored", async () => {
    const user = await registerUser();
    for (const name of ["\u001b[31mRed", "bell\u0007", "two\nlines", "c1\u009b"]) {
      const res = await call("/api/v1/projects", { token: user.access, body: { name, framework: "expo" } });
      const error = await expectError(res, 400, "VALIDATION_FAILED");
      expect(JSON.stringify(error.details)).toContain("control characters");
    }
    const list = await json<{ items: unknown[] }>(await call("/api/v1/projects", { token: user.access }));
    expect(list.items).toEqual([]);
    // Accents, emoji and spaces are names like any other.
    expect(
      (await call("/api/v1/projects", { token: user.access, body: { name: "Café ☕ app" } })).status,
    ).toBe(201);
  });

  it("a rename with one is refused too", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    const res = await call(`/api/v1/projects/${project.id}`, {
      method: "PATCH",
      token: user.access,
      body: { name: "\u001b]0;pwned\u0007" },
    });
    await expectError(res, 400, "VALIDATION_FAILED");
  });

  it("a comment keeps its line breaks and tabs but refuses other control characters", async () => {
    const user = await registerUser();
    const project = await createProject(user);
    await pushFiles(user, project.id, { "App.js": "x\n" });
    const comment = (body: string) =>
      call(`/api/v1/projects/${project.id}/comments`, {
        token: user.access,
        body: { file_path: "App.js", line_start: 1, line_end: 1, body },
      });
    expect((await comment("first line\r\n\tsecond line")).status).toBe(201);
    await expectError(await comment("\u001b[2Jcleared"), 400, "VALIDATION_FAILED");
  });
});
