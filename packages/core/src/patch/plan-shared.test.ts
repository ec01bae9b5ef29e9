/**
 * Planning copies only the top of the stored attributes and shares the rest, so no operation may
 * write into a value it did not build. Every target here is deep-frozen: an edit in place throws.
 */
import { describe, expect, it } from "vitest";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject, JsonValue } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const ENT = URN.EnterpriseUser;

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner as JsonValue);
    Object.freeze(value);
  }
  return value;
}

const stored = (): JsonObject =>
  deepFreeze({
    userName: "bjensen",
    active: true,
    name: { givenName: "Barbara", familyName: "Jensen", middleName: "" },
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@home.example", type: "home" },
    ],
    phoneNumbers: [{ value: "555-1234", type: "work" }],
    addresses: [{ type: "work", streetAddress: "1 Main St", locality: "Springfield", primary: true }],
    roles: [],
    [ENT]: { department: "Eng", manager: { value: "m1", displayName: "Boss" }, costCenter: "42" },
  });

const plan = (operations: unknown[], attributes: JsonObject) =>
  planPatch(
    registry,
    { typeId: "User", id: "u1", attributes },
    { schemas: [URN.PatchOp], Operations: operations },
    toleranceContext(profiles.lenient),
  );

// Each operation changes something nested: a sub-attribute, a filtered element, an extension key.
const cases: [string, unknown[]][] = [
  ["path-less replace", [{ op: "replace", value: { active: false, displayName: "Babs" } }]],
  ["a sub-attribute", [{ op: "replace", path: "name.givenName", value: "Babs" }]],
  ["a complex merge", [{ op: "add", value: { name: { honorificPrefix: "Dr" } } }]],
  [
    "a filtered element's sub-attribute",
    [{ op: "replace", path: 'emails[type eq "work"].value', value: "b@x.example" }],
  ],
  ["a filtered removal", [{ op: "remove", path: 'emails[type eq "home"]' }]],
  ["a new primary", [{ op: "add", path: "emails", value: [{ value: "new@x.example", type: "other", primary: true }] }]],
  ["an element's sub-attribute removed", [{ op: "remove", path: 'addresses[type eq "work"].locality' }]],
  ["an extension attribute", [{ op: "replace", path: `${ENT}:department`, value: "Ops" }]],
  ["an extension sub-attribute", [{ op: "replace", path: `${ENT}:manager.value`, value: "m2" }]],
  ["an extension attribute removed", [{ op: "remove", path: `${ENT}:costCenter` }]],
  ["an extension as a path-less key", [{ op: "replace", value: { [`${ENT}:department`]: "Sales" } }]],
  ["an emptied extension", [{ op: "remove", path: ENT }]],
  ["every phone number", [{ op: "remove", path: "phoneNumbers" }]],
];

describe("planning a PATCH never edits the stored attributes it was handed", () => {
  it.each(cases)("%s", (_name, operations) => {
    const before = stored();
    const snapshot = JSON.stringify(before);
    const result = plan(operations, before);
    if (!result.ok) throw new Error(`${result.error.scimType}: ${result.error.detail}`);
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(result.value.attributes).not.toEqual(before);
  });

  it("gives the same attributes as planning on a private deep copy", () => {
    for (const [, operations] of cases) {
      const shared = plan(operations, stored());
      const copied = plan(operations, JSON.parse(JSON.stringify(stored())) as JsonObject);
      expect(shared.ok && copied.ok).toBe(true);
      if (shared.ok && copied.ok) expect(shared.value.attributes).toEqual(copied.value.attributes);
    }
  });

  it("prunes an empty value inside an untouched object without editing it", () => {
    const before = deepFreeze({ userName: "x", name: { givenName: "A", formatted: "" }, [ENT]: { manager: {} } });
    const result = plan([{ op: "replace", value: { active: true } }], before as JsonObject);
    if (!result.ok) throw new Error(result.error.detail);
    expect(result.value.attributes[ENT]).toBeUndefined();
    expect((before as JsonObject)[ENT]).toEqual({ manager: {} });
  });
});
