import { describe, expect, it } from "vitest";
import { describeNotification } from "./format";

describe("a notification as the terminal prints it", () => {
  it("says the first open of a preview, then the digest of the rest with how many", () => {
    const payload = { project_name: "hello-app", platform: "ios", opens: 1, total_opens: 1 };
    expect(describeNotification({ type: "preview_opened", payload })).toBe(
      "Preview opened on a phone: hello-app (ios)",
    );
    expect(
      describeNotification({ type: "preview_opened", payload: { ...payload, opens: 99, total_opens: 100 } }),
    ).toBe("Preview opened 99 more times: hello-app (ios), 100 in all");
  });
});
