/**
 * The policy's part in every SCIM write, as the write pipeline's reviewer (engine/unit-of-work.ts).
 * A user write is reviewed *before* it is written, so the user is written once with everything the
 * policy decides: a synced password's hash, an excluded user or the last admin kept active,
 * the deactivation time, the roles the user now holds, or the user's deletion when the directory
 * deletes on deactivation. A DELETE is looked at before the store removes anything. Once the
 * request's writes are done, the roles of the members a mapped group gained or lost are recomputed.
 * Every decision goes to the request's journal; state lives in the review of one request only.
 */
import type { PolicyOperation } from "../audit/operations.js";
import type { Journal } from "../engine/journal.js";
import type { RequestReview, WritePolicy } from "../engine/unit-of-work.js";
import type { ResourceChange } from "../resources/change.js";
import type { UserVerdict, UserWritePlan } from "../resources/context.js";
import type { JsonObject, StoredResource } from "../store/types.js";
import { applyRoles, planRoles, reportRoleChange, rolesGone } from "./apply-roles.js";
import { noteDeprovision, writeTombstone } from "./deprovision.js";
import { deprovisionBlocked } from "./guards.js";
import type { PolicySettings, ResolvedPolicy, RoleChangeReason } from "./options.js";
import { applyPassword } from "./password.js";
import { deprovisioningFor, isExcluded, loadMappings, MAPPING, PENDING_DELETE } from "./records.js";
import { effectiveRoles, sameRoles, storedRoles, type Roles } from "./roles.js";

const isActive = (attributes: JsonObject) => attributes["active"] !== false;

function withRoles(internal: JsonObject, roles: Roles): JsonObject {
  const next = { ...internal };
  if (roles === null) delete next["roles"];
  else next["roles"] = [...roles];
  return next;
}

export function writePolicy(settings: PolicySettings): WritePolicy {
  return { begin: (journal) => requestReview(settings, journal) };
}

