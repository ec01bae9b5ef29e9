import { describe, expect, it } from "vitest";
import { resolvePolicyOptions } from "./options.js";
import { effectiveRoles, sameRoles, storedRoles } from "./roles.js";

const roles = [
  { id: "member", label: "Member" },
  { id: "admin", label: "Admin", priority: 10 },
  { id: "billing", label: "Billing", priority: 5 },
];
const single = resolvePolicyOptions({ roles });
const multi = resolvePolicyOptions({ roles, mode: "multi" });
const withFallback = resolvePolicyOptions({ roles, fallbackRole: "member" });

describe("effectiveRoles", () => {
  it("single mode keeps only the highest-priority granted role", () => {
    expect(effectiveRoles(single, { active: true, current: null, granted: ["member", "admin", "billing"] })).toEqual([
      "admin",
    ]);
  });

  it("single mode breaks a priority tie in favour of the role declared first", () => {
    const tied = resolvePolicyOptions({
      roles: [
        { id: "b", label: "B" },
        { id: "a", label: "A" },
      ],
    });
    expect(effectiveRoles(tied, { active: true, current: null, granted: ["a", "b"] })).toEqual(["b"]);
  });

  it("multi mode returns the union, without repeats, best-ranked first", () => {
    expect(
      effectiveRoles(multi, { active: true, current: null, granted: ["member", "billing", "member", "admin"] }),
    ).toEqual(["admin", "billing", "member"]);
  });

  it("an active user in no mapped group gets the fallback role when one is configured", () => {
    expect(effectiveRoles(withFallback, { active: true, current: ["admin"], granted: [] })).toEqual(["member"]);
  });

  it("an active user in no mapped group is left to the host (null) without a fallback role", () => {
    expect(effectiveRoles(single, { active: true, current: ["admin"], granted: [] })).toBeNull();
  });

  it("an inactive user loses every role SCIM granted", () => {
    expect(effectiveRoles(withFallback, { active: false, current: ["admin"], granted: ["admin"] })).toEqual([]);
  });

  it("an inactive user SCIM never gave a role stays unmanaged", () => {
    expect(effectiveRoles(single, { active: false, current: null, granted: [] })).toBeNull();
  });

  it("a mapping to a role no longer declared grants nothing", () => {
    expect(effectiveRoles(single, { active: true, current: null, granted: ["ghost"] })).toBeNull();
  });
});

describe("sameRoles and storedRoles", () => {
  it("tells null, empty and different lists apart", () => {
    expect(sameRoles(null, null)).toBe(true);
    expect(sameRoles(null, [])).toBe(false);
    expect(sameRoles(["a"], ["a"])).toBe(true);
    expect(sameRoles(["a", "b"], ["b", "a"])).toBe(false);
  });

  it("reads only a list of strings as stored roles", () => {
    expect(storedRoles({ roles: ["a"] })).toEqual(["a"]);
    expect(storedRoles({ roles: "a" })).toBeNull();
    expect(storedRoles({})).toBeNull();
  });
});

describe("resolvePolicyOptions", () => {
  it("applies the documented defaults", () => {
    const p = resolvePolicyOptions({});
    expect(p).toMatchObject({
      mode: "single",
      fallbackRole: null,
      protectLastAdmin: null,
      deprovisioning: { onDeactivate: "deactivate", onDelete: "hard" },
      passwordSync: false,
      passwordWhenOff: "ignore",
      passwordMinLength: 10,
    });
  });

  it.each([
    [
      {
        roles: [
          { id: "a", label: "A" },
          { id: "a", label: "again" },
        ],
      },
      /declared twice/,
    ],
    [{ roles, fallbackRole: "ghost" }, /fallbackRole/],
    [{ roles, protectLastAdmin: "ghost" }, /protectLastAdmin/],
    [{ deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 0 } } }, /deactivateThenDeleteAfterDays/],
    [{ deprovisioning: { onDelete: "shred" as "hard" } }, /onDelete/],
    [{ passwordMinLength: 0 }, /passwordMinLength/],
  ])("rejects an unusable configuration at start-up (%#)", (options, message) => {
    expect(() => resolvePolicyOptions(options)).toThrow(message);
  });
});
