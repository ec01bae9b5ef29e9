/**
 * The event feed: the events log read across tenants (a global cursor), and consumer groups whose
 * workers, in one process or many, share the tenants' events with per-tenant cursors, leases,
 * retries and parking. `createScimServer` puts it on `scim.events`.
 */
import { ScimConfigError } from "../errors.js";
import { toEvent, type ScimEvent } from "../events/outbox.js";
import type { ScimLogger } from "../logger.js";
import type { FeedStore, FeedTenantLag, ParkedEvent } from "../store/feed.js";
import type { ScimStore } from "../store/types.js";
import { GROUP_NAME, startConsumer, type ConsumeOptions, type FeedConsumer, type FeedHandler } from "./consumer.js";
import { deriveFeed } from "./derived.js";

export type { ConsumeOptions, FeedConsumer, FeedContext, FeedHandler } from "./consumer.js";

/** How far a consumer group is behind. */
export interface FeedLag {
  /** Events not yet acknowledged, over every tenant. */
  readonly total: number;
  /** The tenants with events not yet acknowledged (or one being retried), most behind first. */
  readonly tenants: readonly FeedTenantLag[];
}

/** The feed's part of `scim.events`. */
export interface EventFeed {
  /**
   * Events of every tenant, oldest first: those with `seq` above `after`, at most `limit` (100).
   * A safe cursor: paging with the last `seq` read never skips an event (a store may hold back the
   * newest ones until it can vouch for their order).
   */
  readAll(query?: { after?: number; limit?: number }): Promise<ScimEvent[]>;
  /** Starts a worker of a consumer group; see {@link ConsumeOptions}. */
  consume(handler: FeedHandler, options: ConsumeOptions): FeedConsumer;
  /** A tenant's events a group gave up on, oldest first. */
  parked(tenantId: string, group: string): Promise<ParkedEvent[]>;
  /** Events a group has not yet acknowledged, in total and per tenant. */
  lag(group: string): Promise<FeedLag>;
}

export interface EventFeedDeps {
  readonly store: ScimStore;
  readonly logger: ScimLogger;
  readonly now: () => Date;
  readonly subscribe: (listener: () => void) => () => void;
}

function checkGroup(group: string, what: string): void {
  if (typeof group !== "string" || !GROUP_NAME.test(group))
    throw new ScimConfigError(`${what}: the group must be letters, digits, '.', '-' or '_', at most 64`);
}

/** The feed of a server, and `stopAll` for its `close`. */
export function createEventFeed(deps: EventFeedDeps): EventFeed & { stopAll(): Promise<void> } {
  const { store } = deps;
  let derived: FeedStore | null | undefined;
  const feedStore = (what: string): FeedStore => {
    if (store.feed) return store.feed;
    derived ??= deriveFeed(store, () => deps.now().getTime());
    if (!derived)
      throw new ScimConfigError(
        `${what}: the ${store.name} store keeps no event feed (it implements neither \`feed\` nor \`readLogAll\`)`,
      );
    return derived;
  };
  const running = new Set<FeedConsumer>();

  return {
    async readAll(query = {}) {
      if (!store.readLogAll)
        throw new ScimConfigError(
          `events.readAll: the ${store.name} store cannot read across tenants (it does not implement \`readLogAll\`)`,
        );
      const entries = await store.readLogAll("events", { after: query.after, limit: query.limit ?? 100 });
      return entries.map((e) => toEvent(e.tenantId, e));
    },
    consume(handler, options) {
      if (typeof handler !== "function") throw new ScimConfigError("events.consume: the handler must be a function");
      const feed = feedStore("events.consume");
      const consumer = startConsumer(
        { feed, logger: deps.logger, now: deps.now, subscribe: deps.subscribe, stopped: (c) => running.delete(c) },
        handler,
        options,
      );
      running.add(consumer);
      return consumer;
    },
    async parked(tenantId, group) {
      checkGroup(group, "events.parked");
      return [...(await feedStore("events.parked").parked(group, tenantId))];
    },
    async lag(group) {
      checkGroup(group, "events.lag");
      const all = await feedStore("events.lag").lag(group);
      const tenants = all
        .filter((t) => t.pending > 0 || t.tries > 0)
        .sort((a, b) => b.pending - a.pending || a.tenantId.localeCompare(b.tenantId));
      return { total: tenants.reduce((n, t) => n + t.pending, 0), tenants };
    },
    async stopAll() {
      await Promise.all([...running].map((c) => c.stop()));
    },
  };
}
