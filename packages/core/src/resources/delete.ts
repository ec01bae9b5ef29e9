/** RFC 7644 §3.6: deleting a resource; the store removes its memberships in the same unit of work. */
import type { OperationContext } from "./context.js";
import { snapshotOf } from "./create.js";
import { mapStoreError } from "./errors.js";
import { loadForWrite } from "./replace.js";

export async function deleteResource(ctx: OperationContext, typeId: string, id: string, ifMatch: string | null): Promise<void> {
  const current = await loadForWrite(ctx, typeId, id, ifMatch);
  if (ctx.beforeDelete && (await ctx.beforeDelete(ctx, typeId, id)) === "handled") return;
  try {
    await ctx.tx.deleteResource(typeId, id, { expectedVersion: current.version });
  } catch (error) {
    throw mapStoreError(error, typeId);
  }
  ctx.changes.push({ operation: "delete", resourceType: typeId, id, before: snapshotOf(current), after: null, membersAdded: [], membersRemoved: [] });
}
