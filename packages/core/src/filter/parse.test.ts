import { describe, expect, it } from "vitest";
import { toleranceContext, type ToleranceName } from "../compat/tolerances.js";
import { attr } from "../schema/attribute.js";
import { SchemaRegistry } from "../schema/registry.js";
import { URN } from "../schema/urns.js";
import type { Filter } from "./ast.js";
import { parseFilter, parseValueFilter } from "./parse.js";

const EXT = "urn:example:params:scim:schemas:extension:acme:1.0:User";
const registry = new SchemaRegistry([
  {
    resourceType: "User",
    schema: {
      id: EXT,
      name: "Acme",
      description: "test extension",
      attributes: [attr("level", "integer"), attr("score", "decimal"), attr("badges", "string", { multiValued: true })],
    },
  },
]);

const strict = () => toleranceContext(new Set<ToleranceName>());
const lenient = () => toleranceContext(new Set<ToleranceName>(["legacyFilterForms", "stringBooleans"]));

/** A compact rendering of the AST, so precedence and normalisation read at a glance. */
function show(f: Filter, inside = false): string {
  switch (f.kind) {
    case "compare":
    case "present": {
      const a = f.attr;
      const path = inside ? (a.sub ?? "?") : `${a.extension ? `${a.schema}:` : ""}${a.name}${a.sub ? `.${a.sub}` : ""}`;
      return f.kind === "present" ? `${path} pr` : `${path} ${f.op} ${JSON.stringify(f.value)}`;
    }
    case "and":
    case "or":
      return `(${f.filters.map((x) => show(x, inside)).join(` ${f.kind} `)})`;
    case "not":
      return `not ${show(f.filter, inside)}`;
    case "valuePath":
      return `${f.attr.name}[${show(f.filter, true)}]`;
  }
}

function parsed(text: string, type = "User", tol = strict()): string {
  const r = parseFilter(registry, type, text, tol);
  if (!r.ok) throw new Error(`expected ${text} to parse, got: ${r.error}`);
  return show(r.value);
}

function failure(text: string, type = "User", tol = strict()): string {
  const r = parseFilter(registry, type, text, tol);
  if (r.ok) throw new Error(`expected ${text} to fail, got ${show(r.value)}`);
  return r.error;
}

describe("parseFilter: attributes and operators", () => {
  it("resolves attribute names case-insensitively to their canonical spelling", () => {
    expect(parsed('USERNAME eq "bjensen"')).toBe('userName eq "bjensen"');
    expect(parsed('name.FAMILYNAME eq "J"')).toBe('name.familyName eq "J"');
  });

  it.each(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"])(
    "accepts the %s operator on a string attribute",
    (op) => {
      expect(parsed(`title ${op} "x"`)).toBe(`title ${op} "x"`);
    },
  );

  it("reads operators and logical words in any case", () => {
    expect(parsed('userName EQ "a" AND NOT (title Co "b") Or title PR')).toBe(
      '((userName eq "a" and not title co "b") or title pr)',
    );
  });

  it("parses pr on simple, complex and sub-attributes", () => {
    expect(parsed("title pr")).toBe("title pr");
    expect(parsed("emails pr")).toBe("emails pr");
    expect(parsed("name.givenName pr")).toBe("name.givenName pr");
  });

  it("resolves common attributes: id, externalId and meta sub-attributes", () => {
    const r = parseFilter(
      registry,
      "User",
      'id eq "U1" and externalId eq "e" and meta.resourceType eq "User"',
      strict(),
    );
    expect(r.ok && show(r.value)).toBe('(id eq "U1" and externalId eq "e" and meta.resourceType eq "User")');
    const id = r.ok && r.value.kind === "and" ? r.value.filters[0] : undefined;
    expect(id?.kind === "compare" && id.attr.leaf.caseExact).toBe(true);
  });

  it("compares a dateTime with a timestamp", () => {
    expect(parsed('meta.lastModified gt "2020-01-01T00:00:00Z"')).toBe('meta.lastModified gt "2020-01-01T00:00:00Z"');
  });

  it("resolves URN-qualified extension attributes and marks them as extension attributes", () => {
    const r = parseFilter(registry, "User", `${URN.EnterpriseUser}:department eq "Sales"`, strict());
    if (!r.ok || r.value.kind !== "compare") throw new Error("expected a comparison");
    expect(r.value.attr).toMatchObject({ schema: URN.EnterpriseUser, extension: true, name: "department" });
    expect(parsed(`${URN.EnterpriseUser}:manager.value eq "m1"`)).toBe(`${URN.EnterpriseUser}:manager.value eq "m1"`);
  });

  it("resolves a URN-qualified core attribute as a core attribute", () => {
    expect(parsed(`${URN.User}:userName eq "a"`)).toBe('userName eq "a"');
  });

  it("resolves members for Groups, and refuses the derived groups of Users rather than match nothing", () => {
    expect(parsed('members.value eq "u1"', "Group")).toBe('members.value eq "u1"');
    expect(parsed('members[value eq "u1"]', "Group")).toBe('members[value eq "u1"]');
    expect(failure('groups.value eq "g1"')).toMatch(/"groups.value" is derived from Group membership/);
  });

  it("reads a complex attribute compared as a whole as its value sub-attribute (RFC 7643 §2.4)", () => {
    expect(parsed('emails eq "a@x.com"')).toBe('emails.value eq "a@x.com"');
    expect(parsed(`${URN.EnterpriseUser}:manager eq "m1"`)).toBe(`${URN.EnterpriseUser}:manager.value eq "m1"`);
  });

  it("keeps numbers, including negative ones followed by more filter", () => {
    expect(parsed(`${EXT}:level gt -5 and ${EXT}:level le 10`)).toBe(`(${EXT}:level gt -5 and ${EXT}:level le 10)`);
    expect(parsed(`(${EXT}:score ge 1.5e2)`)).toBe(`${EXT}:score ge 150`);
  });
});

