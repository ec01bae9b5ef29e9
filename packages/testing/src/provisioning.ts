/**
 * The provisioning scenarios the seed products promise their admins, walked end to end over
 * `server.fetch` on the store under test: group → role mapping, inactive groups, exclusions,
 * every deprovisioning policy, reactivation, and the audit and event trail. The policy engine
 * reaches a store only through the store contract, so a store passing the contract suite should
 * pass these too; running them proves it, on the store's own transactions and isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimServer, type PolicyOptions, type ScimEvent, type ScimServer, type ScimStore } from "@scimkit/core";

export interface ProvisioningOptions {
  /** Shown in the suite's name. */
  readonly name: string;
  /** Opens the store once for the whole suite; each scenario uses a tenant of its own. */
  readonly makeStore: () => Promise<ScimStore>;
  /** Called after the suite, before `store.close()`. */
  readonly cleanup?: ((store: ScimStore) => Promise<void>) | undefined;
}

const DAY = 86_400_000;
const roles = [
  { id: "admin", label: "Admin", priority: 10 },
  { id: "member", label: "Member" },
];

interface Scenario {
  readonly server: ScimServer;
  readonly tenantId: string;
  readonly directoryId: string;
  readonly events: ScimEvent[];
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> | undefined }>;
  user(userName: string): Promise<string>;
  group(displayName: string, members?: readonly string[]): Promise<string>;
  advance(ms: number): void;
}

const patch = (...Operations: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations,
});
const deactivate = { op: "replace", value: { active: false } };
const addMember = (id: string) => patch({ op: "add", path: "members", value: [{ value: id }] });
const removeMember = (id: string) => patch({ op: "remove", path: `members[value eq "${id}"]` });

/**
 * Registers the provisioning scenarios with vitest. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runProvisioningScenarios({ name: "my store", makeStore: async () => myStore() });
 * ```
 */
