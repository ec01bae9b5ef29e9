import { describe, expect, it } from "vitest";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { URN } from "../schema/urns.js";
import { readPatchBody } from "./body.js";

const lenient = () => toleranceContext(profiles.lenient);
const rfc = () => toleranceContext(profiles.rfc);

describe("readPatchBody", () => {
  it("reads operations with their op, path and value", () => {
    const r = readPatchBody(
      { schemas: [URN.PatchOp], Operations: [{ op: "replace", path: "active", value: false }] },
      rfc(),
    );
    expect(r).toEqual({ ok: true, value: [{ op: "replace", path: "active", hasValue: true, value: false }] });
  });

  it("reads message attribute names case-insensitively", () => {
    const r = readPatchBody({ Schemas: [URN.PatchOp], operations: [{ Op: "add", Path: "title", Value: "x" }] }, rfc());
    expect(r.ok && r.value[0]).toEqual({ op: "add", path: "title", hasValue: true, value: "x" });
  });

  it("accepts a body without schemas", () => {
    expect(readPatchBody({ Operations: [{ op: "remove", path: "title" }] }, rfc()).ok).toBe(true);
  });

  it("refuses schemas that do not name the PatchOp message", () => {
    const r = readPatchBody({ schemas: [URN.User], Operations: [{ op: "remove", path: "title" }] }, lenient());
    expect(!r.ok && r.error.scimType).toBe("invalidSyntax");
  });

  it.each([
    ["a non-object body", []],
    ["a missing Operations", { schemas: [URN.PatchOp] }],
    ["an empty Operations", { schemas: [URN.PatchOp], Operations: [] }],
    ["Operations that is not an array", { Operations: { op: "add" } }],
    ["an operation without op", { Operations: [{ path: "title", value: "x" }] }],
    ["a numeric path", { Operations: [{ op: "remove", path: 3 }] }],
    ["an unknown op", { Operations: [{ op: "move", path: "title" }] }],
  ])("answers invalidSyntax for %s", (_, body) => {
    const r = readPatchBody(body, lenient());
    expect(!r.ok && r.error.status).toBe(400);
    expect(!r.ok && r.error.scimType).toBe("invalidSyntax");
  });

  it("reads capitalised op names and records the tolerance", () => {
    const tol = lenient();
    const r = readPatchBody(
      {
        Operations: [
          { op: "Replace", path: "title", value: "x" },
          { op: "REMOVE", path: "nickName" },
        ],
      },
      tol,
    );
    expect(r.ok && r.value.map((o) => o.op)).toEqual(["replace", "remove"]);
    expect(tol.fired).toEqual(["caseInsensitiveOp"]);
  });

  it("refuses capitalised op names under the rfc profile", () => {
    const r = readPatchBody({ Operations: [{ op: "Add", path: "title", value: "x" }] }, rfc());
    expect(!r.ok && r.error.scimType).toBe("invalidSyntax");
  });

  it("reads a null or empty path as no path", () => {
    const r = readPatchBody(
      {
        Operations: [
          { op: "replace", path: null, value: {} },
          { op: "replace", path: " ", value: {} },
        ],
      },
      rfc(),
    );
    expect(r.ok && r.value.map((o) => "path" in o)).toEqual([false, false]);
  });

  it("tells a null value from a missing one", () => {
    const r = readPatchBody(
      {
        Operations: [
          { op: "replace", path: "title", value: null },
          { op: "remove", path: "title" },
        ],
      },
      rfc(),
    );
    expect(r.ok && r.value.map((o) => o.hasValue)).toEqual([true, false]);
  });
});
