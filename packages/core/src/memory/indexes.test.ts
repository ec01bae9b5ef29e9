/**
 * The memory store's secondary indexes: `eq` and `sw` on the attributes IdPs filter on are served
 * from an index (only candidates are evaluated, never the whole table), and what an index answers
 * is exactly what a scan would, through creates, updates and removals.
 */
import { describe, expect, it } from "vitest";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import type { Filter } from "../filter/ast.js";
import { evaluateFilter } from "../filter/evaluate.js";
import { parseFilter } from "../filter/parse.js";
import { SchemaRegistry } from "../schema/registry.js";
import { resourceView } from "../store/view.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import { queryTable } from "./query.js";
import { TypeTable } from "./tables.js";

const registry = new SchemaRegistry();
const tol = toleranceContext(profiles.rfc);

function filterOf(type: string, text: string): Filter {
  const parsed = parseFilter(registry, type, text, tol);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function user(i: number, attributes: JsonObject = {}): StoredResource {
  const created = `2026-12-07T10:00:00.${String(i).padStart(3, "0")}Z`;
  return {
    id: `u${String(i).padStart(5, "0")}`,
    resourceType: "User",
    attributes: {
      userName: `user${i}@example.com`,
      displayName: `Person ${i % 50}`,
      name: { givenName: "Ada", familyName: i % 3 === 0 ? `Lovelace${i % 7}` : `Byron${i % 5}` },
      emails: [
        { value: `User${i}@Example.com`, type: "work", primary: true },
        { value: `home${i % 40}@example.org`, type: "home" },
      ],
      externalId: `ext-${i}`,
      active: i % 2 === 0,
      ...attributes,
    },
    internal: {},
    uniqueKey: `user${i}@example.com`,
    created,
    lastModified: created,
    version: 1,
  };
}

/** Runs `text` through the table, counting what was evaluated; the scan's answer beside it. */
function run(table: TypeTable, text: string): { ids: string[]; evaluated: number; scan: string[] } {
  const filter = filterOf("User", text);
  let evaluated = 0;
  const counting = (f: Filter, view: JsonObject) => {
    evaluated++;
    return evaluateFilter(f, view);
  };
  const query = { filter, count: 10_000, startIndex: 1 } as const;
  const ids = queryTable(table, query, (r) => r, counting).resources.map((r) => r.id);
  const scan = [...table.byId.values()]
    .filter((r) => evaluateFilter(filter, resourceView(r)))
    .map((r) => r.id)
    .sort();
  return { ids, evaluated, scan };
}

function table(n: number): TypeTable {
  const t = new TypeTable("User");
  for (let i = 0; i < n; i++) t.insert(user(i));
  return t;
}

describe("memory store indexes", () => {
  const lookups: [text: string, atMost: number][] = [
    ['userName eq "USER17@example.com"', 1],
    ['userName sw "user17"', 11],
    ['externalId eq "ext-42"', 1],
    ['displayName eq "person 7"', 20],
    ['displayName sw "Person 4"', 220],
    ['name.familyName eq "lovelace3"', 50],
    ['name.familyName sw "Love"', 334],
    ['emails.value eq "user5@example.com"', 1],
    ['emails.value sw "HOME3"', 275],
    ['emails[type eq "work"].value eq "user9@example.com"', 1],
    ['emails[type eq "home" and value eq "home12@example.org"]', 25],
    ['name.familyName eq "Byron1" and active eq true', 200],
  ];

  it.each(lookups)("%s evaluates only what the index finds, and finds what a scan finds", (text, atMost) => {
    const t = table(1000);
    const { ids, evaluated, scan } = run(t, text);
    expect(ids.length).toBeGreaterThan(0);
    expect([...ids].sort()).toEqual(scan);
    expect(evaluated).toBeLessThanOrEqual(atMost);
  });

  it("still scans what no index serves, with the same answer", () => {
    const t = table(300);
    const { ids, evaluated, scan } = run(t, 'name.givenName eq "Ada"');
    expect(ids.length).toBe(300);
    expect([...ids].sort()).toEqual(scan);
    expect(evaluated).toBe(300);
  });

  it("keeps every index in step through updates and removals, including ones built after the writes", () => {
    const t = table(200);
    // Built now, before the changes below: they must follow every one of them.
    for (const text of ['displayName eq "x"', 'name.familyName eq "x"', 'emails.value eq "x"']) run(t, text);
    const before = t.byId.get("u00010") as StoredResource;
    t.update(
      before,
      user(10, {
        displayName: "Renamed",
        name: { familyName: "Hopper" },
        emails: [{ value: "grace@example.com" }, { value: "GRACE@example.com" }],
      }),
    );
    t.remove(t.byId.get("u00011") as StoredResource);
    t.insert(user(500, { emails: [{ value: "user10@example.com" }] }));
    const checks = [
      'displayName eq "renamed"',
      'displayName eq "Person 10"',
      'name.familyName eq "HOPPER"',
      'name.familyName sw "Byr"',
      'emails.value eq "grace@example.com"',
      'emails.value eq "user10@example.com"',
      'emails.value eq "user11@example.com"',
      'emails.value sw "user1"',
    ];
    for (const text of checks) {
      const { ids, scan } = run(t, text);
      expect([...ids].sort(), text).toEqual(scan);
    }
    expect(run(t, 'emails.value eq "user10@example.com"').ids).toEqual(["u00500"]);
    expect(run(t, 'emails.value eq "user11@example.com"').ids).toEqual([]);
    expect(run(t, 'emails.value eq "GRACE@EXAMPLE.COM"').ids).toEqual(["u00010"]);
    // An index built after the writes reads the table as it is then.
    const fresh = table(50);
    fresh.remove(fresh.byId.get("u00003") as StoredResource);
    expect(run(fresh, 'name.familyName eq "lovelace3"').ids).toEqual(["u00024", "u00045"]);
    expect(run(fresh, 'name.familyName eq "lovelace6"').ids).toEqual(["u00006", "u00027", "u00048"]);
  });
});
