import { describe, expect, it } from "vitest";
import { toleranceContext, type ToleranceName } from "../compat/tolerances.js";
import { attr } from "../schema/attribute.js";
import { SchemaRegistry } from "../schema/registry.js";
import { parseFilter, parseValueFilter } from "./parse.js";

const EXT = "urn:example:params:scim:schemas:extension:vault:2.0:User";
const registry = new SchemaRegistry([
  {
    resourceType: "User",
    schema: {
      id: EXT,
      name: "Vault",
      description: "test extension",
      attributes: [
        attr("secret", "string", { returned: "never", mutability: "writeOnly" }),
        attr("hash", "string", { returned: "never" }),
        attr("pin", "string", { returned: "request" }),
        attr("keys", "complex", {
          multiValued: true,
          subAttributes: [attr("value", "string"), attr("material", "string", { mutability: "writeOnly" })],
        }),
      ],
    },
  },
]);
const tol = () => toleranceContext(new Set<ToleranceName>());

const error = (text: string, type = "User"): string => {
  const r = parseFilter(registry, type, text, tol());
  if (r.ok) throw new Error(`expected ${text} to fail`);
  return r.error;
};
const value = (text: string): unknown => {
  const r = parseFilter(registry, "User", text, tol());
  if (!r.ok) throw new Error(r.error);
  if (r.value.kind !== "compare") throw new Error("expected a comparison");
  return r.value.value;
};

describe("filters on attributes a client can never read", () => {
  it("refuses writeOnly and returned:never attributes and sub-attributes, in every filter form", () => {
    expect(error(`${EXT}:secret eq "s"`)).toMatch(/"urn:.*:secret" is never returned/);
    expect(error(`${EXT}:hash pr`)).toMatch(/hash" is never returned/);
    expect(error(`${EXT}:keys.material sw "a"`)).toMatch(/keys.material" is never returned/);
    expect(error(`${EXT}:keys[material eq "a"]`)).toMatch(/keys\[material\]" is never returned/);
    expect(error(`userName eq "a" or not (${EXT}:secret pr)`)).toMatch(/never returned/);
    expect(error('password eq "x"')).toMatch(/"password" is never returned/);
  });

  it("still accepts returned:request attributes and the readable sub-attributes beside a hidden one", () => {
    expect(value(`${EXT}:pin eq "1"`)).toBe("1");
    expect(value(`${EXT}:keys.value eq "k"`)).toBe("k");
  });

  it("refuses them in PATCH value filters too", () => {
    const keys = registry.resolve("User", `${EXT}:keys`);
    if (!keys.ok) throw new Error(keys.error);
    const r = parseValueFilter(registry, "User", keys.value, 'material eq "a"', tol());
    expect(r.ok ? "parsed" : r.error).toMatch(/never returned/);
  });
});

describe("filters on derived values", () => {
  it("refuses User groups in every form, naming the attribute and the alternative", () => {
    for (const f of ['groups.value eq "g"', "groups pr", 'groups[display eq "G"]', 'groups eq "g"']) {
      expect(error(f)).toMatch(/is derived from Group membership .*members\.value/);
    }
  });

  it("refuses meta.location and members.$ref, which are built from the request URL", () => {
    expect(error("meta.location pr")).toMatch(/"meta.location" is derived from the request URL/);
    expect(error('meta[location eq "x"]', "Group")).toMatch(/meta\[location\]" is derived/);
    expect(error('members.$ref eq "https://x/Users/1"', "Group")).toMatch(/"members.\$ref" is derived/);
  });

  it("leaves PATCH value filters on members alone", () => {
    const members = registry.resolve("Group", "members");
    if (!members.ok) throw new Error(members.error);
    expect(parseValueFilter(registry, "Group", members.value, 'value eq "u1"', tol()).ok).toBe(true);
  });
});

describe("meta.version", () => {
  it("unwraps the weak entity tag a client sees into the bare revision every store keeps", () => {
    expect(value('meta.version eq "W/\\"3\\""')).toBe("3");
    expect(value('meta.version ne "W/\\"12\\""')).toBe("12");
    expect(value("meta.version eq null")).toBeNull();
  });

  it("refuses other literals and ordering or substring operators", () => {
    expect(error('meta.version eq "3"')).toMatch(/entity tag as the server returns it/);
    expect(error('meta.version eq "w/\\"3\\""')).toMatch(/entity tag/);
    expect(error('meta.version gt "W/\\"3\\""')).toMatch(/versions are opaque/);
    expect(error('meta.version sw "W/"')).toMatch(/versions are opaque/);
  });

  it("accepts meta.version pr", () => {
    const r = parseFilter(registry, "User", "meta.version pr", tol());
    expect(r.ok && r.value.kind).toBe("present");
  });
});
