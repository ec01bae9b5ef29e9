/**
 * Random data and queries for the differential test: users, groups and members drawn from small
 * pools (so values collide into matches and ties), and filters written as text from the grammar of
 * RFC 7644 over every attribute type, parsed by core exactly as a client's would be.
 */
import fc from "fast-check";
import type { JsonObject } from "@scimkit/core";
import {
  filterFromText,
  sortFromText,
  URN,
  type Member,
  type ResourceWrite,
  type Sort,
  type StoreQuery,
} from "@scimkit/core/store";
import { conformanceExtensions, TEST_EXTENSION } from "@scimkit/testing";

const E = URN.EnterpriseUser;
const X = TEST_EXTENSION;

// Pools small enough that values collide (ties, matches) and varied enough to hit every rule.
const words = [
  "alice",
  "Alice",
  "ALICE",
  "bob",
  "Bob",
  "carol",
  "Émile",
  "émile",
  "straße",
  "a%b",
  "a_b",
  "back\\slash",
  'say "hi"',
  "",
  "zed",
  "Zed",
  "ab",
  "b",
];
const domains = ["example.com", "Example.COM", "work.org", "x"];
const dates = [
  "2020-01-01T00:00:00Z",
  "2020-01-01T01:00:00+01:00",
  "2020-01-01",
  "2020-01-01T00:00:00",
  "2019-12-31T23:59:59.999Z",
  "2021-06-15T12:30:00-04:00",
  "2021-06-15T16:30:00.000Z",
  "2022-02-28T23:00:00Z",
];
const stamps = ["2024-01-01T00:00:00.000Z", "2024-01-01T00:00:01.000Z", "2024-01-02T00:00:00.000Z"];

const word = fc.constantFrom(...words);
const email = fc.record(
  {
    value: fc.tuple(word, fc.constantFrom(...domains)).map(([w, d]) => `${w}@${d}`),
    type: fc.constantFrom("work", "home", "other"),
    primary: fc.boolean(),
    display: word,
  },
  { requiredKeys: ["value"] },
);

