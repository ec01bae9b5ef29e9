/**
 * Each PATCH tolerance with the profile that enables it and with `rfc`: what the IdP sends is
 * applied as meant where the tolerance is on, and answered with the RFC error where it is off.
 */
import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext, type ToleranceName } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const ENT = URN.EnterpriseUser;
const user: JsonObject = {
  userName: "bjensen",
  active: true,
  emails: [{ value: "b@home.example", type: "home" }],
  [ENT]: { manager: { value: "m1" } },
};

function run(profile: ProfileName, operations: unknown[], attributes: JsonObject = user, typeId = "User") {
  const tol = toleranceContext(profiles[profile]);
  const result = planPatch(
    registry,
    { typeId, id: "id1", attributes },
    { schemas: [URN.PatchOp], Operations: operations },
    tol,
  );
  return {
    tol,
    result,
    attributes: result.ok ? result.value.attributes : undefined,
    scimType: result.ok ? "ok" : result.error.scimType,
  };
}
/** Asserts the tolerance applies under `profile` (and is recorded) and not under `rfc`. */
function onAndOff(
  name: ToleranceName,
  profile: ProfileName,
  operations: unknown[],
  attributes: JsonObject = user,
  typeId = "User",
) {
  const on = run(profile, operations, attributes, typeId);
  const off = run("rfc", operations, attributes, typeId);
  expect(on.scimType).toBe("ok");
  expect(on.tol.fired).toContain(name);
  expect(off.tol.fired).not.toContain(name);
  return { on, off };
}

