/**
 * Connections (one per IdP: core's directories), their tokens, setup steps, health and
 * deprovisioning policy.
 */
import type { DeprovisioningPolicy, JsonObject, TokenInfo } from "@scimkit/core";
import { z } from "zod";
import { connectionOf, created, ok, param, toConnection, type Context, type Reply } from "../context.js";
import { AdminError, notFound, parseInput } from "../http.js";
import { idpKinds, setupGuide } from "../setup.js";

const name = z.string().trim().min(1).max(200);

const createBody = z
  .object({
    name,
    idp: z.enum(idpKinds),
    primary: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const updateBody = z
  .object({
    name: name.optional(),
    enabled: z.boolean().optional(),
    /** Making another connection primary is how this one stops being primary. */
    primary: z.literal(true).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "give at least one of name, enabled, primary" });

const deleteQuery = z.object({ resources: z.enum(["keep", "delete"]) }).strict();

const MAX_OVERLAP = 30 * 24 * 3600;
const expiresAt = z.iso.datetime({ offset: true }).optional();
const createTokenBody = z.object({ expiresAt }).strict();
const rotateBody = z.object({ overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP), expiresAt }).strict();

const days = z.number().int().min(1).max(3650);
const deprovisioningBody = z
  .object({
    onDeactivate: z
      .union([z.enum(["deactivate", "delete"]), z.object({ deactivateThenDeleteAfterDays: days }).strict()])
      .optional(),
    onDelete: z.enum(["hard", "tombstone"]).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "give onDeactivate, onDelete or both" });

const setupQuery = z.object({ idp: z.enum(idpKinds).optional() }).strict();

const query = (ctx: Context) => Object.fromEntries(ctx.query);

export async function listConnections(ctx: Context): Promise<Reply> {
  const all = await ctx.scim.directories.list(ctx.tenantId);
  all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return ok({ items: all.map((d) => toConnection(ctx, d)) });
}

export async function getConnection(ctx: Context): Promise<Reply> {
  return ok(toConnection(ctx, await connectionOf(ctx, param(ctx, "connectionId"))));
}

export async function createConnection(ctx: Context): Promise<Reply> {
  const body = parseInput(createBody, ctx.body, "body");
  const d = await ctx.directories.create({ tenantId: ctx.tenantId, ...body });
  return created(toConnection(ctx, d));
}

export async function updateConnection(ctx: Context): Promise<Reply> {
  const before = await connectionOf(ctx, param(ctx, "connectionId"));
  const body = parseInput(updateBody, ctx.body, "body");
  return ok(toConnection(ctx, await ctx.directories.update(before.id, body)));
}

export async function deleteConnection(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const { resources } = parseInput(deleteQuery, query(ctx), "query");
  await ctx.directories.delete(d.id, { resources });
  return ok({ id: d.id, deleted: true, resources });
}

/* Tokens ---------------------------------------------------------------------------------------- */

/** A token as lists show it: never the secret. */
export interface AdminToken {
  readonly id: string;
  readonly connectionId: string;
  /** What may be shown again: the prefix and the last four (`scimkit_…AbCd`); null for tokens core recorded without one. */
  readonly hint: string | null;
  readonly status: "active" | "expired" | "revoked";
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

function toToken(t: TokenInfo, now: Date): AdminToken {
  const status =
    t.revokedAt !== null
      ? "revoked"
      : t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime()
        ? "expired"
        : "active";
  return {
    id: t.id,
    connectionId: t.directoryId,
    hint: t.hint,
    status,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
    lastUsedAt: t.lastUsedAt,
  };
}

/** The connection's base URL and its tokens, newest first (a read: nothing is minted or revoked). */
async function detailsOf(ctx: Context, connectionId: string): Promise<{ baseUrl: string; tokens: AdminToken[] }> {
  const { baseUrl, tokens } = await ctx.directories.connectionDetails(connectionId, ctx.scimBaseUrl);
  const now = ctx.now();
  return {
    baseUrl,
    tokens: tokens
      .map((t) => toToken(t, now))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)),
  };
}

const tokensOf = async (ctx: Context, connectionId: string) => (await detailsOf(ctx, connectionId)).tokens;

export async function listTokens(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  return ok({ items: await tokensOf(ctx, d.id) });
}

