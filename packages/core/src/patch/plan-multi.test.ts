import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const user: JsonObject = {
  userName: "bjensen",
  emails: [
    { value: "b@work.example", type: "work", primary: true },
    { value: "b@home.example", type: "home" },
  ],
};

function plan(operations: unknown[], attributes: JsonObject = user, profile: ProfileName = "rfc") {
  return planPatch(
    registry,
    { typeId: "User", id: "id1", attributes },
    { schemas: [URN.PatchOp], Operations: operations },
    toleranceContext(profiles[profile]),
  );
}
function attributes(operations: unknown[], start: JsonObject = user, profile: ProfileName = "rfc"): JsonObject {
  const result = plan(operations, start, profile);
  if (!result.ok) throw new Error(`${result.error.scimType}: ${result.error.detail}`);
  return result.value.attributes;
}
const scimType = (operations: unknown[], start: JsonObject = user, profile: ProfileName = "rfc") => {
  const result = plan(operations, start, profile);
  return result.ok ? "ok" : result.error.scimType;
};

describe("planPatch on multi-valued attributes", () => {
  it("add appends a new value", () => {
    const after = attributes([{ op: "add", path: "emails", value: [{ value: "b@other.example", type: "other" }] }]);
    expect(after["emails"]).toEqual([...(user["emails"] as JsonObject[]), { value: "b@other.example", type: "other" }]);
  });

  it("add does not duplicate a value that is already there, compared case-insensitively", () => {
    const after = attributes([{ op: "add", path: "emails", value: [{ value: "B@HOME.example", type: "home" }] }]);
    expect(after["emails"]).toHaveLength(2);
  });

  it("add of an existing value with more sub-attributes updates it in place", () => {
    const after = attributes([{ op: "add", path: "emails", value: [{ value: "b@home.example", display: "Home" }] }]);
    expect(after["emails"]).toEqual([
      user["emails"] && (user["emails"] as JsonObject[])[0],
      { value: "b@home.example", type: "home", display: "Home" },
    ]);
  });

  it("add of a primary value clears primary on the others", () => {
    const after = attributes([
      { op: "add", path: "emails", value: [{ value: "n@work.example", type: "work", primary: true }] },
    ]);
    expect((after["emails"] as JsonObject[]).map((e) => e["primary"])).toEqual([false, undefined, true]);
  });

  it("add reads a lone value as a one-element list", () => {
    const after = attributes([{ op: "add", path: "phoneNumbers", value: { value: "555", type: "work" } }]);
    expect(after["phoneNumbers"]).toEqual([{ value: "555", type: "work" }]);
  });

  it("replace swaps the whole list", () => {
    expect(attributes([{ op: "replace", path: "emails", value: [{ value: "x@y.example" }] }])["emails"]).toEqual([
      { value: "x@y.example" },
    ]);
  });

  it("replace with an empty list or null unassigns the attribute", () => {
    expect(attributes([{ op: "replace", path: "emails", value: [] }])).not.toHaveProperty("emails");
    expect(attributes([{ op: "replace", path: "emails", value: null }])).not.toHaveProperty("emails");
  });

  it("remove without a filter removes every value", () => {
    expect(attributes([{ op: "remove", path: "emails" }])).not.toHaveProperty("emails");
  });

  it("replace on attr.sub without a filter sets it on every value", () => {
    expect(
      (attributes([{ op: "replace", path: "emails.display", value: "E" }])["emails"] as JsonObject[]).map(
        (e) => e["display"],
      ),
    ).toEqual(["E", "E"]);
  });

  it("attr.sub without a filter on an unassigned list is noTarget", () => {
    expect(scimType([{ op: "replace", path: "emails.value", value: "x" }], { userName: "u" })).toBe("noTarget");
  });

  it("replace with a filter merges the value into the matched values only", () => {
    const after = attributes([
      { op: "replace", path: 'emails[type eq "home"]', value: { value: "new@home.example", display: "H" } },
    ]);
    expect(after["emails"]).toEqual([
      (user["emails"] as JsonObject[])[0],
      { value: "new@home.example", type: "home", display: "H" },
    ]);
  });

  it("replace on attr[filter].sub replaces that sub-attribute of the matched values", () => {
    const after = attributes([{ op: "replace", path: 'emails[type eq "work"].value', value: "new@work.example" }]);
    expect(after["emails"]).toEqual([
      { value: "new@work.example", type: "work", primary: true },
      (user["emails"] as JsonObject[])[1],
    ]);
  });

  it("add on attr[filter].sub sets the sub-attribute of the matched values", () => {
    const after = attributes([{ op: "add", path: 'emails[value eq "b@home.example"].display', value: "Home" }]);
    expect((after["emails"] as JsonObject[])[1]).toEqual({ value: "b@home.example", type: "home", display: "Home" });
  });

  it("setting primary through a filter clears it on the other values", () => {
    const after = attributes([{ op: "replace", path: 'emails[type eq "home"].primary', value: true }]);
    expect((after["emails"] as JsonObject[]).map((e) => e["primary"])).toEqual([false, true]);
  });

  it("remove with a filter removes the matched values", () => {
    expect(attributes([{ op: "remove", path: 'emails[type eq "home"]' }])["emails"]).toEqual([
      (user["emails"] as JsonObject[])[0],
    ]);
  });

  it("remove with a filter matching every value unassigns the attribute", () => {
    expect(attributes([{ op: "remove", path: "emails[value pr]" }])).not.toHaveProperty("emails");
  });

  it("remove on attr[filter].sub removes that sub-attribute of the matched values", () => {
    expect(
      (attributes([{ op: "remove", path: 'emails[type eq "work"].primary' }])["emails"] as JsonObject[])[0],
    ).toEqual({ value: "b@work.example", type: "work" });
  });

  it("replace with a filter and null removes the matched values", () => {
    expect(attributes([{ op: "replace", path: 'emails[type eq "home"]', value: null }])["emails"]).toHaveLength(1);
  });

  it.each([
    ["replace", { op: "replace", path: 'emails[type eq "other"].value', value: "x" }],
    ["add", { op: "add", path: 'emails[type eq "other"].value', value: "x" }],
    ["remove", { op: "remove", path: 'emails[type eq "other"]' }],
    ["remove of a sub-attribute", { op: "remove", path: 'emails[type eq "other"].display' }],
  ])("%s with a filter that matches nothing is noTarget", (_, operation) => {
    expect(scimType([operation])).toBe("noTarget");
  });

  it("a filter on an unassigned attribute is noTarget under rfc", () => {
    expect(scimType([{ op: "replace", path: 'addresses[type eq "work"].formatted', value: "1 Main St" }])).toBe(
      "noTarget",
    );
  });

  it("sub-attribute values are type-checked", () => {
    expect(scimType([{ op: "replace", path: 'emails[type eq "work"].primary', value: "yes" }])).toBe("invalidValue");
  });
});
