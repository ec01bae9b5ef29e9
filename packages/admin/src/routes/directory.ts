/**
 * What the IdPs pushed: groups with their role mapping (map, unmap, dry-run preview), users with
 * their groups and roles, exclusions, and the roles the host declared.
 */
import type { GroupRoleInfo, RoleChange, Roles, UserView } from "@scimkit/core";
import { z } from "zod";
import { groupOf, ok, param, userOf, type Context, type Reply } from "../context.js";
import { notFound, parseInput } from "../http.js";

const paging = {
  startIndex: z.coerce.number().int().min(1).default(1),
  count: z.coerce.number().int().min(1).max(200).default(50),
};

const groupsQuery = z
  .object({ q: z.string().trim().max(200).optional(), mapped: z.enum(["true", "false"]).optional(), ...paging })
  .strict();
const usersQuery = z.object({ q: z.string().trim().max(200).optional(), ...paging }).strict();
const previewQuery = z.object({ roleId: z.string().min(1).max(200).optional() }).strict();
const exclusionBody = z.object({ note: z.string().max(1000).nullable().optional() }).strict();

const query = (ctx: Context) => Object.fromEntries(ctx.query);

/* Roles and groups -------------------------------------------------------------------------------- */

export async function listRoles(ctx: Context): Promise<Reply> {
  // The tenant's own roles: a host may declare them per tenant.
  const roles = await ctx.scim.policy.roles(ctx.tenantId);
  return ok({ items: roles.map((r) => ({ id: r.id, label: r.label, priority: r.priority ?? 0 })) });
}

/** A group as the groups page lists it. */
export interface AdminGroup {
  readonly id: string;
  readonly displayName: string | null;
  /** Direct members (users and nested groups). */
  readonly memberCount: number;
  /** The role the group grants, or null: unmapped groups are inactive and grant nothing. */
  readonly roleId: string | null;
  readonly roleLabel: string | null;
  readonly active: boolean;
  readonly mappedAt: string | null;
  /** The connection that pushed the group; null when it was created otherwise. */
  readonly connectionId: string | null;
}

async function roleLabel(ctx: Context, roleId: string | null): Promise<string | null> {
  if (roleId === null) return null;
  return (await ctx.scim.policy.roles(ctx.tenantId)).find((r) => r.id === roleId)?.label ?? null;
}

async function toGroup(ctx: Context, g: GroupRoleInfo): Promise<AdminGroup> {
  const [members, view] = await Promise.all([
    ctx.scim.groups.members(ctx.tenantId, g.id),
    ctx.scim.groups.get(ctx.tenantId, g.id),
  ]);
  return {
    id: g.id,
    displayName: g.displayName,
    memberCount: members.length,
    roleId: g.roleId,
    roleLabel: await roleLabel(ctx, g.roleId),
    active: g.active,
    mappedAt: g.mappedAt,
    connectionId: view?.directoryId ?? null,
  };
}

async function groupInfo(ctx: Context, groupId: string): Promise<GroupRoleInfo> {
  const found = (await ctx.scim.policy.listGroups(ctx.tenantId)).find((g) => g.id === groupId);
  if (found === undefined) throw notFound("Group");
  return found;
}

export async function listGroups(ctx: Context): Promise<Reply> {
  const q = parseInput(groupsQuery, query(ctx), "query");
  const needle = q.q?.toLowerCase();
  const all = (await ctx.scim.policy.listGroups(ctx.tenantId))
    .filter((g) => needle === undefined || needle === "" || (g.displayName ?? "").toLowerCase().includes(needle))
    .filter((g) => q.mapped === undefined || g.active === (q.mapped === "true"))
    .sort((a, b) => (a.displayName ?? "").localeCompare(b.displayName ?? "") || a.id.localeCompare(b.id));
  const page = all.slice(q.startIndex - 1, q.startIndex - 1 + q.count);
  return ok({
    items: await Promise.all(page.map((g) => toGroup(ctx, g))),
    total: all.length,
    startIndex: q.startIndex,
  });
}

export async function getGroup(ctx: Context): Promise<Reply> {
  const group = await groupOf(ctx, param(ctx, "groupId"));
  const [info, members] = await Promise.all([
    groupInfo(ctx, group.id),
    ctx.scim.groups.members(ctx.tenantId, group.id),
  ]);
  return ok({ ...(await toGroup(ctx, info)), externalId: group.externalId, members });
}

const minus = (a: Roles, b: Roles) => (a ?? []).filter((r) => !(b ?? []).includes(r));

/** Who would gain or lose which role if the group were mapped to `roleId` (or unmapped, without one). */
export async function previewRole(ctx: Context): Promise<Reply> {
  const group = await groupOf(ctx, param(ctx, "groupId"));
  const q = parseInput(previewQuery, query(ctx), "query");
  const roleId = q.roleId ?? null;
  await checkRole(ctx, roleId, "query");
  const p = await ctx.scim.policy.previewMapping(ctx.tenantId, group.id, roleId);
  return ok({
    groupId: group.id,
    roleId,
    changes: p.changes.map((c) => ({
      userId: c.userId,
      userName: c.userName,
      before: c.before,
      after: c.after,
      gained: minus(c.after, c.before),
      lost: minus(c.before, c.after),
    })),
    unchanged: p.unchanged,
    excluded: p.excluded,
  });
}

async function checkRole(ctx: Context, roleId: string | null, where: "body" | "query"): Promise<void> {
  if (roleId === null) return;
  const ids = (await ctx.scim.policy.roles(ctx.tenantId)).map((r) => r.id);
  parseInput(
    z.object({
      roleId: z
        .string()
        .refine((r) => ids.includes(r), { message: `must be one of: ${ids.join(", ") || "(no roles declared)"}` }),
    }),
    { roleId },
    where,
  );
}

