/**
 * Recomputing effective roles for a known set of users (never the whole tenant): plan what each
 * should hold from their direct group memberships and the mappings, then write the differences to
 * `internal.roles`, keep the protected-role holder index in step, and tell the host (hook, audit
 * entry, `role.changed` event) with the reason.
 */
import type { PolicyOperation } from "../audit/operations.js";
import type { Journal } from "../engine/journal.js";
import type { StoreTransaction, StoredResource } from "../store/types.js";
import { tellHost } from "./hooks.js";
import type { ResolvedPolicy, RoleChange, RoleChangeReason } from "./options.js";
import { holdersOf, isExcluded, updateInternal } from "./records.js";
import { effectiveRoles, sameRoles, storedRoles, type Roles } from "./roles.js";

export interface RolePlan {
  readonly user: StoredResource;
  readonly before: Roles;
  readonly after: Roles;
}

export interface PlannedRoles {
  /** One plan per existing, non-excluded user, whether or not it changes. */
  readonly plans: readonly RolePlan[];
  /** Users left out because SCIM may not re-role them. */
  readonly excluded: readonly string[];
}

/** Plans roles for `userIds` under `mappings` (groupId → roleId); ids that are not Users are skipped. */
export async function planRoles(
  tx: StoreTransaction,
  policy: ResolvedPolicy,
  userIds: Iterable<string>,
  mappings: ReadonlyMap<string, string>,
): Promise<PlannedRoles> {
  const users: StoredResource[] = [];
  const excluded: string[] = [];
  for (const id of new Set(userIds)) {
    const user = await tx.getResource("User", id);
    if (!user) continue;
    if (await isExcluded(tx, id)) excluded.push(id);
    else users.push(user);
  }
  const memberships = users.length > 0 ? await tx.groupsOf(users.map((u) => u.id)) : new Map();
  const plans = users.map((user): RolePlan => {
    const granted: string[] = [];
    for (const g of memberships.get(user.id) ?? []) {
      const role = mappings.get(g.groupId);
      if (role !== undefined) granted.push(role);
    }
    const before = storedRoles(user.internal);
    const after = effectiveRoles(policy, { active: user.attributes["active"] !== false, current: before, granted });
    return { user, before, after };
  });
  return { plans, excluded };
}

/** Writes the plans that change something and reports each change. Returns the changes made. */
export async function applyRoles(
  journal: Journal,
  policy: ResolvedPolicy,
  plans: readonly RolePlan[],
  reasonOf: (userId: string) => RoleChangeReason,
): Promise<RoleChange[]> {
  const out: RoleChange[] = [];
  for (const plan of plans) {
    if (sameRoles(plan.before, plan.after)) continue;
    // The plan read the user in this unit of work: it is current, no second read is needed.
    await updateInternal(journal.tx, plan.user, (internal) => {
      if (plan.after === null) delete internal["roles"];
      else internal["roles"] = [...plan.after];
      return internal;
    });
    const change: RoleChange = {
      tenantId: journal.tenantId,
      userId: plan.user.id,
      before: plan.before,
      after: plan.after,
      reason: reasonOf(plan.user.id),
    };
    await reportRoleChange(journal, policy, change);
    out.push(change);
  }
  return out;
}

/** The roles a deleted user held are gone with it: report that, and drop it from the holder index. */
export async function rolesGone(
  journal: Journal,
  policy: ResolvedPolicy,
  userId: string,
  before: Roles,
): Promise<void> {
  if (before === null || before.length === 0) return;
  await reportRoleChange(journal, policy, {
    tenantId: journal.tenantId,
    userId,
    before,
    after: [],
    reason: "user.deleted",
  });
}

export async function reportRoleChange(journal: Journal, policy: ResolvedPolicy, change: RoleChange): Promise<void> {
  const guarded = policy.protectLastAdmin;
  if (guarded !== null) {
    const had = change.before?.includes(guarded) ?? false;
    const has = change.after?.includes(guarded) ?? false;
    if (had && !has) await journal.tx.deleteRecord(holdersOf(guarded), change.userId);
    if (!had && has) await journal.tx.putRecord(holdersOf(guarded), { id: change.userId, data: {} });
  }
  const before = change.before === null ? null : [...change.before];
  const after = change.after === null ? null : [...change.after];
  journal.audit({
    operation: "policy.role.changed" satisfies PolicyOperation,
    resourceType: "User",
    resourceId: change.userId,
    facts: { before, after, reason: change.reason },
  });
  journal.event({
    type: "role.changed",
    directoryId: journal.actor.directoryId,
    resourceType: "User",
    resourceId: change.userId,
    data: { roles: after, previousRoles: before, reason: change.reason },
    payload: { userId: change.userId, roles: after, previousRoles: before, reason: change.reason },
  });
  await tellHost(journal, policy.inTransaction.onRoleChange, policy.onRoleChange, change);
}
