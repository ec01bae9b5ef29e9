/**
 * The host's read API: users and groups of a tenant as typed views, straight from the store (filters
 * and sorts pushed down as for a SCIM request), no HTTP round trip and no token. Each call is one
 * read-only unit of work scoped to the tenant given.
 */
import { z } from "zod";
import type { Actor } from "../audit/trail.js";
import { profiles } from "../compat/profiles.js";
import { toleranceContext } from "../compat/tolerances.js";
import { runRead, type UnitOfWorkDeps } from "../engine/unit-of-work.js";
import { ScimConfigError, isScimError } from "../errors.js";
import { creatorOf, groupView, rolesOf, userView, type GroupView, type UserView } from "../host/views.js";
import { compileFilter, compileSort, runQuery } from "../resources/read.js";
import type { OperationContext } from "../resources/context.js";
import { withoutHidden } from "../schema/returned.js";
import type { StoredResource } from "../store/types.js";

/** A page of a list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Matches before paging. */
  readonly total: number;
}

export interface ListOptions {
  /** A SCIM filter, e.g. `name.familyName sw "Lo"` or `emails.value eq "ada@example.com"`. */
  readonly filter?: string | undefined;
  /** An attribute path to sort on. @default creation order */
  readonly sortBy?: string | undefined;
  /** @default "ascending" */
  readonly sortOrder?: "ascending" | "descending" | undefined;
  /** 1-based. @default 1 */
  readonly startIndex?: number | undefined;
  /** @default 100 (at most the server's maxResults) */
  readonly count?: number | undefined;
}

/** A group a user belongs to directly. */
export interface GroupRef {
  readonly id: string;
  readonly displayName: string | null;
}

/** A member of a group. */
export interface MemberRef {
  readonly id: string;
  readonly type: "User" | "Group";
  readonly display: string | null;
}

export interface UserReads {
  get(tenantId: string, id: string): Promise<UserView | null>;
  /** The user with this userName or email (case-insensitively) or externalId (exactly). */
  find(
    tenantId: string,
    by: { readonly userName: string } | { readonly email: string } | { readonly externalId: string },
  ): Promise<UserView | null>;
  list(tenantId: string, options?: ListOptions): Promise<Page<UserView>>;
  /** The groups the user belongs to directly. */
  groups(tenantId: string, userId: string): Promise<GroupRef[]>;
  /** The roles the policy gives the user; null when SCIM assigns none or the user does not exist. */
  roles(tenantId: string, userId: string): Promise<readonly string[] | null>;
}

export interface GroupReads {
  get(tenantId: string, id: string): Promise<GroupView | null>;
  find(
    tenantId: string,
    by: { readonly displayName: string } | { readonly externalId: string },
  ): Promise<GroupView | null>;
  list(tenantId: string, options?: ListOptions): Promise<Page<GroupView>>;
  /** The group's direct members; an empty list when the group does not exist. */
  members(tenantId: string, groupId: string): Promise<MemberRef[]>;
}

const HOST: Actor = { directoryId: null, tokenId: null, userAgent: null, requestId: null };

const listOptions = z
  .object({
    filter: z.string().optional(),
    sortBy: z.string().optional(),
    sortOrder: z.enum(["ascending", "descending"]).optional(),
    startIndex: z.number().int().optional(),
    count: z.number().int().min(0).optional(),
  })
  .strict();

const quoted = (value: string) => JSON.stringify(value);

