/**
 * The data the query blocks search: six users and four groups whose attributes exercise every
 * operator, attribute type, case rule and multi-valued shape, with a test extension schema for the
 * types core's schemas lack (dateTime, integer, decimal, case-exact string, multi-valued string).
 * Creation order (and so `created`, then `id`) differs from every sort order tested.
 */
import { attr, type JsonObject } from "@scimkit/core";
import { filterFromText, URN, type ExtensionRegistration, type Filter, type ResourceWrite } from "@scimkit/core/store";
import { resource } from "./harness.js";

/** The test extension's URN. */
export const TEST_EXTENSION = "urn:scimkit:params:scim:schemas:extension:conformance:2.0:User";

/** The test extension on User, as a server would be configured with it. */
export const conformanceExtensions: readonly ExtensionRegistration[] = [
  {
    resourceType: "User",
    schema: {
      id: TEST_EXTENSION,
      name: "Conformance",
      description: "Attribute types the core schemas lack, for store conformance tests",
      attributes: [
        attr("hired", "dateTime"),
        attr("level", "integer"),
        attr("score", "decimal"),
        attr("remote", "boolean"),
        attr("badge", "string", { caseExact: true }),
        attr("tags", "string", { multiValued: true }),
      ],
    },
  },
];

/** Parses `text` into the AST a store receives; throws on a typo in the suite itself. */
export function filter(type: "User" | "Group", text: string): Filter {
  return filterFromText(text, { resourceType: type, extensions: conformanceExtensions });
}

const E = URN.EnterpriseUser;
const X = TEST_EXTENSION;

const users: readonly (readonly [string, JsonObject])[] = [
  [
    "user-01",
    {
      userName: "carol",
      displayName: "Carol Clark",
      title: "Manager",
      active: true,
      nickName: "back\\slash",
      emails: [{ value: "carol@home.example.org", type: "home", primary: true }],
      [E]: { department: "engineering", employeeNumber: "1003" },
      [X]: { hired: "2019-12-31T23:59:59.500Z", level: 10, score: -1.25, badge: "CD-2" },
    },
  ],
  [
    "user-02",
    {
      userName: "Alice@Example.com",
      displayName: "Alice Adams",
      name: { givenName: "Alice", familyName: "Adams" },
      title: "Engineer",
      active: true,
      externalId: "EXT-1",
      emails: [
        { value: "alice@work.example.com", type: "work", primary: true },
        { value: "Alice@Home.example.org", type: "home" },
      ],
      [E]: { department: "Engineering", employeeNumber: "1001", manager: { value: "user-01" } },
      [X]: { hired: "2020-01-15T09:00:00Z", level: 3, score: 4.5, remote: true, badge: "AB-1", tags: ["red", "blue"] },
    },
  ],
  [
    "user-03",
    {
      userName: "frank",
      displayName: 'Frank "the" O\'Neil',
      title: "Director",
      active: false,
      emails: [
        { value: "frank@work.example.com", type: "work" },
        { value: "frank@other.example.com", type: "other", primary: true },
      ],
    },
  ],
  [
    "user-04",
    {
      userName: "bob@example.com",
      displayName: "bob brown",
      name: { givenName: "Bob", familyName: "Brown" },
      title: "engineer",
      active: false,
      externalId: "ext-1",
      emails: [{ value: "bob@work.example.com", type: "work" }],
      [E]: { department: "Sales" },
      [X]: { hired: "2021-06-01T00:00:00+02:00", level: 1, score: 2, remote: false, badge: "ab-1", tags: ["green"] },
    },
  ],
  [
    "user-05",
    {
      userName: "eve.evans",
      displayName: "Eve",
      externalId: "E5",
      nickName: "",
      emails: [],
      [X]: { hired: "2022-03-01", score: 4.5, tags: [] },
    },
  ],
  [
    "user-06",
    {
      userName: "dave",
      displayName: "100% _real_",
      name: { givenName: "Dave" },
      active: true,
      phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
      [X]: { level: 3, remote: true },
    },
  ],
];

export const fixtureUsers: readonly ResourceWrite[] = users.map(([id, attributes], i) =>
  resource("User", id, attributes, { second: i + 1 }),
);

export const fixtureGroups: readonly ResourceWrite[] = [
  resource("Group", "group-01", { displayName: "Admins", externalId: "G-1" }, { second: 11 }),
  resource("Group", "group-02", { displayName: "admins staff" }, { second: 12 }),
  resource("Group", "group-03", { displayName: "Everyone" }, { second: 13 }),
  resource("Group", "group-04", { displayName: "Empty" }, { second: 14 }),
];

export const fixtureMembers: readonly (readonly [
  string,
  readonly { value: string; type: "User" | "Group"; display?: string }[],
])[] = [
  [
    "group-01",
    [
      { value: "user-02", type: "User", display: "Alice" },
      { value: "user-04", type: "User" },
    ],
  ],
  ["group-02", [{ value: "user-02", type: "User" }]],
  ["group-03", [{ value: "group-01", type: "Group", display: "Admins" }]],
];

/** `user-0N` for each N. */
export const u = (...n: number[]) => n.map((i) => `user-0${i}`);
export const g = (...n: number[]) => n.map((i) => `group-0${i}`);