/** The answer to a created or rotated token: its secret, once, and the tokens still working beside it. */
async function minted(ctx: Context, connectionId: string, secret: string, tokenId: string): Promise<Reply> {
  const { baseUrl, tokens } = await detailsOf(ctx, connectionId);
  const token = tokens.find((t) => t.id === tokenId);
  if (token === undefined) throw new AdminError("conflict", "The token was revoked while it was being created");
  return created({
    /** The bearer secret: in this response only, never again. */
    secret,
    token,
    scimBaseUrl: baseUrl,
    /** Earlier tokens still working (until their `expiresAt`) after a rotation with overlap. */
    stillValid: tokens.filter((t) => t.id !== tokenId && t.status === "active"),
  });
}

/** Creates a connection's first token. With a token already working, rotate instead (409). */
export async function createToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const body = parseInput(createTokenBody, ctx.body, "body");
  if ((await tokensOf(ctx, d.id)).some((t) => t.status === "active")) {
    throw new AdminError(
      "conflict",
      "The connection already has a working token: rotate it (POST …/tokens/rotate) so the IdP is not cut off",
    );
  }
  const m = await ctx.directories.mintToken(d.id, { expiresAt: body.expiresAt });
  return minted(ctx, d.id, m.token, m.tokenId);
}

/** Creates a new token; earlier ones keep working for `overlapSeconds` (0: revoked at once). */
export async function rotateToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const body = parseInput(rotateBody, ctx.body, "body");
  const r = await ctx.directories.rotateToken(d.id, ctx.scimBaseUrl, {
    overlapSeconds: body.overlapSeconds,
    expiresAt: body.expiresAt,
  });
  return minted(ctx, d.id, r.token, r.tokenId);
}

export async function revokeToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const tokenId = param(ctx, "tokenId");
  const token = (await tokensOf(ctx, d.id)).find((t) => t.id === tokenId);
  if (token === undefined) throw notFound("Token");
  if (token.revokedAt === null) await ctx.directories.revokeToken(d.id, tokenId);
  const after = (await tokensOf(ctx, d.id)).find((t) => t.id === tokenId) ?? token;
  return ok(after);
}

/* Setup, health, deprovisioning ------------------------------------------------------------------ */

export async function setup(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const q = parseInput(setupQuery, query(ctx), "query");
  const { baseUrl, tokens } = await detailsOf(ctx, d.id);
  const newest = tokens.find((t) => t.status === "active");
  return ok(setupGuide(q.idp ?? d.idp, baseUrl, newest?.hint ?? null));
}

/** What the health endpoint answers. */
export interface AdminHealth {
  readonly connectionId: string;
  readonly enabled: boolean;
  readonly lastRequestAt: string | null;
  /** When a token of the connection was last used (stored, so it survives restarts). */
  readonly lastUsedAt: string | null;
  readonly lastError: { readonly at: string; readonly status: number; readonly detail: string } | null;
  readonly windowMinutes: number;
  readonly requests: number;
  readonly failures: number;
  readonly unauthorized: number;
  readonly forbidden: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** The compatibility tolerances the IdP relied on in the window, most used first. */
  readonly tolerances: readonly { readonly name: string; readonly requests: number }[];
}

export async function health(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const h = await ctx.scim.directories.health(d.id);
  const body: AdminHealth = {
    connectionId: d.id,
    enabled: d.enabled,
    lastRequestAt: h.lastRequestAt,
    lastUsedAt: d.lastUsedAt,
    lastError: h.lastError,
    windowMinutes: h.windowMinutes,
    requests: h.requests,
    failures: h.failures,
    unauthorized: h.byStatus["401"] ?? 0,
    forbidden: h.byStatus["403"] ?? 0,
    byStatus: h.byStatus,
    tolerances: Object.entries(h.tolerances)
      .map(([name, requests]) => ({ name, requests }))
      .sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name)),
  };
  return ok(body);
}

const policyJson = (p: DeprovisioningPolicy): JsonObject => ({
  onDeactivate:
    typeof p.onDeactivate === "object"
      ? { deactivateThenDeleteAfterDays: p.onDeactivate.deactivateThenDeleteAfterDays }
      : p.onDeactivate,
  onDelete: p.onDelete,
});

export async function getDeprovisioning(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  return ok({ connectionId: d.id, ...policyJson(await ctx.scim.policy.deprovisioning(d.id)) });
}

export async function setDeprovisioning(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const body = parseInput(deprovisioningBody, ctx.body, "body");
  const after = await ctx.policy.setDeprovisioning(d.id, {
    ...(body.onDeactivate !== undefined ? { onDeactivate: body.onDeactivate } : {}),
    ...(body.onDelete !== undefined ? { onDelete: body.onDelete } : {}),
  });
  return ok({ connectionId: d.id, ...policyJson(after) });
}
