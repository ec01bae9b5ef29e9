/**
 * Differential property test for writes: random sequences of creates, replaces (with fresh and
 * stale versions, and unique keys that collide), deletes and membership changes, applied to the
 * memory store and to the PostgreSQL store on PGlite. Every operation must succeed or fail alike,
 * return the same value, and leave the same resources, members and memberships behind.
 */
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type ScimStore } from "@scimkit/core";
import type { Member, StoreTransaction } from "@scimkit/core/store";
import { migrate, createPgliteDriver, createPostgresStore } from "./index.js";

const ids = ["a", "b", "c", "d", "e"];
const groups = ["g1", "g2", "g3"];
const names = ["x", "X", "y", "z"];
const stamp = (n: number) => `2024-01-01T00:00:${String(n % 60).padStart(2, "0")}.000Z`;

type Op =
  | { op: "createUser"; id: string; name: string }
  | { op: "createGroup"; id: string }
  | { op: "replace"; id: string; name: string; stale: boolean }
  | { op: "delete"; type: "User" | "Group"; id: string; stale: boolean }
  | { op: "add" | "replaceMembers"; group: string; members: string[]; stale: boolean }
  | { op: "remove"; group: string; members: string[]; stale: boolean };

const memberIds = fc.uniqueArray(fc.constantFrom(...ids, ...groups), { maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("createUser" as const), id: fc.constantFrom(...ids), name: fc.constantFrom(...names) }),
  fc.record({ op: fc.constant("createGroup" as const), id: fc.constantFrom(...groups) }),
  fc.record({
    op: fc.constant("replace" as const),
    id: fc.constantFrom(...ids),
    name: fc.constantFrom(...names),
    stale: fc.boolean(),
  }),
  fc.record({
    op: fc.constant("delete" as const),
    type: fc.constantFrom<"User" | "Group">("User", "Group"),
    id: fc.constantFrom(...ids, ...groups),
    stale: fc.boolean(),
  }),
  fc.record({
    op: fc.constantFrom("add" as const, "replaceMembers" as const),
    group: fc.constantFrom(...groups),
    members: memberIds,
    stale: fc.boolean(),
  }),
  fc.record({
    op: fc.constant("remove" as const),
    group: fc.constantFrom(...groups),
    members: memberIds,
    stale: fc.boolean(),
  }),
);

const asMembers = (list: readonly string[]): Member[] =>
  list.map((value) => ({ value, type: value.startsWith("g") ? "Group" : "User", display: value.toUpperCase() }));

/**
 * Runs one operation; the version a client would send comes from a read in the same unit of work,
 * and a membership change gives the group the next version, as core does.
 */
async function apply(tx: StoreTransaction, o: Op, step: number): Promise<unknown> {
  const version = async (type: string, id: string, stale: boolean) => {
    const current = await tx.getResource(type, id);
    return current ? current.version - (stale ? 1 : 0) : 0;
  };
  const membership = async (groupId: string, stale: boolean) => {
    const current = await tx.getResource("Group", groupId);
    const seen = current?.version ?? 0;
    return { modifiedAt: stamp(step), version: seen + 1, expectedVersion: seen - (current && stale ? 1 : 0) };
  };
  switch (o.op) {
    case "createUser":
      return tx.createResource({
        id: o.id,
        resourceType: "User",
        attributes: { userName: o.name },
        internal: {},
        uniqueKey: o.name.toLowerCase(),
        created: stamp(step),
        lastModified: stamp(step),
        version: 1,
      });
    case "createGroup":
      return tx.createResource({
        id: o.id,
        resourceType: "Group",
        attributes: { displayName: o.id },
        internal: {},
        uniqueKey: null,
        created: stamp(step),
        lastModified: stamp(step),
        version: 1,
      });
    case "replace": {
      const current = await tx.getResource("User", o.id);
      if (!current) return "absent";
      const expectedVersion = current.version - (o.stale ? 1 : 0);
      return tx.replaceResource(
        {
          ...current,
          attributes: { userName: o.name, step },
          uniqueKey: o.name.toLowerCase(),
          lastModified: stamp(step),
          version: current.version + 1,
        },
        { expectedVersion },
      );
    }
    case "delete":
      return tx.deleteResource(
        o.type,
        o.id,
        o.stale ? { expectedVersion: await version(o.type, o.id, true) } : undefined,
      );
    case "add":
      return [...(await tx.addMembers(o.group, asMembers(o.members), await membership(o.group, o.stale)))].sort();
    case "remove":
      return [...(await tx.removeMembers(o.group, o.members, await membership(o.group, o.stale)))].sort();
    case "replaceMembers": {
      const diff = await tx.replaceMembers(o.group, asMembers(o.members), await membership(o.group, o.stale));
      return { added: [...diff.added].sort(), removed: [...diff.removed].sort() };
    }
  }
}

async function outcome(store: ScimStore, tenant: string, o: Op, step: number): Promise<unknown> {
  try {
    return {
      ok: JSON.parse(JSON.stringify((await store.transaction(tenant, (tx) => apply(tx, o, step))) ?? null)) as unknown,
    };
  } catch (error) {
    // A store may word "no such group" its own way; a contract error must be the same error.
    const name = error instanceof Error ? error.name : "thrown";
    return { error: name === "UniquenessError" || name === "VersionConflictError" ? name : "Error" };
  }
}

async function state(store: ScimStore, tenant: string): Promise<unknown> {
  return store.transaction(
    tenant,
    async (tx) => {
      const users = await tx.queryResources("User", { startIndex: 1, count: 100 });
      const grps = await tx.queryResources("Group", { startIndex: 1, count: 100, projection: { members: true } });
      const memberships = await tx.groupsOf([...ids, ...groups]);
      return JSON.parse(
        JSON.stringify({
          users: users.resources,
          groups: grps.resources.map((g) => ({
            ...g,
            members: [...(g.members ?? [])].sort((x, y) => (x.value < y.value ? -1 : 1)),
          })),
          memberships: [...memberships].map(([id, list]) => [id, list.map((m) => m.groupId).sort()]),
        }),
      ) as unknown;
    },
    { readOnly: true },
  );
}

describe("memory and PostgreSQL (PGlite) stores apply every write alike", () => {
  let db: PGlite;
  let pgStore: ScimStore;
  let memStore: ScimStore;
  let run = 0;

  beforeAll(async () => {
    db = new PGlite();
    const driver = createPgliteDriver(db);
    await migrate(driver);
    pgStore = createPostgresStore({ driver });
    memStore = createMemoryStore();
  });
  afterAll(async () => {
    await db.close();
  });

  it("gives the same outcome for each of 150 random sequences of up to 25 writes, and the same state after", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const tenant = `w-${++run}`;
        for (const [step, o] of ops.entries()) {
          const [mem, pg] = [await outcome(memStore, tenant, o, step), await outcome(pgStore, tenant, o, step)];
          expect({ step, op: o, result: pg }).toEqual({ step, op: o, result: mem });
        }
        expect(await state(pgStore, tenant)).toEqual(await state(memStore, tenant));
      }),
      { numRuns: 150, seed: Number(process.env["SCIMKIT_FC_SEED"] ?? 20_240_102), endOnFailure: true },
    );
  }, 120_000);
});
