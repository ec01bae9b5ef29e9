/**
 * Sorting and paging. The order the contract promises: by the sort value (missing values last in
 * either direction), then `created`, then `id`, both ascending; without a sort, by `created` then
 * `id`. Totals count every match whatever the page.
 */
import { describe, expect, it } from "vitest";
import type { Sort } from "@scimkit/core/store";
import { filter, TEST_EXTENSION, u } from "../fixtures.js";
import { describeOptional, resource, stamp, type Harness } from "../harness.js";
import type { ConformanceOptions } from "../options.js";
import { sortBy, useQueryData } from "./query-data.js";

const X = TEST_EXTENSION;

export const userSortCases: readonly (readonly [string, Sort["order"], readonly string[]])[] = [
  ["userName", "ascending", u(2, 4, 1, 6, 5, 3)],
  ["userName", "descending", u(3, 5, 6, 1, 4, 2)],
  // "Engineer" and "engineer" fold alike, so their exact forms decide; missing titles come last.
  ["title", "ascending", u(3, 2, 4, 1, 5, 6)],
  ["title", "descending", u(1, 4, 2, 3, 5, 6)],
  [`${X}:level`, "descending", u(1, 2, 6, 4, 3, 5)],
  [`${X}:level`, "ascending", u(4, 2, 6, 1, 3, 5)],
  // A multi-valued attribute sorts by its primary value, else its first.
  ["emails.value", "ascending", u(2, 4, 1, 3, 5, 6)],
  [`${X}:hired`, "ascending", u(1, 2, 4, 5, 3, 6)],
  [`${X}:hired`, "descending", u(5, 4, 2, 1, 3, 6)],
  [`${X}:remote`, "ascending", u(4, 2, 6, 1, 3, 5)],
  ["externalId", "ascending", u(5, 2, 4, 1, 3, 6)],
  ["displayName", "descending", u(3, 5, 1, 4, 2, 6)],
  ["name.givenName", "ascending", u(2, 4, 6, 1, 3, 5)],
  ["meta.created", "descending", u(6, 5, 4, 3, 2, 1)],
  ["id", "descending", u(6, 5, 4, 3, 2, 1)],
];

export function sortingSuite(h: Harness, options: ConformanceOptions): void {
  describeOptional(options, "sorting", () => {
    const data = useQueryData(h);

    for (const [path, order, expected] of userSortCases) {
      it(`orders users by ${path} ${order}`, async () => {
        expect((await data.ids("User", { sort: sortBy("User", path, order) })).ids).toEqual(expected);
      });
    }

    it("returns results in created, then id order when no sort is asked", async () => {
      expect((await data.ids("User", {})).ids).toEqual(u(1, 2, 3, 4, 5, 6));
      expect((await data.ids("User", { filter: filter("User", "active eq true") })).ids).toEqual(u(1, 2, 6));
    });

    it("breaks ties by created, then by id, in both directions", async () => {
      const t = h.tenant("ties");
      // Same sort value for all; ids b and c share a timestamp. Written in the contract's order.
      await h.write(t, async (tx) => {
        await tx.createResource(resource("User", "a", { userName: "a", title: "same" }, { second: 1 }));
        await tx.createResource(resource("User", "b", { userName: "b", title: "SAME" }, { second: 2 }));
        await tx.createResource(resource("User", "c", { userName: "c", title: "SAME" }, { second: 2 }));
        await tx.createResource(resource("User", "d", { userName: "d", title: "same" }, { second: 3 }));
      });
      for (const order of ["ascending", "descending"] as const) {
        const result = await h.read(t, (tx) =>
          tx.queryResources("User", { sort: sortBy("User", "title", order), startIndex: 1, count: 10 }),
        );
        const expected = order === "ascending" ? ["b", "c", "a", "d"] : ["a", "d", "b", "c"];
        expect(result.resources.map((r) => r.id)).toEqual(expected);
      }
    });

    it("sorts and filters together", async () => {
      const result = await data.ids("User", {
        filter: filter("User", 'emails.type eq "work"'),
        sort: sortBy("User", "userName", "descending"),
      });
      expect(result).toEqual({ ids: u(3, 4, 2), total: 3 });
    });
  });

  describe("paging", () => {
    const data = useQueryData(h);

    it("returns the requested window and the total of all matches", async () => {
      expect(await data.ids("User", { startIndex: 1, count: 2 })).toEqual({ ids: u(1, 2), total: 6 });
      expect(await data.ids("User", { startIndex: 3, count: 2 })).toEqual({ ids: u(3, 4), total: 6 });
      expect(await data.ids("User", { startIndex: 6, count: 5 })).toEqual({ ids: u(6), total: 6 });
    });

    it("answers a page past the end with no resources and the full total", async () => {
      expect(await data.ids("User", { startIndex: 7, count: 5 })).toEqual({ ids: [], total: 6 });
      expect(await data.ids("User", { startIndex: 100, count: 1, filter: filter("User", "active eq true") })).toEqual({
        ids: [],
        total: 3,
      });
    });

    it("answers count 0 with the total only", async () => {
      expect(await data.ids("User", { count: 0 })).toEqual({ ids: [], total: 6 });
      expect(await data.ids("User", { count: 0, filter: filter("User", 'emails.type eq "work"') })).toEqual({
        ids: [],
        total: 3,
      });
    });

    it("pages a filtered, sorted result without gaps or repeats", async () => {
      const query = { filter: filter("User", "userName pr"), sort: sortBy("User", "userName", "descending") };
      const seen: string[] = [];
      for (let start = 1; start <= 6; start += 4) {
        const page = await data.ids("User", { ...query, startIndex: start, count: 4 });
        expect(page.total).toBe(6);
        seen.push(...page.ids);
      }
      expect(seen).toEqual(u(3, 5, 6, 1, 4, 2));
      expect(await data.ids("User", { ...query, startIndex: 2, count: 1 })).toEqual({ ids: u(5), total: 6 });
    });

    it("returns everything for the largest count", async () => {
      expect((await data.ids("User", { count: Number.MAX_SAFE_INTEGER })).ids).toEqual(u(1, 2, 3, 4, 5, 6));
    });

    it("loads members only when the projection asks for them", async () => {
      const t = data.tenant();
      const without = await h.read(t, (tx) => tx.queryResources("Group", { startIndex: 1, count: 10 }));
      expect(without.resources.every((r) => r.members === undefined)).toBe(true);
      const withMembers = await h.read(t, (tx) =>
        tx.queryResources("Group", { startIndex: 1, count: 2, projection: { members: true } }),
      );
      expect(withMembers.resources.map((r) => [r.id, r.members?.map((m) => m.value).sort()])).toEqual([
        ["group-01", ["user-02", "user-04"]],
        ["group-02", ["user-02"]],
      ]);
      expect(withMembers.total).toBe(4);
      expect(withMembers.resources[0]?.members?.find((m) => m.value === "user-02")).toEqual({
        value: "user-02",
        type: "User",
        display: "Alice",
      });
      expect(withMembers.resources[0]?.version).toBe(2);
      expect(withMembers.resources[0]?.lastModified).toBe(stamp(20));
    });
  });
}
