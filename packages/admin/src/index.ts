/**
 * A JSON admin API for a scimkit server, and the settings page built on it: connections (one per
 * IdP), tokens, IdP setup steps, group roles with a dry-run preview, exclusions, deprovisioning, the
 * activity log, connection health and a user and group browser. Every call is scoped to the tenant
 * the host's `authorize` names and attributed to its person in the audit trail. It is a Web `fetch`
 * handler, so the scimkit adapters (`@scimkit/express`, `@scimkit/koa`, `@scimkit/next`) mount it like
 * the SCIM server itself; with `basePath`, the mount path serves the page (`<scimkit-admin>`).
 *
 * @example
 * ```ts
 * import { createAdminApi } from "@scimkit/admin";
 * import { createExpressMiddleware } from "@scimkit/express";
 *
 * const admin = createAdminApi(scim, {
 *   basePath: "/api/scim-admin",
 *   scimBaseUrl: "https://app.example.com/scim/v2",
 *   authorize: (request) => orgAdminOf(request), // { tenantId, actor: { id, name?, email? } } or null
 * });
 * app.use("/api/scim-admin", createExpressMiddleware(admin));
 * ```
 *
 * @module @scimkit/admin
 */
export { createAdminApi, type AdminApi, type AdminApiOptions, type AdminPrincipal } from "./api.js";
export type { AdminActor, ActivityActor, ActivityEntry } from "./audit.js";
export type { AdminConnection } from "./context.js";
export type { AdminErrorBody, AdminErrorCode, AdminIssue } from "./http.js";
export type { AdminHealth, AdminToken } from "./routes/connections.js";
export type { AdminGroup, AdminUser } from "./routes/directory.js";
export type { AdminUiOptions } from "./page.js";
export type { SetupGuide, SetupStep } from "./setup.js";
export type { AdminStrings } from "./ui/strings.js";
