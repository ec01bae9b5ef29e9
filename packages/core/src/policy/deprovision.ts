/**
 * Deprovisioning: what happens to a user the IdP deactivates or deletes, per directory. Soft
 * deactivation keeps the resource (and its id and memberships) so reactivation restores it, which
 * is what Okta and OneLogin need; a hard delete removes it inside the same unit of work; a
 * tombstone keeps a hidden copy under a resource type no SCIM route serves.
 */
import type { PolicyOperation } from "../audit/operations.js";
import type { Journal } from "../engine/journal.js";
import type { ResourceChange } from "../resources/change.js";
import { deleteStored } from "../resources/write.js";
import type { JsonObject, JsonValue, StoreTransaction, StoredResource } from "../store/types.js";
import { tellHost } from "./hooks.js";
import type { DeprovisionNotice, ResolvedPolicy } from "./options.js";
import { PENDING_DELETE, TOMBSTONE_TYPE } from "./records.js";

export type DeprovisionTrigger = "deactivate" | "delete" | "sweep";

/** Hard-deletes a user on a policy's behalf and returns the change to audit and event like any other. */
export async function deleteByPolicy(tx: StoreTransaction, user: StoredResource, at: string): Promise<ResourceChange> {
  const change = await deleteStored(tx, user, at, { expectedVersion: user.version });
  await tx.deleteRecord(PENDING_DELETE, user.id);
  return change;
}

/**
 * Tells the host (its hooks) and audits the decision when the audit entry of the change itself
 * would not explain it (`facts: null` for a plain soft deactivation or a plain DELETE, whose own
 * entries already say everything).
 */
export async function noteDeprovision(
  journal: Journal,
  policy: ResolvedPolicy,
  userId: string,
  mode: DeprovisionNotice["mode"],
  trigger: DeprovisionTrigger,
  facts: Record<string, JsonValue> | null,
): Promise<void> {
  if (facts !== null) {
    journal.audit({
      operation: "policy.user.deprovisioned" satisfies PolicyOperation,
      resourceType: "User",
      resourceId: userId,
      facts: { mode, trigger, ...facts },
    });
  }
  const notice: DeprovisionNotice = {
    tenantId: journal.tenantId,
    directoryId: journal.actor.directoryId,
    userId,
    mode,
  };
  await tellHost(journal, policy.inTransaction.onDeprovision, policy.onDeprovision, notice);
}

/**
 * Keeps a copy of a user about to be deleted: same id, attributes and created time, plus when, by
 * which directory and from which groups. The password hash is not kept: a deleted account's
 * credential has no reason to outlive it.
 */
export async function writeTombstone(
  tx: StoreTransaction,
  user: StoredResource,
  at: string,
  directoryId: string | null,
): Promise<void> {
  const groups = (user.groups ?? (await tx.groupsOf([user.id])).get(user.id) ?? []).map((g) => g.groupId);
  const { passwordHash: _secret, ...kept } = user.internal;
  const internal: JsonObject = { ...kept, deletedAt: at, deletedBy: directoryId, groups };
  const existing = await tx.getResource(TOMBSTONE_TYPE, user.id);
  const write = {
    id: user.id,
    resourceType: TOMBSTONE_TYPE,
    attributes: user.attributes,
    internal,
    uniqueKey: null,
    created: user.created,
    lastModified: at,
    version: (existing?.version ?? 0) + 1,
  };
  if (existing) await tx.replaceResource(write);
  else await tx.createResource(write);
}
