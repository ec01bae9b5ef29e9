/**
 * The policy's admin API, for the host's settings page and scheduler: map IdP groups to roles (with
 * a dry run), exclude users from SCIM deprovisioning, choose each directory's deprovisioning, sweep
 * delayed deletes, check synced passwords. Each call is one unit of work that writes its own audit
 * entries; its events are persisted with it and delivered after commit.
 */
import type { PolicyOperation } from "../audit/operations.js";
import { checkPerson } from "../audit/person.js";
import type { Actor, Person } from "../audit/trail.js";
import { DIRECTORY } from "../directories/model.js";
import { ScimConfigError } from "../errors.js";
import type { JsonObject, StoreTransaction } from "../store/types.js";
import { applyRoles, planRoles } from "./apply-roles.js";
import type { Journal } from "../engine/journal.js";
import { HOST_ACTOR, inPolicyUnit, type PolicyUnitDeps } from "./journal.js";
import {
  checkDeprovisioning,
  type ResolvedPolicy,
  type DeprovisioningPolicy,
  type PolicySettings,
  type RoleChange,
  type RoleDefinition,
} from "./options.js";
import { verifyPasswordHash } from "./password.js";
import {
  DEPROVISIONING,
  deprovisioningFor,
  deprovisioningToRecord,
  EXCLUSION,
  loadMappings,
  MAPPING,
  TOMBSTONE_TYPE,
  type Exclusion,
} from "./records.js";
import { sameRoles, storedRoles, type Roles } from "./roles.js";
import { sweepTenant, type SweepResult } from "./sweep.js";

export interface PolicyAdminDeps extends PolicyUnitDeps {
  readonly now: () => Date;
}

export type { SweepResult };

/** A group as the settings page lists it: inactive until mapped to a role. */
export interface GroupRoleInfo {
  readonly id: string;
  readonly displayName: string | null;
  readonly roleId: string | null;
  readonly active: boolean;
  readonly mappedAt: string | null;
}

export interface RolePreview {
  readonly userId: string;
  readonly userName: string | null;
  readonly before: Roles;
  readonly after: Roles;
}

/** What a mapping would do: who changes and how, how many stay as they are, who is excluded. */
export interface MappingPreview {
  readonly changes: readonly RolePreview[];
  readonly unchanged: number;
  readonly excluded: readonly string[];
}

/** A hidden copy of a user deleted under the `"tombstone"` policy. */
export interface Tombstone {
  readonly id: string;
  readonly deletedAt: string | null;
  readonly deletedBy: string | null;
  readonly groups: readonly string[];
  readonly attributes: JsonObject;
}

const ALL = { startIndex: 1, count: Number.MAX_SAFE_INTEGER } as const;

export class PolicyAdmin {
  constructor(
    private readonly policy: PolicySettings,
    private readonly deps: PolicyAdminDeps,
    private readonly person: Person | null = null,
  ) {}

  /** The same admin API, with every change it makes attributed to `person` in the audit trail. */
  as(person: Person): PolicyAdmin {
    return new PolicyAdmin(this.policy, this.deps, checkPerson(person));
  }