describe("parseFilter: logic", () => {
  it("binds and tighter than or", () => {
    expect(parsed('title eq "a" or title eq "b" and title eq "c"')).toBe(
      '(title eq "a" or (title eq "b" and title eq "c"))',
    );
    expect(parsed('title eq "a" and title eq "b" or title eq "c"')).toBe(
      '((title eq "a" and title eq "b") or title eq "c")',
    );
  });

  it("lets parentheses override precedence", () => {
    expect(parsed('(title eq "a" or title eq "b") and title eq "c"')).toBe(
      '((title eq "a" or title eq "b") and title eq "c")',
    );
  });

  it("flattens chains of the same operator into one list", () => {
    const r = parseFilter(
      registry,
      "User",
      'title eq "a" and (title eq "b" and title eq "c") and title eq "d"',
      strict(),
    );
    expect(r.ok && r.value.kind === "and" && r.value.filters.length).toBe(4);
  });

  it("negates with not, which binds tighter than and", () => {
    expect(parsed('not (title eq "a") and title eq "b"')).toBe('(not title eq "a" and title eq "b")');
    expect(parsed('not (title eq "a" or title eq "b")')).toBe('not (title eq "a" or title eq "b")');
  });
});

describe("parseFilter: value filters", () => {
  it("parses a value filter whose references name the attribute and a sub-attribute", () => {
    const r = parseFilter(registry, "User", 'emails[type eq "work" and value co "@x"]', strict());
    if (!r.ok || r.value.kind !== "valuePath" || r.value.filter.kind !== "and")
      throw new Error("expected a value path");
    expect(show(r.value)).toBe('emails[(type eq "work" and value co "@x")]');
    const first = r.value.filter.filters[0];
    expect(
      first?.kind === "compare" && { name: first.attr.name, sub: first.attr.sub, leaf: first.attr.leaf.name },
    ).toEqual({
      name: "emails",
      sub: "type",
      leaf: "type",
    });
  });

  it("parses nested logic inside brackets", () => {
    expect(parsed('emails[type eq "work" or (type eq "home" and not (primary eq true))]')).toBe(
      'emails[(type eq "work" or (type eq "home" and not primary eq true))]',
    );
  });

  it('normalises Entra\'s emails[type eq "work"].value eq "x" into one value filter', () => {
    expect(parsed('emails[type eq "work"].value eq "a@x.com"')).toBe('emails[(type eq "work" and value eq "a@x.com")]');
  });

  it("normalises the Entra form with other operators and inside larger filters", () => {
    expect(parsed('emails[type eq "work"].value co "@x"')).toBe('emails[(type eq "work" and value co "@x")]');
    expect(parsed('emails[type eq "work"].value pr')).toBe('emails[(type eq "work" and value pr)]');
    expect(parsed('emails[type eq "work" and primary eq true].value sw "a" or userName eq "b"')).toBe(
      '(emails[(type eq "work" and primary eq true and value sw "a")] or userName eq "b")',
    );
  });
});

