/**
 * Feed mode's worker: a consumer of the group `mirror` that applies each event in a transaction of
 * the app's own. Delivery is at least once (a worker killed mid-batch leaves its unacknowledged
 * events to the next owner of the tenant's lease) and `applyEvent` skips an event it has applied
 * already, so a repeat is harmless. Run it in as many processes as you like.
 */
import type { FeedConsumer, ScimServer } from "@scimkit/core";
import type { SqlDriver } from "@scimkit/postgres";
import { applyEvent } from "./mirror.js";
import type { AppTables } from "./tables.js";

export const MIRROR_GROUP = "mirror";

export interface MirrorWorkerOptions {
  /** Events per claim of a tenant. @default 100 */
  readonly batchSize?: number | undefined;
  /** How soon another worker takes over a tenant from one that died. @default 30000 */
  readonly leaseMs?: number | undefined;
  /** How often an idle worker looks for work. @default 1000 */
  readonly pollMs?: number | undefined;
  /** Tries of one event before it is parked (see replay.ts). @default 5 */
  readonly maxTries?: number | undefined;
  /** Waits between tries. @default { initialMs: 1000, factor: 2, maxMs: 60000 } */
  readonly backoff?: { readonly initialMs?: number; readonly factor?: number; readonly maxMs?: number } | undefined;
}

export function startMirrorWorker(
  scim: ScimServer,
  driver: SqlDriver,
  tables: AppTables,
  options: MirrorWorkerOptions = {},
): FeedConsumer {
  return scim.events.consume(
    async (event) => {
      await driver.transaction((sql) => applyEvent(sql, tables, event));
    },
    {
      group: MIRROR_GROUP,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.maxTries !== undefined ? { maxTries: options.maxTries } : {}),
      ...(options.backoff !== undefined ? { backoff: options.backoff } : {}),
    },
  );
}
