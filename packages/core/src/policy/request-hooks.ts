/**
 * The policy's part in every SCIM write: a `BeforeDelete` that looks at what a DELETE is about to
 * remove, and a `WriteStep` that, after the operation and before the response, applies password
 * sync, keeps excluded users and the last admin active, deprovisions, and recomputes the roles of
 * exactly the users the request touched. Both run in the request's unit of work, so a refusal or a
 * throwing host hook rolls the whole request back.
 */
import type { OperationContext, ResourceChange } from "../resources/context.js";
import { snapshotOf } from "../resources/create.js";
import type { BeforeDelete, WriteStep } from "../server/unit-of-work.js";
import { applyRoles, planRoles, rolesGone } from "./apply-roles.js";
import { deactivated, noteDeprovision, reactivated, writeTombstone } from "./deprovision.js";
import { deprovisionBlocked, type GuardReason } from "./guards.js";
import { PolicyJournal } from "./journal.js";
import type { ResolvedPolicy, RoleChangeReason } from "./options.js";
import { applyPassword } from "./password.js";
import { deprovisioningFor, loadMappings, MAPPING, PENDING_DELETE } from "./records.js";
import { storedRoles, type Roles } from "./roles.js";

/** What `beforeDelete` learnt, for the step of the same request (which alone knows the actor). */
interface RequestNotes {
  readonly ignoredDeletes: { readonly userId: string; readonly reason: GuardReason }[];
  /** Roles each deleted user held; the store drops them with the user. */
  readonly deletedRoles: Map<string, Roles>;
  readonly deleteModes: Map<string, "delete" | "tombstone">;
  /** Mapped groups being deleted: their role and User members, read before the store drops them. */
  readonly deletedGroups: Map<string, { readonly roleId: string; readonly members: readonly string[] }>;
}

const isActive = (snapshot: ResourceChange["before"]) => snapshot !== null && snapshot["active"] !== false;

export interface RequestHooks {
  readonly step: WriteStep;
  readonly beforeDelete: BeforeDelete;
}

