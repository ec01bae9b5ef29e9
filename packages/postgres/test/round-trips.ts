/**
 * Counting what the store costs the database, below the driver, so BEGIN and COMMIT count too:
 *
 * - `countingPool` wraps a node-postgres pool and counts statements and round trips: on a
 *   pipelining client, a statement sent while another is still unanswered shares that one's round
 *   trip; any other client sends it only once that one is answered.
 * - `countingPglite` wraps a PGlite instance and counts statements, with the BEGIN and COMMIT its
 *   `transaction` runs itself; in-process, a statement is a round trip.
 */
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import type { PgClientLike, PgliteLike, PgPoolLike, PgQueryConfig } from "../src/index.js";

export interface Counts {
  statements: number;
  roundTrips: number;
  /** Statement texts, in order, for failure messages. */
  readonly texts: string[];
}

export interface Counter {
  readonly counts: Counts;
  reset(): void;
}

function counter(): Counter {
  const counts: Counts = { statements: 0, roundTrips: 0, texts: [] };
  return {
    counts,
    reset() {
      counts.statements = 0;
      counts.roundTrips = 0;
      counts.texts.length = 0;
    },
  };
}

const first = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 60);

export function countingPool(pool: pg.Pool): Counter & { readonly pool: PgPoolLike } {
  const c = counter();
  const count = <C extends PgClientLike>(client: C) => {
    let inFlight = 0;
    return {
      get pipeline() {
        return client.pipeline;
      },
      async query(query: string | PgQueryConfig, values?: unknown[]) {
        c.counts.statements += 1;
        c.counts.texts.push(first(typeof query === "string" ? query : query.text));
        // A client that does not pipeline queues a statement until the one before it is answered.
        if (inFlight === 0 || client.pipeline !== true) c.counts.roundTrips += 1;
        inFlight += 1;
        try {
          return await client.query(query, values);
        } finally {
          inFlight -= 1;
        }
      },
    };
  };
  const wrapped: PgPoolLike = {
    ...count(pool as unknown as PgClientLike),
    async connect() {
      const client = await pool.connect();
      return {
        ...count(client as unknown as PgClientLike),
        pipeline: (client as unknown as PgClientLike).pipeline,
        release: (err?: Error | boolean) => client.release(err),
      };
    },
    end: () => pool.end(),
  };
  return { ...c, pool: wrapped };
}

export function countingPglite(db: PGlite): Counter & { readonly db: PgliteLike } {
  const c = counter();
  const note = (text: string) => {
    c.counts.statements += 1;
    c.counts.roundTrips += 1;
    c.counts.texts.push(first(text));
  };
  const wrapped: PgliteLike = {
    query(text, params) {
      note(text);
      return db.query(text, params);
    },
    async transaction(work) {
      note("BEGIN");
      const result = await db.transaction((tx) =>
        work({
          query(text, params) {
            note(text);
            return tx.query(text, params);
          },
        }),
      );
      note("COMMIT");
      return result;
    },
    close: () => db.close(),
  };
  return { ...c, db: wrapped };
}