describe("parseFilter: strings and legacy forms", () => {
  it("decodes escaped quotes and backslashes inside strings", () => {
    expect(parsed('members[value eq "a\\"b"]', "Group")).toBe(`members[value eq ${JSON.stringify('a"b')}]`);
    expect(parsed('userName eq "back\\\\slash"')).toBe(`userName eq ${JSON.stringify("back\\slash")}`);
    expect(parsed('userName eq "caf\\u00e9"')).toBe('userName eq "café"');
  });

  it("leaves filter syntax inside quoted strings alone", () => {
    expect(parsed('displayName eq "R and D (EU) [x] eq"')).toBe('displayName eq "R and D (EU) [x] eq"');
  });

  it("reads unquoted legacy values as strings when legacyFilterForms is on, and fires it", () => {
    const tol = lenient();
    expect(parsed("externalId eq jyoung and userName eq user@example.com", "User", tol)).toBe(
      '(externalId eq "jyoung" and userName eq "user@example.com")',
    );
    expect(tol.fired).toEqual(["legacyFilterForms"]);
  });

  it("reads an unquoted number compared with a string attribute as its text under legacyFilterForms", () => {
    expect(parsed("externalId eq 00123", "User", lenient())).toBe('externalId eq "00123"');
  });

  it("rejects unquoted values when legacyFilterForms is off", () => {
    expect(failure("externalId eq jyoung")).toMatch(/jyoung .*must be a quoted string/);
    expect(failure("externalId eq 12345")).toMatch(/"externalId" is a string/);
  });

  it("accepts True/False literals and quoted booleans for boolean attributes under stringBooleans", () => {
    const tol = lenient();
    expect(parsed('active eq True and emails[primary eq "FALSE"]', "User", tol)).toBe(
      "(active eq true and emails[primary eq false])",
    );
    expect(tol.fired).toEqual(["stringBooleans"]);
  });

  it("fires no tolerance for plain RFC literals", () => {
    const tol = lenient();
    parsed('active eq true and userName eq "x"', "User", tol);
    expect(tol.fired).toEqual([]);
  });

  it("rejects True and quoted booleans without stringBooleans", () => {
    expect(failure("active eq True")).toMatch(/write true or false/);
    expect(failure('active eq "true"')).toMatch(/"active" is boolean/);
  });

  it("allows eq and ne with null", () => {
    expect(parsed("title eq null")).toBe("title eq null");
    expect(failure("title gt null")).toMatch(/with null/);
  });
});

