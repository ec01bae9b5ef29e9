/**
 * An embeddable SCIM 2.0 server (RFC 7643/7644): `createScimServer(options).fetch(request)` serves
 * Users, Groups, search, PATCH and discovery over a pluggable store; the same server object carries
 * the typed admin API (directories, tokens, audit, events).
 *
 * @example
 * ```ts
 * import { createScimServer } from "@scimkit/core";
 * const scim = createScimServer();
 * const dir = await scim.directories.create({ tenantId: "acme", name: "Okta", idp: "okta" });
 * const { token } = await scim.directories.mintToken(dir.id);
 * const res = await scim.fetch(new Request("https://app.example/scim/v2/Users", { headers: { authorization: `Bearer ${token}` } }));
 * ```
 *
 * @module @scimkit/core
 */
export { createScimServer, type ScimServer } from "./server/create-server.js";
export type { ScimReply, ScimRequest } from "./http/exchange.js";
export type { ScimServerOptions, ScimLogger } from "./server/options.js";
export { ScimError, ScimConfigError, isScimError, type ScimType } from "./errors.js";
export { memoryStore, type MemoryStoreOptions } from "./memory/store.js";
export * from "./store/types.js";
export { resourceView } from "./store/view.js";
export type { Filter, CompareOperator, FilterValue, Sort } from "./filter/ast.js";
export { parseFilter, parseValueFilter } from "./filter/parse.js";
export { evaluateFilter, matchesValue, compareForSort, sortValue } from "./filter/evaluate.js";
export { SchemaRegistry, type AttributeRef, type ExtensionRegistration, type ResourceTypeSchemas } from "./schema/registry.js";
export { attr, type AttributeDefinition, type AttributeType, type Mutability, type Returned, type Uniqueness, type SchemaDefinition, type ResourceTypeDefinition } from "./schema/attribute.js";
export { URN } from "./schema/urns.js";
export { toleranceContext, toleranceNames, toleranceNumber, type ToleranceName, type ToleranceContext } from "./compat/tolerances.js";
export { profiles, defaultProfile, detectProfile, type ProfileName } from "./compat/profiles.js";
export { planPatch, parsePatchPath, readPatchBody, type MemberChange, type PatchPlan, type PatchTarget, type PatchPath, type PathError } from "./patch/index.js";
export { DirectoryAdmin, type CreateDirectoryInput, type UpdateDirectoryInput, type TokenOptions, type MintedToken } from "./directories/admin.js";
export type { Directory, IdpKind, PatchResponse, TokenInfo } from "./directories/model.js";
export type { DirectoryHealth } from "./directories/health.js";
export type { AuthenticateFn } from "./directories/authenticate.js";
export { TOKEN_PREFIX } from "./directories/tokens.js";
export type { AuditEntry, Actor } from "./audit/trail.js";
export type { ScimEvent, ScimEventType, EventHandler } from "./events/outbox.js";
export { ok, err, type Result } from "./result.js";
export {
  PolicyAdmin,
  effectiveRoles,
  hashPassword,
  verifyPasswordHash,
  TOMBSTONE_TYPE,
  type GroupRoleInfo,
  type MappingPreview,
  type RolePreview,
  type SweepResult,
  type Tombstone,
  type PolicyOptions,
  type RoleDefinition,
  type RoleMode,
  type RoleChange,
  type RoleChangeReason,
  type DeactivationPolicy,
  type DeletePolicy,
  type DeprovisioningPolicy,
  type DeprovisionNotice,
  type PasswordNotice,
  type Exclusion,
  type Roles,
  type GuardReason,
} from "./policy/index.js";
