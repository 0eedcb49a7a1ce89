import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, registerUser, type TestUser } from "../../test/helpers";

type Page = {
  items: { id: string; type: string; read_at: string | null }[];
  next_cursor: string | null;
  unread_count: number;
};

async function seed(user: TestUser, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `ntf_${user.id.slice(-20)}${String(i).padStart(12, "0")}`;
    await exports.Internal.createNotification({
      kind: "notify",
      notification_id: id,
      user_id: user.id,
      type: "repo_sync_succeeded",
      payload: { n: i },
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    });
    ids.push(id);
  }
  return ids;
}

describe("notifications", () => {
  it("lists newest first with unread_count, walking pages once each, and filters unread", async () => {
    const user = await registerUser();
    const ids = await seed(user, 7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await json<Page>(
        await call(`/api/v1/notifications?limit=3${cursor ? `&cursor=${cursor}` : ""}`, {
          token: user.access,
        }),
      );
      expect(page.unread_count).toBe(7);
      seen.push(...page.items.map((n) => n.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    await call(`/api/v1/notifications/${ids[6]}/read`, { method: "POST", token: user.access });
    const unread = await json<Page>(await call("/api/v1/notifications?unread=true", { token: user.access }));
    expect(unread.items.map((n) => n.id)).toEqual(ids.slice(0, 6).reverse());
    expect(unread.unread_count).toBe(6);
  });

  it("answers an unchanged poll with 304 and a changed one with 200", async () => {
    const user = await registerUser();
    await seed(user, 2);
    const first = await call("/api/v1/notifications", { token: user.access });
    const etag = first.headers.get("etag");
    expect(etag).toBeTruthy();
    const same = await call("/api/v1/notifications", {
      token: user.access,
      headers: { "if-none-match": etag! },
    });
    expect(same.status).toBe(304);
    await call("/api/v1/notifications/read-all", { method: "POST", token: user.access });
    const changed = await call("/api/v1/notifications", {
      token: user.access,
      headers: { "if-none-match": etag! },
    });
    expect(changed.status).toBe(200);
    expect((await json<Page>(changed)).unread_count).toBe(0);
  });

  it("marks one read (keeping the first read time) and all read, counting what changed", async () => {
    const user = await registerUser();
    const ids = await seed(user, 3);
    const one = await json<{ read_at: string }>(
      await call(`/api/v1/notifications/${ids[0]}/read`, { method: "POST", token: user.access }),
    );
    expect(one.read_at).toBeTruthy();
    const twice = await json<{ read_at: string }>(
      await call(`/api/v1/notifications/${ids[0]}/read`, { method: "POST", token: user.access }),
    );
    expect(twice.read_at).toBe(one.read_at);
    const all = await json(
      await call("/api/v1/notifications/read-all", { method: "POST", token: user.access }),
    );
    expect(all).toEqual({ updated: 2 });
    const concurrent = await Promise.all(
      [1, 2, 3].map(() =>
        call("/api/v1/notifications/read-all", { method: "POST", token: user.access }).then((r) => json(r)),
      ),
    );
    expect(concurrent).toEqual([{ updated: 0 }, { updated: 0 }, { updated: 0 }]);
  });

  it("never shows or touches another user's notifications", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const [id] = await seed(owner, 1);
    await expectError(
      await call(`/api/v1/notifications/${id}/read`, { method: "POST", token: other.access }),
      404,
      "NOT_FOUND",
    );
    expect((await json<Page>(await call("/api/v1/notifications", { token: other.access }))).items).toEqual(
      [],
    );
    expect(
      await json(await call("/api/v1/notifications/read-all", { method: "POST", token: other.access })),
    ).toEqual({ updated: 0 });
    const mine = await json<Page>(await call("/api/v1/notifications", { token: owner.access }));
    expect(mine.items[0]?.read_at).toBeNull();
    await expectError(await call("/api/v1/notifications"), 401, "UNAUTHENTICATED");
  });
});
