/**
 * What a route handler gets: the authorized tenant and person, the parsed request, the server's
 * admin functions acting as that person (so core's audit entries name them), and the tenancy checks
 * every id goes through before anything acts on it. An id of another tenant is answered exactly like
 * an id that does not exist (404): reads are scoped to the tenant by the store, and ids that core
 * resolves across tenants (connections) are compared with it here.
 */
import type { Directory, GroupView, ScimServer, UserView } from "@scimkit/core";
import type { AdminActor } from "./audit.js";
import { notFound } from "./http.js";

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const created = (body: unknown): Reply => ({ status: 201, body });

export interface Context {
  readonly request: Request;
  readonly url: URL;
  readonly tenantId: string;
  readonly actor: AdminActor;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body of an unsafe request; `{}` otherwise. */
  readonly body: unknown;
  readonly scim: ScimServer;
  /** `scim.directories` acting as the caller: every change it makes is attributed to them. */
  readonly directories: ReturnType<ScimServer["directories"]["as"]>;
  /** `scim.policy` acting as the caller. */
  readonly policy: ReturnType<ScimServer["policy"]["as"]>;
  /** The SCIM base URL the host mounted the SCIM server at (without a directory id). */
  readonly scimBaseUrl: string;
  readonly now: () => Date;
}

/** The connection, when it is one of the tenant's. */
export async function connectionOf(ctx: Context, id: string): Promise<Directory> {
  const d = await ctx.scim.directories.get(id);
  if (d === null || d.tenantId !== ctx.tenantId) throw notFound("Connection");
  return d;
}

export async function groupOf(ctx: Context, id: string): Promise<GroupView> {
  const g = await ctx.scim.groups.get(ctx.tenantId, id);
  if (g === null) throw notFound("Group");
  return g;
}

export async function userOf(ctx: Context, id: string): Promise<UserView> {
  const u = await ctx.scim.users.get(ctx.tenantId, id);
  if (u === null) throw notFound("User");
  return u;
}

export function param(ctx: Context, name: string): string {
  const v = ctx.params[name];
  if (v === undefined) throw notFound("Route");
  return v;
}

/** A connection as the API returns it. */
export interface AdminConnection {
  readonly id: string;
  readonly name: string;
  readonly idp: Directory["idp"];
  readonly profile: string;
  readonly primary: boolean;
  readonly enabled: boolean;
  /** The URL to give the IdP: the SCIM base URL plus this connection's id. */
  readonly scimBaseUrl: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastUsedAt: string | null;
}

export function connectionUrl(ctx: Context, id: string): string {
  return `${ctx.scimBaseUrl.replace(/\/+$/, "")}/${id}`;
}

export function toConnection(ctx: Context, d: Directory): AdminConnection {
  return {
    id: d.id,
    name: d.name,
    idp: d.idp,
    profile: d.profile,
    primary: d.primary,
    enabled: d.enabled,
    scimBaseUrl: connectionUrl(ctx, d.id),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    lastUsedAt: d.lastUsedAt,
  };
}
