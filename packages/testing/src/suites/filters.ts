/**
 * Filters: every operator, and/or/not, value paths, extension attributes, dateTime, numbers,
 * booleans, case-exact and case-insensitive strings, `pr` and null, and members. Expected results
 * follow RFC 7644 §3.4.2.2 as core's in-memory evaluator reads it (`filter/evaluate.ts`).
 */
import { expect, it } from "vitest";
import { URN } from "@scimkit/core/store";
import { filter, g, TEST_EXTENSION, u } from "../fixtures.js";
import { describeOptional, type Harness } from "../harness.js";
import type { ConformanceOptions } from "../options.js";
import { useQueryData } from "./query-data.js";

const E = URN.EnterpriseUser;
const X = TEST_EXTENSION;

/** [filter, ids in default order], grouped by what they exercise. */
export const userFilterCases: Readonly<Record<string, readonly (readonly [string, readonly string[]])[]>> = {
  "case-insensitive userName (eq, ne, co, sw, ew, gt, ge, lt, le)": [
    ['userName eq "alice@example.com"', u(2)],
    ['userName eq "BOB@EXAMPLE.COM"', u(4)],
    ['userName ne "carol"', u(2, 3, 4, 5, 6)],
    ['userName co "EXAMPLE"', u(2, 4)],
    ['userName sw "e"', u(5)],
    ['userName ew ".COM"', u(2, 4)],
    ['userName gt "dave"', u(3, 5)],
    ['userName ge "dave"', u(3, 5, 6)],
    ['userName lt "bob@example.com"', u(2)],
    ['userName le "BOB@example.com"', u(2, 4)],
    ['userName eq "nobody"', []],
  ],
  "case-exact strings": [
    ['externalId eq "ext-1"', u(4)],
    ['externalId eq "EXT-1"', u(2)],
    ['externalId co "XT"', u(2)],
    ['externalId ne "E5"', u(1, 2, 3, 4, 6)],
    [`${X}:badge eq "ab-1"`, u(4)],
    [`${X}:badge sw "AB"`, u(2)],
    [`${X}:badge ne "AB-1"`, u(1, 3, 4, 5, 6)],
    ['id eq "user-03"', u(3)],
    ['id eq "USER-03"', []],
  ],
  "other case-insensitive strings": [
    ['title eq "ENGINEER"', u(2, 4)],
    ['title gt "E"', u(1, 2, 4)],
    ['displayName sw "BOB"', u(4)],
    [`${E}:department eq "engineering"`, u(1, 2)],
  ],
  "quotes, backslashes and LIKE wildcards are matched literally": [
    ['displayName eq "Frank \\"the\\" O\'Neil"', u(3)],
    ['displayName co "%"', u(6)],
    ['displayName co "_r"', u(6)],
    ['displayName co "k_"', []],
    ['nickName co "\\\\"', u(1)],
  ],
  "presence, empty values and null": [
    ["externalId pr", u(2, 4, 5)],
    ["not (externalId pr)", u(1, 3, 6)],
    ["nickName pr", u(1)],
    ['nickName eq ""', u(5)],
    ["emails pr", u(1, 2, 3, 4)],
    ["name pr", u(2, 4, 6)],
    ["name.familyName pr", u(2, 4)],
    [`${X}:tags pr`, u(2, 4)],
    [`${X}:hired pr`, u(1, 2, 4, 5)],
    ["title eq null", u(5, 6)],
    ["title ne null", u(1, 2, 3, 4)],
  ],
  booleans: [
    ["active eq true", u(1, 2, 6)],
    ["active eq false", u(3, 4)],
    ["active ne true", u(3, 4, 5)],
    ["not (active eq true)", u(3, 4, 5)],
    [`${X}:remote eq true`, u(2, 6)],
    [`${X}:remote ne true`, u(1, 3, 4, 5)],
  ],
  "numbers compare numerically": [
    [`${X}:level gt 2`, u(1, 2, 6)],
    [`${X}:level eq 3`, u(2, 6)],
    [`${X}:level le 1`, u(4)],
    [`${X}:score ge 4.5`, u(2, 5)],
    [`${X}:score lt 0`, u(1)],
    [`${X}:level ne 3`, u(1, 3, 4, 5)],
  ],
  "dateTimes compare as instants": [
    [`${X}:hired gt "2020-01-01T00:00:00Z"`, u(2, 4, 5)],
    [`${X}:hired eq "2020-01-15T10:00:00+01:00"`, u(2)],
    [`${X}:hired le "2019-12-31T23:59:59.500Z"`, u(1)],
    [`${X}:hired ge "2021-05-31T23:00:00Z"`, u(5)],
    [`${X}:hired lt "2021-06-01T00:00:00Z"`, u(1, 2, 4)],
    ['meta.created gt "2024-01-01T00:00:04Z"', u(5, 6)],
    ['meta.created lt "2024-01-01T01:00:03+01:00"', u(1, 2)],
    ['meta.lastModified ge "2024-01-01T00:00:00Z"', u(1, 2, 3, 4, 5, 6)],
    ['meta.resourceType eq "User"', u(1, 2, 3, 4, 5, 6)],
  ],
  "multi-valued attributes and value paths": [
    ['emails.value co "WORK"', u(2, 3, 4)],
    ['emails co "home"', u(1, 2)],
    ['emails.type eq "work"', u(2, 3, 4)],
    ['emails.type ne "work"', u(1, 2, 3, 5, 6)],
    ['emails[type eq "work" and value ew "example.com"]', u(2, 3, 4)],
    ['emails[type eq "home" and primary eq true]', u(1)],
    ['emails[type eq "work"].value eq "ALICE@work.example.com"', u(2)],
    ['emails[type eq "work" or type eq "other"]', u(2, 3, 4)],
    ['emails[not (type eq "work")]', u(1, 2, 3)],
    ['not (emails[type eq "work"])', u(1, 5, 6)],
    ['phoneNumbers[type eq "work"]', u(6)],
    [`${X}:tags eq "RED"`, u(2)],
    ['name.givenName sw "a"', u(2)],
  ],
  "extension attributes": [
    [`${E}:manager.value eq "user-01"`, u(2)],
    [`${E}:manager eq "user-01"`, u(2)],
    [`${E}:employeeNumber pr`, u(1, 2)],
  ],
  "and, or, not and grouping": [
    ['(title eq "engineer" or title eq "manager") and active eq true', u(1, 2)],
    ['title pr and not (title eq "engineer")', u(1, 3)],
    [`emails[value co "example.org"] or ${X}:remote eq true`, u(1, 2, 6)],
    ['not (userName sw "a" or userName sw "b") and not (active eq false)', u(1, 5, 6)],
  ],
};

