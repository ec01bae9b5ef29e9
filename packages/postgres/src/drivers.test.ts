import { EventEmitter } from "node:events";
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { createPgDriver, createPgliteDriver, type PgPoolLike, type PgQueryConfig, type SqlExecutor } from "./index.js";

const textOf = (q: string | PgQueryConfig) => (typeof q === "string" ? q : q.text);

function fakePool(failOn: (text: string) => boolean = () => false, pipeline = false) {
  const statements: string[] = [];
  const released: unknown[] = [];
  /** How many statements had been sent when each one was answered. */
  const sentWhenAnswered: number[] = [];
  let ended = false;
  const client = {
    pipeline,
    query: async (q: string | PgQueryConfig) => {
      const text = textOf(q);
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
      query: async (q: string | PgQueryConfig) => {
        const text = textOf(q);
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

describe("createPgDriver's prepared statements", () => {
  function recordingPool() {
    const sent: (string | PgQueryConfig)[] = [];
    const client = {
      query: async (q: string | PgQueryConfig) => (sent.push(q), { rows: [], rowCount: 0 }),
      release: () => undefined,
    };
    const pool: PgPoolLike = { query: client.query, connect: async () => client };
    return { pool, sent };
  }
  const nameOf = (q: string | PgQueryConfig | undefined) => (typeof q === "object" ? q.name : "plain text");

  it("names each statement by its text, the same name every time and on every driver, never one name for two texts", async () => {
    const a = recordingPool();
    const b = recordingPool();
    await createPgDriver(a.pool).query("SELECT $1::int", [1]);
    await createPgDriver(a.pool).transaction(async (sql) => {
      await sql.query("SELECT $1::int", [2]);
      await sql.query("SELECT $1::text", ["x"]);
    });
    await createPgDriver(b.pool).query("SELECT $1::int", [3]);
    const [first, begin, second, other, commit] = a.sent;
    expect(nameOf(first)).toMatch(/^scimkit_[0-9a-f]{20}$/);
    expect(nameOf(second)).toBe(nameOf(first));
    expect(nameOf(b.sent[0])).toBe(nameOf(first));
    expect(nameOf(other)).toMatch(/^scimkit_/);
    expect(nameOf(other)).not.toBe(nameOf(first));
    // BEGIN and COMMIT stay plain texts; values travel with each statement.
    expect([begin, commit]).toEqual(["BEGIN", "COMMIT"]);
    expect(second).toMatchObject({ text: "SELECT $1::int", values: [2] });
  });

  it("sends statements unnamed when turned off, and past a thousand distinct texts", async () => {
    const off = recordingPool();
    await createPgDriver(off.pool, { preparedStatements: false }).query("SELECT $1::int", [1]);
    expect(off.sent[0]).toEqual({ text: "SELECT $1::int", values: [1] });
    // Filters of ever new shapes must not grow each connection's prepared statements without bound.
    const many = recordingPool();
    const driver = createPgDriver(many.pool);
    for (let i = 0; i < 1001; i++) await driver.query(`SELECT $1::int + ${i}`, [i]);
    const named = many.sent.filter((q) => typeof q === "object" && q.name !== undefined);
    expect(named.length).toBeGreaterThan(900);
    expect(named.length).toBeLessThan(1001);
    expect(nameOf(many.sent[1000])).toBeUndefined();
    // A text named before the cap keeps its name.
    await driver.query("SELECT $1::int + 0", [0]);
    expect(nameOf(many.sent[1001])).toBe(nameOf(many.sent[0]));
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
