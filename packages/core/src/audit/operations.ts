/**
 * The operations an audit entry can name: what core writes, and nothing else. A reader (an activity
 * page, an export) can switch over them exhaustively; a new operation must be added here first.
 */

/** What a SCIM write did to a resource, followed by its type: `"create User"`, `"patch Group"`. */
export type ResourceVerb = "create" | "replace" | "patch" | "delete";

/**
 * A SCIM write, succeeded or failed, named for the resource type it addressed (`User`, `Group`,
 * or a resource type an extension registers).
 */
export type ScimWriteOperation = `${ResourceVerb} ${"User" | "Group" | (string & {})}`;

/** Admin calls on directories and tokens (a rotation audits as `token.minted` with its overlap). */
export const directoryOperations = [
  "directory.created",
  "directory.updated",
  "directory.deleted",
  "token.minted",
  "token.revoked",
] as const;
export type DirectoryOperation = (typeof directoryOperations)[number];

/** The provisioning policy's decisions and admin calls (docs/policy.md lists their facts). */
export const policyOperations = [
  "policy.group.mapped",
  "policy.group.unmapped",
  "policy.role.changed",
  "policy.user.excluded",
  "policy.user.included",
  "policy.deactivation.blocked",
  "policy.delete.ignored",
  "policy.user.deprovisioned",
  "policy.sweep",
  "policy.deprovisioning.set",
  "policy.password.ignored",
  "policy.password.set",
] as const;
export type PolicyOperation = (typeof policyOperations)[number];

/** Every operation an audit entry can name. */
export type AuditOperation = ScimWriteOperation | DirectoryOperation | PolicyOperation;

const named: ReadonlySet<string> = new Set([...directoryOperations, ...policyOperations]);
const scimWrite = /^(create|replace|patch|delete) [A-Za-z][A-Za-z0-9_.:-]*$/;

/** True when `value` is an operation core writes. */
export function isAuditOperation(value: string): value is AuditOperation {
  return named.has(value) || scimWrite.test(value);
}
