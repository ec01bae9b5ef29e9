/** The options of {@link createScimServer}, each with its default. */
import type { AuthenticateFn } from "../directories/authenticate.js";
import type { EventHandler, ScimEvent } from "../events/outbox.js";
import type { PolicyOptions } from "../policy/options.js";
import type { ExtensionRegistration } from "../schema/registry.js";
import type { ScimStore, StoreTransaction } from "../store/types.js";

import type { RateLimit } from "../http/rate-limit.js";
import type { PinoStyleLogger, ScimLogger } from "../logger.js";
import type { TracerLike } from "../telemetry/tracing.js";

export type { ScimLogger } from "../logger.js";

export interface ScimServerOptions {
  /** Where SCIM data lives. @default createMemoryStore() */
  readonly store?: ScimStore | undefined;
  /**
   * The path the SCIM base URL is mounted at, e.g. `/scim/v2`. When omitted it is found from each
   * request URL (everything before `/Users`, `/Groups`, …).
   * @default undefined
   */
  readonly basePath?: string | undefined;
  /** Host-defined extension schemas for User or Group. @default [] */
  readonly extensions?: readonly ExtensionRegistration[] | undefined;
  /** Largest page a list returns; advertised as `filter.maxResults`. @default 1000 */
  readonly maxResults?: number | undefined;
  /** Page size when a request gives no `count`. @default 100 */
  readonly defaultCount?: number | undefined;
  /** Largest request body accepted; larger ones get 413. @default 1048576 (1 MiB) */
  readonly maxBodyBytes?: number | undefined;
  /**
   * RFC 7644 §3.7 /Bulk: the most operations and bytes one request may carry (advertised in
   * ServiceProviderConfig), or `false` to answer /Bulk with 501.
   * @default { maxOperations: 1000, maxPayloadSize: maxBodyBytes }
   */
  readonly bulk?:
    | { readonly maxOperations?: number | undefined; readonly maxPayloadSize?: number | undefined }
    | false
    | undefined;
  /**
   * A per-directory request rate: past it, requests are answered 429 with `Retry-After` (counted in
   * this process). Off unless set.
   * @default undefined
   */
  readonly rateLimit?: RateLimit | undefined;
  /**
   * How long a write may take, in milliseconds, counted from its arrival: one still running then rolls
   * back and is answered 503 with `Retry-After` (nothing written).
   * @default 30000
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * An OpenTelemetry tracer (`trace.getTracer("scimkit")` from `@opentelemetry/api`): one span per
   * request, per unit of work and per store call, attributed with tenant, directory, IdP profile,
   * operation and outcome, never a secret or an attribute value.
   * @default undefined (no spans, no cost)
   */
  readonly tracer?: TracerLike | undefined;
  /** Keep Group displayName unique per tenant, case-insensitively (409 on a clash). @default false */
  readonly uniqueGroupDisplayName?: boolean | undefined;
  /** Replace bearer-token auth with the host's own (e.g. OAuth client credentials). @default undefined */
  readonly authenticate?: AuthenticateFn | undefined;
  /** Answer 403 to plain-HTTP requests. @default false */
  readonly requireHttps?: boolean | undefined;
  /** Trust `X-Forwarded-Proto` / `X-Forwarded-Host` from a proxy in front of the app. @default false */
  readonly trustProxy?: boolean | undefined;
  /**
   * Seconds a bearer token's and a directory's store records are reused by authentication. This
   * server's own admin writes (revoke, rotate, disable, …) clear them at once; another instance
   * sharing the store sees such a change within this time. 0 reads the store on every request.
   * @default 1
   */
  readonly authCacheSeconds?: number | undefined;
  /** Seconds between writes of a token's last-used time. @default 60 */
  readonly lastUsedThrottleSeconds?: number | undefined;
  /** Clock, for tests and sweeps. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /** Where errors are reported. @default console */
  readonly logger?: ScimLogger | PinoStyleLogger | undefined;
  /**
   * Roles and how IdP groups grant them, exclusions' guard, deprovisioning, password sync and
   * their hooks. Without it no roles are computed, deactivation is soft, DELETE is hard and pushed
   * passwords are ignored (and audited as such).
   * @default {}
   */
  readonly policy?: PolicyOptions | undefined;
  /**
   * An event handler that runs inside each unit of work, with its transaction, after the change and
   * its events are written and before the commit: mirror users into your own tables of the same
   * database here and they commit or roll back together (a throw fails the request, nothing written).
   * On PostgreSQL, `postgresExecutor(tx)` from `@scimkit/postgres` runs your SQL in that transaction.
   * @default undefined
   */
  readonly onEventInTransaction?: ((event: ScimEvent, tx: StoreTransaction) => void | Promise<void>) | undefined;
  /** Event handlers called after each commit. @default [] */
  readonly onEvent?: EventHandler | readonly EventHandler[] | undefined;
}