describe("parseFilter: errors", () => {
  it("rejects an unknown attribute, naming it", () => {
    expect(failure('nickname2 eq "x"')).toMatch(/unknown attribute "nickname2"/);
    expect(failure('members.value eq "x"', "User")).toMatch(/unknown attribute "members.value"/);
    expect(failure('emails.kind eq "x"')).toMatch(/unknown attribute "emails.kind"/);
  });

  it("rejects an unknown sub-attribute inside a value filter", () => {
    expect(failure('emails[kind eq "work"]')).toMatch(/unknown sub-attribute "kind" of "emails"/);
  });

  it("describes syntax errors with what was expected and where", () => {
    expect(failure("userName eq")).toMatch(/ends early: expected a comparison value/);
    expect(failure('userName is "x"')).toMatch(/unknown operator "is" at position 10/);
    expect(failure('userName eq "x" title eq "y"')).toMatch(/unexpected "title" at position 17/);
    expect(failure('"x" eq userName')).toMatch(/unexpected quoted string at position 1/);
    expect(failure('userName eq "x" and')).toMatch(/ends early/);
    expect(failure('and userName eq "x"')).toMatch(/unexpected "and"/);
    expect(failure("")).toBe("filter is empty");
  });

  it("rejects unbalanced brackets and unterminated strings", () => {
    expect(failure('(userName eq "x"')).toMatch(/missing "\)"/);
    expect(failure('userName eq "x")')).toMatch(/unbalanced "\)"/);
    expect(failure('emails[type eq "x")')).toMatch(/unbalanced "\)"/);
    expect(failure('userName eq "x')).toMatch(/unterminated string/);
    expect(failure("()")).toMatch(/unexpected "\)"/);
  });

  it("rejects strings with escapes JSON does not allow", () => {
    expect(failure('userName eq "a\\qb"')).toMatch(/only JSON escapes/);
  });

  it("rejects operators that do not fit the attribute type", () => {
    expect(failure("active gt true")).toMatch(/"gt" does not apply to boolean attribute "active"/);
    expect(failure('meta.lastModified gt "yesterday"')).toMatch(/"yesterday" is not a dateTime/);
    expect(failure('meta.created eq "2020-13-45T00:00:00Z"')).toMatch(/is not a dateTime/);
    expect(failure(`${EXT}:level co 5`)).toMatch(/"co" does not apply to numeric attribute/);
    expect(failure(`${EXT}:level eq "5"`)).toMatch(/is numeric/);
    expect(failure("userName eq true")).toMatch(/"userName" is a string/);
  });

  it("rejects comparing a complex attribute without a value sub-attribute", () => {
    expect(failure('name eq "x"')).toMatch(/"name" is complex/);
  });

  it("rejects value filters on simple attributes and nested value filters", () => {
    expect(failure('userName[value eq "x"]')).toMatch(/not a complex attribute/);
    expect(failure('emails[value[type eq "x"]]')).toMatch(/cannot be nested/);
    expect(failure('emails[type eq "work"].value[type eq "x"]')).toMatch(/cannot follow/);
  });

  it("rejects filters nested deeper than 50 levels but accepts 50", () => {
    const nest = (n: number) => `${"(".repeat(n)}userName eq "x"${")".repeat(n)}`;
    expect(parsed(nest(50))).toBe('userName eq "x"');
    expect(failure(nest(51))).toMatch(/deeper than 50/);
    const nots = (n: number) => `${"not ".repeat(n)}userName eq "x"`;
    expect(parsed(nots(50))).toMatch(/^not not /);
    expect(failure(nots(51))).toMatch(/deeper than 50/);
  });

  it("rejects thousands of chained nots with an error instead of overflowing the stack", () => {
    expect(failure(`${"not ".repeat(2400)}userName eq "x"`)).toMatch(/deeper than 50|invalid filter syntax/);
    expect(failure(`${"(".repeat(4000)}userName eq "x"${")".repeat(4000)}`)).toMatch(/deeper than 50/);
  });

  it("rejects filters longer than 10,000 characters", () => {
    expect(failure(`userName eq "${"a".repeat(10_000)}"`)).toMatch(/longer than 10000/);
  });

  it("does not fire tolerances for a filter that fails", () => {
    const tol = lenient();
    failure('externalId eq jyoung and nope eq "x"', "User", tol);
    expect(tol.fired).toEqual([]);
  });
});

describe("parseValueFilter", () => {
  const members = registry.resolve("Group", "members");
  const emails = registry.resolve("User", "emails");
  if (!members.ok || !emails.ok) throw new Error("registry");

  it("resolves names as sub-attributes of the enclosing attribute", () => {
    const r = parseValueFilter(registry, "Group", members.value, 'VALUE eq "u1"', strict());
    if (!r.ok || r.value.kind !== "compare") throw new Error("expected a comparison");
    expect(r.value.attr).toMatchObject({ name: "members", sub: "value", schema: URN.Group, extension: false });
    expect(r.value.attr.leaf.caseExact).toBe(true);
  });

  it("parses logic inside the brackets", () => {
    const r = parseValueFilter(registry, "User", emails.value, 'type eq "work" and not (primary eq True)', lenient());
    expect(r.ok && show(r.value, true)).toBe('(type eq "work" and not primary eq true)');
  });

  it("rejects an unknown sub-attribute", () => {
    const r = parseValueFilter(registry, "User", emails.value, 'kind eq "work"', strict());
    expect(!r.ok && r.error).toMatch(/unknown sub-attribute "kind" of "emails"/);
  });

  it("rejects an enclosing attribute that is not complex", () => {
    const userName = registry.resolve("User", "userName");
    if (!userName.ok) throw new Error("registry");
    const r = parseValueFilter(registry, "User", userName.value, 'value eq "x"', strict());
    expect(!r.ok && r.error).toMatch(/"userName" is not one/);
  });
});