describe("PATCH tolerances", () => {
  it("1 caseInsensitiveOp: entra reads Replace, rfc answers invalidSyntax", () => {
    const { on, off } = onAndOff("caseInsensitiveOp", "entra", [{ op: "Replace", path: "title", value: "x" }]);
    expect(on.attributes?.["title"]).toBe("x");
    expect(off.scimType).toBe("invalidSyntax");
  });

  it('2 stringBooleans: entra reads "False" as false, rfc answers invalidValue', () => {
    const { on, off } = onAndOff("stringBooleans", "entra", [{ op: "replace", path: "active", value: "False" }]);
    expect(on.attributes?.["active"]).toBe(false);
    expect(off.scimType).toBe("invalidValue");
  });

  it("2 stringBooleans: also inside path-less value objects", () => {
    expect(run("okta", [{ op: "replace", value: { active: "false" } }]).attributes?.["active"]).toBe(false);
  });

  it("3 pathlessKeysArePaths: entra applies path keys, rfc answers invalidPath", () => {
    const ops = [{ op: "replace", value: { "name.givenName": "Ann", [`${ENT}:employeeNumber`]: "42" } }];
    const { on, off } = onAndOff("pathlessKeysArePaths", "entra", ops);
    expect(on.attributes).toMatchObject({
      name: { givenName: "Ann" },
      [ENT]: { manager: { value: "m1" }, employeeNumber: "42" },
    });
    expect(off.scimType).toBe("invalidPath");
  });

  it("3 pathlessKeysArePaths: is off in okta, which never sends path keys", () => {
    expect(run("okta", [{ op: "replace", value: { "name.givenName": "Ann" } }]).scimType).toBe("invalidPath");
  });

  it("4 removeListedMembers: entra removes only the listed members, rfc refuses instead of removing all", () => {
    const { on, off } = onAndOff(
      "removeListedMembers",
      "entra",
      [{ op: "remove", path: "members", value: [{ value: "u1" }, { value: "u2" }] }],
      { displayName: "G" },
      "Group",
    );
    expect(on.result.ok && on.result.value.memberChanges).toEqual([{ op: "remove", ids: ["u1", "u2"] }]);
    expect(off.scimType).toBe("invalidValue");
  });

  it("4 removeListedMembers: removes only the listed values of other multi-valued attributes too", () => {
    const start = { userName: "u", emails: [{ value: "a@x.example" }, { value: "b@x.example" }] };
    expect(
      run("okta", [{ op: "remove", path: "emails", value: [{ value: "A@x.example" }] }], start).attributes?.["emails"],
    ).toEqual([{ value: "b@x.example" }]);
  });

  it("5 valueFilterPaths: value filters are evaluated under every profile, rfc included", () => {
    const start = {
      userName: "u",
      emails: [
        { value: "a@x.example", type: "work" },
        { value: "b@x.example", type: "home" },
      ],
    };
    expect(
      run("rfc", [{ op: "remove", path: 'emails[value eq "a@x.example"]' }], start).attributes?.["emails"],
    ).toEqual([{ value: "b@x.example", type: "home" }]);
  });

  it("6 nullMeansAbsent: a null sub-attribute is absent and a null replace unassigns, under rfc too", () => {
    const r = run(
      "rfc",
      [
        { op: "add", path: "emails", value: [{ value: "c@x.example", display: null }] },
        { op: "replace", path: "title", value: null },
      ],
      { ...user, title: "T" },
    );
    expect(r.attributes?.["emails"]).toEqual([{ value: "b@home.example", type: "home" }, { value: "c@x.example" }]);
    expect(r.attributes).not.toHaveProperty("title");
  });

  it("7 createMissingFilteredValue: entra creates the missing work email as primary, rfc answers noTarget", () => {
    const { on, off } = onAndOff("createMissingFilteredValue", "entra", [
      { op: "replace", path: 'emails[type eq "work"].value', value: "b@work.example" },
    ]);
    expect(on.attributes?.["emails"]).toEqual([
      { value: "b@home.example", type: "home" },
      { type: "work", value: "b@work.example", primary: true },
    ]);
    expect(off.scimType).toBe("noTarget");
  });

  it("7 createMissingFilteredValue: the created value is not primary when another already is", () => {
    const start = { userName: "u", emails: [{ value: "h@x.example", type: "home", primary: true }] };
    const r = run("entra", [{ op: "add", path: 'emails[type eq "work"].value', value: "w@x.example" }], start);
    expect(r.attributes?.["emails"]).toEqual([
      { value: "h@x.example", type: "home", primary: true },
      { type: "work", value: "w@x.example" },
    ]);
  });

  it("7 createMissingFilteredValue: a filter that does not pin values still answers noTarget", () => {
    expect(run("entra", [{ op: "replace", path: 'emails[type ne "home"].value', value: "x" }]).scimType).toBe(
      "noTarget",
    );
  });

  it("8 removeFilteredSubValue: entra removes the matched email whole, rfc removes only its value", () => {
    const start = {
      userName: "u",
      emails: [
        { value: "w@x.example", type: "work" },
        { value: "h@x.example", type: "home" },
      ],
    };
    const ops = [{ op: "remove", path: 'emails[type eq "work"].value' }];
    const { on, off } = onAndOff("removeFilteredSubValue", "entra", ops, start);
    expect(on.attributes?.["emails"]).toEqual([{ value: "h@x.example", type: "home" }]);
    expect(off.attributes?.["emails"]).toEqual([{ type: "work" }, { value: "h@x.example", type: "home" }]);
  });

  it("8 removeFilteredSubValue: with a value, only a matched email holding that value is removed", () => {
    const start = { userName: "u", emails: [{ value: "w@x.example", type: "work" }] };
    expect(
      run("entra", [{ op: "remove", path: 'emails[type eq "work"].value', value: "other@x.example" }], start)
        .attributes?.["emails"],
    ).toHaveLength(1);
    expect(
      run("entra", [{ op: "remove", path: 'emails[type eq "work"].value', value: "W@x.example" }], start).attributes,
    ).not.toHaveProperty("emails");
  });

  it("8 removeFilteredSubValue: nothing to remove is not an error", () => {
    expect(run("entra", [{ op: "remove", path: 'emails[type eq "work"].value' }]).attributes).toEqual(user);
  });

  it("9 managerAsString: entra reads a manager id string as {value}, rfc answers invalidValue", () => {
    const { on, off } = onAndOff("managerAsString", "entra", [{ op: "replace", path: `${ENT}:manager`, value: "m2" }]);
    expect(on.attributes?.[ENT]).toEqual({ manager: { value: "m2" } });
    expect(off.scimType).toBe("invalidValue");
  });

  it("9 managerAsString: manager[value eq id] removes the manager only when it matches", () => {
    const matching = onAndOff("managerAsString", "entra", [{ op: "remove", path: `${ENT}:manager[value eq "m1"]` }]);
    expect(matching.on.attributes).not.toHaveProperty(ENT);
    expect(matching.off.scimType).toBe("invalidPath");
    expect(run("entra", [{ op: "remove", path: `${ENT}:manager[value eq "m9"]` }]).attributes?.[ENT]).toEqual({
      manager: { value: "m1" },
    });
  });

  it("10 jsonEncodedRoles: entra decodes a JSON-encoded role, rfc keeps the string as the value", () => {
    const role = JSON.stringify({ id: "r-1", value: "Admin", displayName: "Administrator" });
    const { on, off } = onAndOff("jsonEncodedRoles", "entra", [{ op: "add", path: "roles", value: [{ value: role }] }]);
    expect(on.attributes?.["roles"]).toEqual([{ value: "Admin", display: "Administrator" }]);
    expect(off.attributes?.["roles"]).toEqual([{ value: role }]);
  });

  it("11 addSingleValuedAsReplace: add replaces a single value under rfc too, and is recorded", () => {
    const r = run(
      "rfc",
      [{ op: "add", path: "externalId", value: "new" }],
      { displayName: "G", externalId: "old" },
      "Group",
    );
    expect(r.attributes?.["externalId"]).toBe("new");
    expect(r.tol.fired).toContain("addSingleValuedAsReplace");
  });

  it("12 skipUnknownAttributes: okta skips the unknown attribute and applies the rest, rfc refuses all", () => {
    const ops = [
      { op: "replace", path: "favouriteColour", value: "blue" },
      { op: "replace", value: { title: "CTO", shoeSize: 9 } },
    ];
    const { on, off } = onAndOff("skipUnknownAttributes", "okta", ops);
    expect(on.attributes).toEqual({ ...user, title: "CTO" });
    expect(off.scimType).toBe("invalidPath");
  });

  it("17 ignoreOwnIdInValue: okta ignores the group's own id in a rename, rfc answers mutability", () => {
    const ops = [{ op: "replace", value: { id: "id1", displayName: "New" } }];
    const { on, off } = onAndOff("ignoreOwnIdInValue", "okta", ops, { displayName: "Old" }, "Group");
    expect(on.attributes).toEqual({ displayName: "New" });
    expect(off.scimType).toBe("mutability");
  });

  it("17 ignoreOwnIdInValue: another id is still refused", () => {
    expect(
      run("okta", [{ op: "replace", value: { id: "other", displayName: "New" } }], { displayName: "Old" }, "Group")
        .scimType,
    ).toBe("mutability");
  });

  it("18 replaceMembersEmptyClears: replace members [] clears under rfc too", () => {
    const r = run("rfc", [{ op: "replace", path: "members", value: [] }], { displayName: "G" }, "Group");
    expect(r.result.ok && r.result.value.memberChanges).toEqual([{ op: "replace", members: [] }]);
  });
});