function requestReview(settings: PolicySettings, journal: Journal): RequestReview {
  const tx = journal.tx;
  // The tenant's roles are looked up once per request, and only by a write that needs them (a plain
  // profile update does not), so a host's role function is not called on every request.
  let tenant: Promise<ResolvedPolicy> | undefined;
  const policyNow = () => (tenant ??= settings.forTenant(journal.tenantId));
  const groupChanges: ResourceChange[] = [];
  /** Mapped groups being deleted: their role and User members, read before the store drops them. */
  const deletedGroups = new Map<string, { readonly roleId: string; readonly members: readonly string[] }>();
  let mappings: Map<string, string> | undefined;
  const mappingsNow = async () => (mappings ??= await loadMappings(tx));

  /** The roles a reviewed user ends with, written with the user and reported. */
  async function settleRoles(
    userId: string,
    internal: JsonObject,
    after: Roles,
    reason: RoleChangeReason,
  ): Promise<JsonObject> {
    const before = storedRoles(internal);
    if (sameRoles(before, after)) return internal;
    await reportRoleChange(journal, await policyNow(), { tenantId: journal.tenantId, userId, before, after, reason });
    return withRoles(internal, after);
  }

  async function deactivation(user: StoredResource, next: UserWritePlan["next"]): Promise<UserVerdict> {
    const policy = await policyNow();
    const rolesOn = policy.roles.length > 0;
    const blocked = await deprovisionBlocked(tx, policy, user);
    if (blocked) {
      // Kept active before anything is written, so the store, the answer and the trail agree.
      journal.audit({
        operation: "policy.deactivation.blocked" satisfies PolicyOperation,
        resourceType: "User",
        resourceId: user.id,
        facts: { reason: blocked },
      });
      return { write: { ...next, attributes: { ...next.attributes, active: true } }, thenDelete: false };
    }
    const rule = (await deprovisioningFor(tx, journal.actor.directoryId, policy.deprovisioning)).onDeactivate;
    if (rule === "delete") {
      await tx.deleteRecord(PENDING_DELETE, user.id);
      await noteDeprovision(journal, policy, user.id, "delete", "deactivate", {});
      await rolesGone(journal, policy, user.id, storedRoles(user.internal));
      return { write: next, thenDelete: true };
    }
    let internal: JsonObject = Object.assign({}, next.internal, { deactivatedAt: journal.at });
    if (typeof rule === "object") {
      await tx.putRecord(PENDING_DELETE, {
        id: user.id,
        data: { userId: user.id, directoryId: journal.actor.directoryId, deactivatedAt: journal.at },
      });
      await noteDeprovision(journal, policy, user.id, "deactivate", "deactivate", {
        deleteAfterDays: rule.deactivateThenDeleteAfterDays,
      });
    } else {
      await noteDeprovision(journal, policy, user.id, "deactivate", "deactivate", null);
    }
    if (rolesOn)
      internal = await settleRoles(
        user.id,
        internal,
        effectiveRoles(policy, { active: false, current: storedRoles(internal), granted: [] }),
        "user.deactivated",
      );
    return { write: { ...next, internal }, thenDelete: false };
  }

  async function reactivation(user: StoredResource, next: UserWritePlan["next"]): Promise<UserVerdict> {
    const policy = await policyNow();
    const rolesOn = policy.roles.length > 0;
    await tx.deleteRecord(PENDING_DELETE, user.id);
    // A copy without the key, not `delete` on it: deleting turns the object into a slow dictionary.
    const { deactivatedAt: _, ...kept } = next.internal;
    let internal: JsonObject = kept;
    if (rolesOn && !(await isExcluded(tx, user.id))) {
      const mapped = await mappingsNow();
      const groups = user.groups ?? (await tx.groupsOf([user.id])).get(user.id) ?? [];
      const granted = groups.flatMap((g) => mapped.get(g.groupId) ?? []);
      const current = storedRoles(internal);
      internal = await settleRoles(
        user.id,
        internal,
        effectiveRoles(policy, { active: true, current, granted }),
        "user.reactivated",
      );
    }
    return { write: { ...next, internal }, thenDelete: false };
  }

  return {
    async review(plan) {
      let next = plan.next;
      if (plan.password !== undefined)
        next = { ...next, internal: await applyPassword(journal, settings, next.id, plan.password, next.internal) };
      const user = plan.before;
      if (user === null) {
        // A new user holds the fallback role until a mapped group grants another. Without one
        // (given in the options) there is nothing to decide, and the tenant's roles are not looked up.
        if (settings.fallbackRole === null) return { write: next, thenDelete: false };
        const policy = await policyNow();
        if (policy.roles.length === 0 || policy.fallbackRole === null) return { write: next, thenDelete: false };
        const after = effectiveRoles(policy, { active: isActive(next.attributes), current: null, granted: [] });
        return {
          write: { ...next, internal: await settleRoles(next.id, next.internal, after, "user.created") },
          thenDelete: false,
        };
      }
      const was = isActive(user.attributes);
      const is = isActive(next.attributes);
      if (was && !is) return deactivation(user, next);
      if (!was && is) return reactivation(user, next);
      return { write: next, thenDelete: false };
    },

    async beforeDelete(resource) {
      if (resource.resourceType === "User") {
        const policy = await policyNow();
        // Independent reads, asked together: a pipelining store answers both in one round trip.
        const [blocked, setting] = await Promise.all([
          deprovisionBlocked(tx, policy, resource),
          deprovisioningFor(tx, journal.actor.directoryId, policy.deprovisioning),
        ]);
        // Ignored rather than refused: an IdP that gets an error retries, and Entra quarantines a
        // job that keeps failing. The client sees 204, the user stays, the audit says why.
        if (blocked) {
          journal.audit({
            operation: "policy.delete.ignored" satisfies PolicyOperation,
            resourceType: "User",
            resourceId: resource.id,
            facts: { reason: blocked },
          });
          return "handled";
        }
        const mode = setting.onDelete === "tombstone" ? "tombstone" : "delete";
        if (mode === "tombstone") await writeTombstone(tx, resource, journal.at, journal.actor.directoryId);
        // A pending deletion is only ever recorded together with `deactivatedAt` (a deactivation
        // under a grace period), and the two are cleared together: a user without it has none.
        if (resource.internal["deactivatedAt"] !== undefined) await tx.deleteRecord(PENDING_DELETE, resource.id);
        await noteDeprovision(journal, policy, resource.id, mode, "delete", mode === "tombstone" ? {} : null);
        await rolesGone(journal, policy, resource.id, storedRoles(resource.internal));
        return "proceed";
      }
      if (resource.resourceType === "Group") {
        const mapping = await tx.getRecord(MAPPING, resource.id);
        const roleId = mapping?.data["roleId"];
        if (typeof roleId === "string") {
          // Reading every member is unavoidable here: each one may lose a role.
          const group = await tx.getResource("Group", resource.id, { members: true });
          const members = (group?.members ?? []).filter((m) => m.type === "User").map((m) => m.value);
          deletedGroups.set(resource.id, { roleId, members });
        }
      }
      return "proceed";
    },

    changed(change) {
      if (change.resourceType === "Group") groupChanges.push(change);
    },

    async finish() {
      if (groupChanges.length === 0) return;
      const policy = await policyNow();
      const rolesOn = policy.roles.length > 0;
      const recompute = new Map<string, RoleChangeReason>();
      const affect = (ids: readonly string[], reason: RoleChangeReason) => {
        if (rolesOn) for (const id of ids) recompute.set(id, reason);
      };
      for (const change of groupChanges) {
        if (change.operation === "delete") {
          const deleted = deletedGroups.get(change.id);
          if (!deleted) continue;
          await tx.deleteRecord(MAPPING, change.id);
          journal.audit({
            operation: "policy.group.unmapped" satisfies PolicyOperation,
            resourceType: "Group",
            resourceId: change.id,
            facts: { roleId: deleted.roleId, reason: "group.deleted" },
          });
          affect(deleted.members, "group.deleted");
        } else if (
          rolesOn &&
          change.membersAdded.length + change.membersRemoved.length > 0 &&
          (await mappingsNow()).has(change.id)
        ) {
          // An unmapped (inactive) group takes no part in roles: its membership changes cost nothing here.
          affect(change.membersAdded, "membership.added");
          affect(change.membersRemoved, "membership.removed");
        }
      }
      if (recompute.size === 0) return;
      const planned = await planRoles(tx, policy, recompute.keys(), await mappingsNow());
      await applyRoles(journal, policy, planned.plans, (id) => recompute.get(id) ?? "membership.added");
    },
  };
}
