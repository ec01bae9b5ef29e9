/**
 * How the filter compiler writes the lookups that must keep their index without statistics
 * (migration 4): `eq` and `sw` on a lookup column through `lookup_key()`, a prefix as the range of
 * keys it spans, and nothing of the kind under a `not`, where no index helps.
 */
import { filterFromText } from "@scimkit/core/store";
import { describe, expect, it } from "vitest";
import { filterCompiler } from "./query/filter-sql.js";
import { prefixUpperBound } from "./query/predicates.js";
import { Params } from "./sql/params.js";

const compile = (text: string) => {
  const p = new Params();
  const sql = filterCompiler("s.members", { p, fn: (name) => `s.${name}` })(
    filterFromText(text, { resourceType: "User" }),
  );
  return { sql, values: p.values };
};

/** Code point order, which is `COLLATE "C"` order on UTF-8. */
const below = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;

describe("prefixUpperBound", () => {
  it("is the least string above every string with the prefix", () => {
    expect(prefixUpperBound("abc")).toBe("abd");
    expect(prefixUpperBound("a\u{10ffff}")).toBe("b");
    expect(prefixUpperBound("\u{d7ff}")).toBe("\u{e000}");
    expect(prefixUpperBound("")).toBeUndefined();
    expect(prefixUpperBound("\u{10ffff}\u{10ffff}")).toBeUndefined();
    for (const prefix of ["user9", "ö", "a\u{10ffff}", "zz", "日本"]) {
      const upper = prefixUpperBound(prefix) ?? "";
      for (const rest of ["", "a", "\u{10ffff}\u{10ffff}", "é", "\u{1f600}"]) {
        expect(below(prefix + rest, upper), `${prefix}${rest}`).toBe(true);
      }
      expect(below(upper, prefix)).toBe(false);
    }
  });
});

describe("lookups in the compiled filter", () => {
  it("compares userName, externalId and name.familyName through lookup_key() for eq and sw", () => {
    expect(compile('userName eq "Ada@Example.com"')).toEqual({
      sql: "s.lookup_key(r.user_name_ci) = $1::text",
      values: ["ada@example.com"],
    });
    expect(compile('externalId eq "X-1"').sql).toBe("s.lookup_key(r.external_id) = $1::text");
    expect(compile('name.familyName sw "Öst"')).toEqual({
      sql: "(s.lookup_key(r.family_name_ci) >= $1::text AND s.lookup_key(r.family_name_ci) < $2::text AND r.family_name_ci LIKE $3::text)",
      values: ["öst", "ösu", "öst%"],
    });
  });

  it("leaves them as plain comparisons under a not, and for other operators", () => {
    expect(compile('not (userName eq "ada")').sql).not.toContain("lookup_key");
    expect(compile('userName co "ada"').sql).not.toContain("lookup_key");
    expect(compile('userName ne "ada"').sql).not.toContain("lookup_key");
    expect(compile('not (userName eq "a") and userName eq "b"').sql).toContain("s.lookup_key(r.user_name_ci) = ");
  });
});