const changeJson = (c: RoleChange) => ({ userId: c.userId, before: c.before, after: c.after, reason: c.reason });

export async function mapGroup(ctx: Context): Promise<Reply> {
  const group = await groupOf(ctx, param(ctx, "groupId"));
  const body = parseInput(z.object({ roleId: z.string().min(1).max(200) }).strict(), ctx.body, "body");
  await checkRole(ctx, body.roleId, "body");
  const changes = await ctx.policy.mapGroup(ctx.tenantId, group.id, body.roleId);
  return ok({ group: await toGroup(ctx, await groupInfo(ctx, group.id)), roleChanges: changes.map(changeJson) });
}

export async function unmapGroup(ctx: Context): Promise<Reply> {
  const group = await groupOf(ctx, param(ctx, "groupId"));
  const changes = await ctx.policy.unmapGroup(ctx.tenantId, group.id);
  return ok({ group: await toGroup(ctx, await groupInfo(ctx, group.id)), roleChanges: changes.map(changeJson) });
}

/* Users ---------------------------------------------------------------------------------------- */

/** A user as the browser lists it. */
export interface AdminUser {
  readonly id: string;
  readonly externalId: string | null;
  readonly userName: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly name: UserView["name"];
  readonly active: boolean;
  readonly roles: readonly string[] | null;
  readonly excluded: boolean;
  /** The connection that created the user; null when it was created otherwise. */
  readonly connectionId: string | null;
}

function toUser(u: UserView, excluded: ReadonlySet<string>): AdminUser {
  return {
    id: u.id,
    externalId: u.externalId,
    userName: u.userName,
    email: u.email,
    displayName: u.displayName,
    name: u.name,
    active: u.active,
    roles: u.roles,
    excluded: excluded.has(u.id),
    connectionId: u.directoryId,
  };
}

async function excludedIds(ctx: Context): Promise<Set<string>> {
  return new Set((await ctx.scim.policy.listExclusions(ctx.tenantId)).map((e) => e.userId));
}

/** A SCIM filter matching `q` anywhere in a name or email (the literal is JSON-quoted, as SCIM strings are). */
function searchFilter(q: string): string {
  const v = JSON.stringify(q);
  return ["userName", "emails.value", "displayName", "name.formatted", "name.givenName", "name.familyName"]
    .map((a) => `${a} co ${v}`)
    .join(" or ");
}

export async function listUsers(ctx: Context): Promise<Reply> {
  const q = parseInput(usersQuery, query(ctx), "query");
  const filter = q.q === undefined || q.q === "" ? undefined : searchFilter(q.q);
  const [page, excluded] = await Promise.all([
    ctx.scim.users.list(ctx.tenantId, { filter, sortBy: "userName", startIndex: q.startIndex, count: q.count }),
    excludedIds(ctx),
  ]);
  return ok({ items: page.items.map((u) => toUser(u, excluded)), total: page.total, startIndex: q.startIndex });
}

export async function getUser(ctx: Context): Promise<Reply> {
  const user = await userOf(ctx, param(ctx, "userId"));
  const [groups, mapped, exclusions] = await Promise.all([
    ctx.scim.users.groups(ctx.tenantId, user.id),
    ctx.scim.policy.listGroups(ctx.tenantId),
    ctx.scim.policy.listExclusions(ctx.tenantId),
  ]);
  const roleOf = new Map(mapped.map((g) => [g.id, g.roleId]));
  const exclusion = exclusions.find((e) => e.userId === user.id) ?? null;
  return ok({
    ...toUser(user, new Set(exclusion === null ? [] : [user.id])),
    attributes: user.attributes,
    groups: groups.map((g) => ({ id: g.id, displayName: g.displayName, roleId: roleOf.get(g.id) ?? null })),
    exclusion,
  });
}

/* Exclusions ------------------------------------------------------------------------------------- */

export async function listExclusions(ctx: Context): Promise<Reply> {
  const all = await ctx.scim.policy.listExclusions(ctx.tenantId);
  const items = await Promise.all(
    all.map(async (e) => {
      const u = await ctx.scim.users.get(ctx.tenantId, e.userId);
      return {
        userId: e.userId,
        userName: u?.userName ?? null,
        email: u?.email ?? null,
        excludedAt: e.excludedAt,
        note: e.note,
      };
    }),
  );
  items.sort((a, b) => b.excludedAt.localeCompare(a.excludedAt));
  return ok({ items });
}

export async function exclude(ctx: Context): Promise<Reply> {
  const user = await userOf(ctx, param(ctx, "userId"));
  const body = parseInput(exclusionBody, ctx.body, "body");
  const exclusion = await ctx.policy.exclude(ctx.tenantId, user.id, body.note ?? undefined);
  return ok({
    userId: exclusion.userId,
    userName: user.userName,
    email: user.email,
    excludedAt: exclusion.excludedAt,
    note: exclusion.note,
  });
}

export async function include(ctx: Context): Promise<Reply> {
  const user = await userOf(ctx, param(ctx, "userId"));
  const existing = (await ctx.scim.policy.listExclusions(ctx.tenantId)).find((e) => e.userId === user.id);
  if (existing === undefined) throw notFound("Exclusion");
  const changes = await ctx.policy.include(ctx.tenantId, user.id);
  return ok({ userId: user.id, excluded: false, roleChanges: changes.map(changeJson) });
}
