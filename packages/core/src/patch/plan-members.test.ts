import { describe, expect, it } from "vitest";
import { profiles, type ProfileName } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { planPatch } from "./plan.js";

const registry = new SchemaRegistry();
const group: JsonObject = { displayName: "Admins" };

function plan(operations: unknown[], profile: ProfileName = "rfc") {
  const tol = toleranceContext(profiles[profile]);
  const result = planPatch(
    registry,
    { typeId: "Group", id: "g1", attributes: group },
    { schemas: [URN.PatchOp], Operations: operations },
    tol,
  );
  return { result, tol };
}
function changes(operations: unknown[], profile: ProfileName = "rfc") {
  const { result } = plan(operations, profile);
  if (!result.ok) throw new Error(`${result.error.scimType}: ${result.error.detail}`);
  expect(result.value.attributes).not.toHaveProperty("members");
  return result.value.memberChanges;
}
const scimType = (operations: unknown[], profile: ProfileName = "rfc") => {
  const { result } = plan(operations, profile);
  return result.ok ? "ok" : result.error.scimType;
};

describe("planPatch on Group members", () => {
  it("add becomes an add of just the members sent, with display and type", () => {
    expect(
      changes([
        {
          op: "add",
          path: "members",
          value: [
            { value: "u1", display: "Ann" },
            { value: "g2", type: "Group" },
          ],
        },
      ]),
    ).toEqual([
      {
        op: "add",
        members: [
          { value: "u1", display: "Ann", type: undefined },
          { value: "g2", display: undefined, type: "Group" },
        ],
      },
    ]);
  });

  it('ignores "$ref": null in a member value', () => {
    expect(changes([{ op: "add", path: "members", value: [{ $ref: null, value: "u1" }] }])).toEqual([
      { op: "add", members: [{ value: "u1", display: undefined, type: undefined }] },
    ]);
  });

  it("add with an empty list plans nothing", () => {
    expect(changes([{ op: "add", path: "members", value: [] }])).toEqual([]);
  });

  it('remove with members[value eq "id"] removes that id', () => {
    expect(changes([{ op: "remove", path: 'members[value eq "u1"]' }])).toEqual([
      { op: "remove", ids: ["u1"], filtered: true },
    ]);
  });

  it("remove with an or-list of ids removes those ids", () => {
    expect(changes([{ op: "remove", path: 'members[value eq "u1" or value eq "u2"]' }])).toEqual([
      { op: "remove", ids: ["u1", "u2"], filtered: true },
    ]);
  });

  it("remove with an id holding an escaped quote keeps the id exact", () => {
    expect(changes([{ op: "remove", path: 'members[value eq "a\\"b"]' }])).toEqual([
      { op: "remove", ids: ['a"b'], filtered: true },
    ]);
  });

  it("remove with any other member filter hands the filter to the engine", () => {
    const [change] = changes([{ op: "remove", path: 'members[type eq "Group"]' }]);
    expect(change?.op).toBe("removeWhere");
    expect(change?.op === "removeWhere" && change.filter.kind).toBe("compare");
  });

  it("remove without a value removes every member", () => {
    expect(changes([{ op: "remove", path: "members" }])).toEqual([{ op: "removeAll" }]);
  });

  it("replace with a list replaces the members", () => {
    expect(changes([{ op: "replace", path: "members", value: [{ value: "u9" }] }])).toEqual([
      { op: "replace", members: [{ value: "u9", display: undefined, type: undefined }] },
    ]);
  });

  it("replace with [] clears the members (tolerance 18, RFC behaviour)", () => {
    const { result, tol } = plan([{ op: "replace", path: "members", value: [] }]);
    expect(result.ok && result.value.memberChanges).toEqual([{ op: "replace", members: [] }]);
    expect(tol.fired).toContain("replaceMembersEmptyClears");
  });

  it("replace with null removes every member", () => {
    expect(changes([{ op: "replace", path: "members", value: null }])).toEqual([{ op: "removeAll" }]);
  });

  it("replace on a filtered members path removes the matched members and adds the value", () => {
    expect(changes([{ op: "replace", path: 'members[value eq "u1"]', value: [{ value: "u2" }] }])).toEqual([
      { op: "remove", ids: ["u1"], filtered: true },
      { op: "add", members: [{ value: "u2", display: undefined, type: undefined }] },
    ]);
  });

  it("a path-less value with members plans a member change next to the attribute change", () => {
    const { result } = plan([{ op: "replace", value: { displayName: "Ops", members: [{ value: "u1" }] } }]);
    expect(result.ok && result.value.attributes).toEqual({ displayName: "Ops" });
    expect(result.ok && result.value.memberChanges).toEqual([
      { op: "replace", members: [{ value: "u1", display: undefined, type: undefined }] },
    ]);
  });

  it("keeps member changes in request order", () => {
    expect(
      changes([
        { op: "add", path: "members", value: [{ value: "u1" }] },
        { op: "remove", path: 'members[value eq "u2"]' },
        { op: "add", path: "members", value: [{ value: "u3" }] },
      ]).map((c) => c.op),
    ).toEqual(["add", "remove", "add"]);
  });

  it.each([
    ["a member sub-attribute path", { op: "replace", path: "members.display", value: "x" }, "mutability"],
    [
      "a filtered member sub-attribute path",
      { op: "replace", path: 'members[value eq "u1"].display', value: "x" },
      "mutability",
    ],
    [
      "add on a filtered members path",
      { op: "add", path: 'members[value eq "u1"]', value: [{ value: "u1" }] },
      "invalidPath",
    ],
    ["a member without a value", { op: "add", path: "members", value: [{ display: "x" }] }, "invalidValue"],
  ])("refuses %s", (_, operation, expected) => {
    expect(scimType([operation])).toBe(expected);
  });
});
