/**
 * An embeddable SCIM 2.0 server (RFC 7643/7644): `createScimServer(options).fetch(request)` serves
 * Users, Groups, search, PATCH and discovery over a pluggable store; the same server object carries
 * the typed admin API (directories, tokens, policy, audit, events).
 *
 * This entry is the host's API. A store author's (the store contract, `defineStore`, the filter
 * AST and the helpers that evaluate it) is `@scimkit/core/store`; an adapter author's (the Node
 * request bridge) is `@scimkit/core/node`.
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
export type { ScimServerOptions, ScimLogger } from "./server/options.js";
export { ScimError, ScimConfigError, isScimError, type ScimType } from "./errors.js";
export { createMemoryStore, type MemoryStoreOptions } from "./memory/store.js";
export type { ScimStore, JsonObject, JsonValue } from "./store/types.js";
export type { ExtensionRegistration } from "./schema/registry.js";
export { attr, type AttributeDefinition } from "./schema/attribute.js";
export { defineExtension } from "./schema/define-extension.js";
export type { ProfileName } from "./compat/profiles.js";
export type { CreateDirectoryInput, UpdateDirectoryInput, TokenOptions, MintedToken } from "./directories/admin.js";
export type { Directory, IdpKind, PatchResponse, TokenInfo } from "./directories/model.js";
export type { DirectoryHealth } from "./directories/health.js";
export type { AuthenticateFn } from "./directories/authenticate.js";
export { TOKEN_PREFIX } from "./directories/tokens.js";
export type { AuditEntry } from "./audit/trail.js";
export type { UserView, GroupView } from "./host/views.js";
export type { ListOptions } from "./server/read-api.js";
export type { ScimEvent, ScimEventType, EventHandler } from "./events/outbox.js";
export type { EventFeed, ConsumeOptions, FeedConsumer, FeedContext, FeedHandler, FeedLag } from "./feed/index.js";
export type { ParkedEvent, FeedTenantLag } from "./store/feed.js";
export {
  verifyPasswordHash,
  type PolicyAdmin,
  type PolicyOptions,
  type InTransactionHooks,
  type RoleDefinition,
  type RoleChange,
  type RoleChangeReason,
  type DeprovisioningPolicy,
  type DeprovisionNotice,
  type PasswordNotice,
  type Roles,
  type Exclusion,
  type GroupRoleInfo,
  type MappingPreview,
  type SweepResult,
  type Tombstone,
} from "./policy/index.js";