export function runProvisioningScenarios(options: ProvisioningOptions): void {
  describe(`provisioning scenarios: ${options.name}`, () => {
    let store: ScimStore | undefined;
    let counter = 0;
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    beforeAll(async () => {
      store = await options.makeStore();
    });
    afterAll(async () => {
      if (!store) return;
      await options.cleanup?.(store);
      await store.close?.();
    });

    async function scenario(policy: PolicyOptions = {}): Promise<Scenario> {
      if (!store) throw new Error("the store is not ready: makeStore() failed or has not run");
      let clock = Date.parse("2026-01-05T09:00:00.000Z");
      const events: ScimEvent[] = [];
      const server = createScimServer({
        store,
        now: () => new Date(clock),
        policy: { roles, ...policy },
        onEvent: (e) => void events.push(e),
      });
      const tenantId = `prov-${run}-${++counter}`;
      const dir = await server.directories.create({ tenantId, name: "Okta", idp: "okta" });
      const { token } = await server.directories.mintToken(dir.id);
      const call: Scenario["call"] = async (method, path, body) => {
        const res = await server.fetch(
          new Request(`https://app.example.com/scim/v2${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          }),
        );
        const text = await res.text();
        return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
      };
      const created = async (path: string, body: unknown) => {
        const res = await call("POST", path, body);
        expect(res.status, `POST ${path}`).toBe(201);
        return String(res.body?.["id"]);
      };
      return {
        server,
        tenantId,
        directoryId: dir.id,
        events,
        call,
        user: (userName) =>
          created("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName, active: true }),
        group: (displayName, members = []) =>
          created("/Groups", { displayName, members: members.map((value) => ({ value })) }),
        advance: (ms) => void (clock += ms),
      };
    }

    it("assigns a role when a user joins a mapped group, updates it when they move, and ignores unmapped groups", async () => {
      const s = await scenario();
      const ada = await s.user("ada@example.com");
      const admins = await s.group("Admins");
      const staff = await s.group("Staff");
      const unmapped = await s.group("Book club");
      expect((await s.server.policy.listGroups(s.tenantId)).every((g) => !g.active)).toBe(true);
      await s.server.policy.mapGroup(s.tenantId, admins, "admin");
      await s.server.policy.mapGroup(s.tenantId, staff, "member");

      expect((await s.call("PATCH", `/Groups/${unmapped}`, addMember(ada))).status).toBeLessThan(300);
      expect(await s.server.policy.rolesOf(s.tenantId, ada)).toBeNull();
      await s.call("PATCH", `/Groups/${admins}`, addMember(ada));
      expect(await s.server.policy.rolesOf(s.tenantId, ada)).toEqual(["admin"]);
      await s.call("PATCH", `/Groups/${admins}`, removeMember(ada));
      await s.call("PATCH", `/Groups/${staff}`, addMember(ada));
      expect(await s.server.policy.rolesOf(s.tenantId, ada)).toEqual(["member"]);

      const changes = s.events
        .filter((e) => e.type === "role.changed")
        .map((e) => [e.data["previousRoles"], e.data["roles"]]);
      expect(changes).toEqual([
        [null, ["admin"]],
        [["admin"], null],
        [null, ["member"]],
      ]);
    });

    it("never deactivates or re-roles an excluded admin, while still applying their profile updates", async () => {
      const s = await scenario();
      const owner = await s.user("owner@example.com");
      const admins = await s.group("Admins", [owner]);
      await s.server.policy.mapGroup(s.tenantId, admins, "admin");
      await s.server.policy.exclude(s.tenantId, owner, "account owner");
      expect((await s.call("PATCH", `/Users/${owner}`, patch(deactivate))).status).toBeLessThan(300);
      expect((await s.call("PATCH", `/Groups/${admins}`, removeMember(owner))).status).toBeLessThan(300);
      expect(
        (await s.call("PATCH", `/Users/${owner}`, patch({ op: "replace", path: "displayName", value: "The Owner" })))
          .status,
      ).toBeLessThan(300);
      const read = (await s.call("GET", `/Users/${owner}`)).body;
      expect(read?.["active"]).toBe(true);
      expect(read?.["displayName"]).toBe("The Owner");
      expect(await s.server.policy.rolesOf(s.tenantId, owner)).toEqual(["admin"]);
      expect((await s.call("DELETE", `/Users/${owner}`)).status).toBe(204);
      expect((await s.call("GET", `/Users/${owner}`)).status).toBe(200);
    });

    it("soft-deactivates by default; reactivation keeps the id, the memberships and the role", async () => {
      const s = await scenario();
      const ada = await s.user("ada@example.com");
      const admins = await s.group("Admins", [ada]);
      await s.server.policy.mapGroup(s.tenantId, admins, "admin");
      await s.call("PATCH", `/Users/${ada}`, patch(deactivate));
      expect((await s.call("GET", `/Users/${ada}`)).body?.["active"]).toBe(false);
      // A deactivated user holds no role at all (an empty list, not "leave the host's value").
      expect(await s.server.policy.rolesOf(s.tenantId, ada)).toEqual([]);
      await s.call("PATCH", `/Users/${ada}`, patch({ op: "replace", value: { active: true } }));
      const back = (await s.call("GET", `/Users/${ada}`)).body;
      expect(back?.["id"]).toBe(ada);
      expect(((back?.["groups"] ?? []) as { value: string }[]).map((g) => g.value)).toEqual([admins]);
      expect(await s.server.policy.rolesOf(s.tenantId, ada)).toEqual(["admin"]);
      expect(s.events.filter((e) => e.resourceId === ada).map((e) => e.type)).toEqual(
        expect.arrayContaining(["user.created", "user.deactivated", "user.reactivated"]),
      );
    });

    it("hard-deletes in the same request under the delete policy", async () => {
      const s = await scenario({ deprovisioning: { onDeactivate: "delete" } });
      const ada = await s.user("ada@example.com");
      const group = await s.group("Eng", [ada]);
      expect((await s.call("PATCH", `/Users/${ada}`, patch(deactivate))).status).toBe(204);
      expect((await s.call("GET", `/Users/${ada}`)).status).toBe(404);
      expect((await s.call("GET", `/Groups/${group}`)).body?.["members"] ?? []).toEqual([]);
    });

    it("deletes a deactivated user only once the sweep runs after the grace period", async () => {
      const s = await scenario({ deprovisioning: { onDeactivate: { deactivateThenDeleteAfterDays: 30 } } });
      const ada = await s.user("ada@example.com");
      await s.call("PATCH", `/Users/${ada}`, patch(deactivate));
      s.advance(29 * DAY);
      expect((await s.server.policy.sweep(s.tenantId)).deleted).toEqual([]);
      expect((await s.call("GET", `/Users/${ada}`)).status).toBe(200);
      s.advance(2 * DAY);
      expect((await s.server.policy.sweep(s.tenantId)).deleted).toEqual([ada]);
      expect((await s.call("GET", `/Users/${ada}`)).status).toBe(404);
    });

    it("audits every change with who and what, and replays events from a cursor in order", async () => {
      const s = await scenario();
      const ada = await s.user("ada@example.com");
      const cursor = (await s.server.events.read(s.tenantId)).at(-1)?.seq ?? 0;
      await s.call("PATCH", `/Users/${ada}`, patch({ op: "replace", path: "displayName", value: "Ada" }));
      await s.call("PATCH", `/Users/${ada}`, patch(deactivate));
      const audit = await s.server.audit(s.tenantId, { resourceId: ada });
      expect(audit.map((e) => [e.operation, e.outcome])).toEqual([
        ["create User", "success"],
        ["patch User", "success"],
        ["patch User", "success"],
      ]);
      expect(audit.every((e) => e.directoryId === s.directoryId && typeof e.tokenId === "string")).toBe(true);
      expect(audit[1]?.diff).toEqual([{ op: "add", path: "/displayName", value: "Ada" }]);
      const replay = await s.server.events.read(s.tenantId, { after: cursor });
      expect(replay.map((e) => e.type)).toEqual(["user.updated", "user.deactivated"]);
      expect(replay.map((e) => e.seq)).toEqual([...replay.map((e) => e.seq)].sort((a, b) => a - b));
    });
  });
}
