/**
 * The feed's cursors and leases for a store that keeps none natively: records of kind
 * `feed.<group>` in each tenant (`cursor`, and `parked:<seq>` per parked event), read and written
 * in that tenant's units of work. The contract serializes a tenant's write units, so a claim's
 * read-check-write of the cursor record is atomic on every store that keeps it.
 *
 * Which tenants have work comes from reading the events log across tenants (`readLogAll`) from
 * where this process last stopped, and from what its own claims learned of each tenant's cursor.
 * A claim that finds nothing, or finds another's lease, tells this process when to ask again.
 */
import type { JsonObject, JsonValue, LogEntry, ScimStore, StoreRecord } from "../store/types.js";
import type { FeedStore, FeedTenantLag, ParkedEvent, TenantLogEntry } from "../store/feed.js";

export const CURSOR_ID = "cursor";
export const PARKED_PREFIX = "parked:";
export const feedKind = (group: string): string => `feed.${group}`;

/** A group's cursor record, as stored. Times are epoch milliseconds of the clock given. */
interface CursorState {
  readonly cursor: number;
  readonly tries: number;
  readonly error: string | null;
  readonly retryAt: number;
  readonly owner: string | null;
  readonly until: number;
}

const EMPTY: CursorState = { cursor: 0, tries: 0, error: null, retryAt: 0, owner: null, until: 0 };
const PAGE = 1000;

const num = (v: JsonValue | undefined): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const strOrNull = (v: JsonValue | undefined): string | null => (typeof v === "string" ? v : null);

function stateOf(record: StoreRecord | null): CursorState {
  if (!record) return EMPTY;
  const d = record.data;
  return {
    cursor: num(d["cursor"]),
    tries: num(d["tries"]),
    error: strOrNull(d["error"]),
    retryAt: num(d["retryAt"]),
    owner: strOrNull(d["owner"]),
    until: num(d["until"]),
  };
}

const stateJson = (s: CursorState): JsonObject => ({ ...s });

/** A parked event's record data → the event, or null for a record of another shape. */
export function parkedOf(data: JsonObject): ParkedEvent | null {
  const { eventId, seq, type, tries, error, parkedAt } = data;
  if (
    typeof eventId !== "string" ||
    typeof seq !== "number" ||
    typeof type !== "string" ||
    typeof error !== "string" ||
    typeof parkedAt !== "string"
  )
    return null;
  return { eventId, seq, type, tries: num(tries), error, parkedAt };
}

export const parkedJson = (p: ParkedEvent): JsonObject => ({
  eventId: p.eventId,
  seq: p.seq,
  type: p.type,
  tries: p.tries,
  error: p.error,
  parkedAt: p.parkedAt,
});

/** Every entry of a log across tenants, page by page. */
async function* readAll(
  readLogAll: NonNullable<ScimStore["readLogAll"]>,
  after: number,
): AsyncGenerator<readonly TenantLogEntry[]> {
  let cursor = after;
  for (;;) {
    const page = await readLogAll("events", { after: cursor, limit: PAGE });
    if (page.length > 0) yield page;
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) return;
    cursor = last.seq;
  }
}

/** What this process knows of one tenant in one group: its cursor, and until when not to ask. */
interface Known {
  cursor: number;
  waitUntil: number;
}

/**
 * A feed over `store`'s records and `readLogAll`, or null when the store cannot read across
 * tenants. `now` is the clock of leases and retries (epoch milliseconds).
 */