const userAttributes = fc
  .record(
    {
      displayName: word,
      title: word,
      nickName: word,
      active: fc.boolean(),
      externalId: word,
      name: fc.record({ givenName: word, familyName: word }, { requiredKeys: [] }),
      emails: fc.array(email, { maxLength: 3 }),
      phoneNumbers: fc.array(fc.record({ value: word, type: fc.constantFrom("work", "mobile") }), { maxLength: 2 }),
      [E]: fc.record({ department: word, manager: fc.record({ value: word }) }, { requiredKeys: [] }),
      [X]: fc.record(
        {
          hired: fc.constantFrom(...dates),
          level: fc.integer({ min: -3, max: 12 }),
          score: fc.constantFrom(-1.5, 0, 0.25, 2, 2.0001, 10),
          remote: fc.boolean(),
          badge: word,
          tags: fc.array(word, { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((a) => JSON.parse(JSON.stringify(a)) as JsonObject);

export interface Dataset {
  readonly users: ResourceWrite[];
  readonly groups: ResourceWrite[];
  readonly members: [string, Member[]][];
}

/** Users and groups written in the contract's order (created, then id), as core's time-ordered ids do. */
export const dataset: fc.Arbitrary<Dataset> = fc
  .record({
    users: fc.array(fc.tuple(userAttributes, fc.constantFrom(...stamps), fc.constantFrom(...stamps)), {
      minLength: 1,
      maxLength: 14,
    }),
    groups: fc.array(
      fc.tuple(
        fc.option(word, { nil: undefined }),
        fc.option(word, { nil: undefined }),
        fc.array(fc.nat(40), { maxLength: 6 }),
      ),
      { maxLength: 5 },
    ),
  })
  .map(({ users, groups }) => {
    const ordered = <T extends { created: string; id: string }>(list: T[]) =>
      list.sort((a, b) => (a.created === b.created ? (a.id < b.id ? -1 : 1) : a.created < b.created ? -1 : 1));
    const userList = ordered(
      users.map(([attributes, created, modified], i) => ({
        id: `u${String.fromCharCode(97 + ((i * 7) % 26))}${i}`,
        resourceType: "User",
        // userName carries the index so it stays unique per tenant; its case still varies.
        attributes: {
          ...attributes,
          userName: `${i % 2 ? "User" : "user"}${(i * 37) % 100}${words[i % words.length] ?? ""}`,
        },
        internal: {},
        uniqueKey: null as string | null,
        created,
        // biome-ignore lint/complexity/useMathMinMax: ISO strings of one form, compared as text, not numbers
        lastModified: modified < created ? created : modified,
        version: 1,
      })),
    ).map((u) => ({ ...u, uniqueKey: String(u.attributes["userName"]).toLowerCase() }));
    const groupList = ordered(
      groups.map(([displayName, externalId], i) => ({
        id: `g${i}`,
        resourceType: "Group",
        attributes: {
          ...(displayName !== undefined ? { displayName } : {}),
          ...(externalId !== undefined ? { externalId } : {}),
        },
        internal: {},
        uniqueKey: null,
        created: stamps[i % stamps.length] ?? "",
        lastModified: stamps[i % stamps.length] ?? "",
        version: 1,
      })),
    );
    const candidates = [...userList.map((u) => u.id), ...groupList.map((g) => g.id)];
    const members = groupList.map((g, i): [string, Member[]] => {
      const picks = (groups[i]?.[2] ?? [])
        .map((n) => candidates[n % candidates.length] ?? "")
        .filter((id) => id !== g.id);
      return [
        g.id,
        [...new Set(picks)].map((value) => ({
          value,
          type: value.startsWith("g") ? "Group" : "User",
          ...(value.length % 2 ? { display: value.toUpperCase() } : {}),
        })),
      ];
    });
    return { users: userList, groups: groupList, members };
  });

// ---- filters, written as text and parsed by core, so they are exactly what a client could send.

type Kind = "string" | "exact" | "boolean" | "integer" | "decimal" | "dateTime";
const userPaths: readonly (readonly [string, Kind])[] = [
  ["userName", "string"],
  ["displayName", "string"],
  ["title", "string"],
  ["nickName", "string"],
  ["name.givenName", "string"],
  ["name.familyName", "string"],
  ["emails", "string"],
  ["emails.value", "string"],
  ["emails.type", "string"],
  ["emails.primary", "boolean"],
  ["phoneNumbers.value", "string"],
  ["externalId", "exact"],
  ["id", "exact"],
  ["active", "boolean"],
  [`${E}:department`, "string"],
  [`${E}:manager.value`, "string"],
  [`${X}:hired`, "dateTime"],
  [`${X}:level`, "integer"],
  [`${X}:score`, "decimal"],
  [`${X}:remote`, "boolean"],
  [`${X}:badge`, "exact"],
  [`${X}:tags`, "string"],
  ["meta.created", "dateTime"],
  ["meta.lastModified", "dateTime"],
];
const groupPaths: readonly (readonly [string, Kind])[] = [
  ["displayName", "string"],
  ["externalId", "exact"],
  ["id", "exact"],
  ["members.value", "exact"],
  ["members.type", "exact"],
  ["members.display", "string"],
  ["meta.created", "dateTime"],
];
const stringOps = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
const orderOps = ["eq", "ne", "gt", "ge", "lt", "le"] as const;

const stringLiteral = fc.oneof(
  word,
  fc.constantFrom(
    "example",
    "EXAMPLE.com",
    "@",
    "u",
    "User1",
    "ua0",
    "g1",
    "%",
    "_",
    "é",
    "alice@example.com",
    "ALICE@Example.COM",
    "bob@x",
    "émile@work.org",
  ),
  fc.string({ maxLength: 3 }),
);
function comparison(path: string, kind: Kind): fc.Arbitrary<string> {
  const lit = (arb: fc.Arbitrary<unknown>, ops: readonly string[]) =>
    fc.tuple(fc.constantFrom(...ops), arb).map(([op, v]) => `${path} ${op} ${JSON.stringify(v)}`);
  const nullTest = fc.constantFrom(`${path} eq null`, `${path} ne null`, `${path} pr`);
  switch (kind) {
    case "boolean":
      return fc.oneof(lit(fc.boolean(), ["eq", "ne"]), nullTest);
    case "integer":
      return fc.oneof(lit(fc.integer({ min: -4, max: 13 }), orderOps), nullTest);
    case "decimal":
      return fc.oneof(lit(fc.constantFrom(-1.5, 0, 0.25, 2, 2.00005, 11), orderOps), nullTest);
    case "dateTime":
      return fc.oneof(
        lit(fc.constantFrom(...dates, ...stamps, "2020-01-01T00:00:00.001Z"), orderOps),
        lit(fc.constantFrom("2020", "Z", "00:00", "T"), ["co", "sw", "ew"]),
        nullTest,
      );
    default:
      return fc.oneof({ weight: 4, arbitrary: lit(stringLiteral, stringOps) }, { weight: 1, arbitrary: nullTest });
  }
}

function filterText(type: "User" | "Group"): fc.Arbitrary<string> {
  const paths = type === "User" ? userPaths : groupPaths;
  const leaf = fc.constantFrom(...paths).chain(([path, kind]) => comparison(path, kind));
  const element =
    type === "User"
      ? fc.oneof(
          fc.constantFrom("value", "type", "display").chain((sub) => comparison(sub, "string")),
          comparison("primary", "boolean"),
        )
      : fc
          .constantFrom("value", "type", "display")
          .chain((sub) => comparison(sub, sub === "display" ? "string" : "exact"));
  const valuePath =
    type === "User"
      ? fc
          .tuple(
            fc.constantFrom("emails", "phoneNumbers"),
            element,
            fc.option(element, { nil: undefined }),
            fc.constantFrom("and", "or"),
          )
          .map(([attr, a, b, op]) => `${attr}[${b ? `${a} ${op} ${b}` : a}]`)
      : fc
          .tuple(element, fc.option(element, { nil: undefined }))
          .map(([a, b]) => `members[${b ? `${a} and not (${b})` : a}]`);
  const { tree } = fc.letrec<{ tree: string }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 5, arbitrary: leaf },
      { weight: 2, arbitrary: valuePath },
      { weight: 1, arbitrary: tie("tree").map((f) => `not (${f})`) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie("tree"), fc.constantFrom("and", "or"), tie("tree"))
          .map(([a, op, b]) => `(${a}) ${op} (${b})`),
      },
    ),
  }));
  return tree;
}

