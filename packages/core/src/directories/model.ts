/**
 * Directories: one SCIM connection of a tenant (the host's organisation) to an IdP, with its own
 * base URL and tokens. Kept as store records, so every store supports them through the contract.
 */
import type { ProfileName } from "../compat/profiles.js";
import type { JsonObject } from "../store/types.js";

export type IdpKind = "okta" | "entra" | "onelogin" | "jumpcloud" | "ping" | "generic";

/** What a PATCH answers: the resource (200) or nothing (204). */
export type PatchResponse = "resource" | "noContent";

export interface Directory {
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
}

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

export const directoryToRecord = (d: Directory): JsonObject => ({ ...d, patchResponse: { ...d.patchResponse } });

export function directoryFromRecord(data: JsonObject): Directory {
  return data as unknown as Directory;
}

/** Token metadata; the secret itself is never stored, only its SHA-256 (as the record key). */
export interface TokenInfo {
  readonly id: string;
  readonly directoryId: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}
