/**
 * @module policy
 *
 * Provisioning policy: IdP groups → host roles (activated one group at a time by an admin),
 * exclusions, per-directory deprovisioning (soft, hard, delayed, tombstone), and password sync.
 * It plugs into the write pipeline of `createScimServer` as the reviewer of every write, and
 * gives the host a typed admin API.
 *
 * @example
 * ```ts
 * const scim = createScimServer({
 *   policy: {
 *     // or per tenant: roles: (tenantId) => app.rolesOf(tenantId)
 *     roles: [{ id: "admin", label: "Admin", priority: 10 }, { id: "member", label: "Member" }],
 *     fallbackRole: "member",
 *     protectLastAdmin: "admin",
 *     onRoleChange: ({ userId, after }) => app.setRoles(userId, after),
 *   },
 * });
 * await scim.policy.mapGroup("acme", adminsGroupId, "admin");
 * ```
 */
import type { WritePolicy } from "../engine/unit-of-work.js";
import { PolicyAdmin, type PolicyAdminDeps } from "./admin.js";
import { resolvePolicyOptions, type PolicyOptions, type PolicySettings } from "./options.js";
import { writePolicy } from "./review.js";

export interface Policy {
  /** The options with their defaults applied; a tenant's roles come from `options.forTenant`. */
  readonly options: PolicySettings;
  /** The reviewer the write pipeline consults in every write request. */
  readonly write: WritePolicy;
  /** The admin API over a server's store and event delivery. */
  admin(deps: PolicyAdminDeps): PolicyAdmin;
}

/** Validates `options` (throwing `ScimConfigError` on a mistake) and builds the policy. */
export function createPolicy(options: PolicyOptions = {}): Policy {
  const resolved = resolvePolicyOptions(options);
  return {
    options: resolved,
    write: writePolicy(resolved),
    admin: (deps) => new PolicyAdmin(resolved, deps),
  };
}

export {
  PolicyAdmin,
  type PolicyAdminDeps,
  type GroupRoleInfo,
  type MappingPreview,
  type RolePreview,
  type SweepResult,
  type Tombstone,
} from "./admin.js";
export type {
  PolicyOptions,
  ResolvedPolicy,
  PolicySettings,
  RoleDefinition,
  RolesOption,
  RoleMode,
  RoleChange,
  RoleChangeReason,
  DeactivationPolicy,
  DeletePolicy,
  DeprovisioningPolicy,
  DeprovisionNotice,
  PasswordNotice,
  InTransactionHooks,
} from "./options.js";
export type { Exclusion } from "./records.js";
export type { Roles } from "./roles.js";
export type { GuardReason } from "./guards.js";
export { effectiveRoles } from "./roles.js";
export { hashPassword, verifyPasswordHash } from "./password.js";
export { TOMBSTONE_TYPE } from "./records.js";
