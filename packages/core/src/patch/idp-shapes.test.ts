/**
 * The exact PATCH bodies real IdPs send (from the IdP notes), planned under the profile each
 * directory gets by default for that IdP.
 */
import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const ENT = URN.EnterpriseUser;

function plan(
  profile: ProfileName,
  typeId: "User" | "Group",
  attributes: JsonObject,
  Operations: unknown[],
  id = "id1",
) {
  const tol = toleranceContext(profiles[profile]);
  const result = planPatch(registry, { typeId, id, attributes }, { schemas: [URN.PatchOp], Operations }, tol);
  if (!result.ok) throw new Error(`${result.error.scimType}: ${result.error.detail}`);
  return { ...result.value, fired: tol.fired };
}

const oktaUser: JsonObject = {
  userName: "a@b.example",
  name: { givenName: "A", familyName: "B" },
  active: true,
  emails: [{ value: "a@b.example", type: "work", primary: true }],
};
const entraUser: JsonObject = {
  userName: "a@b.example",
  active: true,
  externalId: "x1",
  name: { givenName: "A", familyName: "B" },
};

describe("Okta PATCH shapes", () => {
  it("deactivates with a path-less replace of active", () => {
    expect(plan("okta", "User", oktaUser, [{ op: "replace", value: { active: false } }]).attributes).toEqual({
      ...oktaUser,
      active: false,
    });
  });

  it("syncs a password with or without a path", () => {
    expect(plan("okta", "User", oktaUser, [{ op: "replace", value: { password: "pw1" } }]).password).toBe("pw1");
    expect(plan("okta", "User", oktaUser, [{ op: "replace", path: "password", value: "pw2" }]).password).toBe("pw2");
  });

  it("renames a group with a value carrying the group's own id", () => {
    const p = plan(
      "okta",
      "Group",
      { displayName: "Old" },
      [{ op: "replace", value: { id: "g1", displayName: "New" } }],
      "g1",
    );
    expect(p.attributes).toEqual({ displayName: "New" });
    expect(p.fired).toContain("ignoreOwnIdInValue");
  });

  it("updates membership with a remove filter and an add in one request, plus the re-sent rename", () => {
    const p = plan(
      "okta",
      "Group",
      { displayName: "Eng" },
      [
        { op: "replace", value: { id: "g1", displayName: "Eng" } },
        { op: "remove", path: 'members[value eq "u1"]' },
        { op: "add", path: "members", value: [{ value: "u2", display: "x" }] },
      ],
      "g1",
    );
    expect(p.attributes).toEqual({ displayName: "Eng" });
    expect(p.memberChanges).toEqual([
      { op: "remove", ids: ["u1"], filtered: true },
      { op: "add", members: [{ value: "u2", display: "x" }] },
    ]);
  });

  it("pushes full membership with replace members, including an empty list", () => {
    expect(
      plan("okta", "Group", { displayName: "Eng" }, [
        {
          op: "replace",
          path: "members",
          value: [
            { value: "u1", display: "A" },
            { value: "u2", display: "B" },
          ],
        },
      ]).memberChanges,
    ).toEqual([
      {
        op: "replace",
        members: [
          { value: "u1", display: "A" },
          { value: "u2", display: "B" },
        ],
      },
    ]);
    expect(
      plan("okta", "Group", { displayName: "Eng" }, [{ op: "replace", path: "members", value: [] }]).memberChanges,
    ).toEqual([{ op: "replace", members: [] }]);
  });
});

