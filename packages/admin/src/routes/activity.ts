/** The activity log: the tenant's audit trail, newest first, filtered. */
import { z } from "zod";
import { readActivity } from "../audit.js";
import { ok, type Context, type Reply } from "../context.js";
import { AdminError, notFound, parseInput } from "../http.js";

const instant = z.iso.datetime({ offset: true });

const activityQuery = z
  .object({
    connectionId: z.string().min(1).max(200).optional(),
    userId: z.string().min(1).max(200).optional(),
    groupId: z.string().min(1).max(200).optional(),
    /** Comma-separated operation names (`patch User`, `policy.role.changed`); `admin.*` matches every `admin.` operation. */
    operation: z
      .string()
      .max(500)
      .regex(/^[A-Za-z0-9_.* -]+(,[A-Za-z0-9_.* -]+)*$/, 'comma-separated operation names, e.g. "patch User,admin.*"')
      .optional(),
    from: instant.optional(),
    to: instant.optional(),
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export async function activity(ctx: Context): Promise<Reply> {
  const q = parseInput(activityQuery, Object.fromEntries(ctx.query), "query");
  if (q.userId !== undefined && q.groupId !== undefined) {
    throw new AdminError("invalid_input", "Filter by userId or by groupId, not both", [
      { path: ["query", "groupId"], message: "not with userId" },
    ]);
  }
  // A filter naming another tenant's connection, user or group is a 404, like any other route.
  if (q.connectionId !== undefined) await known(ctx, "Connection", q.connectionId);
  if (q.userId !== undefined) await known(ctx, "User", q.userId);
  if (q.groupId !== undefined) await known(ctx, "Group", q.groupId);
  const resource =
    q.userId !== undefined
      ? { resourceType: "User", resourceId: q.userId }
      : q.groupId !== undefined
        ? { resourceType: "Group", resourceId: q.groupId }
        : {};
  const page = await readActivity(ctx.scim, ctx.tenantId, {
    directoryId: q.connectionId,
    ...resource,
    operations: q.operation?.split(","),
    from: q.from,
    to: q.to,
    before: q.before,
    limit: q.limit,
  });
  return ok(page);
}

/**
 * A connection, user or group of the tenant, or one it had: a deleted one's history stays readable, and an
 * id the tenant's trail has never named (another tenant's included) is not found.
 */
async function known(ctx: Context, type: "Connection" | "User" | "Group", id: string): Promise<void> {
  if (type === "Connection") {
    const d = await ctx.scim.directories.get(id);
    if (d !== null && d.tenantId === ctx.tenantId) return;
    if (d === null && (await ctx.scim.audit(ctx.tenantId, { directoryId: id, limit: 1 })).length > 0) return;
  } else {
    const live =
      type === "User" ? await ctx.scim.users.get(ctx.tenantId, id) : await ctx.scim.groups.get(ctx.tenantId, id);
    if (live !== null) return;
    if ((await ctx.scim.audit(ctx.tenantId, { resourceType: type, resourceId: id, limit: 1 })).length > 0) return;
  }
  throw notFound(type);
}
