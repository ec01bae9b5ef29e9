import { describe, expect, it } from "vitest";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import { parsePatchPath, type PatchPath } from "./path.js";

const registry = new SchemaRegistry();
const parse = (text: string, typeId = "User", profile: keyof typeof profiles = "rfc") =>
  parsePatchPath(registry, typeId, text, toleranceContext(profiles[profile]));
const value = (text: string, typeId = "User"): PatchPath => {
  const r = parse(text, typeId);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};
const reason = (text: string, typeId = "User", profile: keyof typeof profiles = "rfc") => {
  const r = parse(text, typeId, profile);
  return r.ok ? "ok" : r.error.reason;
};

describe("parsePatchPath", () => {
  it("resolves an attribute name to its canonical definition, in any case", () => {
    const p = value("USERNAME");
    expect(p.kind === "attribute" && [p.ref.name, p.ref.sub]).toEqual(["userName", undefined]);
  });

  it("resolves attr.sub", () => {
    const p = value("name.givenname");
    expect(p.kind === "attribute" && [p.ref.name, p.ref.sub]).toEqual(["name", "givenName"]);
  });

  it("resolves URN-qualified core and extension attributes", () => {
    const core = value(`${URN.User}:userName`);
    const ext = value(`${URN.EnterpriseUser}:manager.value`);
    expect(core.kind === "attribute" && [core.ref.extension, core.ref.name]).toEqual([false, "userName"]);
    expect(ext.kind === "attribute" && [ext.ref.extension, ext.ref.schema, ext.ref.name, ext.ref.sub]).toEqual([
      true,
      URN.EnterpriseUser,
      "manager",
      "value",
    ]);
  });

  it("reads a bare extension URN as the whole extension", () => {
    const p = value(URN.EnterpriseUser);
    expect(p.kind === "schema" && [p.schema.id, p.extension]).toEqual([URN.EnterpriseUser, true]);
  });

  it("reads attr[filter] and attr[filter].sub", () => {
    const whole = value('emails[type eq "work"]');
    const sub = value('emails[type eq "work"].VALUE');
    expect(whole.kind === "filtered" && [whole.ref.name, whole.sub]).toEqual(["emails", undefined]);
    expect(sub.kind === "filtered" && [sub.ref.name, sub.sub?.sub]).toEqual(["emails", "value"]);
    expect(sub.kind === "filtered" && sub.filter.kind).toBe("compare");
  });

  it("reads a URN-qualified filtered path", () => {
    const p = value(`${URN.User}:emails[type eq "work"].value`);
    expect(p.kind === "filtered" && [p.ref.name, p.sub?.sub]).toEqual(["emails", "value"]);
  });

  it("keeps a ] or an escaped quote inside a quoted filter value", () => {
    const p = value('members[value eq "a]\\"b"]', "Group");
    expect(p.kind === "filtered" && p.filter.kind === "compare" && p.filter.value).toBe('a]"b');
  });

  it("reports an unknown attribute or schema as unknown", () => {
    expect(reason("nope")).toBe("unknown");
    expect(reason("name.nope")).toBe("unknown");
    expect(reason("urn:example:ext:1.0:User:thing")).toBe("unknown");
    expect(reason("nope[value eq 1]")).toBe("unknown");
  });

  it.each([
    ["an unclosed bracket", 'emails[type eq "work"'],
    ["text after the bracket", 'emails[type eq "work"]value'],
    ["a filter on a simple attribute", 'userName[value eq "x"]'],
    ["a filter after a sub-attribute", 'name.givenName[value eq "x"]'],
    ["three name segments", "name.givenName.x"],
    ["an invalid filter", "emails[type eq]"],
    ["an empty path", " "],
  ])("reports %s as malformed", (_, text) => {
    expect(reason(text)).toBe("malformed");
  });

  it("allows a value filter on the single-valued manager only when tolerance 9 is on", () => {
    const path = `${URN.EnterpriseUser}:manager[value eq "m1"]`;
    expect(reason(path, "User", "rfc")).toBe("malformed");
    expect(reason(path, "User", "entra")).toBe("ok");
  });
});
