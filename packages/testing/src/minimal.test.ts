/**
 * `defineStore`'s derived operations, proven on a deliberately minimal store: the memory store cut
 * down to the required operations, returning no `groups` for `projection.groups` and evaluating no
 * filter or sort it does not declare. It must pass the same suites as the full memory store, and
 * answer every derived operation exactly as the memory store's own implementation does.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, type ScimStore } from "@scimkit/core";
import type { Member, MembershipWrite, StoreTransaction } from "@scimkit/core/store";
import { defineStore, requiredOperations, type RequiredTransaction, type StoreCapabilities } from "@scimkit/core/store";
import { runCursorPaging, runProvisioningScenarios, runStoreConformance } from "./index.js";
import { resource, stamp } from "./harness.js";

/**
 * The required operations of `tx` and nothing else. Reads drop `groups`, so core must fill them;
 * queries refuse a filter, sort or keyset position the capabilities do not declare, so core must
 * evaluate them.
 */
function requiredOnly(tx: StoreTransaction, capabilities: StoreCapabilities): RequiredTransaction {
  const picked = Object.fromEntries(requiredOperations.map((name) => [name, tx[name].bind(tx)])) as RequiredTransaction;
  return {
    ...picked,
    async getResource(type, id, projection) {
      const found = await tx.getResource(type, id, projection);
      if (!found) return null;
      const { groups: _groups, ...rest } = found;
      return rest;
    },
    async queryResources(type, query) {
      if (query.filter && !capabilities.supportsFilter?.(query.filter, type))
        throw new Error("asked to evaluate a filter it does not support");
      if (query.sort && !capabilities.supportsSort?.(query.sort, type))
        throw new Error("asked to sort in an order it does not support");
      if (query.after && !capabilities.supportsKeyset) throw new Error("asked to start at a keyset position");
      const result = await tx.queryResources(type, query);
      return { total: result.total, resources: result.resources.map(({ groups: _groups, ...r }) => r) };
    },
  };
}

function minimalStore(capabilities: StoreCapabilities = {}): ScimStore {
  const base = createMemoryStore();
  return defineStore({
    name: "minimal",
    capabilities,
    transaction: (tenantId, work, options) =>
      base.transaction(tenantId, (tx) => work(requiredOnly(tx, capabilities)), options),
    findRecordByKey: (kind, key) => base.findRecordByKey(kind, key),
    close: async () => base.close?.(),
  });
}

// Nothing declared: every filter and sort evaluated in memory, groupsOf by a scan of the groups.
runStoreConformance({ name: "minimal (required operations only)", makeStore: async () => minimalStore() });
// Everything declared: filters and sorts pushed down, groupsOf by `members.value eq` queries.
runStoreConformance({
  name: "minimal (required operations, filters and sorts pushed down)",
  makeStore: async () => minimalStore({ supportsFilter: () => true, supportsSort: () => true }),
});
// Core end to end over HTTP on the minimal store: membership, roles, deprovisioning, audit.
runProvisioningScenarios({ name: "minimal (required operations only)", makeStore: async () => minimalStore() });
// Cursor pages without a native keyset: core skips to the position in memory, with the filter and
// sort evaluated in memory too, or pushed down.
runCursorPaging({ name: "minimal (required operations only)", makeStore: async () => minimalStore() });
runCursorPaging({
  name: "minimal (filters and sorts pushed down, no keyset)",
  makeStore: async () => minimalStore({ supportsFilter: () => true, supportsSort: () => true }),
});

describe("defineStore's derived operations answer as the memory store's own", () => {
  const user = (value: string): Member => ({ value, type: "User" });
  /** A deterministic generator, so a failure reproduces. */
  const random = (seed: number) => {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  };

  for (const [label, capabilities] of [
    ["nothing declared", {}],
    ["filters declared", { supportsFilter: () => true }],
  ] as const) {
    it(`replaceMembers, hasMembers, existing, groupsOf and projection.groups (${label})`, async () => {
      const stores = [createMemoryStore(), minimalStore(capabilities)] as const;
      const users = Array.from({ length: 12 }, (_, i) => `u-${i}`);
      const groups = Array.from({ length: 5 }, (_, i) => `g-${i}`);
      for (const store of stores) {
        await store.transaction("t", async (tx) => {
          for (const id of users) await tx.createResource(resource("User", id, { userName: id }));
          for (const [i, id] of groups.entries())
            await tx.createResource(
              resource("Group", id, i === 4 ? {} : { displayName: `G${i}` }, { uniqueKey: null }),
            );
        });
      }
      const next = random(7);
      const pick = <T>(list: readonly T[]): T[] => list.filter(() => next() < 0.4);
      const versions = new Map(groups.map((g) => [g, 1]));
      for (let step = 0; step < 60; step++) {
        const groupId = groups[Math.floor(next() * groups.length)] ?? "g-0";
        const wanted = [
          ...pick(users).map(user),
          ...pick(groups.filter((g) => g !== groupId)).map((g): Member => ({ value: g, type: "Group" })),
        ];
        const version = (versions.get(groupId) ?? 1) + 1;
        // Every third change is guarded, one in three of those with a stale version.
        const guard = step % 3 === 0 ? { expectedVersion: step % 9 === 0 ? version - 2 : version - 1 } : {};
        const write: MembershipWrite = { modifiedAt: stamp(step), version, ...guard };
        const probe = [...pick(users), ...pick(groups), "ghost"];
        const outcomes = [];
        for (const store of stores) {
          const outcome = await store
            .transaction("t", async (tx) => {
              const replaced = await tx.replaceMembers(groupId, wanted, write);
              return {
                replaced: { added: [...replaced.added].sort(), removed: [...replaced.removed].sort() },
                has: await tx.hasMembers(groupId, probe),
                existingUsers: await tx.existing("User", probe),
                existingGroups: await tx.existing("Group", probe),
                groupsOf: [...(await tx.groupsOf(probe))].map(([id, list]) => [
                  id,
                  [...list].map((m) => `${m.groupId}:${m.display ?? ""}`).sort(),
                ]),
                projected: await Promise.all(
                  probe.map(
                    async (id) =>
                      (await tx.getResource("User", id, { groups: true }))?.groups?.map((m) => m.groupId).sort() ??
                      null,
                  ),
                ),
                page: (
                  await tx.queryResources("User", { startIndex: 2, count: 5, projection: { groups: true } })
                ).resources.map((r) => [r.id, r.groups?.length]),
                group: await tx.getResource("Group", groupId, { members: true }),
              };
            })
            .catch((error: unknown) => (error instanceof Error ? error.name : "thrown"));
          outcomes.push(outcome);
        }
        expect(outcomes[1], `step ${step}`).toEqual(outcomes[0]);
        if (
          typeof outcomes[0] !== "string" &&
          (outcomes[0]?.replaced.added.length ?? 0) + (outcomes[0]?.replaced.removed.length ?? 0) > 0
        )
          versions.set(groupId, version);
      }
    });
  }
});
