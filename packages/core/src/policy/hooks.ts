/**
 * How the policy tells the host: each hook comes in two kinds. The plain one runs after commit (it
 * sees only what was committed, and a throw is logged, never undoing anything); the in-transaction
 * one runs inside the unit of work with its transaction, so the host's own write commits or rolls
 * back with the change (a throw fails the request and nothing is written).
 */
import type { Journal } from "../engine/journal.js";
import type { StoreTransaction } from "../store/types.js";

export async function tellHost<N>(
  journal: Journal,
  inTransaction: ((notice: N, tx: StoreTransaction) => void | Promise<void>) | undefined,
  afterCommit: ((notice: N) => void | Promise<void>) | undefined,
  notice: N,
): Promise<void> {
  if (inTransaction) await inTransaction(notice, journal.tx);
  if (afterCommit) journal.afterCommit(() => afterCommit(notice));
}
