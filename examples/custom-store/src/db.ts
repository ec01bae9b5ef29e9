/**
 * A tiny in-process document database, standing in for the one your app already has. It knows nothing
 * of SCIM, and has what any store needs underneath it, each one feature of a real database:
 * - per-tenant collections of JSON documents, kept as text so no caller ever shares an object with it;
 * - units of work that commit all their writes or none, one at a time per tenant (a per-tenant lock);
 * - reads that see committed data plus the unit's own writes, never another unit's pending ones;
 * - a unique index across tenants, and a store-wide sequence of numbers.
 */

/**
 * A unit of work's view of one tenant. `next` draws from the store-wide sequence; `claim` takes a key
 * of the cross-tenant unique index for a document of this tenant, false when another holds it.
 */
export interface Session {
  get<T>(collection: string, id: string): T | undefined;
  list<T>(collection: string): T[];
  put(collection: string, id: string, doc: unknown): void;
  remove(collection: string, id: string): void;
  next(): number;
  claim(key: string, id: string): boolean;
  release(key: string): void;
}

export type KeyHolder = { readonly tenantId: string; readonly id: string };

export class DocumentDb {
  readonly #tenants = new Map<string, Map<string, Map<string, string>>>(); // tenant → collection → id → JSON
  readonly #keys = new Map<string, KeyHolder>();
  /** Keys taken by units still running, so two tenants' units cannot both take one key. */
  readonly #claims = new Map<string, object>();
  readonly #queues = new Map<string, Promise<void>>();
  #seq = 0;

  /** Runs `work` as one unit of work of `tenantId`: committed when it resolves, discarded when it throws. */
  async transaction<T>(tenantId: string, readOnly: boolean, work: (session: Session) => Promise<T>): Promise<T> {
    if (readOnly) return work(this.#open(tenantId, false).session);
    // A tenant's writers queue in arrival order; other tenants' writers run alongside.
    const before = this.#queues.get(tenantId) ?? Promise.resolve();
    let release = () => {};
    const queue = before.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.#queues.set(tenantId, queue);
    await before;
    const unit = this.#open(tenantId, true);
    try {
      const result = await work(unit.session);
      unit.commit();
      return result;
    } finally {
      unit.close();
      release();
      if (this.#queues.get(tenantId) === queue) this.#queues.delete(tenantId);
    }
  }

  /** Who holds `key` of the cross-tenant index, as committed. */
  keyHolder(key: string): KeyHolder | undefined {
    return this.#keys.get(key);
  }

  #open(tenantId: string, writable: boolean) {
    const tenant = this.#tenants.get(tenantId) ?? new Map<string, Map<string, string>>();
    this.#tenants.set(tenantId, tenant);
    // Writes wait here until commit: collection → id → JSON text, or null for a removal.
    const writes = new Map<string, Map<string, string | null>>();
    const keys = new Map<string, KeyHolder | null>();
    const unit = {};
    const writing = () => {
      if (!writable) throw new Error("write attempted in a read-only unit of work");
    };
    const write = (collection: string, id: string, value: string | null) => {
      writing();
      const pending = writes.get(collection) ?? new Map<string, string | null>();
      writes.set(collection, pending.set(id, value));
    };
    const session: Session = {
      get: <T>(collection: string, id: string) => {
        const pending = writes.get(collection);
        const text = pending?.has(id) ? pending.get(id) : tenant.get(collection)?.get(id);
        return text == null ? undefined : (JSON.parse(text) as T);
      },
      list: <T>(collection: string) => {
        const ids = new Set([...(tenant.get(collection)?.keys() ?? []), ...(writes.get(collection)?.keys() ?? [])]);
        return [...ids].flatMap((id) => session.get<T>(collection, id) ?? []);
      },
      put: (collection, id, doc) => write(collection, id, JSON.stringify(doc)),
      remove: (collection, id) => write(collection, id, null),
      // Never the same number twice, even when a unit rolls back: gaps are fine, reuse is not.
      next: () => ++this.#seq,
      claim: (key, id) => {
        writing();
        const holder = keys.has(key) ? keys.get(key) : this.#keys.get(key);
        const free = holder == null || (holder.tenantId === tenantId && holder.id === id);
        if (!free || (this.#claims.get(key) ?? unit) !== unit) return false;
        keys.set(key, { tenantId, id });
        this.#claims.set(key, unit);
        return true;
      },
      release: (key) => {
        writing();
        keys.set(key, null);
      },
    };
    // Synchronous, so no reader ever sees half of a commit.
    const commit = () => {
      for (const [collection, pending] of writes) {
        const docs = tenant.get(collection) ?? new Map<string, string>();
        for (const [id, text] of pending) text === null ? docs.delete(id) : docs.set(id, text);
        tenant.set(collection, docs);
      }
      for (const [key, holder] of keys) holder === null ? this.#keys.delete(key) : this.#keys.set(key, holder);
    };
    const close = () => {
      for (const key of keys.keys()) if (this.#claims.get(key) === unit) this.#claims.delete(key);
    };
    return { session, commit, close };
  }
}
