/**
 * A consumer of the event feed: one worker of a consumer group. Workers of a group, in one process
 * or many, share the tenants: each tenant's events are handled by one worker at a time (it holds
 * the tenant's lease), in `seq` order, and acknowledged (the cursor moved past them) once the
 * handler has returned for them. A handler that throws has its event tried again after a backoff,
 * the tenant's later events waiting behind it; after `maxTries` the event is parked (listed by
 * `scim.events.parked`) and the tenant goes on.
 *
 * At least once: a worker that dies mid-batch leaves its lease to run out, and the next owner
 * starts again from the last acknowledgement. Exactly once while no worker dies and no handler
 * outlives the lease (a worker renews it between events).
 */
import { z } from "zod";
import { ScimConfigError } from "../errors.js";
import { toEvent, type ScimEvent } from "../events/outbox.js";
import type { ScimLogger } from "../logger.js";
import type { FeedOutcome, FeedStore, ParkedEvent } from "../store/feed.js";

/** What a handler learns besides the event. */
export interface FeedContext {
  /** The consumer group. */
  readonly group: string;
  /** This worker's id, as leases record it. */
  readonly owner: string;
  /** 1 on the first try of this event, then 2, 3, … up to `maxTries`. */
  readonly attempt: number;
}

/** Handles one event. Resolving acknowledges it; throwing has it tried again later. */
export type FeedHandler = (event: ScimEvent, context: FeedContext) => void | Promise<void>;

export interface ConsumeOptions {
  /**
   * The consumer group: workers sharing a group share the work, each event handled by one of them;
   * two groups each see every event. Letters, digits, `.`, `-` and `_`, at most 64.
   */
  readonly group: string;
  /** The most events taken per claim of a tenant. @default 100 */
  readonly batchSize?: number | undefined;
  /**
   * How long a tenant's lease lasts without renewal, in milliseconds: how soon another worker takes
   * over from one that died. A worker renews between events, so one handler call should take less.
   * @default 30000
   */
  readonly leaseMs?: number | undefined;
  /** Tries of one event before it is parked. @default 5 */
  readonly maxTries?: number | undefined;
  /** Waits before tries again: `initialMs × factor^(try − 1)`, at most `maxMs`. @default { initialMs: 1000, factor: 2, maxMs: 60000 } */
  readonly backoff?:
    | {
        readonly initialMs?: number | undefined;
        readonly factor?: number | undefined;
        readonly maxMs?: number | undefined;
      }
    | undefined;
  /** How often an idle worker looks for work, in milliseconds (events of this process wake it at once). @default 1000 */
  readonly pollMs?: number | undefined;
  /** Tenants this worker handles at the same time. @default 1 */
  readonly concurrency?: number | undefined;
  /** Stops the consumer when aborted, like `stop()`. */
  readonly signal?: AbortSignal | undefined;
}

/** A running consumer. */
export interface FeedConsumer {
  readonly group: string;
  /** This worker's id, as leases record it. */
  readonly owner: string;
  /**
   * Stops taking work, waits for the handler call in flight, acknowledges what was handled and
   * releases the leases. Resolves once the consumer has stopped.
   */
  stop(): Promise<void>;
}

export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const positive = z.number().int().positive();
const optionsSchema = z
  .object({
    group: z.string().regex(GROUP_NAME, "must be letters, digits, '.', '-' or '_', at most 64"),
    batchSize: positive.max(10_000).optional(),
    leaseMs: positive.min(100).optional(),
    maxTries: positive.max(1000).optional(),
    backoff: z
      .object({
        initialMs: z.number().int().min(0).optional(),
        factor: z.number().min(1).optional(),
        maxMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    pollMs: positive.optional(),
    concurrency: positive.max(256).optional(),
    signal: z.instanceof(AbortSignal).optional(),
  })
  .strict();

/** What a consumer needs from the server. */
export interface ConsumerDeps {
  readonly feed: FeedStore;
  readonly logger: ScimLogger;
  readonly now: () => Date;
  /** Subscribes to events committed by this process (to wake idle workers); returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
  /** Called once the consumer has stopped. */
  readonly stopped: (consumer: FeedConsumer) => void;
}

export function parseConsumeOptions(options: ConsumeOptions): ConsumeOptions {
  const r = optionsSchema.safeParse(options);
  if (!r.success)
    throw new ScimConfigError(
      `events.consume: ${r.error.issues.map((i) => `${i.path.join(".") || "options"} ${i.message}`).join("; ")}`,
    );
  return options;
}

/** The name a parked event records: the error's `code` when it has a string one, else its name. */
export function errorName(error: unknown): string {
  if (error !== null && typeof error === "object") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === "string" && name.length > 0) return name.slice(0, 64);
  }
  return typeof error;
}

const shuffle = <T>(list: T[]): T[] => {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
};

