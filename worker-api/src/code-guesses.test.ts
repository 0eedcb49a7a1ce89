// Issue 12, item 17: the one wrong-code budget per IP (spec §9: 5 failures / 10 min) shared by link
// claims, preview resolves and the landing pages — a right code never wipes earlier failures, and
// right codes never count at all, not even for a moment: a room of phones behind one address opening
// one code at once is never refused (issue 20). Each distinct wrong code counts once, and a QR
// code's link (its key) opens from an address out of guesses. Every test uses its own IP.
import { describe, expect, it } from "vitest";
import {
  call,
  createProject,
  expectError,
  freshIp,
  json,
  pushFiles,
  registerUser,
  type TestUser,
  wrongCode,
} from "../test/helpers";

async function previewCode(): Promise<string> {
  return (await previewLink()).code;
}

/** A fresh preview's code and the link its QR code holds (with the link's key). */
async function previewLink(): Promise<{ code: string; link_url: string }> {
  const user = await registerUser();
  const project = await createProject(user);
  await pushFiles(user, project.id, { "index.js": "x" });
  const res = await call("/api/v1/preview/start", {
    token: user.access,
    body: { project_id: project.id, platform: "web" },
  });
  expect(res.status).toBe(202);
  return json<{ code: string; link_url: string }>(res);
}

let linker: TestUser | undefined;
async function linkCode(): Promise<string> {
  linker ??= await registerUser();
  const res = await call("/api/v1/devices/link", { method: "POST", token: linker.access });
  expect(res.status).toBe(201);
  return (await json<{ code: string }>(res)).code;
}

const resolve = (code: string, ip: string) => call("/api/v1/preview/resolve", { body: { code }, ip });
const claim = (code: string, ip: string) =>
  call("/api/v1/devices/link/claim", { body: { code, device_name: "Phone", platform: "ios" }, ip });
const previewPage = (code: string, ip: string) => call(`/p/${code}`, { ip });
const linkPage = (code: string, ip: string) => call(`/l/${code}`, { ip });

/** One way of presenting a code: how to send it, what a right one is, and what each answer looks like. */
type Door = {
  name: string;
  send: (code: string, ip: string) => Promise<Response>;
  /** A right code for this door (a fresh one each call where using it spends it). */
  right: () => Promise<string>;
  ok: number;
  wrong: number;
};

const DOORS: Door[] = [
  { name: "POST /preview/resolve", send: resolve, right: previewCode, ok: 200, wrong: 404 },
  { name: "POST /devices/link/claim", send: claim, right: linkCode, ok: 201, wrong: 404 },
  { name: "GET /p/:code", send: previewPage, right: previewCode, ok: 200, wrong: 404 },
  { name: "GET /l/:code", send: linkPage, right: linkCode, ok: 200, wrong: 404 },
];

async function expectLocked(res: Response) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  if (res.headers.get("content-type")?.includes("application/json")) {
    await expectError(res, 429, "TOO_MANY_ATTEMPTS");
  }
}

describe("one wrong-code budget per IP", () => {
  it("5 wrong link claims, then a preview resolve with a right code is refused (429)", async () => {
    const ip = freshIp();
    const code = await previewCode();
    for (let i = 0; i < 5; i++) expect((await claim(wrongCode(), ip)).status).toBe(404);
    await expectLocked(await resolve(code, ip));
    // Another IP is not affected.
    expect((await resolve(code, freshIp())).status).toBe(200);
  });

  it("5 wrong preview resolves, then a link claim and both landing pages are refused (429)", async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await resolve(wrongCode(), ip)).status).toBe(404);
    await expectLocked(await claim(await linkCode(), ip));
    await expectLocked(await previewPage(await previewCode(), ip));
    await expectLocked(await linkPage(await linkCode(), ip));
  });

  it("wrong codes on the landing pages count against the API's budget too", async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) expect((await previewPage(wrongCode(), ip)).status).toBe(404);
    for (let i = 0; i < 2; i++) expect((await linkPage(wrongCode(), ip)).status).toBe(404);
    await expectLocked(await resolve(await previewCode(), ip));
  });
});

