/**
 * `createScimServer`: the one entry point. It returns a Web-standard `fetch` for the SCIM routes and
 * a typed API for host code (directories, tokens, audit, events). No module-level state: every
 * server owns its store, registry, caches and counters, so two servers never see each other.
 */
import { readAudit, type Actor, type AuditEntry, type Person } from "../audit/trail.js";
import { DirectoryAdmin } from "../directories/admin.js";
import { AuthCache } from "../directories/auth-cache.js";
import type { Caller } from "../directories/authenticate.js";
import { HealthTracker, type DirectoryHealth } from "../directories/health.js";
import { USAGE } from "../directories/model.js";
import { EventDispatcher, toEvent, type DirectoryEvent, type EventHandler, type ScimEvent } from "../events/outbox.js";
import { createEventFeed, type EventFeed } from "../feed/index.js";
import { fromWebRequest, toWebResponse, type ScimReply, type ScimRequest } from "../http/exchange.js";
import { createHandler } from "../http/handler.js";
import { RateLimiter } from "../http/rate-limit.js";
import { uuidv7Generator } from "../ids.js";
import type { EngineSettings } from "../resources/context.js";
import { SchemaRegistry } from "../schema/registry.js";
import { createMemoryStore } from "../memory/store.js";
import type { LogQuery, ScimStore, StoreTransaction } from "../store/types.js";
import { Journal } from "../engine/journal.js";
import { toScimLogger, type ScimLogger } from "../logger.js";
import { createReadApi, type GroupReads, type UserReads } from "./read-api.js";
import { checkOptionKeys } from "./option-keys.js";
import type { ScimServerOptions } from "./options.js";
import { createPolicy, type PolicyAdmin } from "../policy/index.js";
import { isoTime } from "../time.js";

export interface ScimServer {
  /** Serves one SCIM request. Mount it with an adapter or call it directly. */
  fetch(request: Request): Promise<Response>;
  /**
   * Serves one SCIM request given as plain data, answering plain data: what `fetch` does without
   * the Fetch objects. The Node bridge uses it; an adapter for another server runtime can too.
   */
  handle(request: ScimRequest): Promise<ScimReply>;
  /** Directories and their tokens, for the host's settings page. */
  readonly directories: DirectoryAdmin & {
    /**
     * A connection's health over the last hour, merged across every instance on the store: this
     * instance's counts are exact, other instances' are as of their last write (every 5 seconds).
     */
    health(directoryId: string): Promise<DirectoryHealth>;
    /** Writes this instance's health counts to the store now (also done every 5 seconds and on close). */
    flushHealth(): Promise<void>;
  };
  /** A tenant's users as typed views, read from the store (no HTTP round trip, no token). */
  readonly users: UserReads;
  /** A tenant's groups as typed views, with their members. */
  readonly groups: GroupReads;
  /** The audit trail of a tenant, oldest first; page with `after`. */
  audit(tenantId: string, query?: Partial<LogQuery>): Promise<AuditEntry[]>;
  /**
   * Host events: subscribe to live delivery, read the outbox from a cursor (a tenant's, or across
   * tenants), or run workers of a consumer group over it (docs/event-feed.md).
   */
  readonly events: EventFeed & {
    subscribe(handler: EventHandler): () => void;
    read(tenantId: string, query?: { after?: number; limit?: number }): Promise<ScimEvent[]>;
  };
  /** Group→role mappings, exclusions, deprovisioning per directory, sweeps and tombstones. */
  readonly policy: PolicyAdmin;
  /** The store in use. */
  readonly store: ScimStore;
  /** Waits for pending work and closes the store. */
  close(): Promise<void>;
}

const LIFECYCLE = new Set([
  "directory.created",
  "directory.updated",
  "directory.deleted",
  "token.minted",
  "token.revoked",
]);
const isLifecycle = (action: string): action is DirectoryEvent["type"] => LIFECYCLE.has(action);

