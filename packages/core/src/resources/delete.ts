/** RFC 7644 §3.6: deleting a resource; the store removes its memberships in the same unit of work. */
import type { OperationContext } from "./context.js";
import { deleteStored, loadForWrite, NO_ANSWER, storeCall } from "./write.js";

export { deleteStored } from "./write.js";

export async function deleteResource(
  ctx: OperationContext,
  typeId: string,
  id: string,
  ifMatch: string | null,
): Promise<void> {
  // A User is read with its groups: the deletion reports them, and a tombstone keeps them.
  const current = await loadForWrite(
    ctx,
    typeId,
    id,
    ifMatch,
    typeId === "User" ? { ...NO_ANSWER, groups: true } : NO_ANSWER,
  );
  if (ctx.beforeDelete && (await ctx.beforeDelete(current)) === "handled") return;
  ctx.record(
    await storeCall(typeId, () => deleteStored(ctx.tx, current, ctx.at, { expectedVersion: current.version })),
  );
}
