/**
 * Connections (one per IdP: core's directories), their tokens, setup steps, health and
 * deprovisioning policy.
 */
import { TOKEN_PREFIX, type DeprovisioningPolicy, type JsonObject, type TokenInfo } from "@scimkit/core";
import { z } from "zod";
import {
  connectionOf,
  connectionState,
  created,
  ok,
  param,
  toConnection,
  type Context,
  type Reply,
} from "../context.js";
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
  const d = await ctx.scim.directories.create({ tenantId: ctx.tenantId, ...body });
  ctx.note({ directoryId: d.id, after: connectionState(d) });
  return created(toConnection(ctx, d));
}

export async function updateConnection(ctx: Context): Promise<Reply> {
  const before = await connectionOf(ctx, param(ctx, "connectionId"));
  ctx.note({ directoryId: before.id });
  const body = parseInput(updateBody, ctx.body, "body");
  const after = await ctx.scim.directories.update(before.id, body);
  ctx.note({
    before: connectionState(before),
    after: connectionState(after),
    facts: { fields: Object.keys(body).join(",") },
  });
  return ok(toConnection(ctx, after));
}

export async function deleteConnection(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  ctx.note({ directoryId: d.id });
  const { resources } = parseInput(deleteQuery, query(ctx), "query");
  await ctx.scim.directories.delete(d.id, { resources });
  ctx.note({ before: connectionState(d), after: null, facts: { resources } });
  return ok({ id: d.id, deleted: true, resources });
}

/* Tokens ---------------------------------------------------------------------------------------- */

/**
 * Core keeps only a token's digest, not its last characters. The API notes the last four of the
 * tokens it creates in a record of its own, so lists can show `scimkit_…AbCd`.
 */
const HINT = "admin.tokenHint";

async function hints(ctx: Context): Promise<Map<string, string>> {
  const records = await ctx.scim.store.transaction(ctx.tenantId, (tx) => tx.listRecords(HINT), { readOnly: true });
  const out = new Map<string, string>();
  for (const r of records) if (typeof r.data["lastFour"] === "string") out.set(r.id, r.data["lastFour"]);
  return out;
}

async function saveHint(ctx: Context, tokenId: string, secret: string): Promise<void> {
  await ctx.scim.store.transaction(ctx.tenantId, (tx) =>
    tx.putRecord(HINT, { id: tokenId, data: { lastFour: secret.slice(-4) } }),
  );
}

/** A token as lists show it: never the secret. */
export interface AdminToken {
  readonly id: string;
  readonly connectionId: string;
  readonly prefix: string;
  /** The secret's last four characters; null for tokens not created through this API. */
  readonly lastFour: string | null;
  /** `scimkit_…AbCd`, or `scimkit_…` without the last four. */
  readonly masked: string;
  readonly status: "active" | "expired" | "revoked";
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

const masked = (lastFour: string | null) => `${TOKEN_PREFIX}…${lastFour ?? ""}`;

function toToken(t: TokenInfo, lastFour: string | null, now: Date): AdminToken {
  const status =
    t.revokedAt !== null
      ? "revoked"
      : t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime()
        ? "expired"
        : "active";
  return {
    id: t.id,
    connectionId: t.directoryId,
    prefix: TOKEN_PREFIX,
    lastFour,
    masked: masked(lastFour),
    status,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
    lastUsedAt: t.lastUsedAt,
  };
}

async function tokensOf(ctx: Context, connectionId: string): Promise<AdminToken[]> {
  const [tokens, known] = await Promise.all([ctx.scim.directories.listTokens(connectionId), hints(ctx)]);
  const now = ctx.now();
  return tokens
    .map((t) => toToken(t, known.get(t.id) ?? null, now))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export async function listTokens(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  return ok({ items: await tokensOf(ctx, d.id) });
}

async function mint(
  ctx: Context,
  connectionId: string,
  options: { overlapSeconds?: number; expiresAt?: string | undefined },
): Promise<Reply> {
  const minted = await ctx.scim.directories.mintToken(connectionId, options);
  ctx.note({
    resourceType: "Token",
    resourceId: minted.tokenId,
    facts: { tokenId: minted.tokenId, overlapSeconds: options.overlapSeconds ?? 0 },
  });
  // The token exists and its secret must reach the admin: a lost hint only hides the last four.
  await saveHint(ctx, minted.tokenId, minted.token).catch((error: unknown) => ctx.report(error));
  const info = (await ctx.scim.directories.listTokens(connectionId)).find((t) => t.id === minted.tokenId);
  if (info === undefined) throw new AdminError("conflict", "The token was revoked while it was being created");
  const all = await tokensOf(ctx, connectionId);
  const previous = all.filter((t) => t.id !== minted.tokenId && t.status === "active");
  return created({
    /** The bearer secret: in this response only, never again. */
    secret: minted.token,
    token: toToken(info, minted.token.slice(-4), ctx.now()),
    /** Earlier tokens still working (until their `expiresAt`) after a rotation with overlap. */
    stillValid: previous,
  });
}

/** Creates a connection's first token. With a token already working, rotate instead (409). */
export async function createToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  ctx.note({ directoryId: d.id });
  const body = parseInput(createTokenBody, ctx.body, "body");
  if ((await tokensOf(ctx, d.id)).some((t) => t.status === "active")) {
    throw new AdminError(
      "conflict",
      "The connection already has a working token: rotate it (POST …/tokens/rotate) so the IdP is not cut off",
    );
  }
  return mint(ctx, d.id, { expiresAt: body.expiresAt });
}

/** Creates a new token; earlier ones keep working for `overlapSeconds` (0: revoked at once). */
export async function rotateToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  ctx.note({ directoryId: d.id });
  const body = parseInput(rotateBody, ctx.body, "body");
  return mint(ctx, d.id, { overlapSeconds: body.overlapSeconds, expiresAt: body.expiresAt });
}

export async function revokeToken(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  ctx.note({ directoryId: d.id });
  const tokenId = param(ctx, "tokenId");
  const token = (await tokensOf(ctx, d.id)).find((t) => t.id === tokenId);
  if (token === undefined) throw notFound("Token");
  ctx.note({ resourceType: "Token", resourceId: tokenId, facts: { tokenId } });
  if (token.revokedAt === null) await ctx.scim.directories.revokeToken(d.id, tokenId);
  const after = (await tokensOf(ctx, d.id)).find((t) => t.id === tokenId) ?? token;
  return ok(after);
}

/* Setup, health, deprovisioning ------------------------------------------------------------------ */

export async function setup(ctx: Context): Promise<Reply> {
  const d = await connectionOf(ctx, param(ctx, "connectionId"));
  const q = parseInput(setupQuery, query(ctx), "query");
  const newest = (await tokensOf(ctx, d.id)).find((t) => t.status === "active");
  return ok(setupGuide(q.idp ?? d.idp, toConnection(ctx, d).scimBaseUrl, newest === undefined ? null : newest.masked));
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
  const h = ctx.scim.directories.health(d.id);
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
  ctx.note({ directoryId: d.id });
  const body = parseInput(deprovisioningBody, ctx.body, "body");
  const before = await ctx.scim.policy.deprovisioning(d.id);
  const after = await ctx.scim.policy.setDeprovisioning(d.id, {
    ...(body.onDeactivate !== undefined ? { onDeactivate: body.onDeactivate } : {}),
    ...(body.onDelete !== undefined ? { onDelete: body.onDelete } : {}),
  });
  ctx.note({ before: policyJson(before), after: policyJson(after) });
  return ok({ connectionId: d.id, ...policyJson(after) });
}
