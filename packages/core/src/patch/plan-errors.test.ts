import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const ENT = URN.EnterpriseUser;
const user: JsonObject = { userName: "bjensen", title: "Eng", [ENT]: { manager: { value: "m1" } } };

function plan(operations: unknown[], profile: ProfileName = "rfc", typeId = "User", attributes: JsonObject = user) {
  const tol = toleranceContext(profiles[profile]);
  return {
    result: planPatch(
      registry,
      { typeId, id: "id1", attributes },
      { schemas: [URN.PatchOp], Operations: operations },
      tol,
    ),
    tol,
  };
}
const failure = (
  operations: unknown[],
  profile: ProfileName = "rfc",
  typeId = "User",
  attributes: JsonObject = user,
) => {
  const { result } = plan(operations, profile, typeId, attributes);
  return result.ok
    ? { status: 200, scimType: "none", detail: "" }
    : { status: result.error.status, scimType: result.error.scimType, detail: result.error.detail };
};

describe("planPatch errors", () => {
  it.each([
    ["id", { op: "replace", path: "id", value: "x" }],
    ["meta", { op: "replace", path: "meta", value: { created: "2020-01-01T00:00:00Z" } }],
    ["meta.created", { op: "remove", path: "meta.created" }],
    ["groups", { op: "add", path: "groups", value: [{ value: "g1" }] }],
    ["a readOnly sub-attribute", { op: "replace", path: `${ENT}:manager.displayName`, value: "Boss" }],
    ["a path-less readOnly key", { op: "replace", value: { meta: {} } }],
    ["a path-less id that is not the resource's own", { op: "replace", value: { id: "other" } }],
  ])("answers 400 mutability for %s", (_, operation) => {
    expect(failure([operation])).toMatchObject({ status: 400, scimType: "mutability" });
  });

  it.each([
    ["remove userName", { op: "remove", path: "userName" }],
    ["replace userName with null", { op: "replace", path: "userName", value: null }],
    ["a path-less null userName", { op: "replace", value: { userName: null } }],
  ])("answers 400 mutability when a required attribute is unassigned: %s", (_, operation) => {
    expect(failure([operation])).toMatchObject({ status: 400, scimType: "mutability" });
  });

  it("answers 400 mutability when a group's displayName is removed", () => {
    expect(failure([{ op: "remove", path: "displayName" }], "rfc", "Group", { displayName: "G" })).toMatchObject({
      scimType: "mutability",
    });
  });

  it("answers 400 mutability when password is removed", () => {
    expect(failure([{ op: "remove", path: "password" }])).toMatchObject({ scimType: "mutability" });
  });

  it("answers 400 invalidPath for an unknown attribute under rfc", () => {
    expect(failure([{ op: "replace", path: "favouriteColour", value: "blue" }])).toMatchObject({
      status: 400,
      scimType: "invalidPath",
    });
  });

  it("answers 400 invalidPath for an unknown path-less key under rfc", () => {
    expect(failure([{ op: "replace", value: { title: "x", favouriteColour: "blue" } }])).toMatchObject({
      scimType: "invalidPath",
    });
  });

  it("answers 400 invalidPath for a malformed path, in every profile", () => {
    expect(failure([{ op: "replace", path: 'emails[type eq "work"', value: "x" }], "lenient")).toMatchObject({
      scimType: "invalidPath",
    });
  });

  it("answers 400 noTarget for remove without a path", () => {
    expect(failure([{ op: "remove" }])).toMatchObject({ status: 400, scimType: "noTarget" });
  });

  it.each([
    ["add without a value", { op: "add", path: "title" }],
    ["replace without a value", { op: "replace", path: "title" }],
    ["add with a null value", { op: "add", path: "title", value: null }],
    ["a path-less value that is not an object", { op: "replace", value: "x" }],
    ["a string for a boolean", { op: "replace", path: "active", value: "yes" }],
    ["a number for a string", { op: "replace", path: "title", value: 3 }],
    ["a list for a single-valued attribute", { op: "replace", path: "title", value: ["a"] }],
    ["a string for a complex value", { op: "add", path: "emails", value: ["a@b.example"] }],
    ["a non-string password", { op: "replace", path: "password", value: 1234 }],
    ["remove with a value under rfc", { op: "remove", path: "title", value: "Eng" }],
  ])("answers 400 invalidValue for %s", (_, operation) => {
    expect(failure([operation])).toMatchObject({ status: 400, scimType: "invalidValue" });
  });

  it("is atomic: an error in the third operation returns that error and no plan", () => {
    const start = structuredClone(user);
    const { result } = plan(
      [
        { op: "replace", path: "title", value: "CTO" },
        { op: "add", path: "nickName", value: "B" },
        { op: "remove", path: "userName" },
      ],
      "lenient",
      "User",
      start,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.detail).toMatch(/^Operations\[2\]: /);
    expect(start).toEqual(user);
  });

  it("names the failing operation in the error detail", () => {
    expect(
      failure([
        { op: "replace", path: "title", value: "x" },
        { op: "replace", path: "id", value: "y" },
      ]).detail,
    ).toContain("Operations[1]");
  });
});
