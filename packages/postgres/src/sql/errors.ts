/** PostgreSQL errors the store turns into contract errors, or into another try of a unit of work. */

const sqlState = (error: unknown): unknown => (error instanceof Error ? (error as { code?: unknown }).code : undefined);

/** SQLSTATE 23505: a unique index rejected a write. */
export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return sqlState(error) === "23505";
}

/** SQLSTATE 55P03: a lock asked for with NOWAIT (or under `lock_timeout`) was held by another. */
export const isLockNotAvailable = (error: unknown): boolean => sqlState(error) === "55P03";

/** SQLSTATE 40P01: the server rolled this transaction back to break a deadlock. */
export const isDeadlock = (error: unknown): boolean => sqlState(error) === "40P01";
