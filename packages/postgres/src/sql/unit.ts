/**
 * What a unit of work holds, and the locks it takes. A write unit locks what it touches, never the
 * whole tenant up front:
 *
 * - a resource it reads (`SELECT … FOR NO KEY UPDATE`) or writes, until commit, so each
 *   read-then-write of a resource (a PATCH, a role recomputation, a group's next version) sees no
 *   other writer in between;
 * - the members it adds (`FOR KEY SHARE`, what a foreign key takes), so a resource being deleted
 *   never gains a membership;
 * - a record it reads (`FOR SHARE`), so a read-modify-write of one record loses no update (a
 *   record it found missing it may only create: if another created it meanwhile, the unit runs
 *   again);
 * - the tenant's policy lock, an advisory lock: exclusive for a unit that lists a kind of record
 *   (a decision taken from the whole list, such as "is this the last admin?" or "which groups grant
 *   roles?", stays true until commit), shared for a unit that writes one record;
 * - the tenant's log lock, from its appends to commit (see logs.ts).
 *
 * Deadlocks are avoided by one rule: a unit waits for a lock only while it holds nothing another
 * unit could wait for (its first lock), or when the lock is the log lock, whose holders only
 * commit. Past its first lock, a unit asks with `NOWAIT` (or `pg_try_advisory_xact_lock`); when
 * the lock is taken, the unit is rolled back and run again in the tenant's exclusive mode: the
 * policy lock taken exclusively before anything else, then waiting for every other lock. At most
 * one unit of a tenant runs in that mode, and it is how every write unit ran before.
 */
import type { SqlExecutor } from "../driver.js";
import { LOCK_CLASS, lockKey, type Tables } from "../identifiers.js";
import { isDeadlock, isLockNotAvailable } from "./errors.js";

/** The unit of work could not take a lock without waiting; the store runs it again in exclusive mode. */
export class LockContention extends Error {
  override readonly name = "LockContention";
  constructor() {
    super("a lock the unit of work needs is held by another; it is run again in the tenant's exclusive mode");
  }
}

/** "normal": locks as it goes; "exclusive": holds the tenant's policy lock from the start. */
export type UnitMode = "normal" | "exclusive";

export class Unit {
  /** Has taken a row lock or written: from now on, a lock it cannot have at once sends it round again. */
  holding = false;
  /** The policy lock held, if any. */
  policy: "none" | "shared" | "exclusive";
  /** `type/id` of the resources whose rows this unit has locked or written. */
  readonly locked = new Set<string>();
  /** `kind/id` of records this unit read and found missing: there was no row to lock. */
  readonly absent = new Set<string>();
  /** Set once the unit must be run again; every later call fails fast. */
  contended = false;
  /** Why: a lock it could not have at once, or a deadlock the server broke by failing it. */
  reason: "lock" | "deadlock" = "lock";

  constructor(
    readonly readOnly: boolean,
    readonly mode: UnitMode,
  ) {
    this.policy = mode === "exclusive" ? "exclusive" : "none";
  }

  /** Whether a lock may be waited for: in exclusive mode always, else only as the first. */
  get mayWait(): boolean {
    return this.mode === "exclusive" || !this.holding;
  }

  /** `NOWAIT` after a locking clause when the unit may not wait. */
  get nowait(): string {
    return this.mayWait ? "" : " NOWAIT";
  }

  holds(type: string, id: string): boolean {
    return this.locked.has(`${type}/${id}`);
  }

  hold(type: string, id: string): void {
    this.locked.add(`${type}/${id}`);
    this.holding = true;
  }

  contend(reason: "lock" | "deadlock" = "lock"): never {
    this.contended = true;
    this.reason = reason;
    throw new LockContention();
  }

  /** Refuses writes in a read-only unit, before any SQL. */
  writing(): void {
    if (this.readOnly) throw new Error("a read-only unit of work cannot write");
    if (this.contended) throw new LockContention();
  }
}

/**
 * The executor a unit's statements go through: a statement refused for a lock (`NOWAIT`) or
 * chosen as a deadlock victim marks the unit to be run again.
 */
export function guarded(sql: SqlExecutor, unit: Unit): SqlExecutor {
  return {
    async query(text, params) {
      if (unit.contended) throw new LockContention();
      try {
        return await sql.query(text, params);
      } catch (error) {
        if (isLockNotAvailable(error)) unit.contend("lock");
        if (isDeadlock(error)) unit.contend("deadlock");
        throw error;
      }
    },
  };
}

/** The advisory lock keys of a tenant, as `$n::int` pairs' values. */
export const policyLock = (t: Tables, tenant: string): [number, number] => [
  LOCK_CLASS,
  lockKey(`policy:${t.schema}:${tenant}`),
];
export const logLock = (t: Tables, tenant: string): [number, number] => [
  LOCK_CLASS,
  lockKey(`log:${t.schema}:${tenant}`),
];

/** Takes the tenant's policy lock exclusively, waiting for it: the first statement of a unit in exclusive mode. */
export async function lockPolicyExclusively(sql: SqlExecutor, t: Tables, tenant: string): Promise<void> {
  await sql.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", policyLock(t, tenant));
}

/**
 * Makes sure the unit holds the policy lock in `mode` (exclusive also serves shared), with a
 * statement of its own: waiting for it when the unit may wait, else trying once and sending the
 * unit round again in exclusive mode when another holds it. It is a statement of its own so that
 * what the unit reads next is read after the lock is held.
 */
export async function takePolicy(
  sql: SqlExecutor,
  t: Tables,
  tenant: string,
  unit: Unit,
  mode: "shared" | "exclusive",
): Promise<void> {
  if (unit.policy === "exclusive" || unit.policy === mode) return;
  const fn = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
  if (unit.mayWait) {
    await sql.query(`SELECT ${fn}($1::int, $2::int)`, policyLock(t, tenant));
  } else {
    const res = await sql.query(`SELECT pg_try_${fn.slice(3)}($1::int, $2::int) AS ok`, policyLock(t, tenant));
    if (res.rows[0]?.["ok"] !== true) unit.contend();
  }
  unit.policy = mode;
  unit.holding = true;
}
