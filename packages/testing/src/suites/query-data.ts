/** Loads the query fixtures into a tenant of their own, once per block that searches them. */
import { beforeAll } from "vitest";
import { sortFromText, type Sort, type StoreQuery } from "@scimkit/core/store";
import { conformanceExtensions, fixtureGroups, fixtureMembers, fixtureUsers } from "../fixtures.js";
import { stamp, type Harness } from "../harness.js";

export interface QueryData {
  readonly tenant: () => string;
  /** Ids of the matching resources, in the order returned, plus the total. */
  readonly ids: (type: "User" | "Group", query: Partial<StoreQuery>) => Promise<{ ids: string[]; total: number }>;
}

export function useQueryData(h: Harness): QueryData {
  let tenant: string | undefined;
  beforeAll(async () => {
    const t = h.tenant("query");
    await h.write(t, async (tx) => {
      for (const r of [...fixtureUsers, ...fixtureGroups]) await tx.createResource(r);
      for (const [groupId, members] of fixtureMembers)
        await tx.addMembers(groupId, members, { modifiedAt: stamp(20), version: 2 });
    });
    tenant = t;
  });
  const current = () => {
    if (!tenant) throw new Error("query fixtures were not loaded");
    return tenant;
  };
  return {
    tenant: current,
    ids: async (type, query) => {
      const result = await h.read(current(), (tx) => tx.queryResources(type, { startIndex: 1, count: 1000, ...query }));
      return { ids: result.resources.map((r) => r.id), total: result.total };
    },
  };
}

/** A sort on the path `by` of `type`. */
export function sortBy(type: "User" | "Group", by: string, order: Sort["order"] = "ascending"): Sort {
  return sortFromText(by, order, { resourceType: type, extensions: conformanceExtensions });
}