export function createScimServer(options: ScimServerOptions = {}): ScimServer {
  checkOptionKeys(options);
  const store = options.store ?? createMemoryStore();
  const now = options.now ?? (() => new Date());
  const logger: ScimLogger = options.logger ? toScimLogger(options.logger) : { error: (m, d) => console.error(m, d) };
  const registry = new SchemaRegistry(options.extensions ?? []);
  const maxResults = options.maxResults ?? 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const settings: EngineSettings = {
    maxResults,
    uniqueGroupDisplayName: options.uniqueGroupDisplayName ?? false,
    newId: uuidv7Generator(() => now().getTime()),
    now,
  };
  const dispatcher = new EventDispatcher((error, event) =>
    logger.error("scimkit: an event handler failed", {
      event: event.type,
      seq: event.seq,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  const handlers =
    options.onEvent === undefined
      ? []
      : Array.isArray(options.onEvent)
        ? options.onEvent
        : [options.onEvent as EventHandler];
  for (const h of handlers) dispatcher.subscribe(h);
  const policy = createPolicy(options.policy ?? {});
  const health = new HealthTracker({ store, now, logger });
  const authCache = new AuthCache((options.authCacheSeconds ?? 1) * 1000, () => now().getTime());
  // Admin calls on directories and tokens journal like everything else: one append per call.
  const hostActor = (directoryId: string, person: Person | null): Actor => ({
    directoryId,
    tokenId: null,
    userAgent: null,
    requestId: null,
    person,
  });
  const journalOf = (tx: StoreTransaction, directoryId: string, person: Person | null) =>
    new Journal(tx, hostActor(directoryId, person), isoTime(now()), registry, [], options.onEventInTransaction);
  const admin = new DirectoryAdmin(
    store,
    now,
    async (tx, action, directoryId, facts, person) => {
      const journal = journalOf(tx, directoryId, person);
      journal.audit({ operation: action, resourceType: null, resourceId: null, facts });
      if (isLifecycle(action))
        journal.event({
          type: action,
          directoryId,
          resourceType: null,
          resourceId: null,
          data: {},
          payload: { facts },
        });
      return journal.commit();
    },
    () => authCache.clear(),
    {
      record: async (tx, directoryId, changes, person) => {
        const journal = journalOf(tx, directoryId, person);
        for (const change of changes) journal.change(change, "directory.deleted");
        return journal.commit();
      },
      deliver: (events) => void dispatcher.deliver(events),
    },
  );

  // Last-used times are written at most once per throttle window per token, not once per request.
  const throttleMs = (options.lastUsedThrottleSeconds ?? 60) * 1000;
  const lastWritten = new Map<string, number>();
  // Not async: inside the throttle window (nearly every request) no promise is made at all.
  const touch = (caller: Caller): Promise<void> | undefined => {
    const key = caller.tokenId ?? caller.directory.id;
    const t = now().getTime();
    if (t - (lastWritten.get(key) ?? -Infinity) < throttleMs) return undefined;
    lastWritten.set(key, t);
    const at = isoTime(new Date(t));
    const ids = caller.tokenId === null ? [caller.directory.id] : [caller.directory.id, caller.tokenId];
    // Wrapped so a store that throws before its promise exists still ends in the caller's catch.
    return Promise.resolve().then(() =>
      store.transaction(caller.directory.tenantId, async (tx) => {
        for (const id of ids) await tx.putRecord(USAGE, { id, key: null, data: { lastUsedAt: at } });
      }),
    );
  };

  const engine = {
    store,
    registry,
    settings,
    dispatcher,
    policy: policy.write,
    logger,
    tracer: options.tracer,
    onEventInTransaction: options.onEventInTransaction,
  };
  const reads = createReadApi(engine, maxResults);
  const handle = createHandler({
    ...engine,
    auth: {
      store,
      now,
      authenticate: options.authenticate,
      requireHttps: options.requireHttps ?? false,
      trustProxy: options.trustProxy ?? false,
      cache: authCache,
      maxBodyBytes,
    },
    basePath: options.basePath,
    maxBodyBytes,
    defaultCount: Math.min(options.defaultCount ?? 100, maxResults),
    trustProxy: options.trustProxy ?? false,
    discovery: {
      maxResults,
      changePassword: policy.options.passwordSync,
      bulk:
        options.bulk === false
          ? null
          : {
              maxOperations: options.bulk?.maxOperations ?? 1000,
              maxPayloadSize: options.bulk?.maxPayloadSize ?? maxBodyBytes,
            },
    },
    health,
    touch,
    rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });

  const directories = Object.assign(admin, {
    health: (directoryId: string) => health.get(directoryId),
    flushHealth: () => health.flush(),
  });
  const feed = createEventFeed({ store, logger, now, subscribe: (listener) => dispatcher.subscribe(listener) });

  return {
    fetch: async (request) => toWebResponse(await handle(fromWebRequest(request))),
    handle,
    directories,
    users: reads.users,
    groups: reads.groups,
    store,
    policy: policy.admin({
      store,
      registry,
      now,
      logger,
      onEventInTransaction: options.onEventInTransaction,
      deliver: (events) => void dispatcher.deliver(events),
    }),
    audit: (tenantId, query = {}) =>
      store.transaction(tenantId, (tx) => readAudit(tx, { limit: 100, ...query }), { readOnly: true }),
    events: {
      subscribe: (handler) => dispatcher.subscribe(handler),
      read: (tenantId, query = {}) =>
        store.transaction(
          tenantId,
          async (tx) =>
            (await tx.readLog("events", { limit: query.limit ?? 100, after: query.after })).map((e) =>
              toEvent(tenantId, e),
            ),
          { readOnly: true },
        ),
      readAll: feed.readAll,
      consume: feed.consume,
      parked: feed.parked,
      lag: feed.lag,
    },
    async close() {
      await health.close();
      await feed.stopAll();
      await store.close?.();
    },
  };
}
