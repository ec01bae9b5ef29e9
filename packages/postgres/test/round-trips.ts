/**
 * Counting what the store costs the database, below the driver, so BEGIN and COMMIT count too:
 *
 * - `countingPool` wraps a node-postgres pool and counts statements and round trips: on a
 *   pipelining client, a statement sent while another is still unanswered shares that one's round
 *   trip; any other client sends it only once that one is answered.
 * - `countingPglite` wraps a PGlite instance and counts statements, with the BEGIN and COMMIT its
 *   `transaction` runs itself; in-process, a statement is a round trip.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import {
  createPgDriver,
  createPgliteDriver,
  migrate,
  type PgClientLike,
  type PgliteLike,
  type PgPoolLike,
  type PgQueryConfig,
  type SqlDriver,
} from "../src/index.js";
import { freshSchema, PG_URL } from "./databases.js";

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

/** A migrated store database whose statements and round trips are counted. */
export interface CountedDatabase {
  readonly counter: Counter;
  readonly driver: SqlDriver;
  readonly schema: string;
  dispose(): Promise<void>;
}

export async function countedPglite(): Promise<CountedDatabase> {
  const db = new PGlite();
  const counter = countingPglite(db);
  const driver = createPgliteDriver(counter.db);
  await migrate(driver);
  return { counter, driver, schema: "scimkit", dispose: () => db.close() };
}

/** On the server in SCIMKIT_TEST_PG_URL, in a fresh schema named after `name`, dropped by `dispose`. */
export async function countedServer(name: string, pipeline = false): Promise<CountedDatabase> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4, pipeline } as pg.PoolConfig);
  const counter = countingPool(pool);
  const driver = createPgDriver(counter.pool);
  const schema = freshSchema(name);
  await migrate(driver, { schema });
  return {
    counter,
    driver,
    schema,
    dispose: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