export function deriveFeed(store: ScimStore, now: () => number): FeedStore | null {
  const readLogAll = store.readLogAll?.bind(store);
  if (!readLogAll) return null;

  // The newest event seq this process has seen of each tenant, and how far it has read.
  const latest = new Map<string, number>();
  let scanned = 0;
  let scanning: Promise<void> | null = null;
  const scan = (): Promise<void> =>
    (scanning ??= (async () => {
      try {
        for await (const page of readAll(readLogAll, scanned)) {
          for (const e of page) latest.set(e.tenantId, e.seq);
          scanned = page[page.length - 1]?.seq ?? scanned;
        }
      } finally {
        scanning = null;
      }
    })());

  const groups = new Map<string, Map<string, Known>>();
  const knownOf = (group: string) => {
    let m = groups.get(group);
    if (!m) groups.set(group, (m = new Map()));
    return m;
  };
  const learn = (group: string, tenantId: string, state: CursorState, owner: string | null, t: number) => {
    const leasedByOther = state.owner !== null && state.owner !== owner && state.until > t;
    knownOf(group).set(tenantId, {
      cursor: state.cursor,
      waitUntil: Math.max(state.retryAt, leasedByOther ? state.until : 0),
    });
  };

  return {
    async pending(group, limit) {
      await scan();
      const t = now();
      const known = knownOf(group);
      const out: { tenantId: string; cursor: number }[] = [];
      for (const [tenantId, top] of latest) {
        const k = known.get(tenantId);
        if (k && (k.cursor >= top || k.waitUntil > t)) continue;
        out.push({ tenantId, cursor: k?.cursor ?? 0 });
      }
      return out
        .sort((a, b) => a.cursor - b.cursor)
        .slice(0, limit)
        .map((p) => p.tenantId);
    },

    async claim(group, tenantId, lease) {
      const kind = feedKind(group);
      const t = now();
      const { state, events } = await store.transaction(tenantId, async (tx) => {
        const state = stateOf(await tx.getRecord(kind, CURSOR_ID));
        const none = { state, events: [] as readonly LogEntry[] };
        if (state.owner !== null && state.owner !== lease.owner && state.until > t) return none;
        if (state.retryAt > t) return none;
        const events = await tx.readLog("events", { after: state.cursor, limit: lease.limit });
        if (events.length === 0) return none;
        await tx.putRecord(kind, {
          id: CURSOR_ID,
          key: null,
          data: stateJson({ ...state, owner: lease.owner, until: t + lease.ms }),
        });
        return { state, events };
      });
      learn(group, tenantId, state, lease.owner, t);
      if (events.length === 0) return null;
      return { cursor: state.cursor, tries: state.tries, events };
    },

    async settle(group, tenantId, owner, outcome) {
      const kind = feedKind(group);
      const t = now();
      const next = await store.transaction(tenantId, async (tx) => {
        const state = stateOf(await tx.getRecord(kind, CURSOR_ID));
        if (state.owner !== owner) return null;
        const renew = outcome.renewMs !== undefined;
        const next: CursorState = {
          cursor: Math.max(state.cursor, outcome.cursor),
          tries: outcome.failure?.tries ?? 0,
          error: outcome.failure?.error ?? null,
          retryAt: outcome.failure ? t + outcome.failure.retryInMs : 0,
          owner: renew ? owner : null,
          until: renew ? t + (outcome.renewMs ?? 0) : 0,
        };
        await tx.putRecord(kind, { id: CURSOR_ID, key: null, data: stateJson(next) });
        for (const p of outcome.parked ?? [])
          await tx.putRecord(kind, { id: `${PARKED_PREFIX}${p.seq}`, key: null, data: parkedJson(p) });
        return next;
      });
      if (next === null) return false;
      learn(group, tenantId, next, owner, t);
      return true;
    },

    async parked(group, tenantId) {
      const records = await store.transaction(tenantId, (tx) => tx.listRecords(feedKind(group)), { readOnly: true });
      const out: ParkedEvent[] = [];
      for (const r of records) {
        const p = r.id.startsWith(PARKED_PREFIX) ? parkedOf(r.data) : null;
        if (p) out.push(p);
      }
      return out.sort((a, b) => a.seq - b.seq);
    },

    async lag(group) {
      const seqs = new Map<string, number[]>();
      for await (const page of readAll(readLogAll, 0)) {
        for (const e of page) {
          let list = seqs.get(e.tenantId);
          if (!list) seqs.set(e.tenantId, (list = []));
          list.push(e.seq);
        }
      }
      const t = now();
      const out: FeedTenantLag[] = [];
      for (const [tenantId, list] of seqs) {
        const state = stateOf(
          await store.transaction(tenantId, (tx) => tx.getRecord(feedKind(group), CURSOR_ID), { readOnly: true }),
        );
        out.push({
          tenantId,
          cursor: state.cursor,
          pending: list.filter((s) => s > state.cursor).length,
          latest: list[list.length - 1] ?? 0,
          tries: state.tries,
          error: state.error,
          leased: state.owner !== null && state.until > t,
        });
      }
      return out;
    },
  };
}
