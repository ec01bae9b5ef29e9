/** RFC 7644 §3.6: deleting a resource; the store removes its memberships in the same unit of work. */
import type { StoreTransaction, StoredResource, WriteGuard } from "../store/types.js";
import type { OperationContext, ResourceChange } from "./context.js";
import { snapshotOf } from "./create.js";
import { mapStoreError } from "./errors.js";
import { loadForWrite } from "./replace.js";

export async function deleteResource(ctx: OperationContext, typeId: string, id: string, ifMatch: string | null): Promise<void> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch);
  if (ctx.beforeDelete && (await ctx.beforeDelete(ctx, typeId, id)) === "handled") return;
  try {
    ctx.changes.push(await deleteStored(ctx.tx, current, { expectedVersion: current.version }));
  } catch (error) {
    throw mapStoreError(error, typeId);
  }
}

/** Deletes a stored resource and returns its change, with the groups a User leaves by going. */
export async function deleteStored(tx: StoreTransaction, resource: StoredResource, guard?: WriteGuard): Promise<ResourceChange> {
  const type = resource.resourceType;
  const leftGroups = type === "User" ? ((await tx.groupsOf([resource.id])).get(resource.id) ?? []).map((g) => g.groupId) : [];
  await tx.deleteResource(type, resource.id, guard);
  return { operation: "delete", resourceType: type, id: resource.id, before: snapshotOf(resource), after: null, membersAdded: [], membersRemoved: [], leftGroups };
}