const sortPaths = {
  User: [
    "userName",
    "displayName",
    "title",
    "externalId",
    "name.givenName",
    "emails.value",
    "emails.type",
    "active",
    `${E}:department`,
    `${X}:level`,
    `${X}:score`,
    `${X}:hired`,
    `${X}:remote`,
    `${X}:badge`,
    `${X}:tags`,
    "meta.created",
    "meta.lastModified",
    "id",
  ],
  Group: ["displayName", "externalId", "id", "meta.created"],
};

export interface QuerySpec {
  readonly type: "User" | "Group";
  readonly filter?: string | undefined;
  readonly sort?: readonly [string, Sort["order"]] | undefined;
  readonly startIndex: number;
  readonly count: number;
}

export const querySpec: fc.Arbitrary<QuerySpec> = fc
  .constantFrom<"User" | "Group">("User", "User", "User", "Group")
  .chain((type) =>
    fc.record({
      type: fc.constant(type),
      filter: fc.option(filterText(type), { nil: undefined, freq: 6 }),
      sort: fc.option(
        fc.tuple(fc.constantFrom(...sortPaths[type]), fc.constantFrom<Sort["order"]>("ascending", "descending")),
        { nil: undefined, freq: 3 },
      ),
      startIndex: fc.integer({ min: 1, max: 16 }),
      count: fc.oneof(fc.integer({ min: 0, max: 16 }), fc.constant(1000)),
    }),
  );

export function toQuery(spec: QuerySpec): StoreQuery {
  const known = { resourceType: spec.type, extensions: conformanceExtensions };
  const filter = spec.filter !== undefined ? filterFromText(spec.filter, known) : undefined;
  const sort: Sort | undefined = spec.sort ? sortFromText(spec.sort[0], spec.sort[1], known) : undefined;
  return { filter, sort, startIndex: spec.startIndex, count: spec.count };
}
