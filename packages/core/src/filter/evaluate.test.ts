import { describe, expect, it } from "vitest";
import { toleranceContext, type ToleranceName } from "../compat/tolerances.js";
import { attr } from "../schema/attribute.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { JsonObject } from "../store/types.js";
import { resourceView } from "../store/view.js";
import type { Filter } from "./ast.js";
import { evaluateFilter, matchesValue, sortValue } from "./evaluate.js";
import { parseFilter, parseValueFilter } from "./parse.js";

const EXT = "urn:example:params:scim:schemas:extension:acme:1.0:User";
const registry = new SchemaRegistry([
  {
    resourceType: "User",
    schema: {
      id: EXT,
      name: "Acme",
      description: "test",
      attributes: [attr("level", "integer"), attr("tags", "string", { multiValued: true })],
    },
  },
]);
const tol = () => toleranceContext(new Set<ToleranceName>(["legacyFilterForms", "stringBooleans"]));

function filter(text: string, type = "User"): Filter {
  const r = parseFilter(registry, type, text, tol());
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const babs: JsonObject = {
  id: "2819c223-7f76-453a-919d-413861904646",
  userName: "Bjensen@Example.com",
  externalId: "bjensen",
  title: "Tour Guide",
  active: true,
  name: { familyName: "Jensen", givenName: "Barbara" },
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  [URN.EnterpriseUser]: { department: "Tour Operations", manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" } },
  [EXT]: { level: 7, tags: ["Blue", "green"] },
  meta: {
    resourceType: "User",
    created: "2011-08-01T18:29:49.793Z",
    lastModified: "2011-08-01T20:00:00+02:00",
    version: "3",
  },
};
const bare: JsonObject = {
  id: "u2",
  userName: "nobody",
  active: false,
  title: "",
  emails: [],
  meta: { resourceType: "User", created: "2020-01-01T00:00:00Z", lastModified: "2020-01-01T00:00:00Z", version: "1" },
};

const matches = (text: string, view: JsonObject = babs, type = "User") => evaluateFilter(filter(text, type), view);

describe("evaluateFilter: strings", () => {
  it("compares case-insensitively unless the attribute is caseExact", () => {
    expect(matches('userName eq "bjensen@example.com"')).toBe(true);
    expect(matches('externalId eq "BJENSEN"')).toBe(false);
    expect(matches('externalId eq "bjensen"')).toBe(true);
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
  });

  it("implements co, sw and ew on folded strings", () => {
    expect(matches('title co "UR g"')).toBe(true);
    expect(matches('title sw "tour"')).toBe(true);
    expect(matches('title ew "GUIDE"')).toBe(true);
    expect(matches('title sw "guide"')).toBe(false);
    expect(matches('externalId co "JEN"')).toBe(false);
  });

  it("orders strings with gt, ge, lt and le", () => {
    expect(matches('title gt "tour"')).toBe(true);
    expect(matches('title lt "tour"')).toBe(false);
    expect(matches('title ge "TOUR GUIDE"')).toBe(true);
    expect(matches('title le "tour guide"')).toBe(true);
  });

  it("treats ne on a missing attribute as true and on an equal value as false", () => {
    expect(matches('nickName ne "x"')).toBe(true);
    expect(matches('title ne "tour guide"')).toBe(false);
    expect(matches('title ne "other"')).toBe(true);
  });

  it("never matches eq on a missing attribute", () => {
    expect(matches('nickName eq "x"')).toBe(false);
  });

  it("reads sub-attributes of single-valued complex attributes", () => {
    expect(matches('name.familyName eq "JENSEN"')).toBe(true);
    expect(matches("name.middleName pr")).toBe(false);
  });

  it("compares against null as absence", () => {
    expect(matches("nickName eq null")).toBe(true);
    expect(matches("title eq null")).toBe(false);
    expect(matches("title ne null")).toBe(true);
  });
});

describe("evaluateFilter: other types", () => {
  it("compares dateTimes as instants, whatever the zone offset", () => {
    expect(matches('meta.lastModified eq "2011-08-01T18:00:00Z"')).toBe(true);
    expect(matches('meta.lastModified gt "2011-08-01T17:59:59Z"')).toBe(true);
    expect(matches('meta.lastModified lt "2011-08-01T18:00:00Z"')).toBe(false);
    expect(matches('meta.created ge "2011-08-01"')).toBe(true);
    expect(matches('meta.created le "2011-08-01T18:29:49.793Z"')).toBe(true);
    expect(matches('meta.created lt "2011-08-01T18:29:49.793Z"')).toBe(false);
  });

  it("compares numbers numerically", () => {
    expect(matches(`${EXT}:level gt 6.5`)).toBe(true);
    expect(matches(`${EXT}:level ge 7 and ${EXT}:level le 7`)).toBe(true);
    expect(matches(`${EXT}:level lt 7`)).toBe(false);
    expect(matches(`${EXT}:level eq 10`)).toBe(false);
  });

  it("compares booleans by equality, including tolerated string forms", () => {
    expect(matches("active eq true")).toBe(true);
    expect(matches("active eq False")).toBe(false);
    expect(matches('active ne "false"')).toBe(true);
    expect(matches("active eq false", bare)).toBe(true);
  });

  it("reads extension attributes under their URN", () => {
    expect(matches(`${URN.EnterpriseUser}:department eq "tour operations"`)).toBe(true);
    expect(matches(`${URN.EnterpriseUser}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(matches(`${URN.EnterpriseUser}:department pr`, bare)).toBe(false);
  });
});

describe("evaluateFilter: presence", () => {
  it("treats absent, null, empty strings, empty arrays and empty objects as not present", () => {
    expect(matches("title pr")).toBe(true);
    expect(matches("title pr", bare)).toBe(false);
    expect(matches("emails pr", bare)).toBe(false);
    expect(matches("name pr", { ...bare, name: {} })).toBe(false);
    expect(matches("name pr", { ...bare, name: { givenName: null } })).toBe(false);
    expect(matches("nickName pr", { ...bare, nickName: null })).toBe(false);
    expect(matches("emails pr")).toBe(true);
  });
});

describe("evaluateFilter: multi-valued attributes", () => {
  it("matches when any value satisfies the comparison", () => {
    expect(matches('emails.value eq "BABS@jensen.org"')).toBe(true);
    expect(matches('emails.type eq "other"')).toBe(false);
    expect(matches('emails co "jensen.org"')).toBe(true);
  });

  it("matches simple multi-valued attributes by any element", () => {
    expect(matches(`${EXT}:tags eq "blue"`)).toBe(true);
    expect(matches(`${EXT}:tags eq "red"`)).toBe(false);
  });

  it("requires one element to satisfy the whole value filter", () => {
    expect(matches('emails[type eq "work" and value co "example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and value co "example.com"]')).toBe(false);
    // Split across two elements, the same conditions do match: that is what a value filter prevents.
    expect(matches('emails.type eq "home" and emails.value co "example.com"')).toBe(true);
  });

  it('evaluates Entra\'s emails[type eq "work"].value eq form against one email', () => {
    expect(matches('emails[type eq "work"].value eq "bjensen@example.com"')).toBe(true);
    expect(matches('emails[type eq "work"].value eq "babs@jensen.org"')).toBe(false);
  });

  it("evaluates nested logic and not inside a value filter", () => {
    expect(matches('emails[not (type eq "work") and (primary eq true or value ew ".org")]')).toBe(true);
    expect(matches('emails[not (type eq "work") and primary eq true]')).toBe(false);
  });

  it("finds Group members by value, through resourceView", () => {
    const group = resourceView({
      id: "g1",
      resourceType: "Group",
      attributes: { displayName: "Admins" },
      internal: {},
      uniqueKey: null,
      created: "2024-01-01T00:00:00Z",
      lastModified: "2024-01-01T00:00:00Z",
      version: 1,
      members: [
        { value: "u1", type: "User", display: "One" },
        { value: 'a"b', type: "User" },
      ],
    });
    expect(evaluateFilter(filter('members[value eq "a\\"b"]', "Group"), group)).toBe(true);
    expect(evaluateFilter(filter('members.value eq "U1"', "Group"), group)).toBe(false);
    expect(evaluateFilter(filter('members.value eq "u1" and meta.resourceType eq "Group"', "Group"), group)).toBe(true);
  });
});

describe("evaluateFilter: logic", () => {
  it("combines and, or and not with and binding tighter", () => {
    expect(matches('title eq "x" or title pr and active eq false')).toBe(false);
    expect(matches('(title eq "x" or title pr) and active eq true')).toBe(true);
    expect(matches('not (userName eq "nobody")')).toBe(true);
    expect(matches('not (userName eq "nobody")', bare)).toBe(false);
  });

  it("gives the same answer when the same AST is evaluated again", () => {
    const f = filter('emails[type eq "work"]');
    expect([evaluateFilter(f, babs), evaluateFilter(f, bare), evaluateFilter(f, babs)]).toEqual([true, false, true]);
  });
});

describe("matchesValue", () => {
  const members = registry.resolve("Group", "members");
  const emails = registry.resolve("User", "emails");
  if (!members.ok || !emails.ok) throw new Error("registry");
  const inner = (within: typeof members.value, text: string, type = "Group") => {
    const r = parseValueFilter(registry, type, within, text, tol());
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it("tests one element of a multi-valued attribute", () => {
    const f = inner(members.value, 'value eq "u1"');
    expect(matchesValue(f, { value: "u1", type: "User" })).toBe(true);
    expect(matchesValue(f, { value: "U1", type: "User" })).toBe(false);
  });

  it("reads a plain string element as its own value", () => {
    expect(matchesValue(inner(members.value, 'value eq "u1"'), "u1")).toBe(true);
  });

  it("honours ne, pr and not on the element", () => {
    const el = { value: "a@x.com", type: "work" };
    expect(matchesValue(inner(emails.value, 'display ne "x"', "User"), el)).toBe(true);
    expect(matchesValue(inner(emails.value, "display pr", "User"), el)).toBe(false);
    expect(matchesValue(inner(emails.value, 'not (type eq "WORK")', "User"), el)).toBe(false);
    expect(matchesValue(inner(emails.value, 'primary eq "True"', "User"), { ...el, primary: true })).toBe(true);
  });
});

describe("sortValue", () => {
  const ref = (path: string) => {
    const r = registry.resolve("User", path);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it("reads single-valued attributes and sub-attributes", () => {
    expect(sortValue(ref("userName"), babs)).toBe("Bjensen@Example.com");
    expect(sortValue(ref("name.familyName"), babs)).toBe("Jensen");
    expect(sortValue(ref("meta.created"), babs)).toBe("2011-08-01T18:29:49.793Z");
    expect(sortValue(ref(`${URN.EnterpriseUser}:department`), babs)).toBe("Tour Operations");
  });

  it("uses the primary value of a multi-valued attribute, else the first", () => {
    const emails = [
      { value: "b@x", type: "home" },
      { value: "a@x", type: "work", primary: true },
    ];
    expect(sortValue(ref("emails"), { ...bare, emails })).toBe("a@x");
    expect(sortValue(ref("emails.type"), { ...bare, emails })).toBe("work");
    expect(sortValue(ref("emails.value"), { ...bare, emails: [{ value: "b@x" }, { value: "a@x" }] })).toBe("b@x");
    expect(sortValue(ref(`${EXT}:tags`), babs)).toBe("Blue");
  });

  it("returns undefined when there is no value", () => {
    expect(sortValue(ref("nickName"), babs)).toBeUndefined();
    expect(sortValue(ref("emails.value"), bare)).toBeUndefined();
    expect(sortValue(ref("nickName"), { ...bare, nickName: null })).toBeUndefined();
  });
});