export const groupFilterCases: readonly (readonly [string, readonly string[]])[] = [
  ['displayName eq "ADMINS"', g(1)],
  ['displayName sw "admins"', g(1, 2)],
  ['externalId eq "G-1"', g(1)],
  ['members.value eq "user-02"', g(1, 2)],
  ['members eq "user-02"', g(1, 2)],
  ['members[value eq "user-04"]', g(1)],
  ['members[type eq "Group"]', g(3)],
  ["members pr", g(1, 2, 3)],
  ['not (members.value eq "user-04")', g(2, 3, 4)],
  ['members.display eq "alice"', g(1)],
  ['members.value ne "user-02"', g(1, 3, 4)],
  ['members[value eq "user-02" and type eq "User"] and displayName co "staff"', g(2)],
];

export function filterSuite(h: Harness, options: ConformanceOptions): void {
  describeOptional(options, "filters", () => {
    const data = useQueryData(h);
    for (const [title, cases] of Object.entries(userFilterCases)) {
      it(`users: ${title}`, async () => {
        for (const [text, expected] of cases) {
          const result = await data.ids("User", { filter: filter("User", text) });
          expect({ filter: text, ids: result.ids, total: result.total }).toEqual({
            filter: text,
            ids: expected,
            total: expected.length,
          });
        }
      });
    }
    it("groups: displayName, externalId, and members through the membership", async () => {
      for (const [text, expected] of groupFilterCases) {
        const result = await data.ids("Group", { filter: filter("Group", text) });
        expect({ filter: text, ids: result.ids, total: result.total }).toEqual({
          filter: text,
          ids: expected,
          total: expected.length,
        });
      }
    });
    it("a filter matching nothing answers an empty page with total 0", async () => {
      const result = await data.ids("User", { filter: filter("User", 'userName eq "ghost"') });
      expect(result).toEqual({ ids: [], total: 0 });
    });
  });
}
