import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { parseFilter } from "../filter/parse.js";
import { SchemaRegistry } from "../schema/registry.js";
import { createMemoryStore } from "./store.js";
import type { ResourceWrite } from "../store/types.js";

const at = "2026-01-01T00:00:00.000Z";
const resource = (resourceType: string, id: string, attributes: ResourceWrite["attributes"]): ResourceWrite => ({
  id,
  resourceType,
  attributes,
  internal: {},
  uniqueKey: resourceType === "User" ? String(attributes["userName"]).toLowerCase() : null,
  created: at,
  lastModified: at,
  version: 1,
});

function userNameEq(value: string) {
  const parsed = parseFilter(new SchemaRegistry(), "User", `userName eq "${value}"`, toleranceContext(profiles.rfc));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe("memory store snapshot", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("brings back resources, indexes and memberships, display values included, after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scimkit-snapshot-"));
    dirs.push(dir);
    const first = createMemoryStore({ directory: dir });
    await first.transaction("t", async (tx) => {
      await tx.createResource(resource("User", "u-1", { userName: "Ann@Example.com" }));
      await tx.createResource(resource("User", "u-2", { userName: "bob@example.com" }));
      await tx.createResource(resource("Group", "g-1", { displayName: "One" }));
      await tx.createResource(resource("Group", "g-2", { displayName: "Two" }));
      await tx.addMembers(
        "g-1",
        [
          { value: "u-1", type: "User", display: "Ann" },
          { value: "u-2", type: "User" },
        ],
        { modifiedAt: at, version: 2 },
      );
      await tx.addMembers(
        "g-2",
        [
          { value: "u-1", type: "User" },
          { value: "g-1", type: "Group" },
        ],
        { modifiedAt: at, version: 2 },
      );
    });
    await first.close?.();

    const second = createMemoryStore({ directory: dir });
    const read = await second.transaction(
      "t",
      async (tx) => ({
        one: (await tx.getResource("Group", "g-1", { members: true }))?.members,
        two: (await tx.getResource("Group", "g-2", { members: true }))?.members,
        groups: await tx.groupsOf(["u-1", "u-2", "g-1"]),
        user: await tx.getResource("User", "u-2", { groups: true }),
        group: await tx.getResource("Group", "g-1"),
        byName: await tx.queryResources("User", { filter: userNameEq("ann@example.COM"), startIndex: 1, count: 10 }),
      }),
      { readOnly: true },
    );
    expect(read.one).toEqual([
      { value: "u-1", type: "User", display: "Ann" },
      { value: "u-2", type: "User" },
    ]);
    expect(read.two).toEqual([
      { value: "u-1", type: "User" },
      { value: "g-1", type: "Group" },
    ]);
    expect([...(read.groups.get("u-1") ?? [])].map((m) => m.groupId).sort()).toEqual(["g-1", "g-2"]);
    expect([...(read.groups.get("u-2") ?? [])].map((m) => m.groupId)).toEqual(["g-1"]);
    expect([...(read.groups.get("g-1") ?? [])].map((m) => m.groupId)).toEqual(["g-2"]);
    expect(read.byName.resources.map((r) => r.id)).toEqual(["u-1"]);
    expect(read.user?.groups).toEqual([{ groupId: "g-1", display: "One" }]);
    expect([read.group?.version, read.group?.lastModified]).toEqual([2, at]);
  });
});
