/**
 * Policy data kept as store records (per tenant), so every store supports it through the contract:
 * group mappings, exclusions, per-directory deprovisioning, users awaiting a delayed delete, and the
 * holders of the protected role (so "is this the last admin?" never scans the tenant).
 */
import type { JsonObject, StoreTransaction, StoredResource } from "../store/types.js";
import { defaultDeprovisioning, type DeprovisioningPolicy } from "./options.js";

/** groupId → { roleId, mappedAt }. A group with a mapping is active; without one it grants nothing. */
export const MAPPING = "policy.mapping";
/** userId → { excludedAt, note }. */
export const EXCLUSION = "policy.exclusion";
/** directoryId → DeprovisioningPolicy. */
export const DEPROVISIONING = "policy.deprovisioning";
/** userId → { directoryId, deactivatedAt }: deactivated under a delayed-delete policy. */
export const PENDING_DELETE = "policy.pendingDelete";
/** userId → {} for every user whose effective roles include the protected role. */
export const holdersOf = (roleId: string) => `policy.holders.${roleId}`;
/** Resource type of tombstones: never routed, so a tombstoned user is gone from every SCIM read. */
export const TOMBSTONE_TYPE = "DeletedUser";

export interface GroupMapping {
  readonly groupId: string;
  readonly roleId: string;
  readonly mappedAt: string;
}

export interface Exclusion {
  readonly userId: string;
  readonly excludedAt: string;
  readonly note: string | null;
}

export interface PendingDelete {
  readonly userId: string;
  readonly directoryId: string | null;
  readonly deactivatedAt: string;
}

/** Every mapping of the tenant, by group id. Mappings are few (one per role-granting group). */
export async function loadMappings(tx: StoreTransaction): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await tx.listRecords(MAPPING)) {
    const roleId = r.data["roleId"];
    if (typeof roleId === "string") out.set(r.id, roleId);
  }
  return out;
}

export async function isExcluded(tx: StoreTransaction, userId: string): Promise<boolean> {
  return (await tx.getRecord(EXCLUSION, userId)) !== null;
}

/** The deprovisioning policy of a directory: its own record, else the configured default. */
export async function deprovisioningFor(
  tx: StoreTransaction,
  directoryId: string | null,
  fallback: DeprovisioningPolicy,
): Promise<DeprovisioningPolicy> {
  if (directoryId === null) return fallback;
  const rec = await tx.getRecord(DEPROVISIONING, directoryId);
  return rec
    ? ({ ...defaultDeprovisioning, ...(rec.data as unknown as Partial<DeprovisioningPolicy>) } as DeprovisioningPolicy)
    : fallback;
}

export const deprovisioningToRecord = (p: DeprovisioningPolicy): JsonObject => ({
  onDeactivate:
    typeof p.onDeactivate === "object"
      ? { deactivateThenDeleteAfterDays: p.onDeactivate.deactivateThenDeleteAfterDays }
      : p.onDeactivate,
  onDelete: p.onDelete,
});

/**
 * Replaces a resource's internal data. Version and lastModified stay as they are: nothing a client
 * sees changed, so its ETag must not change either.
 */
export async function updateInternal(
  tx: StoreTransaction,
  resource: StoredResource,
  update: (internal: JsonObject) => JsonObject,
): Promise<StoredResource> {
  const { members: _members, ...write } = resource;
  return tx.replaceResource(
    { ...write, internal: update({ ...resource.internal }) },
    { expectedVersion: resource.version },
  );
}