export function requestHooks(policy: ResolvedPolicy): RequestHooks {
  // Keyed by the request's context: no state outlives a request or leaks between servers.
  const notes = new WeakMap<OperationContext, RequestNotes>();
  const notesOf = (ctx: OperationContext): RequestNotes => {
    let n = notes.get(ctx);
    if (!n) notes.set(ctx, (n = { ignoredDeletes: [], deletedRoles: new Map(), deleteModes: new Map(), deletedGroups: new Map() }));
    return n;
  };
  const rolesOn = policy.roles.length > 0;

  const beforeDelete: BeforeDelete = async (ctx, typeId, id) => {
    if (typeId === "User") {
      const user = await ctx.tx.getResource("User", id);
      if (!user) return "proceed";
      const blocked = await deprovisionBlocked(ctx.tx, policy, user);
      // Ignored rather than refused: an IdP that gets an error retries, and Entra quarantines a
      // job that keeps failing. The client sees 204, the user stays, the audit says why.
      if (blocked) {
        notesOf(ctx).ignoredDeletes.push({ userId: id, reason: blocked });
        return "handled";
      }
      const n = notesOf(ctx);
      n.deletedRoles.set(id, storedRoles(user.internal));
      const setting = await deprovisioningFor(ctx.tx, ctx.directoryId, policy.deprovisioning);
      if (setting.onDelete === "tombstone") await writeTombstone(ctx.tx, user, ctx.settings.now().toISOString(), ctx.directoryId);
      n.deleteModes.set(id, setting.onDelete === "tombstone" ? "tombstone" : "delete");
      return "proceed";
    }
    if (typeId === "Group") {
      const mapping = await ctx.tx.getRecord(MAPPING, id);
      const roleId = mapping?.data["roleId"];
      if (typeof roleId === "string") {
        // Reading every member is unavoidable here: each one may lose a role.
        const group = await ctx.tx.getResource("Group", id, { members: true });
        const members = (group?.members ?? []).filter((m) => m.type === "User").map((m) => m.value);
        notesOf(ctx).deletedGroups.set(id, { roleId, members });
      }
    }
    return "proceed";
  };

  const step: WriteStep = async (ctx, actor, emit) => {
    const n = notes.get(ctx);
    const journal = new PolicyJournal(ctx.tx, actor, ctx.settings.now().toISOString());
    const recompute = new Map<string, RoleChangeReason>();
    let mappings: Map<string, string> | undefined;
    const mappingsNow = async () => (mappings ??= await loadMappings(ctx.tx));
    const affect = (ids: readonly string[], reason: RoleChangeReason) => {
      if (rolesOn) for (const id of ids) recompute.set(id, reason);
    };

    // Changes the policy itself pushes (a hard delete) are already handled where they are made.
    const count = ctx.changes.length;
    for (let i = 0; i < count; i++) {
      let change = ctx.changes[i];
      if (!change) continue;
      if (change.resourceType === "Group") {
        if (change.operation === "delete") {
          const deleted = n?.deletedGroups.get(change.id);
          if (!deleted) continue;
          await ctx.tx.deleteRecord(MAPPING, change.id);
          await journal.audit({ operation: "policy.group.unmapped", resourceType: "Group", resourceId: change.id, facts: { roleId: deleted.roleId, reason: "group.deleted" } });
          affect(deleted.members, "group.deleted");
        } else if (change.membersAdded.length + change.membersRemoved.length > 0 && (await mappingsNow()).has(change.id)) {
          // An unmapped (inactive) group takes no part in roles: its membership changes cost nothing here.
          affect(change.membersAdded, "membership.added");
          affect(change.membersRemoved, "membership.removed");
        }
        continue;
      }
      if (change.resourceType !== "User") continue;

      if (change.password !== undefined) {
        const { password, ...rest } = change;
        ctx.changes[i] = change = rest;
        await applyPassword(journal, policy, change, password);
      }

      if (change.operation === "create") {
        if (policy.fallbackRole !== null) affect([change.id], "user.created");
      } else if (change.operation === "delete") {
        await ctx.tx.deleteRecord(PENDING_DELETE, change.id);
        const mode = n?.deleteModes.get(change.id) ?? "delete";
        await noteDeprovision(journal, policy, change.id, mode, "delete", mode === "tombstone" ? {} : null);
        await rolesGone(journal, policy, change.id, n?.deletedRoles.get(change.id) ?? null);
      } else if (isActive(change.before) && !isActive(change.after)) {
        const user = await ctx.tx.getResource("User", change.id);
        if (!user) continue;
        const blocked = await deprovisionBlocked(ctx.tx, policy, user);
        if (blocked) {
          // Reverted here, before audit and response, so the store, the answer and the trail agree.
          const { members: _m, ...write } = user;
          const kept = await ctx.tx.replaceResource({ ...write, attributes: { ...user.attributes, active: true } }, { expectedVersion: user.version });
          ctx.changes[i] = { ...change, after: snapshotOf(kept) };
          await journal.audit({ operation: "policy.deactivation.blocked", resourceType: "User", resourceId: user.id, facts: { reason: blocked } });
          continue;
        }
        const setting = await deprovisioningFor(ctx.tx, actor.directoryId, policy.deprovisioning);
        const removed = await deactivated(journal, policy, setting, user);
        if (removed) {
          ctx.changes.push(removed);
          recompute.delete(user.id);
          await rolesGone(journal, policy, user.id, storedRoles(user.internal));
        } else affect([user.id], "user.deactivated");
      } else if (!isActive(change.before) && isActive(change.after)) {
        const user = await ctx.tx.getResource("User", change.id);
        if (!user) continue;
        await reactivated(ctx.tx, user);
        affect([user.id], "user.reactivated");
      }
    }

    for (const ignored of n?.ignoredDeletes ?? []) {
      await journal.audit({ operation: "policy.delete.ignored", resourceType: "User", resourceId: ignored.userId, facts: { reason: ignored.reason } });
    }
    if (recompute.size > 0) {
      const planned = await planRoles(ctx.tx, policy, recompute.keys(), await mappingsNow());
      await applyRoles(journal, policy, planned.plans, (id) => recompute.get(id) ?? "membership.added");
    }
    emit(journal.take());
  };

  return { step, beforeDelete };
}