describe("a right code", () => {
  for (const door of DOORS) {
    it(`${door.name}: does not wipe earlier failures (4 wrong, 1 right, 1 wrong → the next is 429)`, async () => {
      const ip = freshIp();
      for (let i = 0; i < 4; i++) expect((await door.send(wrongCode(), ip)).status).toBe(door.wrong);
      expect((await door.send(await door.right(), ip)).status).toBe(door.ok);
      expect((await door.send(wrongCode(), ip)).status).toBe(door.wrong);
      // Five failures in the window: even a right code is refused now.
      await expectLocked(await door.send(await door.right(), ip));
    });

    it(`${door.name}: never counts (7 right codes from one IP all succeed, then 5 wrong are still allowed)`, async () => {
      const ip = freshIp();
      for (let i = 0; i < 7; i++) expect((await door.send(await door.right(), ip)).status).toBe(door.ok);
      for (let i = 0; i < 5; i++) expect((await door.send(wrongCode(), ip)).status).toBe(door.wrong);
      await expectLocked(await door.send(wrongCode(), ip));
    });
  }

  it("a right code presented many times (a phone re-opening the page) never counts either", async () => {
    const ip = freshIp();
    const code = await previewCode();
    for (let i = 0; i < 7; i++) expect((await resolve(code, ip)).status).toBe(200);
    for (let i = 0; i < 7; i++) expect((await previewPage(code, ip)).status).toBe(200);
  });
});

describe("a room of phones behind one address (issue 20)", () => {
  it("40 open one right code at once, by the API and by the page: none refused, no guess spent", async () => {
    const ip = freshIp();
    const code = await previewCode();
    const resolved = await Promise.all(Array.from({ length: 20 }, () => resolve(code, ip)));
    const pages = await Promise.all(Array.from({ length: 20 }, () => previewPage(code, ip)));
    expect([...resolved, ...pages].map((r) => r.status)).toEqual(Array(40).fill(200));
    // The whole budget is still there: 5 wrong guesses are answered, the 6th is refused.
    for (let i = 0; i < 5; i++) expect((await resolve(wrongCode(), ip)).status).toBe(404);
    await expectLocked(await resolve(wrongCode(), ip));
  });

  it("right and wrong codes at once: every right one opens, and exactly 5 wrong ones are answered", async () => {
    const ip = freshIp();
    const code = await previewCode();
    const mixed = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        resolve(i % 2 ? wrongCode() : code, ip).then((r) => [i % 2, r.status]),
      ),
    );
    const wrong = mixed.filter(([odd]) => odd).map(([, status]) => status);
    expect(wrong.filter((s) => s === 404).length).toBe(5);
    expect(wrong.filter((s) => s === 429).length).toBe(10);
    // A right code that came after the address ran out is refused too: a locked address learns nothing.
    const right = mixed.filter(([odd]) => !odd).map(([, status]) => status);
    expect(right.every((s) => s === 200 || s === 429)).toBe(true);
    expect(right.filter((s) => s === 200).length).toBeGreaterThan(0);
  });
});

describe("a typo and a hostile page do not take a room down (issue 20)", () => {
  it("the same wrong code from 30 phones at once is one guess; distinct ones still stop at exactly 5", async () => {
    const ip = freshIp();
    const typo = wrongCode();
    const same = await Promise.all(Array.from({ length: 30 }, () => resolve(typo, ip)));
    expect(same.map((r) => r.status)).toEqual(Array(30).fill(404));
    // Case, spaces and hyphens make no new guess either.
    expect((await resolve(typo.toLowerCase().replace("-", " "), ip)).status).toBe(404);
    const distinct = await Promise.all(Array.from({ length: 30 }, () => resolve(wrongCode(), ip)));
    expect(distinct.filter((r) => r.status === 404)).toHaveLength(4);
    expect(distinct.filter((r) => r.status === 429)).toHaveLength(26);
  });

  it("a QR code's link opens its preview from an address out of guesses; a typed code or a wrong key does not", async () => {
    const ip = freshIp();
    const { code, link_url } = await previewLink();
    const url = new URL(link_url);
    const key = url.searchParams.get("hs") ?? "";
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (let i = 0; i < 5; i++) expect((await resolve(wrongCode(), ip)).status).toBe(404);
    await expectLocked(await previewPage(code, ip));
    await expectLocked(await resolve(code, ip));
    // The link itself (the page with its key), and the API given the key: both open.
    const page = await call(`${url.pathname}${url.search}`, { ip });
    expect(page.status).toBe(200);
    // The key opens; it is not written into the page (the app's frame URL leaves it out).
    expect(await page.text()).not.toContain(key);
    const byKey = await call("/api/v1/preview/resolve", { body: { code, key }, ip });
    expect(byKey.status).toBe(200);
    // Another session's key, or a forged one, is no key: the address is still locked.
    const other = new URL((await previewLink()).link_url).searchParams.get("hs") ?? "";
    await expectLocked(await call(`/p/${code}?hs=${other}`, { ip }));
    await expectLocked(await call("/api/v1/preview/resolve", { body: { code, key: other }, ip }));
    await expectLocked(await call("/api/v1/preview/resolve", { body: { code: wrongCode(), key }, ip }));
  });
});