describe("Entra PATCH shapes", () => {
  it("applies a multi-operation user update with capitalised ops", () => {
    const p = plan(
      "entra",
      "User",
      { ...entraUser, emails: [{ value: "old@b.example", type: "work", primary: true }] },
      [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "new@b.example" },
        { op: "Replace", path: "name.familyName", value: "C" },
        { op: "Replace", path: "userName", value: "new@b.example" },
        { op: "Add", path: `${ENT}:department`, value: "Sales" },
        { op: "Replace", path: 'addresses[type eq "work"].formatted', value: "1 Main St" },
      ],
    );
    expect(p.attributes).toEqual({
      userName: "new@b.example",
      active: true,
      externalId: "x1",
      name: { givenName: "A", familyName: "C" },
      emails: [{ value: "new@b.example", type: "work", primary: true }],
      addresses: [{ type: "work", formatted: "1 Main St", primary: true }],
      [ENT]: { department: "Sales" },
    });
  });

  it("creates the work email when the user has none", () => {
    expect(
      plan("entra", "User", entraUser, [{ op: "Replace", path: 'emails[type eq "work"].value', value: "a@b.example" }])
        .attributes["emails"],
    ).toEqual([{ type: "work", value: "a@b.example", primary: true }]);
  });

  it('disables with the string "False", and enables with "True"', () => {
    expect(
      plan("entra", "User", entraUser, [{ op: "Replace", path: "active", value: "False" }]).attributes["active"],
    ).toBe(false);
    expect(
      plan("entra", "User", { ...entraUser, active: false }, [{ op: "Replace", path: "active", value: "True" }])
        .attributes["active"],
    ).toBe(true);
  });

  it("applies a path-less replace whose keys are paths (aadOptscim062020)", () => {
    const p = plan("entra", "User", entraUser, [
      { op: "replace", value: { "name.givenName": "Z", [`${ENT}:employeeNumber`]: "701984", active: false } },
    ]);
    expect(p.attributes).toMatchObject({
      name: { givenName: "Z", familyName: "B" },
      active: false,
      [ENT]: { employeeNumber: "701984" },
    });
  });

  it("sets the manager from a plain id string and removes it with manager[value eq id]", () => {
    const set = plan("entra", "User", entraUser, [{ op: "Add", path: `${ENT}:manager`, value: "m-26" }]).attributes;
    expect(set[ENT]).toEqual({ manager: { value: "m-26" } });
    const replaced = plan("entra", "User", set, [{ op: "Replace", path: `${ENT}:manager`, value: "m-27" }]).attributes;
    expect(replaced[ENT]).toEqual({ manager: { value: "m-27" } });
    expect(
      plan("entra", "User", replaced, [{ op: "Remove", path: `${ENT}:manager[value eq "m-27"]` }]).attributes,
    ).not.toHaveProperty(ENT);
  });

  it("removes the manager with a bare manager[value eq id], without the extension's URN, only when it matches", () => {
    const set = { ...entraUser, [ENT]: { manager: { value: "m-27" } } };
    expect(
      plan("entra", "User", set, [{ op: "Remove", path: 'manager[value eq "m-27"]' }]).attributes,
    ).not.toHaveProperty(ENT);
    expect(
      plan("entra", "User", set, [{ op: "Remove", path: 'manager[value eq "someone-else"]' }]).attributes[ENT],
    ).toEqual({ manager: { value: "m-27" } });
  });

  it("adds a role sent as a JSON-encoded string", () => {
    const value = [{ value: '{"id":"8aa1a5c4","value":"Admin","displayName":"Admin"}' }];
    expect(plan("entra", "User", entraUser, [{ op: "Add", path: "roles", value }]).attributes["roles"]).toEqual([
      { value: "Admin", display: "Admin" },
    ]);
  });

  it('replaces the primary role through roles[primary eq "True"].value', () => {
    const start = { ...entraUser, roles: [{ value: "User", primary: true, type: "WindowsAzureActiveDirectoryRole" }] };
    expect(
      plan("entra", "User", start, [{ op: "Replace", path: 'roles[primary eq "True"].value', value: "Admin" }])
        .attributes["roles"],
    ).toEqual([{ value: "Admin", primary: true, type: "WindowsAzureActiveDirectoryRole" }]);
  });

  it('adds members sent with "$ref": null', () => {
    expect(
      plan("entra", "Group", { displayName: "G" }, [
        { op: "Add", path: "members", value: [{ $ref: null, value: "u1" }] },
      ]).memberChanges,
    ).toEqual([{ op: "add", members: [{ value: "u1" }] }]);
  });

  it("removes only the members listed in a Remove members value", () => {
    expect(
      plan("entra", "Group", { displayName: "G" }, [{ op: "Remove", path: "members", value: [{ value: "u1" }] }])
        .memberChanges,
    ).toEqual([{ op: "remove", ids: ["u1"] }]);
  });

  it("removes a member by filter with aadOptscim062020", () => {
    expect(
      plan("entra", "Group", { displayName: "G" }, [{ op: "remove", path: 'members[value eq "u1"]' }]).memberChanges,
    ).toEqual([{ op: "remove", ids: ["u1"], filtered: true }]);
  });

  it("adds externalId to an existing group and renames it", () => {
    const p = plan("entra", "Group", { displayName: "G" }, [
      { op: "Add", path: "externalId", value: "e-1" },
      { op: "Replace", path: "displayName", value: "G2" },
    ]);
    expect(p.attributes).toEqual({ displayName: "G2", externalId: "e-1" });
  });
});

describe("Other clients' PATCH shapes", () => {
  it("JumpCloud adds members with a plain value list", () => {
    expect(
      plan("lenient", "Group", { displayName: "G" }, [
        { op: "add", path: "members", value: [{ value: "u1" }, { value: "u2" }] },
      ]).memberChanges,
    ).toEqual([{ op: "add", members: [{ value: "u1" }, { value: "u2" }] }]);
  });

  it("the Microsoft SCIM test suite adds a member as a bare string value", () => {
    const p = plan("lenient", "Group", { displayName: "G" }, [{ op: "add", path: "members", value: "u1" }]);
    expect(p.memberChanges).toEqual([{ op: "add", members: [{ value: "u1" }] }]);
    expect(p.fired).toContain("managerAsString");
  });
});
