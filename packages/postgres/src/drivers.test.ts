import { EventEmitter } from "node:events";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { createPgDriver, createPgliteDriver, type PgPoolLike, type SqlExecutor } from "./index.js";

function fakePool(failOn: (text: string) => boolean = () => false, pipeline = false) {
  const statements: string[] = [];
  const released: unknown[] = [];
  /** How many statements had been sent when each one was answered. */
  const sentWhenAnswered: number[] = [];
  let ended = false;
  const client = {
    pipeline,
    query: async (text: string) => {
      statements.push(text);
      // Answered on a later turn, as a server would be: a pipelining caller sends on meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1));
      sentWhenAnswered.push(statements.length);
      if (failOn(text)) throw new Error(`failed: ${text}`);
      return { rows: [{ n: 1 }], rowCount: 1 };
    },
    release: (err?: Error | boolean) => void released.push(err),
  };
  const pool: PgPoolLike = { query: client.query, connect: async () => client, end: async () => void (ended = true) };
  return { pool, statements, released, sentWhenAnswered, ended: () => ended };
}

describe("createPgDriver", () => {
  it("runs a unit of work between BEGIN and COMMIT on one client and returns the client", async () => {
    const f = fakePool();
    const result = await createPgDriver(f.pool).transaction(async (sql) => (await sql.query("SELECT 1")).rows.length);
    expect(result).toBe(1);
    expect(f.statements).toEqual(["BEGIN", "SELECT 1", "COMMIT"]);
    expect(f.released).toEqual([false]);
  });

  it("reads in one read-only snapshot", async () => {
    const f = fakePool();
    await createPgDriver(f.pool).transaction(async (sql) => sql.query("SELECT 1"), { readOnly: true });
    expect(f.statements[0]).toBe("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  });

  it("rolls back and rethrows when the work throws", async () => {
    const f = fakePool();
    const failing = async (sql: SqlExecutor) => {
      await sql.query("SELECT 1");
      throw new Error("boom");
    };
    await expect(createPgDriver(f.pool).transaction(failing)).rejects.toThrow("boom");
    expect(f.statements).toEqual(["BEGIN", "SELECT 1", "ROLLBACK"]);
    expect(f.released).toEqual([false]);
    // A unit that sent nothing has nothing to begin or to roll back.
    await expect(createPgDriver(f.pool).transaction(async () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    expect(f.statements).toHaveLength(3);
  });

  it("discards a client whose rollback failed instead of returning it to the pool", async () => {
    const f = fakePool((text) => text === "ROLLBACK");
    const failing = async (sql: SqlExecutor) => {
      await sql.query("SELECT 1");
      throw new Error("boom");
    };
    await expect(createPgDriver(f.pool).transaction(failing)).rejects.toThrow("boom");
    expect(f.released[0]).toBeInstanceOf(Error);
  });

  it("sends BEGIN with the first statement on a pipelining client, after its answer otherwise", async () => {
    const pipelined = fakePool(() => false, true);
    await createPgDriver(pipelined.pool).transaction(async (sql) => {
      await sql.query("SELECT 1");
      await sql.query("SELECT 2");
    });
    expect(pipelined.statements).toEqual(["BEGIN", "SELECT 1", "SELECT 2", "COMMIT"]);
    // BEGIN was answered when SELECT 1 had already been sent: one round trip for both.
    expect(pipelined.sentWhenAnswered.slice(0, 2)).toEqual([2, 2]);
    const plain = fakePool();
    await createPgDriver(plain.pool).transaction(async (sql) => sql.query("SELECT 1"));
    expect(plain.sentWhenAnswered).toEqual([1, 2, 3]);
  });

  it("gives every new client of the pool an error listener before anyone checks it out", () => {
    // A session ended just after it connected is reported while the pool hands the client out,
    // before the unit of work listens: without a listener of its own the emit would throw.
    const pool = Object.assign(new EventEmitter(), {
      query: async () => ({ rows: [], rowCount: 0 }),
      connect: async () => {
        throw new Error("unused");
      },
    });
    createPgDriver(pool as unknown as PgPoolLike);
    const client = new EventEmitter();
    pool.emit("connect", client);
    expect(() => client.emit("error", new Error("terminating connection due to administrator command"))).not.toThrow();
  });

  it("hears a checked-out client's connection error between statements, and discards that client", async () => {
    // node-postgres emits `error` on a checked-out client whose connection drops while no query
    // runs (the server restarted or ended the session); an EventEmitter with no listener throws it.
    const emitter = new EventEmitter();
    const released: unknown[] = [];
    let broken = false;
    const client = Object.assign(emitter, {
      query: async (text: string) => {
        if (broken) throw new Error("Client has encountered a connection error and is not queryable");
        return { rows: [{ text }], rowCount: 1 };
      },
      release: (err?: Error | boolean) => void released.push(err),
    });
    const pool: PgPoolLike = { query: client.query, connect: async () => client };
    const dropped = new Error("terminating connection due to administrator command");
    await expect(
      createPgDriver(pool).transaction(async (sql) => {
        await sql.query("SELECT 1");
        broken = true;
        emitter.emit("error", dropped);
        await sql.query("SELECT 2");
      }),
    ).rejects.toThrow("not queryable");
    // Not returned to the pool for reuse (its ROLLBACK failed as well).
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);
    expect(emitter.listenerCount("error")).toBe(0);
  });
});

describe("createPgliteDriver", () => {
  it("commits, rolls back, and refuses writes in a read-only unit of work", async () => {
    const db = new PGlite();
    const driver = createPgliteDriver(db, { closeOnClose: true });
    await driver.query("CREATE TABLE t (v text)");
    await driver.transaction(async (sql) => sql.query("INSERT INTO t VALUES ($1)", ["kept"]));
    await expect(
      driver.transaction(
        async (sql) => (await sql.query("INSERT INTO t VALUES ($1)", ["dropped"]), Promise.reject(new Error("boom"))),
      ),
    ).rejects.toThrow("boom");
    await expect(
      driver.transaction(async (sql) => sql.query("INSERT INTO t VALUES ('x')"), { readOnly: true }),
    ).rejects.toThrow(/read-only/);
    expect((await driver.query("SELECT v FROM t")).rows).toEqual([{ v: "kept" }]);
    expect((await driver.query("UPDATE t SET v = $1", ["changed"])).rowCount).toBe(1);
    await driver.close?.();
    expect(db.closed).toBe(true);
  });
});
