import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const ENT = URN.EnterpriseUser;
const user: JsonObject = {
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  active: true,
  title: "Eng",
};

function plan(operations: unknown[], attributes: JsonObject = user, profile: ProfileName = "rfc", typeId = "User") {
  const tol = toleranceContext(profiles[profile]);
  const result = planPatch(
    registry,
    { typeId, id: "id1", attributes },
    { schemas: [URN.PatchOp], Operations: operations },
    tol,
  );
  return { result, tol };
}
function attributes(
  operations: unknown[],
  start: JsonObject = user,
  profile: ProfileName = "rfc",
  typeId = "User",
): JsonObject {
  const { result } = plan(operations, start, profile, typeId);
  if (!result.ok) throw new Error(`${result.error.scimType}: ${result.error.detail}`);
  return result.value.attributes;
}

describe("planPatch on single-valued attributes", () => {
  it("replace sets a simple attribute", () => {
    expect(attributes([{ op: "replace", path: "title", value: "Boss" }])["title"]).toBe("Boss");
  });

  it("add on a single-valued attribute replaces its value (RFC 7644 §3.5.2.1) and records it", () => {
    const { result, tol } = plan([{ op: "add", path: "title", value: "Boss" }]);
    expect(result.ok && result.value.attributes["title"]).toBe("Boss");
    expect(tol.fired).toContain("addSingleValuedAsReplace");
  });

  it("add on an unassigned attribute sets it without recording a replacement", () => {
    const { result, tol } = plan([{ op: "add", path: "nickName", value: "Babs" }]);
    expect(result.ok && result.value.attributes["nickName"]).toBe("Babs");
    expect(tol.fired).not.toContain("addSingleValuedAsReplace");
  });

  it("remove unassigns a simple attribute", () => {
    expect(attributes([{ op: "remove", path: "title" }])).not.toHaveProperty("title");
  });

  it("remove of an unassigned attribute changes nothing", () => {
    expect(attributes([{ op: "remove", path: "nickName" }])).toEqual(user);
  });

  it("replace with null unassigns the attribute (RFC 7643 §2.5)", () => {
    expect(attributes([{ op: "replace", path: "title", value: null }])).not.toHaveProperty("title");
  });

  it("add and replace on attr.sub set the sub-attribute and keep the others", () => {
    const after = attributes([
      { op: "replace", path: "name.givenName", value: "Babs" },
      { op: "add", path: "name.middleName", value: "J" },
    ]);
    expect(after["name"]).toEqual({ givenName: "Babs", familyName: "Jensen", middleName: "J" });
  });

  it("attr.sub creates the complex attribute when it is unassigned", () => {
    expect(attributes([{ op: "add", path: "name.givenName", value: "Ann" }], { userName: "a" })["name"]).toEqual({
      givenName: "Ann",
    });
  });

  it("remove on attr.sub removes only that sub-attribute, and the attribute once it is empty", () => {
    expect(attributes([{ op: "remove", path: "name.givenName" }])["name"]).toEqual({ familyName: "Jensen" });
    expect(
      attributes([
        { op: "remove", path: "name.givenName" },
        { op: "remove", path: "name.familyName" },
      ]),
    ).not.toHaveProperty("name");
  });

  it("replace on a complex attribute merges the sub-attributes it names (RFC 7644 §3.5.2.3)", () => {
    expect(attributes([{ op: "replace", path: "name", value: { givenName: "Babs" } }])["name"]).toEqual({
      givenName: "Babs",
      familyName: "Jensen",
    });
  });

  it("replace on a complex attribute clears a sub-attribute sent as null", () => {
    expect(attributes([{ op: "replace", path: "name", value: { givenName: null, middleName: "J" } }])["name"]).toEqual({
      familyName: "Jensen",
      middleName: "J",
    });
  });

  it("add on a complex attribute merges and ignores null sub-attributes", () => {
    expect(attributes([{ op: "add", path: "name", value: { givenName: null, middleName: "J" } }])["name"]).toEqual({
      givenName: "Barbara",
      familyName: "Jensen",
      middleName: "J",
    });
  });

  it("add on a URN-qualified extension attribute creates the extension object", () => {
    expect(attributes([{ op: "add", path: `${ENT}:department`, value: "Sales" }])[ENT]).toEqual({
      department: "Sales",
    });
  });

  it("replace on a URN-qualified extension sub-attribute sets it", () => {
    const start = { ...user, [ENT]: { manager: { value: "m1" }, department: "Ops" } };
    expect(attributes([{ op: "replace", path: `${ENT}:manager.value`, value: "m2" }], start)[ENT]).toEqual({
      manager: { value: "m2" },
      department: "Ops",
    });
  });

  it("remove of the last extension attribute drops the extension object", () => {
    const start = { ...user, [ENT]: { department: "Ops" } };
    expect(attributes([{ op: "remove", path: `${ENT}:department` }], start)).not.toHaveProperty(ENT);
  });

  it("a bare extension URN path takes an object of its attributes, and remove drops the extension", () => {
    const added = attributes([{ op: "add", path: ENT, value: { department: "Ops", employeeNumber: "7" } }]);
    expect(added[ENT]).toEqual({ department: "Ops", employeeNumber: "7" });
    expect(attributes([{ op: "remove", path: ENT }], added)).not.toHaveProperty(ENT);
  });

  it("a URN-qualified core attribute path writes the top-level attribute", () => {
    expect(attributes([{ op: "replace", path: `${URN.User}:title`, value: "CTO" }])["title"]).toBe("CTO");
  });

  it("a path-less replace sets each key, including an extension object", () => {
    const after = attributes([{ op: "replace", value: { title: "CTO", active: false, [ENT]: { department: "R&D" } } }]);
    expect(after).toMatchObject({ title: "CTO", active: false, [ENT]: { department: "R&D" } });
  });

  it("a path-less replace with a null key unassigns it, a path-less add ignores it", () => {
    expect(attributes([{ op: "replace", value: { title: null } }])).not.toHaveProperty("title");
    expect(attributes([{ op: "add", value: { title: null } }])["title"]).toBe("Eng");
  });

  it("writes externalId on a group", () => {
    expect(attributes([{ op: "add", path: "externalId", value: "e-1" }], { displayName: "G" }, "rfc", "Group")).toEqual(
      { displayName: "G", externalId: "e-1" },
    );
  });

  it("puts a password into the plan and never into attributes, with and without a path", () => {
    const withPath = plan([{ op: "replace", path: "password", value: "s3cret" }]).result;
    const pathless = plan([{ op: "replace", value: { password: "0ther" } }]).result;
    expect(withPath.ok && [withPath.value.password, withPath.value.attributes]).toEqual(["s3cret", user]);
    expect(pathless.ok && [pathless.value.password, "password" in pathless.value.attributes]).toEqual(["0ther", false]);
  });

  it("leaves the target's attributes object untouched", () => {
    const start = structuredClone(user);
    attributes(
      [
        { op: "replace", path: "name.givenName", value: "X" },
        { op: "remove", path: "title" },
      ],
      start,
    );
    expect(start).toEqual(user);
  });

  it("plans no member changes and no password for a plain attribute change", () => {
    const { result } = plan([{ op: "replace", path: "title", value: "X" }]);
    expect(result.ok && [result.value.memberChanges, "password" in result.value]).toEqual([[], false]);
  });
});
