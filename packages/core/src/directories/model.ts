/**
 * Directories: one SCIM connection of a tenant (the host's organisation) to an IdP, with its own
 * base URL and tokens. Kept as store records, so every store supports them through the contract.
 */
import { z } from "zod";
import { profiles, type ProfileName } from "../compat/profiles.js";
import type { JsonObject } from "../json.js";
import { defineRecord } from "../store/define-record.js";

export const idpKinds = ["okta", "entra", "onelogin", "jumpcloud", "ping", "generic"] as const;
export type IdpKind = (typeof idpKinds)[number];

/** What a PATCH answers: the resource (200) or nothing (204). */
export type PatchResponse = "resource" | "noContent";

export type Directory = {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly idp: IdpKind;
  /** The compatibility profile used to read this directory's requests. */
  readonly profile: ProfileName;
  /** One directory per tenant is primary. */
  readonly primary: boolean;
  /** A disabled directory ("provisioning off") answers 403. */
  readonly enabled: boolean;
  /** PATCH answer per resource type. Entra prefers 204 for groups; Okta accepts both. */
  readonly patchResponse: { readonly User: PatchResponse; readonly Group: PatchResponse };
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastUsedAt: string | null;
};

export const DIRECTORY = "directory";
export const TOKEN = "token";
/**
 * Last-used times, one record per directory and per token, apart from the records admins write:
 * a request noting its use never rewrites a directory or token, so it can never put back a
 * revocation or a disable that an admin committed while the request was running.
 */
export const USAGE = "usage";

/** The profile a directory gets by default for its IdP; every IdP default accepts what that IdP sends. */
export function defaultProfileFor(idp: IdpKind): ProfileName {
  switch (idp) {
    case "okta":
      return "okta";
    case "entra":
      return "entra";
    case "onelogin":
      return "onelogin";
    default:
      return "lenient";
  }
}

/** Token metadata; the secret itself is never stored, only its SHA-256 (as the record key). */
export type TokenInfo = {
  readonly id: string;
  readonly directoryId: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  /**
   * The token's prefix and last four characters (`scimkit_…a1b2`), so a settings page can tell
   * tokens apart without ever holding the secret; null for tokens minted before hints were kept.
   */
  readonly hint: string | null;
};

const patchResponse = z.enum(["resource", "noContent"]);

/** A directory record, keyed by its own id so `findRecordByKey` finds its tenant. */
export const directoryRecord = defineRecord<Directory>(
  DIRECTORY,
  z.object({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    idp: z.enum(idpKinds),
    profile: z.enum(Object.keys(profiles) as [ProfileName, ...ProfileName[]]),
    primary: z.boolean(),
    enabled: z.boolean(),
    patchResponse: z.object({ User: patchResponse, Group: patchResponse }),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastUsedAt: z.string().nullable(),
  }),
);

/** A token record, keyed by the SHA-256 of its secret. */
export const tokenRecord = defineRecord<TokenInfo>(
  TOKEN,
  z.object({
    id: z.string(),
    directoryId: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    hint: z.string().nullable().default(null),
  }),
);

/** When a directory or token (the record's id) was last used. */
export const usageRecord = defineRecord<{ readonly lastUsedAt: string }>(USAGE, z.object({ lastUsedAt: z.string() }));

export function directoryFromRecord(data: JsonObject): Directory {
  return directoryRecord.parse(data);
}
