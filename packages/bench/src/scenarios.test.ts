import { describe, expect, it } from "vitest";
import { userName } from "./child/people.js";
import { SCIM_BASE } from "./protocol.js";
import { SCENARIOS, membershipStream, seededRandom, swPrefix } from "./scenarios.js";

const fixtures = (n: number) => ({
  token: "t",
  userIds: Array.from({ length: n }, (_, i) => `u${i}`),
  outsiderIds: Array.from({ length: 10 }, (_, j) => `o${j}`),
  groupId: "g",
});

describe("seededRandom", () => {
  it("gives every server the same stream for the same seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(first);
  });
});

describe("swPrefix", () => {
  it.each([100, 1_000, 10_000, 100_000])("matches exactly 11 of %i seeded userNames", (n) => {
    const names = Array.from({ length: n }, (_, i) => userName(i));
    const random = seededRandom(n);
    for (let k = 0; k < 20; k++) {
      const prefix = swPrefix(n, random);
      expect(names.filter((u) => u.startsWith(prefix))).toHaveLength(11);
    }
  });
});

describe("membershipStream", () => {
  it("adds only non-members and removes only members, starting from the second half inside", () => {
    const outsiders = Array.from({ length: 8 }, (_, j) => `o${j}`);
    const members = new Set(outsiders.slice(4));
    const next = membershipStream(outsiders, "g");
    for (let i = 0; i < 100; i++) {
      const r = next();
      expect(r.path).toBe(`${SCIM_BASE}/Groups/g`);
      const op = (
        JSON.parse(r.body ?? "{}") as { Operations: { op: string; path: string; value?: { value: string }[] }[] }
      ).Operations[0];
      if (op?.op === "add") {
        const id = op.value?.[0]?.value ?? "";
        expect(members.has(id)).toBe(false);
        members.add(id);
      } else {
        const id = /members\[value eq "(.+)"\]/.exec(op?.path ?? "")?.[1] ?? "";
        expect(members.has(id)).toBe(true);
        members.delete(id);
      }
    }
  });

  it("keeps the add and the remove of one id half the outsiders apart", () => {
    const outsiders = Array.from({ length: 1_000 }, (_, j) => `o${j}`);
    const next = membershipStream(outsiders, "g");
    const seen = new Map<string, number>();
    let closest = Infinity;
    for (let i = 0; i < 4_000; i++) {
      const body = next().body ?? "";
      const id = /"(o\d+)"/.exec(body.replace(/\\"/g, '"'))?.[1] ?? "";
      const last = seen.get(id);
      if (last !== undefined) closest = Math.min(closest, i - last);
      seen.set(id, i);
    }
    expect(closest).toBeGreaterThanOrEqual(999);
  });

  it("refuses an odd number of outsiders", () => {
    expect(() => membershipStream(["a", "b", "c"], "g")).toThrow(/even/);
  });
});

describe("SCENARIOS", () => {
  it("address only seeded users and vary the target from request to request", () => {
    for (const s of SCENARIOS.filter((x) => ["get-user", "filter-eq", "page-100", "patch-user"].includes(x.id))) {
      const next = s.plan(fixtures(1_000), seededRandom(1));
      const paths = new Set(Array.from({ length: 50 }, () => next().path));
      expect(paths.size, s.id).toBeGreaterThan(40);
    }
  });

  it("pages within the seeded users", () => {
    const page = SCENARIOS.find((s) => s.id === "page-100");
    const next = page?.plan(fixtures(500), seededRandom(3));
    for (let i = 0; i < 200; i++) {
      const start = Number(/startIndex=(\d+)/.exec(next?.().path ?? "")?.[1]);
      expect(start).toBeGreaterThanOrEqual(1);
      expect(start + 99).toBeLessThanOrEqual(500);
    }
  });

  it("sends Okta's path-less deactivation shape, alternating false and true", () => {
    const s = SCENARIOS.find((x) => x.id === "patch-user");
    const next = s?.plan(fixtures(10), seededRandom(1));
    const bodies = [next?.(), next?.()].map((r) => JSON.parse(r?.body ?? "{}") as unknown);
    expect(bodies).toEqual([
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: false } }],
      },
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", value: { active: true } }],
      },
    ]);
  });

  it("creates users with userNames never repeated", () => {
    const s = SCENARIOS.find((x) => x.id === "post-user");
    const next = s?.plan(fixtures(10), seededRandom(1));
    const names = Array.from(
      { length: 1_000 },
      () => (JSON.parse(next?.().body ?? "{}") as { userName: string }).userName,
    );
    expect(new Set(names).size).toBe(1_000);
  });

  it("runs POST last, so the users it adds change no other scenario's N", () => {
    expect(SCENARIOS[SCENARIOS.length - 1]?.id).toBe("post-user");
  });
});