  #actor(directoryId: string | null = null): Actor {
    return { ...HOST_ACTOR, directoryId, person: this.person };
  }

  /** Runs `work` as one unit of work, then delivers the events it persisted. */
  #write<T>(tenantId: string, actor: Actor, work: (journal: Journal) => Promise<T>): Promise<T> {
    return inPolicyUnit(this.deps, tenantId, actor, this.deps.now().toISOString(), work);
  }

  #read<T>(tenantId: string, work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.deps.store.transaction(tenantId, work, { readOnly: true });
  }

  async #groupMembers(tx: StoreTransaction, groupId: string): Promise<string[]> {
    const group = await tx.getResource("Group", groupId, { members: true });
    if (!group) throw new ScimConfigError(`Group ${groupId} does not exist in tenant ${tx.tenantId}`, "notFound");
    return (group.members ?? []).filter((m) => m.type === "User").map((m) => m.value);
  }

  /** The tenant's policy, with its roles; a role the tenant does not declare is refused as invalid. */
  async #tenant(tenantId: string, roleId: string | null = null): Promise<ResolvedPolicy> {
    const policy = await this.policy.forTenant(tenantId);
    if (roleId !== null && !policy.rank.has(roleId))
      throw new ScimConfigError(`Role "${roleId}" is not declared for tenant ${tenantId}`, "invalid");
    return policy;
  }

  /** The tenant's declared roles, best-ranked first. */
  async roles(tenantId: string): Promise<RoleDefinition[]> {
    const policy = await this.#tenant(tenantId);
    return [...policy.roles].sort((a, b) => (policy.rank.get(a.id) ?? 0) - (policy.rank.get(b.id) ?? 0));
  }

  /** Maps a group to a role (activating it, or moving it to another role) and re-roles its members. */
  async mapGroup(tenantId: string, groupId: string, roleId: string): Promise<RoleChange[]> {
    const policy = await this.#tenant(tenantId, roleId);
    return this.#write(tenantId, this.#actor(), async (journal) => {
      const members = await this.#groupMembers(journal.tx, groupId);
      const previous = (await journal.tx.getRecord(MAPPING, groupId))?.data["roleId"];
      await journal.tx.putRecord(MAPPING, { id: groupId, data: { groupId, roleId, mappedAt: journal.at } });
      journal.audit({
        operation: "policy.group.mapped" satisfies PolicyOperation,
        resourceType: "Group",
        resourceId: groupId,
        facts: { roleId, previousRoleId: typeof previous === "string" ? previous : null },
      });
      const planned = await planRoles(journal.tx, policy, members, await loadMappings(journal.tx));
      return applyRoles(journal, policy, planned.plans, () => "group.mapped");
    });
  }

  /** Unmaps a group: it stays, but grants no role any more. */
  async unmapGroup(tenantId: string, groupId: string): Promise<RoleChange[]> {
    const policy = await this.#tenant(tenantId);
    return this.#write(tenantId, this.#actor(), async (journal) => {
      const previous = await journal.tx.getRecord(MAPPING, groupId);
      if (!previous) return [];
      const members = await this.#groupMembers(journal.tx, groupId);
      await journal.tx.deleteRecord(MAPPING, groupId);
      journal.audit({
        operation: "policy.group.unmapped" satisfies PolicyOperation,
        resourceType: "Group",
        resourceId: groupId,
        facts: { roleId: previous.data["roleId"] ?? null, reason: "admin" },
      });
      const planned = await planRoles(journal.tx, policy, members, await loadMappings(journal.tx));
      return applyRoles(journal, policy, planned.plans, () => "group.unmapped");
    });
  }

  /** Every group of the tenant with its mapping; unmapped groups are inactive. */
  async listGroups(tenantId: string): Promise<GroupRoleInfo[]> {
    return this.#read(tenantId, async (tx) => {
      const mappings = new Map((await tx.listRecords(MAPPING)).map((r) => [r.id, r.data]));
      const groups = await tx.queryResources("Group", ALL);
      return groups.resources.map((g) => {
        const m = mappings.get(g.id);
        const roleId = typeof m?.["roleId"] === "string" ? m["roleId"] : null;
        const displayName = g.attributes["displayName"];
        const mappedAt = m?.["mappedAt"];
        return {
          id: g.id,
          displayName: typeof displayName === "string" ? displayName : null,
          roleId,
          active: roleId !== null,
          mappedAt: typeof mappedAt === "string" ? mappedAt : null,
        };
      });
    });
  }

  /** Dry run of `mapGroup` (or of `unmapGroup`, with `roleId: null`): nothing is written. */
  async previewMapping(tenantId: string, groupId: string, roleId: string | null): Promise<MappingPreview> {
    const policy = await this.#tenant(tenantId, roleId);
    return this.#read(tenantId, async (tx) => {
      const members = await this.#groupMembers(tx, groupId);
      const mappings = await loadMappings(tx);
      if (roleId === null) mappings.delete(groupId);
      else mappings.set(groupId, roleId);
      const planned = await planRoles(tx, policy, members, mappings);
      const changes: RolePreview[] = [];
      for (const p of planned.plans) {
        if (sameRoles(p.before, p.after)) continue;
        const userName = p.user.attributes["userName"];
        changes.push({
          userId: p.user.id,
          userName: typeof userName === "string" ? userName : null,
          before: p.before,
          after: p.after,
        });
      }
      return { changes, unchanged: planned.plans.length - changes.length, excluded: planned.excluded };
    });
  }

  /** A user's effective roles; `null` when SCIM assigns them none (or the user does not exist). */
  async rolesOf(tenantId: string, userId: string): Promise<Roles> {
    return this.#read(tenantId, async (tx) => {
      const user = await tx.getResource("User", userId);
      return user ? storedRoles(user.internal) : null;
    });
  }

  /** Excludes a user: SCIM keeps updating their profile but never deactivates, deletes or re-roles them. */
  async exclude(tenantId: string, userId: string, note?: string): Promise<Exclusion> {
    return this.#write(tenantId, this.#actor(), async (journal) => {
      if (!(await journal.tx.getResource("User", userId)))
        throw new ScimConfigError(`User ${userId} does not exist in tenant ${tenantId}`, "notFound");
      const existing = (await journal.tx.getRecord(EXCLUSION, userId))?.data as unknown as Exclusion | undefined;
      const exclusion: Exclusion = {
        userId,
        excludedAt: existing?.excludedAt ?? journal.at,
        note: note ?? existing?.note ?? null,
      };
      await journal.tx.putRecord(EXCLUSION, { id: userId, data: { ...exclusion } });
      journal.audit({
        operation: "policy.user.excluded" satisfies PolicyOperation,
        resourceType: "User",
        resourceId: userId,
        facts: { note: exclusion.note },
      });
      return exclusion;
    });
  }

  /** Ends an exclusion; the user's roles are recomputed at once, as they were frozen meanwhile. */
  async include(tenantId: string, userId: string): Promise<RoleChange[]> {
    const policy = await this.#tenant(tenantId);
    return this.#write(tenantId, this.#actor(), async (journal) => {
      if (!(await journal.tx.deleteRecord(EXCLUSION, userId))) return [];
      journal.audit({
        operation: "policy.user.included" satisfies PolicyOperation,
        resourceType: "User",
        resourceId: userId,
        facts: {},
      });
      if (policy.roles.length === 0) return [];
      const planned = await planRoles(journal.tx, policy, [userId], await loadMappings(journal.tx));
      return applyRoles(journal, policy, planned.plans, () => "user.included");
    });
  }

  async listExclusions(tenantId: string): Promise<Exclusion[]> {
    return this.#read(tenantId, async (tx) =>
      (await tx.listRecords(EXCLUSION)).map((r) => r.data as unknown as Exclusion),
    );
  }

  /** Sets a directory's deprovisioning; fields left out keep their current value. */
  async setDeprovisioning(directoryId: string, setting: Partial<DeprovisioningPolicy>): Promise<DeprovisioningPolicy> {
    const tenantId = await this.#tenantOf(directoryId);
    return this.#write(tenantId, this.#actor(directoryId), async (journal) => {
      const current = await deprovisioningFor(journal.tx, directoryId, this.policy.deprovisioning);
      const next = checkDeprovisioning({ ...current, ...setting }, "setDeprovisioning");
      const data = deprovisioningToRecord(next);
      await journal.tx.putRecord(DEPROVISIONING, { id: directoryId, data });
      journal.audit({
        operation: "policy.deprovisioning.set" satisfies PolicyOperation,
        resourceType: null,
        resourceId: null,
        facts: { ...data },
      });
      return next;
    });
  }

  async deprovisioning(directoryId: string): Promise<DeprovisioningPolicy> {
    const tenantId = await this.#tenantOf(directoryId);
    return this.#read(tenantId, (tx) => deprovisioningFor(tx, directoryId, this.policy.deprovisioning));
  }

  async #tenantOf(directoryId: string): Promise<string> {
    const found = await this.deps.store.findRecordByKey(DIRECTORY, directoryId);
    if (!found) throw new ScimConfigError(`Directory ${directoryId} does not exist`, "notFound");
    return found.tenantId;
  }

  /**
   * Deletes the tenant's users deactivated under a delayed-delete policy whose delay has passed.
   * Schedule it (e.g. nightly per tenant); `now` defaults to the server's clock.
   */
  async sweep(tenantId: string, now: Date = this.deps.now()): Promise<SweepResult> {
    return sweepTenant(await this.#tenant(tenantId), this.deps, tenantId, now);
  }

  /** True when `candidate` matches the password last synced for the user (hash mode only). */
  async verifyPassword(tenantId: string, userId: string, candidate: string): Promise<boolean> {
    const hash = await this.#read(
      tenantId,
      async (tx) => (await tx.getResource("User", userId))?.internal["passwordHash"],
    );
    return typeof hash === "string" ? verifyPasswordHash(hash, candidate) : false;
  }

  /** Users deleted under the `"tombstone"` policy, as kept at deletion. */
  async listTombstones(tenantId: string): Promise<Tombstone[]> {
    return this.#read(tenantId, async (tx) =>
      (await tx.queryResources(TOMBSTONE_TYPE, ALL)).resources.map((r) => {
        const deletedAt = r.internal["deletedAt"];
        const deletedBy = r.internal["deletedBy"];
        const groups = r.internal["groups"];
        return {
          id: r.id,
          deletedAt: typeof deletedAt === "string" ? deletedAt : null,
          deletedBy: typeof deletedBy === "string" ? deletedBy : null,
          groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
          attributes: r.attributes,
        };
      }),
    );
  }
}
