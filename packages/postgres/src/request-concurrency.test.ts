/**
 * SCIM requests racing each other on a real PostgreSQL server, through the whole engine (PATCH,
 * policy, audit): what a host running several app instances against one database gets. Each
 * request is its own unit of work on its own pooled connection; units lock what they touch, and
 * one that meets a taken lock runs again, never because the server had to break a deadlock. Runs
 * only with SCIMKIT_TEST_PG_URL.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  addMember,
  createGroup,
  createUser,
  deactivate,
  patchOp,
  policyHarness,
} from "../../core/test/policy/support.js";
import { PG_URL, serverDatabase, type TestDatabase } from "../test/databases.js";
import { createPostgresStore } from "./index.js";

let db: TestDatabase | undefined;
/** Why units of work were run again: lock contention is expected here, a deadlock never. */
const retries: string[] = [];
afterEach(async () => {
  await db?.dispose();
  db = undefined;
  const seen = retries.splice(0);
  expect(seen.filter((reason) => reason !== "lock")).toEqual([]);
});

async function onServer(label: string, policy: Parameters<typeof policyHarness>[0] = {}) {
  db = await serverDatabase(label, PG_URL ?? "");
  return policyHarness(policy, {
    store: createPostgresStore({ driver: db.driver, schema: db.schema, onRetry: (r) => void retries.push(r.reason) }),
  });
}

describe.runIf(PG_URL)("concurrent SCIM requests on the PostgreSQL server", () => {
  it("lets exactly one of ten PATCHes carrying the same If-Match through; the rest get 412", async () => {
    const h = await onServer("ifmatch");
    const group = await createGroup(h.call, "Eng");
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => createUser(h.call, `u${i}@example.com`)));
    const version = (await h.call("GET", `/Groups/${group}`)).body.meta.version as string;
    const answers = await Promise.all(
      users.map((u) =>
        h.server.fetch(
          new Request(`https://app.example.com/scim/v2/Groups/${group}`, {
            method: "PATCH",
            headers: {
              authorization: `Bearer ${h.token}`,
              "content-type": "application/scim+json",
              "if-match": version,
            },
            body: JSON.stringify(patchOp({ op: "add", path: "members", value: [{ value: u }] })),
          }),
        ),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s < 300)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(9);
    expect((await h.call("GET", `/Groups/${group}`)).body.members).toHaveLength(1);
  });

  it("loses no member add and refuses no rename when adds and renames of one group race without If-Match", async () => {
    const h = await onServer("race");
    const group = await createGroup(h.call, "Eng");
    const users = await Promise.all(Array.from({ length: 40 }, (_, i) => createUser(h.call, `r${i}@example.com`)));
    const renames = Array.from({ length: 8 }, (_, i) =>
      h.call("PATCH", `/Groups/${group}`, patchOp({ op: "replace", path: "displayName", value: `Eng ${i}` })),
    );
    const adds = users.map((u) => addMember(h.call, group, u));
    const answers = await Promise.all([...renames, ...adds]);
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);
    const final = (await h.call("GET", `/Groups/${group}`)).body;
    expect(final.members.map((m: { value: string }) => m.value).sort()).toEqual([...users].sort());
    expect(final.displayName).toMatch(/^Eng \d$/);
    expect(final.meta.version).toBe(`W/"${1 + 8 + 40}"`);
  });

  it("gives a user both roles when two requests add them to two mapped groups at once (multi-role)", async () => {
    const h = await onServer("roles", {
      roles: [
        { id: "admin", label: "Admin" },
        { id: "viewer", label: "Viewer" },
      ],
      mode: "multi",
    });
    const a = await createGroup(h.call, "Admins");
    const b = await createGroup(h.call, "Viewers");
    await h.policy.mapGroup(h.tenantId, a, "admin");
    await h.policy.mapGroup(h.tenantId, b, "viewer");
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => createUser(h.call, `m${i}@example.com`)));
    const answers = await Promise.all(users.flatMap((u) => [addMember(h.call, a, u), addMember(h.call, b, u)]));
    expect(answers.every((r) => r.status < 300)).toBe(true);
    for (const u of users)
      expect([...((await h.policy.rolesOf(h.tenantId, u)) ?? [])].sort()).toEqual(["admin", "viewer"]);
  });

  it("keeps the last admin active when the IdP deactivates both admins at once", async () => {
    const h = await onServer("lastadmin", { roles: [{ id: "admin", label: "Admin" }], protectLastAdmin: "admin" });
    const group = await createGroup(h.call, "Admins");
    await h.policy.mapGroup(h.tenantId, group, "admin");
    const admins = [await createUser(h.call, "a1@example.com"), await createUser(h.call, "a2@example.com")];
    for (const u of admins) await addMember(h.call, group, u);
    const answers = await Promise.all(admins.map((u) => deactivate(h.call, u)));
    expect(answers.every((r) => r.status < 300)).toBe(true);
    const active = await Promise.all(
      admins.map(async (u) => (await h.call("GET", `/Users/${u}`)).body.active as boolean),
    );
    expect(active.filter(Boolean)).toHaveLength(1);
  });

  it("deletes users who share groups, joined in different orders, while members join those groups, leaving no membership behind", async () => {
    const h = await onServer("offboard");
    const groups = [await createGroup(h.call, "A"), await createGroup(h.call, "B"), await createGroup(h.call, "C")];
    const leaving = await Promise.all(Array.from({ length: 9 }, (_, i) => createUser(h.call, `l${i}@example.com`)));
    const joining = await Promise.all(Array.from({ length: 6 }, (_, i) => createUser(h.call, `j${i}@example.com`)));
    // Each leaving user joined the three groups in another order: a delete leaves them in that order.
    for (const [i, u] of leaving.entries())
      for (let k = 0; k < 3; k++) await addMember(h.call, groups[(i + k) % 3] ?? "", u);
    const answers = await Promise.all([
      ...leaving.map((u) => h.call("DELETE", `/Users/${u}`)),
      ...joining.map((u, i) => addMember(h.call, groups[i % 3] ?? "", u)),
    ]);
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);
    for (const g of groups) {
      const members = ((await h.call("GET", `/Groups/${g}`)).body.members ?? []).map((m: { value: string }) => m.value);
      expect(members.filter((m: string) => leaving.includes(m))).toEqual([]);
      expect(members.sort()).toEqual(joining.filter((_, i) => groups[i % 3] === g).sort());
    }
  });

  it("never deadlocks a role mapping against deactivations of the group's members", async () => {
    const h = await onServer("deadlock", { roles: [{ id: "admin", label: "Admin" }] });
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => createUser(h.call, `d${i}@example.com`)));
    const group = await createGroup(h.call, "Admins", users);
    const [mapped, ...answers] = await Promise.all([
      h.policy.mapGroup(h.tenantId, group, "admin"),
      ...users.map((u) => deactivate(h.call, u)),
    ]);
    expect(answers.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
    expect(Array.isArray(mapped)).toBe(true);
  });
});