export function createReadApi(deps: UnitOfWorkDeps, maxResults: number): { users: UserReads; groups: GroupReads } {
  const read = <T>(tenantId: string, work: (ctx: OperationContext) => Promise<T>): Promise<T> =>
    runRead(
      deps,
      { tenantId, actor: HOST, tol: toleranceContext(profiles.lenient), baseUrl: "", operation: "host read" },
      async (ctx) => {
        try {
          return await work(ctx);
        } catch (error) {
          // A bad filter or sortBy is the host's mistake in its own code: say so, as configuration.
          if (isScimError(error) && error.status === 400) throw new ScimConfigError(error.detail);
          throw error;
        }
      },
    );

  const userSchemas = deps.registry.resourceType("User");
  const groupSchemas = deps.registry.resourceType("Group");
  const user = (r: StoredResource) =>
    userView(r.id, withoutHidden(userSchemas, r.attributes), rolesOf(r.internal), creatorOf(r.internal));
  const group = (r: StoredResource) =>
    groupView(r.id, withoutHidden(groupSchemas, r.attributes), creatorOf(r.internal));

  async function list(
    tenantId: string,
    typeId: "User" | "Group",
    options: ListOptions,
    filter?: string,
  ): Promise<Page<StoredResource>> {
    const parsed = listOptions.safeParse(options);
    if (!parsed.success)
      throw new ScimConfigError(
        `list options: ${parsed.error.issues.map((i) => `${i.path.join(".") || "options"} ${i.message}`).join("; ")}`,
      );
    const o = parsed.data;
    return read(tenantId, async (ctx) => {
      const text = filter ?? o.filter;
      const result = await runQuery(ctx, typeId, {
        filter: text === undefined ? undefined : compileFilter(ctx, typeId, text),
        sort: compileSort(ctx, typeId, {
          sortBy: o.sortBy,
          sortOrder: o.sortOrder ?? "ascending",
          startIndex: 1,
          count: 0,
          attributes: [],
          excludedAttributes: [],
        }),
        startIndex: Math.max(1, o.startIndex ?? 1),
        count: Math.min(o.count ?? 100, maxResults),
      });
      return { items: result.resources, total: result.total };
    });
  }

  const first = async <T>(page: Promise<Page<StoredResource>>, view: (r: StoredResource) => T): Promise<T | null> => {
    const [found] = (await page).items;
    return found ? view(found) : null;
  };

  const users: UserReads = {
    get: (tenantId, id) =>
      read(tenantId, async (ctx) => {
        const r = await ctx.tx.getResource("User", id);
        return r ? user(r) : null;
      }),
    find: (tenantId, by) => {
      const filter =
        "userName" in by
          ? `userName eq ${quoted(by.userName)}`
          : "email" in by
            ? `emails.value eq ${quoted(by.email)}`
            : `externalId eq ${quoted(by.externalId)}`;
      return first(list(tenantId, "User", { count: 1 }, filter), user);
    },
    list: async (tenantId, options = {}) => {
      const page = await list(tenantId, "User", options);
      return { total: page.total, items: page.items.map(user) };
    },
    groups: (tenantId, userId) =>
      read(tenantId, async (ctx) => {
        const r = await ctx.tx.getResource("User", userId, { groups: true });
        const groups = r?.groups ?? (r ? ((await ctx.tx.groupsOf([userId])).get(userId) ?? []) : []);
        return groups.map((g) => ({ id: g.groupId, displayName: g.display ?? null }));
      }),
    roles: (tenantId, userId) =>
      read(tenantId, async (ctx) => {
        const r = await ctx.tx.getResource("User", userId);
        return r ? rolesOf(r.internal) : null;
      }),
  };

  const groups: GroupReads = {
    get: (tenantId, id) =>
      read(tenantId, async (ctx) => {
        const r = await ctx.tx.getResource("Group", id);
        return r ? group(r) : null;
      }),
    find: (tenantId, by) => {
      const filter =
        "displayName" in by ? `displayName eq ${quoted(by.displayName)}` : `externalId eq ${quoted(by.externalId)}`;
      return first(list(tenantId, "Group", { count: 1 }, filter), group);
    },
    list: async (tenantId, options = {}) => {
      const page = await list(tenantId, "Group", options);
      return { total: page.total, items: page.items.map(group) };
    },
    members: (tenantId, groupId) =>
      read(tenantId, async (ctx) => {
        const r = await ctx.tx.getResource("Group", groupId, { members: true });
        return (r?.members ?? []).map((m) => ({ id: m.value, type: m.type, display: m.display ?? null }));
      }),
  };

  return { users, groups };
}
