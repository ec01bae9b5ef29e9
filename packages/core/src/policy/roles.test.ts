import { describe, expect, it } from "vitest";
import { resolvePolicyOptions, type PolicyOptions } from "./options.js";
import { effectiveRoles, sameRoles, storedRoles } from "./roles.js";

const roles = [
  { id: "member", label: "Member" },
  { id: "admin", label: "Admin", priority: 10 },
  { id: "billing", label: "Billing", priority: 5 },
];
const forOneTenant = (options: PolicyOptions) => resolvePolicyOptions(options).forTenant("acme");
const single = await forOneTenant({ roles });
const multi = await forOneTenant({ roles, mode: "multi" });
const withFallback = await forOneTenant({ roles, fallbackRole: "member" });

describe("effectiveRoles", () => {
  it("single mode keeps only the highest-priority granted role", () => {
    expect(effectiveRoles(single, { active: true, current: null, granted: ["member", "admin", "billing"] })).toEqual([
      "admin",
    ]);
  });

  it("single mode breaks a priority tie in favour of the role declared first", async () => {
    const tied = await forOneTenant({
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

describe("roles per tenant", () => {
  const perTenant = resolvePolicyOptions({
    roles: (tenantId) =>
      tenantId === "acme"
        ? [
            { id: "owner", label: "Owner", priority: 1 },
            { id: "member", label: "Member" },
          ]
        : [{ id: "viewer", label: "Viewer" }],
    fallbackRole: "member",
    protectLastAdmin: "owner",
  });

  it("ranks each tenant's own list, and applies the fallback and protected roles only where declared", async () => {
    const acme = await perTenant.forTenant("acme");
    const globex = await perTenant.forTenant("globex");
    expect([...acme.rank.keys()]).toEqual(["owner", "member"]);
    expect([acme.fallbackRole, acme.protectLastAdmin]).toEqual(["member", "owner"]);
    expect([...globex.rank.keys()]).toEqual(["viewer"]);
    expect([globex.fallbackRole, globex.protectLastAdmin]).toEqual([null, null]);
    expect(effectiveRoles(globex, { active: true, current: null, granted: ["owner", "viewer"] })).toEqual(["viewer"]);
  });

  it("refuses an invalid list from the host's function with a typed error naming the tenant", async () => {
    const broken = resolvePolicyOptions({
      roles: () => [
        { id: "a", label: "A" },
        { id: "a", label: "A again" },
        { id: "", label: "nameless" },
      ],
    });
    await expect(broken.forTenant("acme")).rejects.toMatchObject({
      name: "ScimConfigError",
      code: "invalid",
      message: expect.stringMatching(/policy\.roles\("acme"\).*non-empty id.*declared twice/),
    });
  });

  it("calls the function again on every lookup, so a changed list applies at once", async () => {
    let list = [{ id: "a", label: "A" }];
    const live = resolvePolicyOptions({ roles: () => list });
    expect((await live.forTenant("acme")).roles.map((r) => r.id)).toEqual(["a"]);
    list = [{ id: "b", label: "B" }];
    expect((await live.forTenant("acme")).roles.map((r) => r.id)).toEqual(["b"]);
  });
});