/** Starts a worker of `options.group` calling `handler`. */
export function startConsumer(deps: ConsumerDeps, handler: FeedHandler, input: ConsumeOptions): FeedConsumer {
  const options = parseConsumeOptions(input);
  const { feed, logger } = deps;
  const group = options.group;
  const owner = globalThis.crypto.randomUUID();
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxTries = options.maxTries ?? 5;
  const pollMs = options.pollMs ?? 1000;
  const concurrency = options.concurrency ?? 1;
  const initialMs = options.backoff?.initialMs ?? 1000;
  const factor = options.backoff?.factor ?? 2;
  const maxMs = options.backoff?.maxMs ?? 60_000;
  const backoff = (tries: number) => Math.min(maxMs, Math.round(initialMs * factor ** (tries - 1)));

  let stopping = false;
  let queue: string[] = [];
  let refreshing: Promise<void> | null = null;
  const busy = new Set<string>();
  const sleepers = new Set<() => void>();

  const wake = () => {
    for (const s of [...sleepers]) s();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  const refresh = (): Promise<void> =>
    (refreshing ??= (async () => {
      try {
        const found = await feed.pending(group, Math.max(16, concurrency * 4));
        // Workers of a group see the same list: each starts at a different place in it.
        queue = shuffle(found.filter((t) => !busy.has(t)));
      } finally {
        refreshing = null;
      }
    })());

  const next = async (): Promise<string | undefined> => {
    for (let round = 0; round < 2; round++) {
      while (queue.length > 0) {
        const t = queue.shift();
        if (t !== undefined && !busy.has(t)) return t;
      }
      if (round === 0) await refresh();
    }
    return undefined;
  };

  const report = (message: string, details: Record<string, unknown>) =>
    logger.error(message, { group, owner, ...details });

  /** Handles one claim of `tenantId`; true when a full batch was handled (more is likely waiting). */
  const run = async (tenantId: string): Promise<boolean> => {
    const batch = await feed.claim(group, tenantId, { owner, ms: leaseMs, limit: batchSize });
    if (!batch) return false;
    let cursor = batch.cursor;
    let tries = batch.tries;
    let renewAt = performance.now() + leaseMs / 2;
    const settle = (outcome: FeedOutcome) => feed.settle(group, tenantId, owner, outcome);
    for (const entry of batch.events) {
      if (stopping) break;
      if (performance.now() >= renewAt) {
        // Lost: another worker took over after the lease ran out and goes on from the last acknowledgement.
        if (!(await settle({ cursor, renewMs: leaseMs }))) return false;
        renewAt = performance.now() + leaseMs / 2;
      }
      const event = toEvent(tenantId, entry);
      try {
        await handler(event, { group, owner, attempt: tries + 1 });
        cursor = entry.seq;
        tries = 0;
      } catch (error) {
        tries += 1;
        report("scimkit: an event feed handler failed", {
          tenantId,
          event: event.type,
          seq: entry.seq,
          attempt: tries,
          error: error instanceof Error ? error.message : String(error),
        });
        if (tries < maxTries) {
          await settle({ cursor, failure: { tries, retryInMs: backoff(tries), error: errorName(error) } });
          return false;
        }
        const parked: ParkedEvent = {
          eventId: event.id,
          seq: entry.seq,
          type: event.type,
          tries,
          error: errorName(error),
          parkedAt: deps.now().toISOString(),
        };
        logger.warn?.("scimkit: an event was parked after its last try", {
          group,
          tenantId,
          eventId: event.id,
          seq: entry.seq,
          tries,
        });
        cursor = entry.seq;
        tries = 0;
        if (!(await settle({ cursor, parked: [parked], renewMs: leaseMs }))) return false;
        renewAt = performance.now() + leaseMs / 2;
      }
    }
    const acked = await settle({ cursor });
    return (
      acked && !stopping && batch.events.length >= batchSize && cursor === batch.events[batch.events.length - 1]?.seq
    );
  };

  const lane = async () => {
    while (!stopping) {
      let tenantId: string | undefined;
      try {
        tenantId = await next();
      } catch (error) {
        report("scimkit: the event feed could not be read", {
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(pollMs);
        continue;
      }
      if (tenantId === undefined) {
        await sleep(pollMs);
        continue;
      }
      busy.add(tenantId);
      try {
        while (!stopping && (await run(tenantId)));
      } catch (error) {
        report("scimkit: the event feed could not be read or acknowledged", {
          tenantId,
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(Math.min(pollMs, 1000));
      } finally {
        busy.delete(tenantId);
      }
    }
  };

  const unsubscribe = deps.subscribe(wake);
  const lanes = Array.from({ length: concurrency }, () => lane());
  let stopped: Promise<void> | undefined;
  const consumer: FeedConsumer = {
    group,
    owner,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake();
        await Promise.all(lanes);
        unsubscribe();
        deps.stopped(consumer);
      })();
      return stopped;
    },
  };
  if (options.signal) {
    if (options.signal.aborted) void consumer.stop();
    else options.signal.addEventListener("abort", () => void consumer.stop(), { once: true });
  }
  return consumer;
}
